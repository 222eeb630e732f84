"""Database helpers shared by the public views."""

import contextlib
import functools

from django.db import connection, transaction


def read_snapshot(view):
    """Run a view in one transaction, so a page built from several queries never mixes two versions.

    On PostgreSQL the transaction is REPEATABLE READ (READ COMMITTED would let each query see a
    different commit). SQLite transactions are serialisable already; a read takes a DEFERRED
    transaction (a WAL snapshot) rather than the IMMEDIATE write lock writers use, so readers
    neither wait for each other nor for a writer.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        outermost = not connection.in_atomic_block
        with _read_transaction(outermost):
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    return wrapper


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
