"""The admin's story list at 100,000 stories: working copies in the list's order (the newest hundred
are read from an index, not sorted out of every story), and by language (its filter's choices)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0012_revision_deltas"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS article_working_order ON articles_article "
            "(publish_at DESC, id DESC) WHERE edition = 'working'",
            "DROP INDEX IF EXISTS article_working_order",
        ),
        # Partial, on working copies only: an index on (edition, …) would lure SQLite's planner away
        # from article_live_reading_order for every query on live editions (search, entity pages).
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS article_working_language ON articles_article (language) "
            "WHERE edition = 'working'",
            "DROP INDEX IF EXISTS article_working_language",
        ),
    ]
