"""The public site's response machinery: snapshot, validators and the page cache.

``public_page`` wraps every public view:

1. the view runs in one read snapshot (``newsroom.db.read_snapshot``);
2. one query reads a fingerprint of everything public pages show; with the language, the URL and a
   digest of the templates and code it makes the page's ETag and cache key. What goes into the
   fingerprint is the apps' business: each registers a state source (``register_state_source``) from
   its ``AppConfig.ready()``; this module knows no app. Publishing, unpublishing, a scheduled story
   coming due or an edit of an entity changes the fingerprint, so every cached page is invalidated
   at once, in every process, whatever wrote to the database; a draft save changes nothing;
3. a conditional GET that matches answers 304 without rendering; a cached page is served as is;
4. otherwise the view renders, the simplified edition is converted (``newsroom.simplified``) and the
   page is cached.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import timezone as dt_timezone
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from newsroom.db import read_snapshot
from newsroom.simplified import convert_response

CACHE_SECONDS = 60 * 60 * 24
GENERATION_KEY = "public-pages:generation"


# -- what public pages show: registered by the apps, read in one query ----------------------------------

@dataclass(frozen=True)
class StateColumn:
    """One scalar subquery of the fingerprint; ``modified`` ones are instants that date the pages."""

    sql: str
    params: tuple = ()
    modified: bool = False


_STATE_SOURCES = []


def register_state_source(source):
    """Register ``source(now) -> [StateColumn, ...]``: what of an app's data public pages show."""
    if source not in _STATE_SOURCES:
        _STATE_SOURCES.append(source)


def public_state(now=None):
    """Return (fingerprint tuple, last modified datetime or None), in one query."""
    now = now or timezone.now()
    columns = [column for source in _STATE_SOURCES for column in source(now)]
    if not columns:
        return (), None
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({c.sql})" for c in columns),
                       [p for c in columns for p in c.params])
        row = cursor.fetchone()
    stamps = [_aware(v) for v, c in zip(row, columns) if c.modified]
    stamps = [s for s in stamps if s is not None and s <= now]
    return tuple(str(v) for v in row), max(stamps) if stamps else None


def _aware(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt_timezone.utc)
    return value


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


def generation():
    """A counter bumped when this process (or any sharing the cache) edits what pages show."""
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def bump_generation(**kwargs):
    """A signal receiver (apps connect it in ``AppConfig.ready()``); raw fixture loads are ignored."""
    if kwargs.get("raw"):
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


# -- the decorator ------------------------------------------------------------------------------------

CACHED_HEADERS = ("Content-Type", "Content-Language", "Location")


def public_page(view):
    """Serve a public view from one snapshot, with ETag/Last-Modified, 304s, a page cache and zh-hans."""

    @functools.wraps(view)
    def serve(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        language = translation.get_language()
        state, last_modified = public_state()
        key = hashlib.sha256(json.dumps(
            # The host and scheme too: pages carry absolute URLs (canonical, feeds, JSON-LD).
            [code_digest(), generation(), language, request.build_absolute_uri(), state]).encode()).hexdigest()
        etag = f'"{key[:32]}"'
        last_ts = int(last_modified.timestamp()) if last_modified else None
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_ts)
        if not_modified is not None:
            return _validators(not_modified, etag, last_ts)
        stored = cache.get(f"public-page:{key}")
        if stored is not None:
            response = HttpResponse(stored["content"], status=stored["status"])
            for header, value in stored["headers"].items():
                response[header] = value
            response.from_page_cache = True
            return _validators(response, etag, last_ts)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        if response.status_code not in (200, 301):
            return response
        convert_response(response, language)  # the edition's script and quotation marks
        cache.set(f"public-page:{key}", {
            "content": response.content, "status": response.status_code,
            "headers": {h: response[h] for h in CACHED_HEADERS if h in response},
        }, CACHE_SECONDS)
        return _validators(response, etag, last_ts)

    return read_snapshot(serve)


def _validators(response, etag, last_ts):
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if last_ts is not None:
            response["Last-Modified"] = http_date(last_ts)
        # Shared caches may keep a page but must ask again each time: publishing shows at once.
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response
