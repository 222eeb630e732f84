"""The public site's response machinery: snapshot, validators and the page cache.

``public_page`` wraps every public view:

1. the query string is cut to the parameters the view reads (sorted), so ``?utm=…`` variants are
   one page and one cache entry; the cache key is the code digest, the language and that URL;
2. the view runs in one read snapshot (``newsroom.db.read_snapshot``) and names the scopes of what
   it shows (``depends_on``): "site" for lists, "story:<slug>", "entity:<slug>"… The apps bump
   the scopes a write changes (``bump``, from signal receivers they connect in ``AppConfig.ready()``),
   in the writing transaction; this module knows no app;
3. a cached page is served while its scopes' generations are unchanged: one query over a few
   primary-key rows (``newsroom.models.PageScope``) in the database, so every process sees an
   invalidation at once, with or without a shared cache. Scheduled stories coming due change the
   row "schedule" without a write: its latest passed time is part of every page's state. Each
   process remembers the state it read per page behind a per-host change mark that every write
   rewrites (see "validations remembered" below): a hit on an unchanged page runs no query at all;
4. the state makes the ETag; a conditional GET that matches answers 304 without rendering;
   otherwise the view renders, the simplified edition is converted (``newsroom.simplified``) and
   the page is cached with its scopes and their state;
5. one request per cache renders a stale or missing page (a lock in the cache); the others wait for
   its copy (thundering herd after a publish);
6. ``PageCacheMiddleware`` serves a fresh cached page to an anonymous reader right after whitenoise:
   one cache read and the validator query (none while the state is remembered), no session, locale,
   auth or axes middleware, no view and no snapshot. Requests with a session (maybe an editor) never
   use the page cache.

A view that checks a stored render against the state itself (the story page) asks for no snapshot
(``snapshot=False``) and opens one only when it renders: a story page is then two statements.
"""

import functools
import hashlib
import json
import logging
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from newsroom.db import in_snapshot, read_snapshot
from newsroom.locale import request_language
from newsroom.simplified import convert_response

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60 * 24
SITE = "site"            # what lists show: home, feeds, sitemap, search, the indexes
SCHEDULE = "schedule"    # coming publication times


# -- scopes: written by the apps, read here ---------------------------------------------------------------

def _table():
    from newsroom.models import PageScope

    return connection.ops.quote_name(PageScope._meta.db_table)


def bump(*scopes, now=None):
    """Mark ``scopes`` changed, in the current transaction (call it where the data is written)."""
    scopes = [s for s in dict.fromkeys(scopes) if s]
    if not scopes:
        return
    stamp = connection.ops.adapt_datetimefield_value(now or timezone.now())
    table = _table()
    with connection.cursor() as cursor:
        # An upsert on both databases (SQLite 3.24+, PostgreSQL 9.5+): no read, no race.
        cursor.executemany(
            f"INSERT INTO {table} (scope, generation, modified_at, due) VALUES (%s, 1, %s, '[]') "
            f"ON CONFLICT (scope) DO UPDATE SET generation = {table}.generation + 1, modified_at = %s",
            [(scope, stamp, stamp) for scope in scopes])
    changed()


def schedule(when, *, now=None):
    """Record that readers will see something new at ``when`` (a scheduled publication)."""
    from newsroom.models import PageScope

    now = now or timezone.now()
    row, _ = PageScope.objects.select_for_update().get_or_create(scope=SCHEDULE)
    times = sorted({*row.due, when.isoformat()}, key=datetime.fromisoformat)
    passed = [t for t in times if datetime.fromisoformat(t) <= now]
    # Keep the latest passed time (it is part of every page's state) and the coming ones.
    row.due = passed[-1:] + [t for t in times if datetime.fromisoformat(t) > now]
    row.save(update_fields=["due"])
    changed()


# -- validations remembered: a cached hit without a query ---------------------------------------------------
#
# A process remembers, per page, the state it last read and the "change mark" it read just before:
# 16 bytes in a file shared by every process of the host (all gunicorn workers), rewritten by every
# ``bump``/``schedule`` in the writing transaction and again when it commits (a reader that read the
# mark and then the not yet committed state sees the mark change again). While the mark is the one
# remembered, no coming publication time has passed and RECHECK_SECONDS have not, the remembered
# state is the current one: a cached page is served with no query. The database stays the truth:
# a write the mark missed (another host, a process that cannot write the file, a crash between
# commit and mark) is seen within RECHECK_SECONDS (setting PAGE_STATE_RECHECK_SECONDS).

_validated = {}        # page key -> (mark, until (epoch seconds), ETag of the state, last_modified)
_MAX_REMEMBERED = 20_000
_mark_files = {}


def _database():
    db = connection.settings_dict
    return f"{connection.vendor} {db.get('NAME')} {db.get('HOST')} {db.get('PORT')}"


def mark_path():
    """The change mark's file: setting PAGE_STATE_MARK_FILE, or one per database in the temp folder."""
    return getattr(settings, "PAGE_STATE_MARK_FILE", None) or Path(tempfile.gettempdir()) / (
        "newsroom-page-state-" + hashlib.sha256(_database().encode()).hexdigest()[:16])


def _mark_fd():
    """The file descriptor of this database's change mark (opened once per process)."""
    path = mark_path()
    fd = _mark_files.get(path)
    if fd is None:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            logger.warning("page state mark %s unusable (%s): cached pages are checked by query", path, error)
            fd = -1
        _mark_files[path] = fd
    return fd


_private_mark = [0]  # an in-memory SQLite database (tests) is this process's alone: no file


def _private():
    return (connection.vendor == "sqlite" and connection.is_in_memory_db()
            and not getattr(settings, "PAGE_STATE_MARK_FILE", None))


def mark():
    """The current change mark (b"" when there is none: nothing is remembered then)."""
    if _private():
        return str(_private_mark[0]).encode()
    fd = _mark_fd()
    return os.pread(fd, 16, 0) or b"\0" if fd >= 0 else b""


def _new_mark():
    if _private():
        _private_mark[0] += 1
        return
    fd = _mark_fd()
    if fd >= 0:
        try:
            os.pwrite(fd, os.urandom(16), 0)
        except OSError as error:
            logger.warning("page state mark not written (%s): other processes see the change within %s s",
                           error, recheck_seconds())


def changed():
    """Tell every process of this host that the page state changes (now, and again at commit)."""
    _new_mark()
    transaction.on_commit(_new_mark)


def recheck_seconds():
    return float(getattr(settings, "PAGE_STATE_RECHECK_SECONDS", 1.0))


def forget_validations():
    _validated.clear()
    _resolved.clear()


def _remember(key, seen, rows, etag, last_modified):
    if not seen:
        return
    now = time.time()
    until = now + recheck_seconds()
    for due in rows.get(SCHEDULE, (0, None, []))[2]:
        at = datetime.fromisoformat(due).timestamp()
        if at > now:
            until = min(until, at)  # a publication coming due changes the state without a write
    if len(_validated) >= _MAX_REMEMBERED:
        _validated.clear()
    _validated[key] = (seen, until, etag, last_modified)


def depends_on(request, *scopes):
    """Say that the page being rendered shows what ``scopes`` name."""
    request.page_scopes = getattr(request, "page_scopes", set()) | {s for s in scopes if s}


def read_rows(scopes):
    """{scope: (generation, modified_at, due)} of ``scopes`` and of the schedule: one query.

    Plain SQL over this module's own table: it runs on every public request, and the ORM's
    overhead was ten times the query's (2.8 ms against 0.27 ms for a story page's 45 scopes).
    """
    from newsroom.models import PageScope

    wanted = sorted({*scopes, SCHEDULE})
    due_field = PageScope._meta.get_field("due")
    modified_field = PageScope._meta.get_field("modified_at")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scope, generation, modified_at, due FROM {_table()} WHERE scope IN "
                       f"({', '.join(['%s'] * len(wanted))})", wanted)
        rows = cursor.fetchall()
    convert_modified = connection.ops.get_db_converters(modified_field.get_col(PageScope._meta.db_table))
    out = {}
    for scope, generation, modified, due in rows:
        for converter in convert_modified:
            modified = converter(modified, modified_field, connection)
        out[scope] = (generation, modified, due_field.from_db_value(due, None, connection) if scope == SCHEDULE
                      else [])
    return out


def generations(scopes, rows):
    """[[scope, generation], …] of ``scopes`` in ``rows`` (``read_rows``): what a stored render was made from."""
    return [[scope, rows.get(scope, (0,))[0]] for scope in sorted(scopes)]


def page_rows(request, scopes, rows):
    """Hand the view's ``read_rows(scopes)`` to ``public_page``, which then reads no state again."""
    request.page_rows = (set(scopes), rows)


def read_state(scopes, now=None, rows=None):
    """(state, last modified) of ``scopes``, from ``rows`` (``read_rows``) or one query."""
    now = now or timezone.now()
    rows = read_rows(scopes) if rows is None else rows
    state, stamps = [], []
    for scope in sorted({*scopes, SCHEDULE}):
        generation, modified, due = rows.get(scope, (0, None, []))
        if scope == SCHEDULE:
            passed = [t for t in due if datetime.fromisoformat(t) <= now]
            state.append([scope, passed[-1] if passed else ""])
            if passed:
                stamps.append(datetime.fromisoformat(passed[-1]))
            continue
        state.append([scope, generation])
        if modified is not None:
            stamps.append(modified)
    return state, max(stamps) if stamps else None


@functools.cache
def code_digest():
    """A digest of the templates, static files and Python code that shape public pages (per release)."""
    digest = hashlib.sha256(getattr(settings, "RELEASE", "").encode())
    base = Path(settings.BASE_DIR)
    # The project's own apps (the packages at the top of BASE_DIR, this one included), whichever they are.
    folders = [("templates", "**/*"), ("static", "**/*")]
    folders += sorted((Path(app.path).name, "**/*.py") for app in apps.get_app_configs()
                      if Path(app.path).parent == base)
    for folder, pattern in folders:
        for path in sorted((base / folder).glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(str(path.stat().st_mtime_ns).encode())
    return digest.hexdigest()[:16]


def normalise_query(request, params):
    """Keep only ``params`` in the request's query string (sorted; first value of each)."""
    kept = QueryDict(mutable=True)
    for name in sorted(params):
        value = request.GET.get(name)
        if value not in (None, ""):
            kept[name] = value
    query = kept.urlencode()
    if request.META.get("QUERY_STRING", "") != query:
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


# -- the decorator ------------------------------------------------------------------------------------

CACHED_HEADERS = ("Content-Type", "Content-Language", "Location")
# Thundering herd: after a change, one request per cache renders a page (a lock in the cache, shared
# by every worker with Redis; per process with the local-memory cache); the others wait for its copy
# (at most RENDER_WAIT seconds, then render themselves) rather than render it again.
RENDER_LOCK_SECONDS = 10
RENDER_WAIT = 2.0
RENDER_POLL = 0.01


def page_key(request):
    """The cache key of a public page: code, language, and the URL as normalised (host and scheme
    too: pages carry absolute URLs: canonical, feeds, JSON-LD)."""
    return hashlib.sha256(json.dumps([code_digest(), translation.get_language(),
                                      request.build_absolute_uri()]).encode()).hexdigest()


def maybe_editor(request):
    """A request with a session may be a logged-in editor: never served from, nor stored in, the page cache."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _fresh(key, stored, rows=None):
    """(fresh, rows, state, last_modified) of a cached page against the current state: remembered
    (no query, ``rows`` None) or read."""
    if rows is None:
        remembered = _validated.get(key)
        if remembered is not None and remembered[2] == stored.get("etag") and remembered[0] == mark() \
                and time.time() < remembered[1]:
            return True, None, stored["state"], remembered[3]
        # Read before the state: a change committed after it changes the mark again. Not in a read
        # snapshot: its rows may be older than the mark.
        seen = None if in_snapshot() else mark()
        rows = read_rows(stored["scopes"])
    else:
        seen = None
    state, last_modified = read_state(stored["scopes"], rows=rows)
    if seen is not None:
        _remember(key, seen, rows, _etag(key, state), last_modified)
    return state == stored["state"], rows, state, last_modified


def _from_cache(request, key, stored, state, last_modified):
    etag, last_ts = stored.get("etag") or _etag(key, state), _timestamp(last_modified)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_ts)
    if not_modified is not None:
        return _validators(not_modified, etag, last_ts)
    response = HttpResponse(stored["content"], status=stored["status"])
    for header, value in stored["headers"].items():
        response[header] = value
    response.from_page_cache = True
    if "outer_headers" not in stored:  # stored by a response PageCacheMiddleware could not complete (a 304)
        response.page_cache_entry = (key, stored)
    return _validators(response, etag, last_ts)


def _wait_for_copy(key, stale):
    """The copy another request is rendering, once stored (or None after RENDER_WAIT seconds)."""
    deadline = time.monotonic() + RENDER_WAIT
    while time.monotonic() < deadline:
        time.sleep(RENDER_POLL)
        stored = cache.get(f"public-page:{key}")
        if stored is not None and (stale is None or stored["state"] != stale["state"]):
            return stored
        if cache.get(f"public-page-lock:{key}") is None:
            return cache.get(f"public-page:{key}")  # the renderer gave up (an error, a 404): try its copy, or render
    return None


def public_page(view=None, *, params=(), scopes=(SITE,), snapshot=True):
    """Serve a public view from one snapshot, with ETag/Last-Modified, 304s, a page cache and zh-hans.

    ``params``: the query parameters the view reads (the others are dropped before it runs);
    ``scopes``: what every response of the view shows (more are named with ``depends_on``);
    ``snapshot=False``: the view opens its read snapshot itself (``newsroom.db.snapshot``), only when
    it renders (a stored page it checks against the page state it hands back with ``page_rows`` needs none).
    """
    if view is None:
        return functools.partial(public_page, params=params, scopes=scopes, snapshot=snapshot)

    @functools.wraps(view)
    def serve(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        normalise_query(request, params)
        language = translation.get_language()
        key = page_key(request)
        use_cache = not maybe_editor(request)
        probe = request.__dict__.pop("page_cache_probe", None)
        if use_cache and probe is not None and probe[0] == key:
            stored, rows = probe[1], probe[2]  # PageCacheMiddleware found it stale: not read again
        else:
            stored = cache.get(f"public-page:{key}") if use_cache else None
            rows = None
            if stored is not None:
                fresh, rows, state, last_modified = _fresh(key, stored)
                if fresh:
                    return _from_cache(request, key, stored, state, last_modified)
        locked = use_cache and cache.add(f"public-page-lock:{key}", 1, RENDER_LOCK_SECONDS)
        if use_cache and not locked:
            copy = _wait_for_copy(key, stored)
            if copy is not None:
                fresh, _, state, last_modified = _fresh(key, copy)
                if fresh:
                    return _from_cache(request, key, copy, state, last_modified)
        try:
            return _render(request, view, args, kwargs, key, language, scopes, stored, rows, use_cache)
        finally:
            if locked:
                cache.delete(f"public-page-lock:{key}")

    wrapper = read_snapshot(serve, lazy=not snapshot)
    wrapper.public_page_params = tuple(params)  # read by PageCacheMiddleware
    return wrapper


def _render(request, view, args, kwargs, key, language, scopes, stored, rows, use_cache):
    request.page_scopes = set(scopes)
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if response.status_code not in (200, 301):
        return response
    # Read in the view's snapshot: the state is that of the data the page was rendered from
    # (the rows read to check a stale copy, or by the view, are from the same snapshot: reused when
    # they cover it).
    page_scopes = sorted(request.page_scopes)
    asked, view_rows = getattr(request, "page_rows", (set(), None))
    if view_rows is not None and set(page_scopes) <= asked:
        rows = view_rows
    elif rows is None or not set(page_scopes) <= set(stored["scopes"]):
        rows = read_rows(page_scopes)
    state, last_modified = read_state(page_scopes, rows=rows)
    etag, last_ts = _etag(key, state), _timestamp(last_modified)
    convert_response(response, language)  # the edition's script and quotation marks
    if use_cache:
        entry = {"content": response.content, "status": response.status_code, "scopes": page_scopes,
                 "state": state, "etag": etag, "headers": {h: response[h] for h in CACHED_HEADERS if h in response}}
        cache.set(f"public-page:{key}", entry, CACHE_SECONDS)
        response.page_cache_entry = (key, entry)  # PageCacheMiddleware adds the outer headers
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_ts)
    return _validators(not_modified if not_modified is not None else response, etag, last_ts)


# -- the early path -----------------------------------------------------------------------------------

# Headers the middleware recomputes for each response it serves.
OWN_HEADERS = {"etag", "last-modified", "cache-control", "content-length"}


class PageCacheMiddleware:
    """Serve a cached public page to an anonymous reader before the rest of the middleware stack
    (sessions, locale, CSRF, auth, messages, axes), the URL's view and its read snapshot: one cache
    read and one validator query (autocommit), with the ETag/304 and every header the full path
    gives (those the inner middleware added when the page was stored; the outer ones, security
    headers and CSP, are added as always since this middleware sits inside them).

    A request with a session cookie (maybe an editor), a page not yet served by the full path, or a
    stale page goes the full way (``public_page``), which renders, stores and hands the page back here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        early = self.lookup(request)
        if isinstance(early, HttpResponse):
            return early
        response = self.get_response(request)
        entry = getattr(response, "page_cache_entry", None)
        if entry is not None and response.status_code == 200 and not response.cookies and early is not None:
            key, stored = entry
            outer = {h: v for h, v in response.items() if h.lower() not in OWN_HEADERS}
            cache.set(f"public-page:{key}", {**stored, "outer_headers": outer}, CACHE_SECONDS)
        return response

    def lookup(self, request):
        """A response from the page cache; or the page's key when it could be served from here next
        time; or None (not a public page, or not for this path)."""
        if request.method not in ("GET", "HEAD") or maybe_editor(request):
            return None
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        params = _public_params(request.path_info)
        if params is None:
            return None
        normalise_query(request, params)
        key = page_key(request)
        stored = cache.get(f"public-page:{key}")
        if stored is None or "outer_headers" not in stored:
            return key
        fresh, rows, state, last_modified = _fresh(key, stored)
        if not fresh:
            request.page_cache_probe = (key, stored, rows)  # public_page renders it without reading these again
            return key
        etag, last_ts = stored.get("etag") or _etag(key, state), _timestamp(last_modified)  # fresh: its state
        response = get_conditional_response(request, etag=etag, last_modified=last_ts)
        if response is None:
            response = HttpResponse(stored["content"], status=stored["status"])
        for header, value in stored["outer_headers"].items():
            if not (response.status_code == 304 and header.lower() == "content-type"):
                response[header] = value
        response["Content-Length"] = str(len(response.content))
        response.from_page_cache = True
        return _validators(response, etag, last_ts)


def _etag(key, state):
    return '"' + hashlib.sha256(json.dumps([key, state]).encode()).hexdigest()[:32] + '"'


_resolved = {}  # (urlconf, language, path) -> the public_page params of its view, or None


def _public_params(path):
    """The query parameters the public page at ``path`` reads; None if it is no public page.
    Remembered per path: resolving walks the nested URL patterns at every request otherwise."""
    ident = (get_urlconf(), translation.get_language(), path)
    if ident in _resolved:
        return _resolved[ident]
    try:
        params = getattr(resolve(path).func, "public_page_params", None)
    except Resolver404:
        params = None
    if len(_resolved) >= _MAX_REMEMBERED:
        _resolved.clear()
    _resolved[ident] = params
    return params


def _timestamp(when):
    return int(when.timestamp()) if when else None


def _validators(response, etag, last_ts):
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if last_ts is not None:
            response["Last-Modified"] = http_date(last_ts)
        # Shared caches may keep a page but must ask again each time: publishing shows at once.
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response
