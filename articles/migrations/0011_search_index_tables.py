"""Search at 100,000 stories: an index each database answers without reading every story.

- PostgreSQL: a stored ``search_vector`` column (``to_tsvector('simple', search_tokens)``, generated,
  so every write path keeps it without code) with a GIN index, on stories, quotes and entities. The
  planner has statistics on a stored column: for a common term it walks the newest stories and tests
  the stored vector, for a rare one it reads the GIN index. The expression indexes of migration 0003
  (which made every tested row recompute its vector) are dropped.
- SQLite: an FTS5 table per searched model over the same bigram tokens (external content, the
  model's ``search_tokens``), kept in sync by triggers, so publish, import, the corpus builder and
  raw SQL writes all update it. Where SQLite has no FTS5 the tables are not made and search falls
  back to LIKE (``articles.search``).
- Both: an index on the live editions in reading order (the walk above, the home page, entity pages),
  (speaker, status) on quotes (is an entity public: ``articles.entity_usage``) and (story, entity,
  status) on mentions (an entity page's passages).

The column and tables are not model fields: Django never writes them.
"""

from django.db import migrations

TABLES = ("articles_article", "articles_quote", "entities_entity")


def pg_forward():
    statements = []
    for table in TABLES:
        statements += [
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(search_tokens, ''))) STORED",
            f"CREATE INDEX IF NOT EXISTS {table}_sv_gin ON {table} USING gin (search_vector)",
        ]
    statements += [
        "DROP INDEX IF EXISTS article_search_gin",
        "DROP INDEX IF EXISTS quote_search_gin",
        "DROP INDEX IF EXISTS entity_search_gin",
    ]
    return statements


# SQLite: stories and quotes are indexed under a rowid that sorts like the reading order
# (publication second, then id), so FTS5 hands out the newest matches first and stops after a few
# (ORDER BY rowid DESC LIMIT n), where a common term would otherwise cost its whole posting list.
# The row's id is the rowid modulo ORDER_ID (articles.search reads it back the same way).
ORDER_ID = 1_000_000_000


def _published(expr):
    return f"COALESCE(CAST(strftime('%s', {expr}) AS INTEGER), 0) * {ORDER_ID}"


SQLITE_KEYS = {
    # table: (rowid of a row named r, condition on r for being indexed, columns whose change re-indexes)
    "articles_article": (lambda r: f"({_published(f'{r}.published_at')} + {r}.id)", "edition = 'live'",
                         "search_tokens, published_at"),
    "articles_quote": (lambda r: f"({_published(f'(SELECT published_at FROM articles_article WHERE id = {r}.article_id)')}"
                                 f" + {r}.id)",
                       "article_id IN (SELECT id FROM articles_article WHERE edition = 'live')", "search_tokens"),
    "entities_entity": (lambda r: f"{r}.id", None, "search_tokens"),
}


def sqlite_forward(table):
    fts = f"{table}_fts"
    key, only, columns = SQLITE_KEYS[table]
    when_new = f"WHEN new.{only} " if only else ""
    when_old = f"WHEN old.{only} " if only else ""
    # Contentless (the tokens are the model's column): a row leaves the index with the values it
    # was indexed with, which the triggers still see.
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(search_tokens, content='', "
        f"tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} {when_new}BEGIN "
        f"INSERT INTO {fts}(rowid, search_tokens) VALUES ({key('new')}, new.search_tokens); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} {when_old}BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_tokens) VALUES ('delete', {key('old')}, old.search_tokens); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {columns} ON {table} "
        f"{when_new}BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_tokens) VALUES ('delete', {key('old')}, old.search_tokens); "
        f"INSERT INTO {fts}(rowid, search_tokens) VALUES ({key('new')}, new.search_tokens); END",
        f"INSERT INTO {fts}(rowid, search_tokens) SELECT {key(table)}, search_tokens FROM {table}"
        + (f" WHERE {only.replace('article_id', table + '.article_id')}" if only else ""),
    ]


def _published_key(published, quote):
    return f"(COALESCE(CAST(strftime('%s', {published}) AS INTEGER), 0) * {ORDER_ID} + {quote}.id)"


# A story's publication time is in its quotes' rowids: when it changes, they are re-keyed.
QUOTES_REKEY = (
    "CREATE TRIGGER IF NOT EXISTS articles_quote_fts_rekey AFTER UPDATE OF published_at ON articles_article "
    "WHEN old.published_at IS NOT new.published_at AND new.edition = 'live' BEGIN "
    "INSERT INTO articles_quote_fts(articles_quote_fts, rowid, search_tokens) "
    f"SELECT 'delete', {_published_key('old.published_at', 'q')}, q.search_tokens FROM articles_quote q "
    "WHERE q.article_id = new.id; "
    "INSERT INTO articles_quote_fts(rowid, search_tokens) "
    f"SELECT {_published_key('new.published_at', 'q')}, q.search_tokens FROM articles_quote q "
    "WHERE q.article_id = new.id; END"
)


def sqlite_backward(table):
    fts = f"{table}_fts"
    if table == "articles_quote":
        return ["DROP TRIGGER IF EXISTS articles_quote_fts_rekey",
                f"DROP TRIGGER IF EXISTS {fts}_ai", f"DROP TRIGGER IF EXISTS {fts}_ad",
                f"DROP TRIGGER IF EXISTS {fts}_au", f"DROP TABLE IF EXISTS {fts}"]
    return [f"DROP TRIGGER IF EXISTS {fts}_ai", f"DROP TRIGGER IF EXISTS {fts}_ad",
            f"DROP TRIGGER IF EXISTS {fts}_au", f"DROP TABLE IF EXISTS {fts}"]


def forward(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in pg_forward():
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            try:
                cursor.execute("CREATE VIRTUAL TABLE temp.newsroom_fts5_probe USING fts5(x)")
                cursor.execute("DROP TABLE temp.newsroom_fts5_probe")
            except Exception:  # SQLite built without FTS5: search uses LIKE (slower, same results)
                return
            for table in TABLES:
                for sql in sqlite_forward(table):
                    cursor.execute(sql)
            cursor.execute(QUOTES_REKEY)


def backward(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"DROP INDEX IF EXISTS {table}_sv_gin")
                cursor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
            for name, table in (("article", "articles_article"), ("quote", "articles_quote"),
                                ("entity", "entities_entity")):
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name}_search_gin ON {table} "
                               f"USING gin (to_tsvector('simple'::regconfig, COALESCE(search_tokens, '')))")
        elif connection.vendor == "sqlite":
            for table in TABLES:
                for sql in sqlite_backward(table):
                    cursor.execute(sql)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("articles", "0010_story_redirect"),
        ("entities", "0006_versions_and_marked_public"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS article_live_reading_order ON articles_article "
            "(published_at DESC, id DESC) WHERE edition = 'live'",
            "DROP INDEX IF EXISTS article_live_reading_order",
        ),
        # Is an entity public (articles.entity_usage): its confirmed or suggested quotes.
        # An entity page's passages: the mentions of one entity in the twenty stories of the page.
        migrations.RunSQL("CREATE INDEX IF NOT EXISTS mention_article_entity ON articles_mention "
                          "(article_id, entity_id, status)",
                          "DROP INDEX IF EXISTS mention_article_entity"),
        migrations.RunSQL("CREATE INDEX IF NOT EXISTS quote_speaker_status ON articles_quote (speaker_id, status)",
                          "DROP INDEX IF EXISTS quote_speaker_status"),
    ]
