"""Compare two versions of a story in the story format: per section, and quotes, mentions and
notes by name rather than as one flat text dump. Also the digest that tells whether a working
copy differs from its live edition."""

import difflib
import hashlib
import json

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

# Stamps that publishing itself writes; they are not "changes" an editor could publish.
STAMPS = ("status", "published_at", "updated_at")


def content_digest(doc):
    """Return a digest of what readers would see of ``doc``: the story without workflow stamps.

    Entities are reduced to their ids: entity pages are not editioned, so editing an entity is never
    an unpublished change of the stories that name it.
    """
    article = {k: v for k, v in doc["article"].items() if k not in STAMPS}
    body = {**doc, "article": article, "entities": sorted(e["id"] for e in doc.get("entities", []))}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


ARTICLE_FIELDS = (
    ("title", "headline"), ("dek", "dek"), ("slug", "slug"), ("language", "language"), ("bylines", "bylines"),
    ("source", "source"), ("status", "status"), ("publish_at", "publish at"), ("published_at", "published at"),
    ("updated_at", "updated at"),
)


def text_ops(old, new):
    """Character-level diff of two texts (code points): a list of (op, text), op in equal/insert/delete."""
    old, new = old or "", new or ""
    ops = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", old[i1:i2]))
        else:
            if i2 > i1:
                ops.append(("delete", old[i1:i2]))
            if j2 > j1:
                ops.append(("insert", new[j1:j2]))
    return ops


def _show(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "、".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items() if v not in (None, "", []))
    return str(value)


# Story fields holding an ISO timestamp; the diff shows them as the active language writes a date.
TIMESTAMPS = ("publish_at", "published_at", "updated_at")


def _when(value):
    """An ISO timestamp as a local date and time in the active language (DATETIME_FORMAT); other values as they are."""
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def _change(field, old, new):
    return {"field": field, "old": _show(old), "new": _show(new), "ops": text_ops(_show(old), _show(new))}


def _status(old, new):
    if old is None:
        return "added"
    if new is None:
        return "removed"
    return "changed" if old != new else "unchanged"


def _block_entry(key, old, new):
    entry = {"key": key, "status": _status(old, new), "type": (new or old)["type"], "changes": []}
    if entry["type"] == "paragraph" and (old or {}).get("type", "paragraph") == "paragraph":
        entry["ops"] = text_ops((old or {}).get("text", ""), (new or {}).get("text", ""))
    else:
        entry["ops"] = []
        for field in ("image", "alt", "caption", "credit", "text"):
            a, b = (old or {}).get(field), (new or {}).get(field)
            if a != b:
                entry["changes"].append(_change(field, a, b))
    return entry


def _sections(doc):
    """[(number, heading, [blocks])]: the lede as section '' first."""
    a = doc["article"]
    return [("", "", a["lede"])] + [(s["number"], s["heading"], s["blocks"]) for s in a["sections"]]


def _names(doc):
    return {e["id"]: e["name"] for e in doc.get("entities", [])}


def _short(text, n=24):
    return text if len(text) <= n else text[:n] + "…"


def diff_stories(old, new):
    """Return a structured diff of two story documents (see the revision diff template)."""
    names = {**_names(old), **_names(new)}
    result = {"fields": [], "sections": [], "quotes": [], "mentions": [], "annotations": []}
    oa, na = old["article"], new["article"]
    for key, label in ARTICLE_FIELDS:
        if oa.get(key) != na.get(key):
            old_value, new_value = oa.get(key), na.get(key)
            if key in TIMESTAMPS:
                old_value, new_value = _when(old_value), _when(new_value)
            change = _change(label, old_value, new_value)
            if key in TIMESTAMPS:  # a date reads as one value replaced, not as characters edited
                change["ops"] = [("delete", change["old"]), ("insert", change["new"])]
            result["fields"].append(change)

    old_sections = {n: (h, bl) for n, h, bl in _sections(old)}
    new_sections = {n: (h, bl) for n, h, bl in _sections(new)}
    order = [n for n, _, _ in _sections(new)] + [n for n, _, _ in _sections(old) if n not in new_sections]
    for number in order:
        o, n = old_sections.get(number), new_sections.get(number)
        ob = {b["id"]: b for b in (o[1] if o else [])}
        nb = {b["id"]: b for b in (n[1] if n else [])}
        keys = [b["id"] for b in (n[1] if n else [])] + [k for k in ob if k not in nb]
        blocks = [_block_entry(k, ob.get(k), nb.get(k)) for k in keys]
        changed_blocks = [b for b in blocks if b["status"] != "unchanged"]
        old_order = [k for k in ob if k in nb]
        new_order = [k for k in nb if k in ob]
        section = {
            "number": number, "heading": (n or o)[0], "status": _status(o, n),
            "heading_change": _change("heading", o[0], n[0]) if o and n and o[0] != n[0] else None,
            "blocks": changed_blocks, "reordered": old_order != new_order,
        }
        if section["status"] == "changed" or changed_blocks or section["reordered"]:
            section["status"] = "changed" if o and n else section["status"]
            result["sections"].append(section)

    def quote_name(q):
        speaker = names.get(q.get("speaker"), q.get("speaker") or "?")
        return f"{q['id']} · {speaker}：“{_short(q['anchor']['exact'])}”"

    quote_fields = (("anchor", "words"), ("kind", "kind"), ("speaker", "speaker"), ("role", "role"),
                    ("said_on", "date"), ("event", "event"), ("attribution", "attribution"),
                    ("status", "status"), ("note", "note"))
    result["quotes"] = _by_name(
        {q["id"]: q for q in old["quotes"]}, {q["id"]: q for q in new["quotes"]}, quote_name, quote_fields, names)

    def mention_key(m):
        return (m["entity"], m["anchor"]["block"], m["anchor"]["exact"])

    def keyed(mentions):
        out, seen = {}, {}
        for m in mentions:
            k = mention_key(m)
            seen[k] = seen.get(k, 0) + 1
            out[(*k, seen[k])] = m
        return out

    def mention_name(m):
        return f"{names.get(m['entity'], m['entity'])} @ {m['anchor']['block']}「{_short(m['anchor']['exact'])}」"

    result["mentions"] = _by_name(keyed(old["mentions"]), keyed(new["mentions"]), mention_name,
                                  (("anchor", "position"), ("status", "status")), names)

    def note_name(a):
        return f"{a['id']} · {a['kind']}「{_short(a['anchor']['exact'])}」"

    result["annotations"] = _by_name(
        {a["id"]: a for a in old["annotations"]}, {a["id"]: a for a in new["annotations"]}, note_name,
        (("anchor", "words"), ("kind", "kind"), ("body", "body"), ("public", "public"), ("status", "status"),
         ("original", "original")), names)
    result["is_empty"] = not any(result[k] for k in ("fields", "sections", "quotes", "mentions", "annotations"))
    return result


def _by_name(before, after, name, fields, names):
    out = []
    for key in list(after) + [k for k in before if k not in after]:
        o, n = before.get(key), after.get(key)
        status = _status(o, n)
        if status == "unchanged":
            continue
        entry = {"name": name(n or o), "status": status, "changes": []}
        if o and n:
            for field, label in fields:
                a, b = o.get(field), n.get(field)
                if a != b:
                    if field in ("speaker", "event"):
                        a, b = names.get(a, a), names.get(b, b)
                    if field in ("anchor", "attribution"):
                        a = f"{a['block']} {a['start']}–{a['end']}「{a['exact']}」" if a else None
                        b = f"{b['block']} {b['start']}–{b['end']}「{b['exact']}」" if b else None
                    entry["changes"].append(_change(label, a, b))
        out.append(entry)
    return out
