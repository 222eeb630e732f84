from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="PageScope",
            fields=[
                ("scope", models.CharField(max_length=250, primary_key=True, serialize=False)),
                ("generation", models.BigIntegerField(default=0)),
                ("modified_at", models.DateTimeField(blank=True, null=True)),
                ("due", models.JSONField(blank=True, default=list,
                                         help_text="Coming publication times (ISO 8601), sorted.")),
            ],
        ),
    ]
