"""Check a story document against the columns it is written to, before anything is written.

The schema says what a story is; the models say what the database holds. A 300-character entity
name or a NUL character passes the schema, then PostgreSQL answers DataError half-way through an
import (and SQLite stores it, leaving a story the admin can no longer save). So every string is
checked here, on both databases alike, and the first fault is named by its JSON path:
``entities[3].name: 300 characters; the most is 200``.
"""

import re

from entities.models import Alias, Entity, Relation, Role

from ..importing.story import StoryFormatError
from ..models import Annotation, Article, Block, Quote, Section

# Well-formed BCP 47 (RFC 5646 §2.1, without the grandfathered tags): language, extlang, script,
# region, variants, extensions, private use.
LANGUAGE_TAG = re.compile(
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*(?:-x(?:-[a-z0-9]{1,8})+)?",
    re.IGNORECASE)
# NUL is refused by PostgreSQL's text type; a lone surrogate cannot be encoded as UTF-8 at all.
FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def _walk(value, path):
    """Every string in ``value`` (keys included) with its JSON path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}" if path else key, key
            yield from _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def _columns(doc):
    """(JSON path, value, model, field) for every document string stored in a length-limited column."""
    a = doc["article"]
    source = a.get("source") or {}
    yield "article.slug", a.get("slug"), Article, "slug"
    yield "article.title", a.get("title"), Article, "title"
    yield "article.language", a.get("language"), Article, "language"
    yield "article.source.name", source.get("name"), Article, "source_name"
    yield "article.source.url", source.get("url"), Article, "source_url"
    yield "article.source.published_on", source.get("published_on"), Article, "source_published_on"
    blocks = [(f"article.lede[{i}]", b) for i, b in enumerate(a.get("lede", []))]
    for i, s in enumerate(a.get("sections", [])):
        yield f"article.sections[{i}].number", s.get("number"), Section, "number"
        yield f"article.sections[{i}].heading", s.get("heading"), Section, "heading"
        blocks += [(f"article.sections[{i}].blocks[{j}]", b) for j, b in enumerate(s.get("blocks", []))]
    for path, b in blocks:
        yield f"{path}.id", b.get("id"), Block, "key"
        for key in ("image", "alt", "credit"):
            yield f"{path}.{key}", b.get(key), Block, key
    for i, e in enumerate(doc.get("entities", [])):
        path = f"entities[{i}]"
        for key, field in (("id", "slug"), ("kind", "kind"), ("name", "name"), ("wikidata", "wikidata"),
                           ("url", "url")):
            yield f"{path}.{key}", e.get(key), Entity, field
        for j, alias in enumerate(e.get("aliases", [])):
            yield f"{path}.aliases[{j}].text", alias.get("text"), Alias, "text"
            yield f"{path}.aliases[{j}].lang", alias.get("lang"), Alias, "lang"
        for j, role in enumerate(e.get("roles", [])):
            for key in ("title", "start", "end"):
                yield f"{path}.roles[{j}].{key}", role.get(key), Role, key
        for j, rel in enumerate(e.get("relations", [])):
            for key in ("start", "end"):
                yield f"{path}.relations[{j}].{key}", rel.get(key), Relation, key
    for i, q in enumerate(doc.get("quotes", [])):
        for key, field in (("id", "key"), ("kind", "kind"), ("role", "role"), ("said_on", "said_on"),
                           ("status", "status")):
            yield f"quotes[{i}].{key}", q.get(key), Quote, field
    for i, n in enumerate(doc.get("annotations", [])):
        for key in ("id", "kind", "status"):
            yield f"annotations[{i}].{key}", n.get(key), Annotation, "key" if key == "id" else key


def _strings(value):
    """Every string in ``value`` (keys included), in no particular order, without paths."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def check_story_fields(doc):
    """Raise StoryFormatError naming the first string the database would refuse or mangle."""
    # One search over every string; the walk that names the path only when one is there.
    if FORBIDDEN.search("".join(_strings(doc))):
        for path, value in _walk(doc, ""):
            bad = FORBIDDEN.search(value)
            if bad:
                what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate (not a Unicode character)"
                raise StoryFormatError(f"contains {what} at position {bad.start()}", path)
    for path, value, model, name in _columns(doc):
        if not isinstance(value, str):
            continue
        limit = model._meta.get_field(name).max_length
        if limit is not None and len(value) > limit:
            raise StoryFormatError(f"{len(value)} characters; the most is {limit}", path)
    tags = [("article.language", doc["article"].get("language"))]
    tags += [(f"entities[{i}].aliases[{j}].lang", alias.get("lang"))
             for i, e in enumerate(doc.get("entities", [])) for j, alias in enumerate(e.get("aliases", []))]
    for path, tag in tags:
        if tag and not LANGUAGE_TAG.fullmatch(tag):
            raise StoryFormatError(f"{tag!r} is not a language tag (BCP 47, e.g. zh-Hant or en)", path)
    return doc
