"""Database helpers shared by the public views."""

import contextlib
import datetime
import functools
import json
import logging
import re
import time

from django.db import DatabaseError, connection, transaction
from django.db.models import DateTimeField, F, Func, IntegerField, Subquery, TextField

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


# -- expressions and prepared statements shared by pages that fold several reads into one -----------------

class JSONMap(Func):
    """A JSON object of ``key=expression`` pairs (a string names a field): SQLite json_object,
    PostgreSQL jsonb_build_object. Unlike Django's JSONObject it asks the database nothing when it is
    compiled (SQLite's JSON support is probed with a query the first time), so a page's query count
    does not depend on what ran before it."""

    output_field = TextField()

    def __init__(self, **fields):
        assert all(re.fullmatch(r"[a-z_]+", key) for key in fields), "JSONMap keys are written into the SQL"
        self.keys = list(fields)
        super().__init__(*(F(value) if isinstance(value, str) else value for value in fields.values()))

    def as_sql(self, compiler, connection, **extra_context):
        function = "JSONB_BUILD_OBJECT" if connection.vendor == "postgresql" else "JSON_OBJECT"
        parts, params = [], []
        for key, expression in zip(self.keys, self.get_source_expressions()):
            sql, more = compiler.compile(expression)
            parts.append(f"'{key}', {sql}")
            params.extend(more)
        return f"{function}({', '.join(parts)})", params


class JSONRows(Subquery):
    """The rows of a subquery, each the JSON object of its one column ``j``, as one JSON array ([] when none).

    Lets a page read an entity with its aliases, roles and relations in one statement (SQLite
    json_group_array, PostgreSQL jsonb_agg). Row order is not kept: the caller sorts.
    """

    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template='(SELECT JSON_GROUP_ARRAY(JSON(r."j")) FROM (%(subquery)s) r)',
                           **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection,
                           template="""COALESCE((SELECT JSONB_AGG(r."j") FROM (%(subquery)s) r), '[]'::jsonb)""",
                           **extra_context)


class CountUpTo(Subquery):
    """How many rows a subquery has, counting at most ``up_to`` of them (a parameter, not part of the SQL)."""

    output_field = IntegerField()
    template = "(SELECT COUNT(*) FROM (%(subquery)s LIMIT %%s) counted)"

    def __init__(self, queryset, up_to, **extra):
        super().__init__(queryset, **extra)
        self.up_to = int(up_to)

    def as_sql(self, compiler, connection, template=None, **extra_context):
        sql, params = super().as_sql(compiler, connection, template=template, **extra_context)
        return sql, (*params, self.up_to)


class Prepared:
    """A query built by the ORM once per process and database, then run with new values as parameters.

    A page's queries take the ORM milliseconds of Python to build and compile on every request (a
    publicness test is a large expression), often more than the database takes to run them.
    ``build(**values)`` returns the queryset (a ``values()`` one); it is built once with stand-ins
    (``standins``: name -> a value that occurs nowhere else, or a tuple of such values for a list of
    that length), and each stand-in found among the SQL parameters becomes a slot (one a lookup rewrites,
    like ``startswith``'s "…%", is not found: refused). ``run(**values)``
    executes the SQL with the values in the slots (a list as long as its stand-in) and returns the
    rows as dicts, converted as the ORM converts them. ``paged``: the SQL ends with LIMIT and OFFSET
    parameters (``run(limit=, offset=)``). ``run(common=(name, sql, params))`` puts a common table
    expression of one column, ``pk``, before the query, for a part whose SQL varies (the queryset
    reads it as ``RawSQL("SELECT pk FROM name")``).
    """

    def __init__(self, build, *, paged=False, **standins):
        self.build = build
        self.paged = paged
        self.standins = standins
        self._compiled = {}

    @staticmethod
    def _prep(value):
        if isinstance(value, datetime.datetime):
            return DateTimeField().get_db_prep_value(value, connection)
        return value

    def _slot_values(self, values):
        """{(name, index or None): prepared value} of ``values`` (stand-ins or real ones)."""
        out = {}
        for name, value in values.items():
            if isinstance(value, (tuple, list)):
                wanted = len(self.standins[name])
                assert len(value) == wanted, f"{name}: a list of {wanted} values"
                out.update({(name, i): self._prep(v) for i, v in enumerate(value)})
            else:
                out[(name, None)] = self._prep(value)
        return out

    def compiled(self):
        key = (connection.alias, connection.vendor)
        if key not in self._compiled:
            queryset = self.build(**self.standins)
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            standins = self._slot_values(self.standins)
            slots = []
            for param in params:
                # An int may come wrapped for the driver (psycopg's Int4 on PostgreSQL): kept as a cast.
                named = [slot for slot, value in standins.items() if param == value and not isinstance(param, bool)
                         and (type(param) is type(value) or isinstance(value, int) and isinstance(param, int))]
                slots.append((named[0], type(param)) if named else (None, param))
            missing = set(standins) - {slot for slot, _ in slots if slot}
            assert not missing, f"prepared query lost a stand-in: {missing}"
            if self.paged:
                assert queryset.query.low_mark == 0 and queryset.query.high_mark is None
                sql += " LIMIT %s OFFSET %s"
                slots += [(("limit", None), int), (("offset", None), int)]
            query = queryset.query
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            assert len(names) == len(compiler.select), "Prepared needs a values() queryset"
            converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
            self._compiled[key] = sql, slots, names, compiler, converters
        return self._compiled[key]

    def run(self, *, limit=None, offset=None, common=None, **values):
        sql, slots, names, compiler, converters = self.compiled()
        params = []
        if common is not None:
            name, common_sql, common_params = common
            sql = f"WITH {name} (pk) AS ({common_sql}) {sql}"
            params.extend(common_params)
        given = self._slot_values(values)
        if self.paged:
            given.update({("limit", None): int(limit), ("offset", None): int(offset)})
        for slot, kind in slots:  # (None, a constant) or (a slot, the stand-in's type as compiled)
            if slot is None:
                params.append(kind)
            else:
                value = given[slot]
                params.append(kind(value) if isinstance(value, int) and issubclass(kind, int) and kind is not int
                              else value)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(names, row)) for row in rows]


def instance_from_row(model, row, fields, prefix=""):
    """A ``model`` instance of ``fields`` (attnames) of a ``Prepared`` row, the other fields deferred
    (reading one runs a query); None when the row's pk (the first of ``fields``) is null."""
    if row[prefix + fields[0]] is None:
        return None
    names = [f.attname for f in model._meta.concrete_fields if f.attname in fields]  # from_db's order
    return model.from_db(connection.alias, names, [row[prefix + name] for name in names])


# --- bulk rows -------------------------------------------------------------------------------
# Writing a story's ~1,000 child rows through ``bulk_create`` spends most of its time building model
# instances and preparing each value through the field API (issue 12: 70% of a story-format import).
# ``reserve_ids`` and ``insert_rows`` write plain values instead: one statement per table (PostgreSQL:
# COPY; SQLite: executemany), ids handed out before the rows are written so children can point at
# their parents. They do what ``bulk_create`` does to a row and nothing more: field defaults,
# ``auto_now``/``auto_now_add`` stamps and the database preparation of values (no ``save()``, no
# signals; the database's own triggers and generated columns still apply).

# Values of these field types go to the driver as they are (str, int, float, bool, None); any other
# type (dates, JSON, decimals…) is prepared by its field, as bulk_create would.
_PLAIN_TYPES = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "FloatField", "ForeignKey",
    "IntegerField", "OneToOneField", "PositiveBigIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField", "URLField",
})


def reserve_ids(counts):
    """Fresh primary keys for rows about to be written, in one query: ``{model: n}`` → ``{model: [id, …]}``
    (ascending, so rows keep their order by id).

    Safe beside concurrent writers. PostgreSQL: the ids come from the table's own sequence
    (``nextval``), so no other session gets them; the list may have gaps. SQLite: ids after the
    largest ever handed out (``sqlite_sequence``: AUTOINCREMENT never reuses a deleted row's id, so
    neither do we). That is safe only while this transaction holds the write lock until the rows are
    written: SQLite has one writer at a time; our transactions take the lock at BEGIN (IMMEDIATE,
    settings.py), and under DEFERRED a write after another writer's commit fails rather than reusing
    what we read. Hence the caller must be inside ``transaction.atomic()``.
    """
    counts = {model: n for model, n in counts.items() if n}
    if not counts:
        return {}
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("reserve_ids() needs a transaction (atomic)")
    models = list(counts)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            parts, params = [], []
            for i, model in enumerate(models):
                parts.append(f"SELECT {i}, nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)")
                params += [qn(model._meta.db_table), model._meta.pk.column, counts[model]]
            cursor.execute(" UNION ALL ".join(parts), params)
            ids = {i: [] for i in range(len(models))}
            for i, value in cursor.fetchall():
                ids[i].append(value)
            return {model: sorted(ids[i]) for i, model in enumerate(models)}
        columns = ", ".join(
            f"MAX((SELECT COALESCE(MAX({qn(m._meta.pk.column)}), 0) FROM {qn(m._meta.db_table)}), "
            f"COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))" for m in models)
        cursor.execute(f"SELECT {columns}", [m._meta.db_table for m in models])
        last = cursor.fetchone()
    return {model: list(range(last[i] + 1, last[i] + 1 + counts[model])) for i, model in enumerate(models)}


def insert_rows(model, rows):
    """Write ``rows`` (dicts of attname → value, each with its ``id``; see ``reserve_ids``) into
    ``model``'s table in one statement. A missing value gets the field's default, and a missing
    ``auto_now``/``auto_now_add`` field the current time, as ``bulk_create`` gives them."""
    if not rows:
        return
    from django.utils import timezone

    fields = model._meta.concrete_fields
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    fills, preps = [], []
    for f in fields:
        stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        fills.append((f.attname, now if stamped else f.get_default()))
        kind = f.get_internal_type()
        if kind in _PLAIN_TYPES or (postgres and kind == "DateTimeField"):  # psycopg writes aware datetimes
            preps.append(None)
        elif postgres and kind == "JSONField":
            preps.append(lambda v, encoder=f.encoder: None if v is None else json.dumps(v, cls=encoder))
        else:
            preps.append(lambda v, f=f: f.get_db_prep_save(v, connection))
    # A value the rows leave out is the same for every row: prepared once.
    plan = [(name, fill if prep is None else prep(fill), prep) for (name, fill), prep in zip(fills, preps)]

    def values(row):
        return [(row[name] if prep is None else prep(row[name])) if name in row else fill
                for name, fill, prep in plan]

    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if postgres:
            sql = f"COPY {table} ({names}) FROM STDIN"
            started = time.monotonic()
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(values(row))
            if connection.queries_logged:  # COPY bypasses Django's cursor wrapper; count it like a query
                connection.queries_log.append({"sql": f"{sql} -- {len(rows)} rows",
                                               "time": f"{time.monotonic() - started:.3f}"})
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", [values(row) for row in rows])
