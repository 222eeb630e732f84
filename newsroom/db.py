"""Database helpers shared by the public views."""

import functools

from django.db import connection, transaction


def read_snapshot(view):
    """Run a view in one transaction, so a page built from several queries never mixes two versions.

    On PostgreSQL the transaction is REPEATABLE READ (READ COMMITTED would let each query see a
    different commit); SQLite transactions are serialisable already.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    return wrapper
