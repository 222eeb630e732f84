"""Writes that touch several article models at once: importing, publishing, revisions."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from entities.models import Entity
from entities.services import entities_upsert
from newsroom.text import search_tokens

from .importing.story import (
    canonical,
    export_story,
    parse_datetime_aware,
    summarize_changes,
    validate_story,
)
from .models import Annotation, Article, Block, Edition, Mention, Quote, Revision, Section, Status, StoryEntity

VISIBLE_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)


@dataclass
class ImportResult:
    slug: str
    action: str  # "created" | "updated" | "unchanged"
    changes: list[str] = field(default_factory=list)
    article: Article | None = None
    dry_run: bool = False
    flags: int = 0


class _DryRun(Exception):
    pass


def story_import(*, doc, user=None, dry_run=False, sync_live=True):
    """Import one story-format document as a working copy (and its live edition if published).

    Atomic: any error leaves the database as it was. Idempotent: the same document twice changes
    nothing the second time; a newer version updates the story in place and keeps its id.
    """
    doc = canonical(validate_story(doc))
    slug = doc["article"]["slug"]
    try:
        with transaction.atomic():
            article = Article.objects.working().select_for_update().filter(slug=slug).first()
            old = export_story(article) if article else None
            if old == doc:
                result = ImportResult(slug, "unchanged", article=article)
            else:
                result = ImportResult(slug, "updated" if article else "created",
                                      summarize_changes(old, doc), article=article)
                entities_upsert(docs=doc["entities"])
                article = write_story(doc, article or Article(edition=Edition.WORKING))
                if result.action == "updated":
                    article.version += 1
                    article.save(update_fields=["version"])
                revision_create(article=article, user=user, action="import", data=doc)
                result.article = article
            live_synced = sync_live_edition(article) if sync_live else ""
            if live_synced:
                result.changes.append(live_synced)
            if dry_run:
                raise _DryRun
    except _DryRun:
        result.dry_run = True
    return result


def write_story(doc, article):
    """Make ``article`` hold document ``doc``: its fields, sections, blocks and anchored objects.

    The document must already be validated. Entities must exist (see ``entities_upsert``).
    """
    a = doc["article"]
    source = a.get("source") or {}
    entities = {e.slug: e for e in Entity.objects.filter(
        slug__in=[e["id"] for e in doc["entities"]] + ([source["entity"]] if source.get("entity") else []))}
    article.slug = a["slug"]
    article.title = a["title"]
    article.dek = a.get("dek") or ""
    article.language = a["language"]
    article.bylines = a.get("bylines", [])
    article.status = a["status"]
    article.source_name = source.get("name", "")
    article.source_entity = entities.get(source.get("entity"))
    article.source_url = source.get("url") or ""
    article.source_published_on = source.get("published_on", "")
    for key in ("publish_at", "published_at", "updated_at"):
        setattr(article, key, parse_datetime_aware(a[key]) if a.get(key) else None)
    article.save()

    # Replace the story's content wholesale: the document is the whole story.
    for model in (Annotation, Mention, Quote, Block, Section, StoryEntity):
        model.objects.filter(article=article).delete()

    StoryEntity.objects.bulk_create(
        [StoryEntity(article=article, entity=entities[e["id"]]) for e in doc["entities"]])
    sections = Section.objects.bulk_create([
        Section(article=article, number=s["number"], heading=s["heading"], position=i)
        for i, s in enumerate(a["sections"])
    ])
    rows = [(None, b) for b in a["lede"]]
    for section, s in zip(sections, a["sections"]):
        rows += [(section, b) for b in s["blocks"]]
    blocks = Block.objects.bulk_create([
        Block(article=article, section=section, position=i, key=b["id"], kind=b["type"],
              text=b.get("text", ""), image=b.get("image") or "", alt=b.get("alt", ""),
              caption=b.get("caption", ""), credit=b.get("credit", ""))
        for i, (section, b) in enumerate(rows)
    ])
    by_key = {b.key: b for b in blocks}

    def anchored(model, anchor, **fields):
        return model(article=article, block=by_key[anchor["block"]], start=anchor["start"], end=anchor["end"],
                     exact=anchor["exact"], **fields)

    quotes = [
        anchored(Quote, q["anchor"], key=q["id"], kind=q["kind"], speaker=entities.get(q.get("speaker")),
                 role=q.get("role") or "", said_on=q.get("said_on", ""), event=entities.get(q.get("event")),
                 status=q["status"], note=q.get("note", ""),
                 **_attribution(q.get("attribution"), by_key))
        for q in doc["quotes"]
    ]
    for quote in quotes:
        quote.search_tokens = quote.tokens()
    Quote.objects.bulk_create(quotes)
    Mention.objects.bulk_create([
        anchored(Mention, m["anchor"], key=f"m{i}", entity=entities[m["entity"]], status=m["status"])
        for i, m in enumerate(doc["mentions"], 1)
    ])
    Annotation.objects.bulk_create([
        anchored(Annotation, n["anchor"], key=n["id"], kind=n["kind"], body=n["body"], public=n["public"],
                 status=n["status"], original=n.get("original"))
        for n in doc["annotations"]
    ])
    article.search_tokens = search_tokens(article.title, article.dek, *(b.text for b in blocks),
                                          *(s.heading for s in sections))
    article.save(update_fields=["search_tokens"])
    return article


def _attribution(anchor, by_key):
    if not anchor:
        return {}
    return {"attribution_block": by_key[anchor["block"]], "attribution_start": anchor["start"],
            "attribution_end": anchor["end"], "attribution_exact": anchor["exact"]}


def sync_live_edition(article):
    """Make the live edition match the working copy's status: copy it if visible, drop it if not.

    Returns a one-line description of what changed, or "" when nothing did.
    """
    live = Article.objects.live().filter(working_copy=article).first()
    if article.status not in VISIBLE_STATUSES:
        if live:
            live.delete()
            return "live edition removed"
        return ""
    doc = export_story(article)
    if live and export_story(live) == doc:
        return ""
    copy_to_live(article, doc)
    return "live edition updated" if live else "live edition created"


def copy_to_live(article, doc=None):
    """Replace the live edition of working copy ``article`` by a copy through the story format."""
    doc = doc or export_story(article)
    Article.objects.live().filter(working_copy=article).delete()
    return write_story(doc, Article(edition=Edition.LIVE, working_copy=article))


@transaction.atomic
def article_publish(*, article, user=None, now=None):
    """Publish the working copy ``article`` now (or at its future publish_at): one transaction."""
    now = now or timezone.now()
    working = Article.objects.working().select_for_update().get(pk=article.pk)
    scheduled = working.publish_at is not None and working.publish_at > now
    working.status = Status.SCHEDULED if scheduled else Status.PUBLISHED
    if not scheduled:
        working.published_at = working.published_at or now
        working.updated_at = now
    working.version += 1
    working.save()
    doc = export_story(working)
    live = copy_to_live(working, doc)
    revision_create(article=working, user=user, action="publish", data=doc)
    article.refresh_from_db()
    return live


@transaction.atomic
def article_unpublish(*, article, user=None):
    """Take a story off the public site: delete its live edition, return the working copy to draft."""
    working = Article.objects.working().select_for_update().get(pk=article.pk)
    Article.objects.live().filter(working_copy=working).delete()
    working.status = Status.DRAFT
    working.version += 1
    working.save()
    revision_create(article=working, user=user, action="unpublish", data=export_story(working))
    article.refresh_from_db()


def revision_create(*, article, user=None, action, data=None):
    """Store a snapshot of the working copy ``article`` in the story format."""
    number = (article.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    return Revision.objects.create(article=article, number=number, user=user, action=action,
                                   data=data if data is not None else export_story(article))


def raw_import(*, text, options, user=None, dry_run=False, publish=False):
    """Import raw scraped text as a draft story (or an update that keeps the editors' work)."""
    from entities.models import Entity

    from .importing.raw import merge_editor_work, raw_to_doc
    from .importing.story import entity_to_doc
    from .models import RejectedSuggestion

    kb = list(Entity.objects.prefetch_related("aliases", "roles__organization", "relations_out__object"))
    slugs = {e.slug for e in kb}
    known = {e.slug: canonical(entity_to_doc(e, slugs)) for e in kb}
    slug_hint = options.slug
    rejected = set()
    doc = raw_to_doc(text, options=options, known_entities=known)
    existing = Article.objects.working().filter(slug=slug_hint or doc["article"]["slug"]).first()
    if existing is not None:
        rejected = set(RejectedSuggestion.objects.filter(article=existing).values_list("kind", "exact", "entity_slug"))
        if rejected:
            doc = raw_to_doc(text, options=options, known_entities=known, rejected=rejected)
        doc = merge_editor_work(export_story(existing), doc)
    with transaction.atomic():
        # A re-import updates the working copy only; readers see it when an editor publishes.
        result = story_import(doc=doc, user=user, sync_live=False)
        if publish and not (result.action == "unchanged" and result.article.is_live_current()):
            article_publish(article=result.article, user=user)
            result.changes.append("published")
        result.flags = sum(1 for a in doc["annotations"] if a["kind"] == "flag" and a["status"] == "open")
        if dry_run:
            transaction.set_rollback(True)
            result.dry_run = True
    return result
