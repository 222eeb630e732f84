"""The public site's response machinery: snapshot, validators, page cache and the simplified edition.

``public_page`` wraps every public view:

1. the view runs in one read snapshot (``newsroom.db.read_snapshot``);
2. one query reads a fingerprint of everything public pages show (live editions, which of them
   are public now, the knowledge base); with the language, the URL and a digest of the templates
   and code it makes the page's ETag and cache key. Publishing, unpublishing, a scheduled story
   coming due or an edit of an entity changes the fingerprint, so every cached page is invalidated
   at once, in every process, whatever wrote to the database; a draft save changes nothing;
3. a conditional GET that matches answers 304 without rendering; a cached page is served as is;
4. otherwise the view renders, the simplified edition is converted (OpenCC t2s, phrase level, text
   only: never tags, attribute names, URLs or scripts) and the page is cached.

``SimplifiedScriptMiddleware`` converts the other HTML responses under /zh-hans/ (404, 500 pages).
"""

import functools
import hashlib
import json
import re
from datetime import timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from newsroom.db import read_snapshot
from newsroom.text import to_simplified

SIMPLIFIED = "zh-hans"
CACHE_SECONDS = 60 * 60 * 24
GENERATION_KEY = "public-pages:generation"


# -- what public pages show: one query --------------------------------------------------------------

def public_state(now=None):
    """Return (fingerprint tuple, last modified datetime or None), in one query."""
    from articles.models import Article
    from entities.models import Alias, Entity, Relation, Role

    now = now or timezone.now()
    art = connection.ops.quote_name(Article._meta.db_table)
    public_sql, public_params = Article.objects.public(now).order_by().values("pk").query.sql_with_params()
    selects, params = [], []
    selects += [f"(SELECT COUNT(*) FROM {art} WHERE edition = %s)",
                f"(SELECT MAX(id) FROM {art} WHERE edition = %s)",
                f"(SELECT MAX(modified_at) FROM {art} WHERE edition = %s)"]
    params += ["live", "live", "live"]
    selects += [f"(SELECT COUNT(*) FROM {art} WHERE id IN ({public_sql}))",
                f"(SELECT MAX(publish_at) FROM {art} WHERE id IN ({public_sql}))"]
    params += [*public_params, *public_params]
    for model in (Entity, Alias, Role, Relation):
        table = connection.ops.quote_name(model._meta.db_table)
        selects += [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX(id) FROM {table})"]
    selects.append(f"(SELECT MAX(modified_at) FROM {connection.ops.quote_name(Entity._meta.db_table)})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    stamps = [_aware(v) for v in (row[2], row[4], row[-1])]
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
    for folder, pattern in (("templates", "**/*"), ("static", "**/*"), ("articles", "**/*.py"),
                            ("entities", "**/*.py"), ("newsroom", "**/*.py")):
        for path in sorted((base / folder).glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(str(path.stat().st_mtime_ns).encode())
    return digest.hexdigest()[:16]


def generation():
    """A counter bumped when this process (or any sharing the cache) edits the knowledge base."""
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def bump_generation(**kwargs):
    if kwargs.get("raw"):
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def _connect_signals():
    from entities.models import Alias, Entity, Relation, Role

    for model in (Entity, Alias, Role, Relation):
        post_save.connect(bump_generation, sender=model, dispatch_uid=f"public-pages-{model.__name__}-save")
        post_delete.connect(bump_generation, sender=model, dispatch_uid=f"public-pages-{model.__name__}-delete")


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
        if language == SIMPLIFIED:
            convert_response(response)
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


# -- the simplified edition ------------------------------------------------------------------------------

TOKEN_RE = re.compile(
    r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|<[^>]*>", re.S | re.I)
TAG_NAME_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9:-]*)")
# Attributes whose values are words for readers; everything else (href, src, id, class, datetime,
# lang, hreflang, data-*) is left exactly as it is.
TEXT_ATTR_RE = re.compile(r'(\s(?:alt|title|aria-label|placeholder|label|content)=")([^"]*)(")')
URLISH_RE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|/|#|\?)", re.I)
# Text inside these flows on across the tag ("<a>乾</a>隆" is one phrase); other tags end a phrase.
INLINE_TAGS = {"a", "abbr", "b", "bdi", "cite", "code", "data", "em", "i", "mark", "q", "s", "small", "span",
               "strong", "sub", "sup", "time", "u", "wbr"}
SEPARATOR = "\ue000"
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
JSON_LD_URL_KEYS = {"url", "sameAs", "mainEntityOfPage", "image", "logo", "inLanguage", "datePublished",
                    "dateModified", "startDate", "endDate"}


def convert_text_chunks(chunks):
    """Convert a list of chunks (each a list of strings read as one run of text) to simplified script.

    One OpenCC call for the whole page; a chunk is converted as one string so phrases across inline
    tags convert as phrases, then cut back into its pieces (t2s keeps lengths; if a phrase did not,
    that chunk's pieces are converted one by one).
    """
    converted = to_simplified(SEPARATOR.join("".join(chunk) for chunk in chunks)).split(SEPARATOR)
    if len(converted) != len(chunks):
        return [[to_simplified(piece) for piece in chunk] for chunk in chunks]
    out = []
    for chunk, text in zip(chunks, converted):
        if len(text) != sum(len(p) for p in chunk):
            out.append([to_simplified(piece) for piece in chunk])
            continue
        pieces, pos = [], 0
        for piece in chunk:
            pieces.append(text[pos:pos + len(piece)])
            pos += len(piece)
        out.append(pieces)
    return out


def html_to_simplified(html):
    """Convert the words of an HTML (or XML) document to simplified script, leaving markup, URLs and
    identifiers untouched; JSON-LD scripts are converted value by value (URLs kept)."""
    parts = []          # literal strings, or [chunk index, piece index] slots to fill
    chunks = [[]]
    pos = 0

    def text_slot(text):
        if text:
            chunks[-1].append(text)
            parts.append((len(chunks) - 1, len(chunks[-1]) - 1))

    def end_chunk():
        if chunks[-1]:
            chunks.append([])

    for m in TOKEN_RE.finditer(html):
        text_slot(html[pos:m.start()])
        token = m.group(0)
        pos = m.end()
        if token.startswith("<!--"):
            parts.append(token)
            continue
        if m.group(1):  # script or style
            end_chunk()
            parts.append(_convert_script(token))
            continue
        name = TAG_NAME_RE.match(token)
        if not name or name.group(1).lower() not in INLINE_TAGS:
            end_chunk()
        attr_parts, last = [], 0
        for a in TEXT_ATTR_RE.finditer(token):
            value = a.group(2)
            attr_parts.append(token[last:a.start(2)])
            if value and not URLISH_RE.match(value):
                attr_parts.append(("attr", value))
            else:
                attr_parts.append(value)
            last = a.end(2)
        attr_parts.append(token[last:])
        for piece in attr_parts:
            if isinstance(piece, tuple):
                end_chunk()
                text_slot(piece[1])
                end_chunk()
            else:
                parts.append(piece)
    text_slot(html[pos:])
    converted = convert_text_chunks(chunks)
    return "".join(p if isinstance(p, str) else converted[p[0]][p[1]] for p in parts)


def _convert_script(token):
    match = re.match(r"(<script\b[^>]*>)(.*?)(</script\s*>)$", token, re.S | re.I)
    if not match or "application/ld+json" not in match.group(1):
        return token
    try:
        data = json.loads(match.group(2))
    except ValueError:
        return token
    text = json.dumps(_convert_json(data), ensure_ascii=False, separators=(",", ":")).translate(JSON_ESCAPES)
    return match.group(1) + text + match.group(3)


def _convert_json(value, key=None):
    if isinstance(value, dict):
        return {k: (v if k.startswith("@") and k != "@graph" else _convert_json(v, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert_json(v, key) for v in value]
    if isinstance(value, str) and key not in JSON_LD_URL_KEYS and not URLISH_RE.match(value):
        return to_simplified(value)
    return value


def convert_response(response):
    """Convert an HTML or XML response's body to simplified script, once."""
    if getattr(response, "script_converted", False) or getattr(response, "streaming", False):
        return response
    content_type = response.get("Content-Type", "")
    if not any(t in content_type for t in ("html", "xml")):
        return response
    charset = response.charset or "utf-8"
    response.content = html_to_simplified(response.content.decode(charset)).encode(charset)
    response.script_converted = True
    return response


class SimplifiedScriptMiddleware:
    """Convert HTML pages served under /zh-hans/ that no public view converted (404 and error pages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (translation.get_language() == SIMPLIFIED and not getattr(response, "from_page_cache", False)
                and response.status_code != 304):
            convert_response(response)
        return response


_connect_signals()
