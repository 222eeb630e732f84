"""What of the articles app the public pages show, for the page-cache fingerprint (newsroom.public_pages).

Registered from ``ArticlesConfig.ready()``: the live editions (count, newest id, last modification)
and which of them are public now (count, last publication time; a scheduled story coming due
changes it without any write).
"""

from django.db import connection
from django.utils import timezone

from newsroom.public_pages import StateColumn

from .models import Article


def state_columns(now=None):
    now = now or timezone.now()
    art = connection.ops.quote_name(Article._meta.db_table)
    public_sql, public_params = Article.objects.public(now).order_by().values("pk").query.sql_with_params()
    live = ("live",)
    return [
        StateColumn(f"SELECT COUNT(*) FROM {art} WHERE edition = %s", live),
        StateColumn(f"SELECT MAX(id) FROM {art} WHERE edition = %s", live),
        StateColumn(f"SELECT MAX(modified_at) FROM {art} WHERE edition = %s", live, modified=True),
        StateColumn(f"SELECT COUNT(*) FROM {art} WHERE id IN ({public_sql})", tuple(public_params)),
        StateColumn(f"SELECT MAX(publish_at) FROM {art} WHERE id IN ({public_sql})", tuple(public_params),
                    modified=True),
    ]
