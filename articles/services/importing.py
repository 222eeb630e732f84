"""Importing story-format documents and raw text into working copies."""

from dataclasses import dataclass, field

from django.db import transaction

from entities.models import Entity
from entities.services import entities_upsert

from ..importing.story import canonical, summarize_changes, validate_story
from ..models import Article, Edition, RejectedSuggestion
from .documents import entity_to_doc, export_story, write_story
from .knowledge import as_stored, knowledge_withheld
from .publishing import article_publish, sync_live_edition
from .revisions import revision_create
from .story_fields import check_story_fields


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
    doc = check_story_fields(canonical(validate_story(doc)))  # before the transaction: no lock held
    slug = doc["article"]["slug"]
    try:
        with transaction.atomic():
            article = Article.objects.working().select_for_update().filter(slug=slug).first()
            old = export_story(article) if article else None
            withheld = knowledge_withheld(doc)  # a draft's news about known entities waits (knowledge.py)
            stored = as_stored(doc) if withheld else doc
            if old == stored:
                result = ImportResult(slug, "unchanged", article=article)
            else:
                result = ImportResult(slug, "updated" if article else "created",
                                      summarize_changes(old, stored), article=article)
                entities_upsert(docs=doc["entities"], only_new=withheld)
                article = write_story(doc, article or Article(edition=Edition.WORKING))
                if result.action == "updated":
                    # Open admin forms of this story are now stale; their refusal names who changed it.
                    article.version += 1
                    article.modified_by = user
                    article.save(update_fields=["version", "modified_by", "modified_at"])
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



def raw_import(*, text, options, user=None, dry_run=False, publish=False):
    """Import raw scraped text as a draft story (or an update that keeps the editors' work)."""
    from ..importing.raw import merge_editor_work, raw_to_doc  # the importer's heavy modules, loaded on use

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

