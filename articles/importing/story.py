"""The story format, ``newsroom.story/1``: parsing, validating and the canonical JSON form.

One format for everything that moves a story: ``import_story``/``export_story``, publishing
(working copy -> live edition), revisions and fixtures. This module is pure: it imports no model
(the rows <-> document mapping is ``articles.services.documents``). The canonical form leaves out
optional keys whose value is empty (null, "", []), keeps arrays in reading order and text in NFC.
Importing a canonical file and exporting it gives the same document back.
"""

import json
import unicodedata
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from entities.validators import is_public_url

FORMAT = "newsroom.story/1"
SCHEMA_PATH = Path(__file__).with_name("story-1.schema.json")
SPEAKER_KINDS = ("person", "organization")  # who may speak in a quote (the desk asks here too)


class StoryFormatError(ValueError):
    """A story file that cannot be imported; ``path`` is the JSON path of the fault."""

    def __init__(self, message, path=""):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


@cache
def schema_validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@cache
def fast_schema_check():
    """The schema compiled to Python (fastjsonschema): ~50x faster than walking it with jsonschema.

    Only says yes or no; a document it refuses is walked again by ``schema_validator`` for the
    message and path of the best error, so messages are jsonschema's. Formats are not checked, as
    jsonschema checks none without a format checker; defaults are not written into the document.
    """
    import fastjsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema.pop("$id", None)  # its relative id would send fastjsonschema's "#/$defs/…" refs to the network
    check = fastjsonschema.compile(schema, use_default=False, use_formats=False)

    def valid(doc):
        try:
            check(doc)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return valid


def json_path(parts):
    """Render a jsonschema path deque as ``quotes[3].anchor.exact``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- reading ---------------------------------------------------------------------------------

def _no_duplicate_keys(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise StoryFormatError(f"duplicate key {key!r} in one object")
        seen[key] = value
    return seen


def _reject_constant(name):
    raise StoryFormatError(f"{name} is not allowed in a story file")


def decode_utf8(raw):
    """Decode bytes as strict UTF-8 (a BOM is accepted); fail with the byte offset and a hint."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = ""
        for codec in ("gbk", "big5", "utf-16"):
            try:
                raw.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
            hint = f"; looks like {codec.upper()}: convert with iconv -f {codec.upper()} -t UTF-8"
            break
        raise StoryFormatError(f"not valid UTF-8 at byte {exc.start}{hint}") from None


def parse_story(raw):
    """Parse a story file's bytes into a document (no schema check yet)."""
    text = decode_utf8(raw) if isinstance(raw, bytes) else raw
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise StoryFormatError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise StoryFormatError("invalid JSON: nested too deeply") from None


# --- validating ------------------------------------------------------------------------------

def _nfc_strings(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_strings(v) for k, v in value.items()}
    return value


def validate_story(doc):
    """Check a parsed document against the schema and its internal references; return it in NFC.

    Raises StoryFormatError naming the JSON path of the first fault.
    """
    if not isinstance(doc, dict):
        raise StoryFormatError("a story file holds one JSON object")
    if doc.get("format") != FORMAT:
        raise StoryFormatError(f"expected {FORMAT!r}, got {doc.get('format')!r}", "format")
    if not fast_schema_check()(doc):
        import jsonschema

        error = jsonschema.exceptions.best_match(schema_validator().iter_errors(doc))
        if error is not None:
            raise StoryFormatError(error.message, json_path(error.absolute_path) or "(document)")
    doc = _nfc_strings(doc)
    _check_references(doc)
    return doc


def _unique(items, path, what):
    seen = {}
    for i, item in enumerate(items):
        if item["id"] in seen:
            raise StoryFormatError(f"{what} id {item['id']!r} is used twice (also at [{seen[item['id']]}])",
                                   f"{path}[{i}].id")
        seen[item["id"]] = i
    return seen


def _check_datetime(value, path):
    if value is not None and parse_datetime_aware(value) is None:
        raise StoryFormatError(f"{value!r} is not an ISO 8601 date-time with a time zone", path)


def _check_url(value, path, *, relative_ok=False):
    """Only http(s) URLs (or, for images, a relative path) reach a page: no javascript: or data: links.

    Validated here because imports bulk-create rows without model validation (cf. CVE-2026-15920);
    the admin's forms apply the same rule (``entities.validators``).
    """
    if value and not is_public_url(value, relative_ok=relative_ok):
        raise StoryFormatError(f"{value[:80]!r} is not an http(s) URL", path)


def _check_references(doc):
    article = doc["article"]
    for key in ("publish_at", "published_at", "updated_at"):
        _check_datetime(article.get(key), f"article.{key}")
    _check_url((article.get("source") or {}).get("url"), "article.source.url")
    for i, entity in enumerate(doc["entities"]):
        _check_url(entity.get("url"), f"entities[{i}].url")
    numbers = {}
    for i, section in enumerate(article["sections"]):
        if section["number"] in numbers:
            raise StoryFormatError(f"section number {section['number']} is used twice", f"article.sections[{i}].number")
        numbers[section["number"]] = i
    blocks = {}
    all_blocks = [(f"article.lede[{i}]", b) for i, b in enumerate(article["lede"])]
    for s, section in enumerate(article["sections"]):
        all_blocks += [(f"article.sections[{s}].blocks[{i}]", b) for i, b in enumerate(section["blocks"])]
    for path, block in all_blocks:
        if block["type"] == "figure":
            _check_url(block.get("image"), f"{path}.image", relative_ok=True)
        if block["id"] in blocks:
            raise StoryFormatError(f"block id {block['id']!r} is used twice", f"{path}.id")
        blocks[block["id"]] = block

    entities = _unique(doc["entities"], "entities", "entity")
    kinds = {e["id"]: e["kind"] for e in doc["entities"]}

    def entity_ref(value, path):
        if value not in entities:
            raise StoryFormatError(f"entity {value!r} is not in this file's entities", path)

    source = article.get("source") or {}
    if source.get("entity"):
        entity_ref(source["entity"], "article.source.entity")
    for i, entity in enumerate(doc["entities"]):
        for j, role in enumerate(entity.get("roles", [])):
            if role.get("organization"):
                entity_ref(role["organization"], f"entities[{i}].roles[{j}].organization")
            if role.get("start") and role.get("end") and role["start"] > role["end"]:
                raise StoryFormatError("the role ends before it starts", f"entities[{i}].roles[{j}]")
        for j, rel in enumerate(entity.get("relations", [])):
            path = f"entities[{i}].relations[{j}]"
            entity_ref(rel["object"], f"{path}.object")  # the predicate is one of the schema's enum
            if rel["object"] == entity["id"]:
                raise StoryFormatError("an entity cannot relate to itself", f"{path}.object")

    def anchor(a, path):
        block = blocks.get(a["block"])
        if block is None:
            raise StoryFormatError(f"block {a['block']!r} does not exist", f"{path}.block")
        if block["type"] != "paragraph":
            raise StoryFormatError(f"block {a['block']} is a {block['type']}, not a paragraph", f"{path}.block")
        text = block["text"]
        if not (a["start"] < a["end"] <= len(text)):
            raise StoryFormatError(
                f"{a['start']}–{a['end']} is outside block {a['block']} ({len(text)} characters)", path)
        if text[a["start"]:a["end"]] != a["exact"]:
            raise StoryFormatError(f"does not match block {a['block']} at {a['start']}–{a['end']}", f"{path}.exact")

    _unique(doc["quotes"], "quotes", "quote")
    for i, quote in enumerate(doc["quotes"]):
        anchor(quote["anchor"], f"quotes[{i}].anchor")
        if quote.get("attribution"):
            anchor(quote["attribution"], f"quotes[{i}].attribution")
        entity_ref(quote["speaker"], f"quotes[{i}].speaker")
        if kinds[quote["speaker"]] not in SPEAKER_KINDS:
            raise StoryFormatError(f"the speaker {quote['speaker']!r} is a {kinds[quote['speaker']]}, "
                                   "not a person or organization", f"quotes[{i}].speaker")
        if quote.get("event"):
            entity_ref(quote["event"], f"quotes[{i}].event")
    for i, mention in enumerate(doc["mentions"]):
        anchor(mention["anchor"], f"mentions[{i}].anchor")
        entity_ref(mention["entity"], f"mentions[{i}].entity")
    _unique(doc["annotations"], "annotations", "annotation")
    for i, note in enumerate(doc["annotations"]):
        anchor(note["anchor"], f"annotations[{i}].anchor")


def parse_datetime_aware(value):
    """Parse an ISO 8601 date-time that carries a time zone; None if it is not one."""
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None or timezone.is_naive(parsed):
        return None
    return parsed


def load_story(raw):
    """Bytes or text of a story file -> a validated document (or StoryFormatError)."""
    return validate_story(parse_story(raw))


def free_key(prefix, used):
    """The first id ``<prefix><n>`` (n = 1, 2 …) not in ``used``: how the format numbers new ids."""
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


# --- writing ---------------------------------------------------------------------------------

# Keys the schema requires; they stay even when empty.
REQUIRED_EMPTY_OK = {"title", "entities", "quotes", "mentions", "annotations", "lede", "sections", "blocks", "body"}


def canonical(doc):
    """Return ``doc`` in the exporter's canonical form (for comparing a file with an export)."""
    def walk(obj):  # NFC and the leaving out in one pass over the document
        if isinstance(obj, str):
            return unicodedata.normalize("NFC", obj)
        if isinstance(obj, dict):
            out = {}
            for key, value in obj.items():
                value = walk(value)
                if key not in REQUIRED_EMPTY_OK and (value is None or value == "" or value == [] or value == {}):
                    continue
                out[key] = value
            return out
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        return obj

    return walk(doc)


def format_datetime(value):
    return timezone.localtime(value).isoformat() if value else None


def dumps(doc):
    """Serialise a document the way files are written: UTF-8 text, indented, not ASCII-escaped."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def summarize_changes(old, new):
    """Describe, one line per kind of thing, how document ``new`` differs from ``old`` (None: new story)."""
    if old is None:
        blocks = len(new["article"]["lede"]) + sum(len(s["blocks"]) for s in new["article"]["sections"])
        return [f"new story: {len(new['article']['sections'])} sections, {blocks} blocks, "
                f"{len(new['quotes'])} quotes, {len(new['mentions'])} mentions, "
                f"{len(new['annotations'])} annotations, {len(new['entities'])} entities"]
    lines = []
    old_a, new_a = old["article"], new["article"]
    fields = [k for k in sorted(set(old_a) | set(new_a)) if k not in ("lede", "sections") and old_a.get(k) != new_a.get(k)]
    if fields:
        lines.append("article fields changed: " + ", ".join(fields))

    def blocks(article):
        out = {b["id"]: b for b in article["lede"]}
        for section in article["sections"]:
            out.update({b["id"]: b for b in section["blocks"]})
        return out

    def compare(label, before, after):
        added = [k for k in after if k not in before]
        removed = [k for k in before if k not in after]
        changed = [k for k in after if k in before and after[k] != before[k]]
        parts = [f"{len(xs)} {verb}" for xs, verb in ((added, "added"), (removed, "removed"), (changed, "changed")) if xs]
        if parts:
            lines.append(f"{label}: " + ", ".join(parts))

    compare("sections", {s["number"]: s["heading"] for s in old_a["sections"]},
            {s["number"]: s["heading"] for s in new_a["sections"]})
    compare("blocks", blocks(old_a), blocks(new_a))
    compare("entities", {e["id"]: e for e in old["entities"]}, {e["id"]: e for e in new["entities"]})
    compare("quotes", {q["id"]: q for q in old["quotes"]}, {q["id"]: q for q in new["quotes"]})
    compare("annotations", {a["id"]: a for a in old["annotations"]}, {a["id"]: a for a in new["annotations"]})

    def mention_key(m):
        return (m["entity"], m["anchor"]["block"], m["anchor"]["start"], m["anchor"]["end"])

    compare("mentions", {mention_key(m): m for m in old["mentions"]}, {mention_key(m): m for m in new["mentions"]})
    return lines
