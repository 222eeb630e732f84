"""Database helpers shared by the public views."""

import contextlib
import functools
import logging

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)


def read_snapshot(view, *, lazy=False):
    """Run a view in one transaction, so a page built from several queries never mixes two versions.

    On PostgreSQL the transaction is REPEATABLE READ (READ COMMITTED would let each query see a
    different commit). SQLite transactions are serialisable already; a read takes a DEFERRED
    transaction (a WAL snapshot) rather than the IMMEDIATE write lock writers use, so readers
    neither wait for each other nor for a writer.

    ``lazy``: the view opens the snapshot itself (``snapshot()``) when it reads more than what one
    query checks (a stored page checked against the current page state needs none: on PostgreSQL
    that saves the BEGIN, SET TRANSACTION and COMMIT round trips).
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if lazy:
            response = view(request, *args, **kwargs)
        else:
            with snapshot():
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
        for write in request.__dict__.pop("_after_snapshot", []):
            best_effort_write(write)
        return response

    return wrapper


@contextlib.contextmanager
def snapshot():
    """One read transaction (REPEATABLE READ on PostgreSQL, a DEFERRED WAL snapshot on SQLite)."""
    outermost = not connection.in_atomic_block
    connection.read_snapshots = getattr(connection, "read_snapshots", 0) + 1
    try:
        with _read_transaction(outermost):
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
    finally:
        connection.read_snapshots -= 1


def in_snapshot():
    """Whether the queries run now read a snapshot that may be older than the latest commit."""
    return getattr(connection, "read_snapshots", 0) > 0


def after_snapshot(request, write):
    """Run ``write()`` when the request's read snapshot is over (``best_effort_write``): derived data a
    reader's request stores (a render) never holds a write lock inside the reader's snapshot."""
    request.__dict__.setdefault("_after_snapshot", []).append(write)


def best_effort_write(write):
    """Run ``write()`` in its own short transaction; if it fails (a busy SQLite database, a row a
    publication replaced meanwhile), log it and go on: what it writes is derived and written again later.
    On SQLite it waits at most a quarter second for the write lock, not the writers' 20 seconds."""
    try:
        with _short_lock_wait(), transaction.atomic():
            write()
    except DatabaseError as error:
        logger.warning("derived write skipped: %s", error)


@contextlib.contextmanager
def _short_lock_wait(ms=250):
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {int(ms)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


@contextlib.contextmanager
def _read_transaction(outermost):
    if not (outermost and connection.vendor == "sqlite"):
        with transaction.atomic():
            yield
        return
    connection.ensure_connection()
    mode = connection.transaction_mode
    connection.transaction_mode = "DEFERRED"
    try:
        with transaction.atomic():
            connection.transaction_mode = mode  # only BEGIN needed it
            yield
    finally:
        connection.transaction_mode = mode


def search_index_operation(*models):
    """A migration operation adding, on PostgreSQL only, a GIN index over
    to_tsvector('simple', search_tokens) on each (app_label, model_name).

    The index expression is exactly what SearchVector("search_tokens", config="simple") generates,
    so searches use it. SQLite searches the same tokens without it.
    """
    from django.db import migrations

    def index(model):
        from django.contrib.postgres.indexes import GinIndex
        from django.contrib.postgres.search import SearchVector

        return GinIndex(SearchVector("search_tokens", config="simple"), name=f"{model._meta.model_name}_search_gin")

    def apply(method):
        def run(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for app_label, name in models:
                    model = apps.get_model(app_label, name)
                    getattr(schema_editor, method)(model, index(model))
        return run

    return migrations.RunPython(apply("add_index"), apply("remove_index"))
