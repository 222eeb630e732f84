"""SQLite: the quote search triggers (0011) ask whether a quote's story is a live edition by its id.

They asked ``article_id IN (SELECT id FROM articles_article WHERE edition = 'live')``, which SQLite
answers by listing every live edition, once per quote row written or deleted: 0.5 ms a quote at
2,000 stories, growing with the corpus (an import or a publish writes and deletes every quote of
a story; issue 12). Asked of the one row instead, ``(SELECT edition … WHERE id = article_id)``, it
is an index lookup. Same rows indexed; nothing to do on PostgreSQL or an SQLite without FTS5.
"""

from django.db import migrations

KEY = ("(COALESCE(CAST(strftime('%s', (SELECT published_at FROM articles_article WHERE id = {r}.article_id))"
       " AS INTEGER), 0) * 1000000000 + {r}.id)")
OLD = "{r}.article_id IN (SELECT id FROM articles_article WHERE edition = 'live')"
NEW = "(SELECT edition FROM articles_article WHERE id = {r}.article_id) = 'live'"


def triggers(live):
    fts = "articles_quote_fts"
    new, old = KEY.format(r="new"), KEY.format(r="old")
    return [
        f"DROP TRIGGER IF EXISTS {fts}_ai", f"DROP TRIGGER IF EXISTS {fts}_ad", f"DROP TRIGGER IF EXISTS {fts}_au",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON articles_quote WHEN {live.format(r='new')} BEGIN "
        f"INSERT INTO {fts}(rowid, search_tokens) VALUES ({new}, new.search_tokens); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON articles_quote WHEN {live.format(r='old')} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_tokens) VALUES ('delete', {old}, old.search_tokens); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_tokens ON articles_quote WHEN {live.format(r='new')} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_tokens) VALUES ('delete', {old}, old.search_tokens); "
        f"INSERT INTO {fts}(rowid, search_tokens) VALUES ({new}, new.search_tokens); END",
    ]


def replace(live):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_quote_fts_ai'")
            if cursor.fetchone() is None:
                return  # no FTS5 here (0011 made no index): search uses LIKE
            for sql in triggers(live):
                cursor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0013_admin_list_indexes"),
    ]

    operations = [
        migrations.RunPython(replace(NEW), replace(OLD)),
    ]
