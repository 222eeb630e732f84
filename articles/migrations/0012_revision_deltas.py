"""Revisions stored as deltas: the whole-story column ``data`` becomes the keyframe ``snapshot``
(same column, now empty for a delta), beside ``base`` and ``delta`` (a JSON patch from the base).
Existing revisions stay keyframes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0011_search_index_tables"),
    ]

    operations = [
        migrations.AlterField(
            model_name="revision",
            name="data",
            field=models.JSONField(null=True, blank=True, verbose_name="data"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="revision", old_name="data", new_name="snapshot"),
                migrations.AlterField(
                    model_name="revision",
                    name="snapshot",
                    field=models.JSONField(blank=True, db_column="data", editable=False, null=True,
                                           verbose_name="data",
                                           help_text="The whole story (a keyframe); empty when the revision is a delta."),
                ),
            ],
        ),
        migrations.AddField(
            model_name="revision",
            name="base",
            field=models.ForeignKey(blank=True, editable=False, null=True,
                                    help_text="The keyframe the delta applies to.",
                                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="articles.revision", verbose_name="base"),
        ),
        migrations.AddField(
            model_name="revision",
            name="delta",
            field=models.JSONField(blank=True, editable=False, null=True,
                                   help_text="JSON patch (RFC 6902) from the base's story to this one.",
                                   verbose_name="delta"),
        ),
        migrations.AddConstraint(
            model_name="revision",
            constraint=models.CheckConstraint(
                condition=models.Q(("base__isnull", True), ("delta__isnull", True), ("snapshot__isnull", False))
                | models.Q(("base__isnull", False), ("delta__isnull", False), ("snapshot__isnull", True)),
                name="revision_snapshot_or_delta"),
        ),
    ]
