"""Raw scraped text -> a story-format document: structure, repairs, suggestions.

The pipeline: ``structure.parse_raw`` finds title, bylines, lede and sections; ``cleaning``
repairs each paragraph and reports every change (stored as ``repair`` annotations holding the
original text, so the file as received can be rebuilt) and what it could not repair (open
``flag`` annotations); ``suggest`` proposes quotes, speakers and mentions, which wait for an
editor as ``suggested``. On re-import, ``merge_editor_work`` keeps what editors did.
"""

import datetime
from dataclasses import dataclass

from newsroom.text import ascii_slug, clean_name, fold_chars

from . import cleaning, structure, suggest
from .anchoring_docs import block_texts, relocate_anchor
from .story import FORMAT, StoryFormatError, canonical, free_key

REPAIR_PREFIX, FLAG_PREFIX, SCRIPT_PREFIX = "r", "flag-", "script-"
HEADING_REPAIR = "heading repaired:"


@dataclass
class RawOptions:
    title: str | None = None
    slug: str | None = None
    source_name: str | None = None
    source_url: str | None = None
    published_on: str | None = None  # YYYY-MM-DD
    restore_punctuation: bool = True


def story_date(options):
    if not options.published_on:
        return None
    try:
        return datetime.date.fromisoformat(options.published_on)
    except ValueError:
        raise StoryFormatError(f"--published-on {options.published_on!r} is not a YYYY-MM-DD date") from None


def raw_to_doc(text, *, options, known_entities, rejected=frozenset(), index=None):
    """Build a draft story document from raw text.

    ``known_entities``: {slug: entity doc} for every entity in the knowledge base that may be named;
    ``index``: their ``suggest.KnownIndex`` when built once for many files (else built here).
    ``rejected``: {(kind, exact, entity slug)} of suggestions editors rejected before; not suggested again.
    """
    try:
        parsed = structure.parse_raw(text)
    except structure.StructureError as exc:
        raise StoryFormatError(str(exc)) from None

    annotations, counters = [], {"r": 0, "flag": 0, "script": 0}

    def next_id(kind):
        counters[kind] += 1
        return {"r": REPAIR_PREFIX, "flag": FLAG_PREFIX, "script": SCRIPT_PREFIX}[kind] + str(counters[kind])

    paragraphs, keys = [], []  # cleaned paragraph texts and their block ids, in reading order
    n_par, n_fig = 0, 0

    def block(raw):
        nonlocal n_par, n_fig
        if raw.kind == "figure":
            n_fig += 1
            return {"id": f"f{n_fig}", "type": "figure"}
        n_par += 1
        key = f"p{n_par}"
        result = cleaning.clean_text(raw.text, restore_punctuation=options.restore_punctuation)
        for change in result.changes:
            annotations.append({
                "id": next_id("r"), "kind": "repair", "public": False,
                "status": "resolved" if change.sure else "open",
                "anchor": {"block": key, "start": change.start, "end": change.end, "exact": change.replacement},
                "original": change.original, "body": f"{change.rule}: {change.note} (line {raw.line})",
            })
        for flag in result.flags:
            annotations.append({
                "id": next_id("flag"), "kind": "flag", "public": False, "status": "open",
                "anchor": {"block": key, "start": flag.start, "end": flag.end,
                           "exact": result.text[flag.start:flag.end]},
                "body": f"{flag.rule}: {flag.note} (line {raw.line})",
            })
        for hint in result.suggestions:
            annotations.append({
                "id": next_id("script"), "kind": "note", "public": False, "status": "open",
                "anchor": {"block": key, "start": hint.start, "end": hint.end, "exact": hint.text},
                "body": f"script: {hint.note} Suggested: {hint.proposed}",
            })
        paragraphs.append(result.text)
        keys.append(key)
        return {"id": key, "type": "paragraph", "text": result.text}

    def section(raw):
        blocks = [block(b) for b in raw.blocks]
        heading = cleaning.clean_text(raw.heading, restore_punctuation=options.restore_punctuation)
        first = next((b for b in blocks if b["type"] == "paragraph"), None)
        if not heading.changes or first is None or not heading.text.strip():
            return {"number": raw.number, "heading": clean_name(raw.heading), "blocks": blocks}
        # Headings hold no anchors: the repair is recorded on the section's first paragraph.
        annotations.append({
            "id": next_id("r"), "kind": "note", "public": False, "status": "open",
            "anchor": {"block": first["id"], "start": 0, "end": 1, "exact": first["text"][0]},
            "original": raw.heading,
            "body": f"{HEADING_REPAIR} {raw.heading!r} -> {heading.text!r} (line {raw.line}): "
                    + "; ".join(c.note for c in heading.changes),
        })
        return {"number": raw.number, "heading": heading.text.strip(), "blocks": blocks}

    lede = [block(b) for b in parsed.lede]
    sections = [section(s) for s in parsed.sections]
    if not paragraphs:
        raise StoryFormatError("the file holds no paragraphs")

    title = clean_name(options.title or parsed.title or "")
    if parsed.title and not options.title:
        cleaned = cleaning.clean_text(parsed.title, restore_punctuation=False)  # repairs only
        if cleaned.changes and clean_name(cleaned.text):
            title = clean_name(cleaned.text)
            # The title holds no anchors: its repair is recorded on the first paragraph, as a heading's.
            annotations.append({
                "id": next_id("r"), "kind": "note", "public": False, "status": "open",
                "anchor": {"block": keys[0], "start": 0, "end": 1, "exact": paragraphs[0][0]},
                "original": parsed.title,
                "body": f"title repaired: {parsed.title!r} -> {title!r} (line {parsed.title_line}): "
                        + "; ".join(c.note for c in cleaned.changes),
            })
    # No headline line: the title stays empty (a working copy may have none) and the publish gate
    # blocks until an editor writes one (or --title gives it). The lede's first clause never stands in.
    index = index if index is not None else known_index(known_entities)
    quotes, mentions, entities = _suggestions(paragraphs, keys, options, known_entities, rejected, index)
    # Names are printed as their owners write them (阿里云 is a brand): no script suggestion on them.
    names = [m["anchor"] for m in mentions] + [q["attribution"] for q in quotes if q.get("attribution")]
    annotations = [a for a in annotations if not (a["id"].startswith(SCRIPT_PREFIX) and any(
        n["block"] == a["anchor"]["block"] and n["start"] < a["anchor"]["end"] and a["anchor"]["start"] < n["end"]
        for n in names))]
    # An untitled draft still needs a readable slug: the lede's first clause gives it (not the title).
    slug = (options.slug or ascii_slug(title) or ascii_slug(_first_clause(paragraphs[0]))
            or ascii_slug(options.source_name or "") or "story")
    source = {"name": options.source_name or (parsed.bylines[0] if parsed.bylines else None),
              "url": options.source_url, "published_on": options.published_on}
    doc = {
        "format": FORMAT,
        "article": {"slug": slug[:100].strip("-") or "story", "title": title[:300], "language": "zh-Hant",
                    "status": "draft", "bylines": parsed.bylines,
                    "source": {k: v for k, v in source.items() if v} or None,
                    "lede": lede, "sections": sections},
        "entities": entities, "quotes": quotes, "mentions": mentions,
        "annotations": sorted(annotations, key=lambda a: (keys.index(a["anchor"]["block"]), a["anchor"]["start"])),
    }
    return canonical(doc)


def _first_clause(text, limit=30):
    for i, ch in enumerate(text):
        if ch in "，。！？；：,.!?;:" and i > 0:
            return text[: min(i, limit)]
    return text[:limit]


# How sure the raw importer is of a mention (the ``confidence`` of a suggested mention, 0..1). The
# suggester finds every name or alias of a known entity; how certain a match is depends on which name
# the text used and how long it is, since a short string also occurs inside other words and phrases:
MENTION_CANONICAL = 0.95  # the entity's own name as stored, 3+ characters (通義千問, 周靖人, ChatGPT)
MENTION_VARIANT = 0.85    # the own name, 3+ characters, in another script or width (云棲大會 for 雲棲大會)
MENTION_ALIAS = 0.7       # an alias of 3+ characters (阿里達摩院 for 達摩院)
MENTION_SHORT = 0.25      # subtracted when the words are 1–2 characters (百度, 葉軍: 0.70; 阿里 for 阿里巴巴: 0.45)
MENTION_AMBIGUOUS = 0.3   # at most this when the words are a name of two or more known entities
SHORT_NAME = 2


def mention_confidence(exact, names, holders):
    """The confidence of a mention whose words are ``exact``, of an entity called ``names`` (canonical
    name first, then aliases), where ``holders`` known entities have a name that folds to the same text."""
    folded = fold_chars(exact)
    if exact == names[0]:
        score = MENTION_CANONICAL
    elif folded == fold_chars(names[0]):
        score = MENTION_VARIANT
    else:
        score = MENTION_ALIAS
    if len(exact) <= SHORT_NAME:
        score -= MENTION_SHORT
    if holders > 1:
        score = min(score, MENTION_AMBIGUOUS)
    return round(score, 2)


def known_index(known_entities):
    """The suggesters' ``KnownIndex`` of {slug: entity doc} (a knowledge base passes its own, built once)."""
    return suggest.KnownIndex(
        suggest.KnownEntity(slug, doc["kind"], tuple([doc["name"], *(a["text"] for a in doc.get("aliases", []))]))
        for slug, doc in known_entities.items())


def _suggestions(paragraphs, keys, options, known_entities, rejected, index):
    """Suggested quotes and mentions with the entities they name. Each carries a ``confidence``: a
    quote the quote suggester's own, a mention ``mention_confidence`` (the scale above)."""
    found = suggest.suggest_quotes(paragraphs, index=index, story_date=story_date(options))
    entities, new_people = {}, {}

    def span(s):
        return {"block": keys[s.block], "start": s.start, "end": s.end, "exact": s.exact}

    quotes = []
    for q in found:
        slug = q.speaker_key
        if slug is None:
            slug = new_people.get(q.speaker_name)
            if slug is None:
                slug = _new_slug(q.speaker_name, known_entities, entities)
                new_people[q.speaker_name] = slug
                entities[slug] = {"id": slug, "kind": q.speaker_kind, "name": q.speaker_name, "roles": []}
        else:
            entities[slug] = known_entities[slug]
        if ("quote", q.anchor.exact, slug) in rejected:
            continue
        if q.role and slug in new_people.values():
            roles = entities[slug].setdefault("roles", [])
            role = {"title": q.role}
            if q.role_is_past and q.said_on:
                role.update(start=q.said_on[:4], end=q.said_on[:4])
            if role not in roles:
                roles.append(role)
        quote = {"id": f"q{len(quotes) + 1}", "anchor": span(q.anchor), "kind": q.kind, "speaker": slug,
                 "role": q.role, "said_on": q.said_on, "status": "suggested", "confidence": q.confidence,
                 "note": f"{q.reason} (confidence {q.confidence:.2f})"}
        if q.attribution:
            quote["attribution"] = span(q.attribution)
        if q.event_name:
            event = index.event_named(q.event_name)
            if event:
                quote["event"] = event
                entities[event] = known_entities[event]
        quotes.append(quote)

    # A speaker this text introduced counts as known: the score is about the match, and the same
    # file imported again (the speaker now in the knowledge base) must score the same.
    index = index.extended(suggest.KnownEntity(slug, "person", (name,)) for name, slug in new_people.items())
    mentions = []
    for m in suggest.suggest_mentions(paragraphs, index=index):
        if ("mention", m.anchor.exact, m.entity_key) in rejected:
            continue
        entities.setdefault(m.entity_key, known_entities.get(m.entity_key))
        confidence = mention_confidence(m.anchor.exact, index.names_of(m.entity_key),
                                        index.holders(fold_chars(m.anchor.exact)))
        mentions.append({"entity": m.entity_key, "anchor": span(m.anchor), "status": "suggested",
                         "confidence": confidence})
    entity_docs = [e for e in entities.values() if e is not None]
    # Roles and relations name other entities; the file must hold them too, and those they name
    # in turn (a worklist: an entity brought in for a relation may have relations of its own).
    listed = {e["id"] for e in entity_docs}
    for e in entity_docs:  # grows while walked
        for ref in [r.get("organization") for r in e.get("roles", [])] + [r["object"] for r in e.get("relations", [])]:
            if ref and ref not in listed and ref in known_entities:
                entity_docs.append(known_entities[ref])
                listed.add(ref)
    return quotes, mentions, entity_docs


def _new_slug(name, known_entities, taken):
    base = ascii_slug(name) or "person"
    slug, n = base, 2
    while slug in known_entities or slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def merge_editor_work(old, new):
    """Carry what editors did on ``old`` (the stored story) over to ``new`` (a fresh raw import).

    Kept and re-anchored by their exact words: quotes an editor confirmed, verified or disputed,
    confirmed mentions, every annotation (notes, context, sic, corrections, repairs and flags with
    the status an editor gave them). What cannot be re-anchored is kept at its old place and flagged.
    Open suggestions are replaced by the new ones (keeping their ids where they are unchanged).
    The story's metadata (title, dek, status, dates, bylines) is the editors'.
    """
    texts = block_texts(new["article"])
    flags = []

    def carry(item, path="anchor"):
        anchor, lost = relocate_anchor(item[path], texts)
        item = {**item, path: anchor}
        if lost is not None:
            flags.append({
                "kind": "flag", "public": False, "status": "open", "anchor": dict(anchor), "original": lost,
                "body": f"Re-import: the words «{lost}» are no longer in the text; "
                        f"{item.get('id', 'a mention')} was kept here. Check it.",
            })
        return item

    def carry_quote(q):
        q = carry(q)
        return carry(q, "attribution") if q.get("attribution") else q

    kept_quotes = [carry_quote(q) for q in old["quotes"] if q["status"] != "suggested"]
    # An unchanged suggestion stays as it was (id, note), so importing the same file changes nothing.
    old_suggested = {_span_key(q["anchor"]): q for q in old["quotes"] if q["status"] == "suggested"}
    taken_spans = {_span_key(q["anchor"]) for q in kept_quotes}
    used_ids = {q["id"] for q in kept_quotes}
    quotes = list(kept_quotes)
    for q in new["quotes"]:
        key = _span_key(q["anchor"])
        if key in taken_spans:
            continue
        previous = old_suggested.get(key)
        if previous is not None and previous["speaker"] == q["speaker"] and previous["id"] not in used_ids:
            q = previous
        else:
            q = {**q, "id": _fresh_id("q", used_ids | {x["id"] for x in old["quotes"]})}
        used_ids.add(q["id"])
        quotes.append(q)

    kept_mentions = [carry(m) for m in old["mentions"] if m["status"] == "confirmed"]
    mention_spans = {(m["entity"], _span_key(m["anchor"])) for m in kept_mentions}
    mentions = kept_mentions + [m for m in new["mentions"] if (m["entity"], _span_key(m["anchor"])) not in mention_spans]

    kept_notes = [carry(a) for a in old["annotations"]]
    note_keys = {_note_key(a) for a in kept_notes}
    used = {a["id"] for a in kept_notes}
    notes = kept_notes + [a for a in new["annotations"] if _note_key(a) not in note_keys and a["id"] not in used]
    used |= {a["id"] for a in notes}
    for flag in flags:
        flag["id"] = _fresh_id(FLAG_PREFIX, used)
        used.add(flag["id"])
        notes.append(flag)

    order = {k: i for i, k in enumerate(texts)}

    def position(item):
        return (order.get(item["anchor"]["block"], 0), item["anchor"]["start"])

    listed = {e["id"] for e in new["entities"]}
    entities = new["entities"] + [e for e in old["entities"] if e["id"] not in listed]
    article = {**old["article"], "lede": new["article"]["lede"], "sections": new["article"]["sections"]}
    return {"format": FORMAT, "article": article, "entities": entities,
            "quotes": sorted(quotes, key=position), "mentions": sorted(mentions, key=position),
            "annotations": sorted(notes, key=position)}


def _span_key(anchor):
    return anchor["block"], anchor["start"], anchor["end"]


def _note_key(a):
    return a["kind"], _span_key(a["anchor"]), a.get("original"), a["body"]


_fresh_id = free_key  # one definition (articles.importing.story)


def rebuild_lines(doc, figure_line="圖片"):
    """The non-blank lines of the raw file this story was imported from, rebuilt from the story
    and its repair annotations (each repair's span replaced by its ``original``)."""
    repairs, headings = {}, {}
    for note in doc["annotations"]:
        if note["kind"] == "repair" and note.get("original") is not None:
            repairs.setdefault(note["anchor"]["block"], []).append(note)
        elif note["kind"] == "note" and note["body"].startswith(HEADING_REPAIR):
            headings[note["anchor"]["block"]] = note["original"]

    def line(block):
        if block["type"] == "figure":
            return figure_line
        text = block["text"]
        for note in sorted(repairs.get(block["id"], []), key=lambda n: n["anchor"]["start"], reverse=True):
            a = note["anchor"]
            text = text[:a["start"]] + note["original"] + text[a["end"]:]
        return text

    article = doc["article"]
    lines = [line(b) for b in article["lede"]]
    for section in article["sections"]:
        first = next((b["id"] for b in section["blocks"] if b["type"] == "paragraph"), None)
        lines += [section["number"], headings.get(first, section["heading"]),
                  *(line(b) for b in section["blocks"])]
    return lines
