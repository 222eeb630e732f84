"""The model ⇄ document mapping: a story's rows as a story-format document and back.

The format itself (parse, validate, canonical JSON) is ``articles.importing.story``, which knows no
model; this module is the only place that turns rows into documents (``export_story``) and
documents into rows (``write_story``).
"""

import functools

from entities.models import Entity
from newsroom.db import insert_rows, reserve_ids
from newsroom.text import clean_name, nfc, search_tokens

from ..importing.story import FORMAT, canonical, format_datetime, parse_datetime_aware
from ..models import Annotation, Block, Mention, Quote, Section, StoryEntity, quote_tokens


def _anchor(block_key, start, end, exact):
    return {"block": block_key, "start": start, "end": end, "exact": exact}


def export_story(article):
    """Return the story-format document for ``article`` (working copy or live edition)."""
    sections = list(Section.objects.filter(article=article).order_by("position"))
    blocks = list(Block.objects.filter(article=article).order_by("position"))
    quotes = list(Quote.objects.filter(article=article).select_related("block", "speaker", "event",
                                                                       "attribution_block").order_by("id"))
    mentions = list(Mention.objects.filter(article=article).select_related("block", "entity").order_by("id"))
    notes = list(Annotation.objects.filter(article=article).select_related("block").order_by("id"))

    def block_doc(block):
        if block.kind == Block.Kind.FIGURE:
            return {"id": block.key, "type": "figure", "image": block.image or None, "alt": block.alt,
                    "caption": block.caption, "credit": block.credit}
        return {"id": block.key, "type": "paragraph", "text": block.text}

    listed = [se.entity_id for se in StoryEntity.objects.filter(article=article).order_by("id")]
    needed = set(listed)
    needed.update(q.speaker_id for q in quotes if q.speaker_id)
    needed.update(q.event_id for q in quotes if q.event_id)
    needed.update(m.entity_id for m in mentions)
    if article.source_entity_id:
        needed.add(article.source_entity_id)
    entities = {e.pk: e for e in Entity.objects.filter(pk__in=needed).prefetch_related(
        "aliases", "roles__organization", "relations_out__object")}
    # Roles name organisations: they must be in the file too (a file is self-contained).
    missing_orgs = {r.organization_id for e in entities.values() for r in e.roles.all()
                    if r.organization_id and r.organization_id not in entities}
    if missing_orgs:
        entities.update({e.pk: e for e in Entity.objects.filter(pk__in=missing_orgs).prefetch_related(
            "aliases", "roles__organization", "relations_out__object")})
    order = listed + sorted(pk for pk in entities if pk not in set(listed))
    included = {entities[pk].slug for pk in order}

    source = {"name": article.source_name, "entity": article.source_entity.slug if article.source_entity else None,
              "url": article.source_url or None, "published_on": article.source_published_on}
    lede = [block_doc(b) for b in blocks if b.section_id is None]
    doc = {
        "format": FORMAT,
        "article": {
            "slug": article.slug, "title": article.title, "dek": article.dek or None, "language": article.language,
            "status": article.status, "publish_at": format_datetime(article.publish_at),
            "published_at": format_datetime(article.published_at), "updated_at": format_datetime(article.updated_at),
            "bylines": list(article.bylines), "source": source, "lede": lede,
            "sections": [{"number": s.number, "heading": s.heading,
                          "blocks": [block_doc(b) for b in blocks if b.section_id == s.pk]} for s in sections],
        },
        "entities": [entity_to_doc(entities[pk], included) for pk in order],
        "quotes": [{
            "id": q.key, "anchor": _anchor(q.block.key, q.start, q.end, q.exact), "kind": q.kind,
            "speaker": q.speaker.slug if q.speaker else None, "role": q.role or None, "said_on": q.said_on,
            "event": q.event.slug if q.event else None,
            "attribution": _anchor(q.attribution_block.key, q.attribution_start, q.attribution_end,
                                   q.attribution_exact) if q.attribution_block else None,
            "status": q.status, "note": q.note, "confidence": q.confidence,  # None (a person's): left out
        } for q in quotes],
        "mentions": [{"entity": m.entity.slug, "anchor": _anchor(m.block.key, m.start, m.end, m.exact),
                      "status": m.status, "confidence": m.confidence} for m in mentions],
        "annotations": [{"id": a.key, "anchor": _anchor(a.block.key, a.start, a.end, a.exact), "kind": a.kind,
                         "body": a.body, "public": a.public, "status": a.status, "original": a.original}
                        for a in notes],
    }
    return canonical(doc)


def entity_to_doc(e, included):
    """An entity as a story-format item; relations only to entities in ``included`` (slugs).

    Prefetch ``aliases``, ``roles__organization`` and ``relations_out__object`` for lists.
    """
    return {
        "id": e.slug, "kind": e.kind, "name": e.name,
        "aliases": [{"text": a.text, "lang": a.lang} for a in e.aliases.all()],
        "description": e.description, "wikidata": e.wikidata or None, "url": e.url or None,
        "roles": [{"title": r.title, "organization": r.organization.slug if r.organization else None,
                   "start": r.start, "end": r.end} for r in e.roles.all()],
        "relations": [{"predicate": r.predicate, "object": r.object.slug, "start": r.start, "end": r.end}
                      for r in e.relations_out.all() if r.object.slug in included],
    }


def write_story(doc, article, *, entities=None):
    """Make ``article`` hold document ``doc``: its fields, sections, blocks and anchored objects.

    The document must already be validated (and canonical: text in NFC). Entities must exist (see
    ``entities_upsert``, whose {slug: Entity} can be passed as ``entities``: then they are not read
    again). Must run inside a transaction (every caller's is atomic): the child rows
    are written with ids reserved in it (``newsroom.db.reserve_ids``), one statement per table.
    What ``bulk_create`` gave each row it still gets (defaults, ``auto_now`` stamps, a quote's
    search tokens); no row of these tables has a ``save()`` or signal that writes anything else.
    """
    a = doc["article"]
    source = a.get("source") or {}
    # Each entity's id, and a speaker's name (a quote's search tokens hold it).
    entity_of = {slug: (e.pk, e.name) for slug, e in (entities or {}).items()}
    needed = {e["id"] for e in doc["entities"]} | ({source["entity"]} if source.get("entity") else set()) | {
        q["speaker"] for q in doc["quotes"] if q.get("speaker")}
    if needed - set(entity_of):
        entity_of.update((slug, (pk, name)) for slug, pk, name in Entity.objects.filter(
            slug__in=needed - set(entity_of)).values_list("slug", "pk", "name"))
    entities = {slug: pk for slug, (pk, _name) in entity_of.items()}
    names = {slug: name for slug, (_pk, name) in entity_of.items()}
    new = article._state.adding
    article.slug = a["slug"]
    article.title = clean_name(a["title"])
    article.dek = nfc(a.get("dek") or "")
    article.language = a["language"]
    article.bylines = a.get("bylines", [])
    article.status = a["status"]
    article.source_name = source.get("name", "")
    article.source_entity_id = entities.get(source.get("entity"))
    article.source_url = source.get("url") or ""
    article.source_published_on = source.get("published_on", "")
    for key in ("publish_at", "published_at", "updated_at"):
        setattr(article, key, parse_datetime_aware(a[key]) if a.get(key) else None)
    rows = [(None, b) for b in a["lede"]]
    for number, s in enumerate(a["sections"]):
        rows += [(number, b) for b in s["blocks"]]
    article.search_tokens = _story_tokens((article.title, article.dek, *(b.get("text", "") for _s, b in rows),
                                           *(s["heading"] for s in a["sections"])))
    article.save()

    if not new:
        # Replace the story's content wholesale: the document is the whole story. Children first,
        # one DELETE each (nothing else points at these rows; Django's collector would load them all).
        for model in (Annotation, Mention, Quote, Block, Section, StoryEntity):
            model.objects.filter(article=article)._raw_delete(model.objects.db)

    ids = reserve_ids({StoryEntity: len(doc["entities"]), Section: len(a["sections"]), Block: len(rows),
                       Quote: len(doc["quotes"]), Mention: len(doc["mentions"]),
                       Annotation: len(doc["annotations"])})
    pk = article.pk
    insert_rows(StoryEntity, [{"id": i, "article_id": pk, "entity_id": entities[e["id"]]}
                              for i, e in zip(ids.get(StoryEntity, ()), doc["entities"])])
    section_ids = ids.get(Section, [])
    insert_rows(Section, [{"id": i, "article_id": pk, "number": s["number"], "heading": s["heading"], "position": n}
                          for n, (i, s) in enumerate(zip(section_ids, a["sections"]))])
    by_key = {}
    blocks = []
    for position, (i, (number, b)) in enumerate(zip(ids.get(Block, ()), rows)):
        by_key[b["id"]] = i
        blocks.append({"id": i, "article_id": pk, "section_id": None if number is None else section_ids[number],
                       "position": position, "key": b["id"], "kind": b["type"], "text": b.get("text", ""),
                       "image": b.get("image") or "", "alt": b.get("alt", ""), "caption": b.get("caption", ""),
                       "credit": b.get("credit", "")})
    insert_rows(Block, blocks)

    def anchored(i, anchor, **fields):
        return {"id": i, "article_id": pk, "block_id": by_key[anchor["block"]], "start": anchor["start"],
                "end": anchor["end"], "exact": anchor["exact"], **fields}

    insert_rows(Quote, [
        anchored(i, q["anchor"], key=q["id"], kind=q["kind"], speaker_id=entities.get(q.get("speaker")),
                 role=q.get("role") or "", said_on=q.get("said_on", ""), event_id=entities.get(q.get("event")),
                 status=q["status"], note=q.get("note", ""), confidence=q.get("confidence"),
                 search_tokens=_quote_tokens(q["anchor"]["exact"], names.get(q.get("speaker"), ""), q.get("role") or ""),
                 **_attribution(q.get("attribution"), by_key))
        for i, q in zip(ids.get(Quote, ()), doc["quotes"])
    ])
    insert_rows(Mention, [
        anchored(i, m["anchor"], key=f"m{n}", entity_id=entities[m["entity"]], status=m["status"],
                 confidence=m.get("confidence"))
        for n, (i, m) in enumerate(zip(ids.get(Mention, ()), doc["mentions"]), 1)
    ])
    insert_rows(Annotation, [
        anchored(i, n["anchor"], key=n["id"], kind=n["kind"], body=n["body"], public=n["public"],
                 status=n["status"], original=n.get("original"))
        for i, n in zip(ids.get(Annotation, ()), doc["annotations"])
    ])
    return article


# A story is written twice in a row (its working copy, then its live edition): the tokens of the
# same text are computed once.
_story_tokens = functools.lru_cache(maxsize=2)(lambda texts: search_tokens(*texts))
_quote_tokens = functools.lru_cache(maxsize=1024)(quote_tokens)


def _attribution(anchor, by_key):
    if not anchor:
        return {}
    return {"attribution_block_id": by_key[anchor["block"]], "attribution_start": anchor["start"],
            "attribution_end": anchor["end"], "attribution_exact": anchor["exact"]}


