"""The admin's story list at 100,000 stories: working copies in the list's order (the newest hundred
are read from an index, not sorted out of every story), and by language (its filter's choices)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0009_revision_deltas"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS article_working_order ON articles_article "
            "(publish_at DESC, id DESC) WHERE edition = 'working'",
            "DROP INDEX IF EXISTS article_working_order",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS article_edition_language ON articles_article (edition, language)",
            "DROP INDEX IF EXISTS article_edition_language",
        ),
    ]
