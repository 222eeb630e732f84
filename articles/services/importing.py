"""Importing story-format documents and raw text into working copies."""

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction

from entities.models import Alias, Entity
from entities.services import entities_upsert
from newsroom.text import fold_chars

from ..diff import content_digest
from ..importing.hazards import flag_bidi_controls
from ..importing.story import StoryFormatError, canonical, free_key, summarize_changes, validate_story
from ..models import Article, Edition, RejectedSuggestion
from .documents import entity_to_doc, export_story, write_story
from .knowledge import as_stored, knowledge_withheld
from .gate import gate_check
from .publishing import VISIBLE_STATUSES, article_publish, copy_to_live, sync_live_edition
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


class EditorsChanged(StoryFormatError):
    """An import would replace a story editors changed since its last import (their work would be lost)."""

    def __init__(self, article, since):
        self.article = article
        when = f"since its import as r{since.number}" if since else "and it was never imported"
        super().__init__(
            f"not imported: «{article.title}» ({article.slug}) was changed by editors {when}; importing this "
            f"file would discard their work. Import it under another slug, or replace the story on purpose "
            f"with --replace (its revisions keep the editors' version).", "article.slug")


def editors_changed_since_import(article, current=None):
    """The last import revision of ``article`` when its content changed since (or None if it did not).

    Raises nothing; returns (changed: bool, last import revision or None). A story never imported
    counts as changed by editors (it was made in the admin).
    """
    last = article.revisions.filter(action="import").order_by("-number").first()
    if last is None:
        return True, None
    current = current if current is not None else export_story(article)
    return content_digest(current) != content_digest(last.data), last


def story_import(*, doc, user=None, dry_run=False, sync_live=True, replace=False):
    """Import one story-format document as a working copy (and its live edition if published).

    Atomic: any error leaves the database as it was. Idempotent: the same document twice changes
    nothing the second time; a newer version updates the story in place and keeps its id. A story
    editors changed since its last import is not overwritten (EditorsChanged) unless ``replace``.
    """
    # Before the transaction: no lock held. Bidi controls in the text get an open flag (importing/hazards.py).
    doc = check_story_fields(canonical(flag_bidi_controls(validate_story(doc))))
    slug = doc["article"]["slug"]
    try:
        with transaction.atomic():
            article = Article.objects.working().select_for_update().filter(slug=slug).first()
            old = export_story(article) if article else None
            withheld = knowledge_withheld(doc)  # a draft's news about known entities waits (knowledge.py)
            # The document as the working copy will hold it: compared with the old one, and written
            # to a new live edition. A new story not copied live needs neither (its summary counts
            # only what the two have alike).
            needed = article is not None or (sync_live and doc["article"]["status"] in VISIBLE_STATUSES)
            stored = as_stored(doc) if withheld and needed else doc
            written, entities = None, None
            if old == stored:
                result = ImportResult(slug, "unchanged", article=article)
            else:
                if article is not None and not replace:
                    changed, since = editors_changed_since_import(article, old)
                    if changed:
                        raise EditorsChanged(article, since)
                result = ImportResult(slug, "updated" if article else "created",
                                      summarize_changes(old, stored), article=article)
                entities = entities_upsert(docs=doc["entities"], only_new=withheld)
                created = article is None
                article = article or Article(edition=Edition.WORKING)
                if not created:
                    # Open admin forms of this story are now stale; their refusal names who changed it.
                    article.version += 1
                    article.modified_by = user
                # Saved with the story (one write of the row): the digest its revision gives it.
                article.content_digest = content_digest(doc)
                article = write_story(doc, article, entities=entities)
                revision_create(article=article, user=user, action="import", data=doc, first=created,
                                digest_saved=True)
                result.article = article
                written = stored
            live_synced = _sync_live(article, written, created=result.action == "created",
                                     entities=entities) if sync_live else ""
            if live_synced:
                result.changes.append(live_synced)
            if dry_run:
                raise _DryRun
    except _DryRun:
        result.dry_run = True
    return result



def _sync_live(article, written, *, created=False, entities=None):
    """``sync_live_edition``; a new live edition is written from ``written``, the document the
    import just wrote, rather than from reading the working copy back (export_story gives what
    was written: the idempotence every re-import relies on, tested). A story the import
    ``created`` has no live edition to look up."""
    if written is None or article.status not in VISIBLE_STATUSES or \
            (not created and Article.objects.live().filter(working_copy=article).exists()):
        return sync_live_edition(article)
    copy_to_live(article, written, new=created, entities=entities)
    return "live edition created"


def _paragraphs(doc):
    a = doc["article"]
    return {b["text"] for b in [*a["lede"], *(b for s in a["sections"] for b in s["blocks"])] if b.get("text")}


def _same_story(old, new):
    """True if raw document ``new`` is a version of story ``old``: a third of its paragraphs are in it."""
    theirs, ours = _paragraphs(old), _paragraphs(new)
    return bool(ours) and len(theirs & ours) * 3 >= len(ours)


def raw_import(*, text, options, user=None, dry_run=False, publish=False, replace=False, knowledge=None):
    """Import raw scraped text as a draft story (or an update that keeps the editors' work).

    Two hazards a clumsy import must not cause (issue 10, item 13): a different text whose headline
    gives the same slug becomes a new story (``<slug>-2``), not a rewrite of the first; and a
    different text given ``--slug`` of a published story rewrites its working copy only with
    ``replace``. A new version of the same text (a third of its paragraphs unchanged) updates the
    story and keeps the editors' work, as before.

    ``knowledge``: a ``KnowledgeBase`` shared by the imports of one command run (read once, not
    once per file); it learns the entities each import writes.
    """
    from ..importing.raw import merge_editor_work, raw_to_doc  # the importer's heavy modules, loaded on use

    known = knowledge if knowledge is not None else KnowledgeBase()
    known.prime(text)
    slug_hint = options.slug
    rejected = set()
    doc = raw_to_doc(text, options=options, known_entities=known, index=known.index())
    existing = Article.objects.working().filter(slug=slug_hint or doc["article"]["slug"]).first()
    same = existing is not None and _same_story(export_story(existing), doc)
    if existing is not None and not slug_hint and not same:
        base = doc["article"]["slug"]
        taken = set(Article.objects.working().filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
        doc["article"]["slug"] = free_key(f"{base}-", taken | {f"{base}-1"})
        existing = None
    if existing is not None and slug_hint and not same and not replace and \
            Article.objects.live().filter(working_copy=existing).exists():
        raise StoryFormatError(
            f"--slug {slug_hint} names the published story «{existing.title}»: this text would rewrite its "
            f"working copy. Add --replace to do that on purpose, or choose another --slug.", "--slug")
    if existing is not None:
        rejected = set(RejectedSuggestion.objects.filter(article=existing).values_list("kind", "exact", "entity_slug"))
        if rejected:
            doc = raw_to_doc(text, options=options, known_entities=known, rejected=rejected, index=known.index())
        doc = merge_editor_work(export_story(existing), doc)
    with transaction.atomic():
        # A re-import updates the working copy only; readers see it when an editor publishes. The
        # editors' work is merged into the document above, so replacing the working copy keeps it.
        result = story_import(doc=doc, user=user, sync_live=False, replace=True)
        if publish and not (result.action == "unchanged" and result.article.is_live_current()):
            gate_check(article=result.article, confirm=True)  # the publish gate: a command never overrides
            article_publish(article=result.article, user=user)
            result.changes.append("published")
        result.flags = sum(1 for a in doc["annotations"] if a["kind"] == "flag" and a["status"] == "open")
        if dry_run:
            transaction.set_rollback(True)
            result.dry_run = True
    if not dry_run:
        # Read again when a later file names them: what this import may have changed. A draft's
        # import leaves the known entities as they are (knowledge.py), so then only the new ones.
        ids = [e["id"] for e in doc["entities"]]
        if knowledge_withheld(doc) and "published" not in result.changes:
            ids = [slug for slug in ids if slug not in known]
        known.forget(ids)
    return result


FULL_ITEMS = 2048  # a few hundred stories' entities; the commonest stay, the long tail is read again


class KnowledgeBase(Mapping):
    """{slug: story-format entity item} of the whole knowledge base, as the raw importer reads it.

    The importer matches every entity's names and aliases against the text but needs the full
    item (description, roles, relations) only of those it finds. So the names are read once (two
    queries, however many files a run imports) and full items on demand, those named in a text
    in one batch (``prime``); at most ``FULL_ITEMS`` are kept (the most recently named: a long run
    naming ever more of 20,000 entities does not keep them all). ``forget`` drops what an import
    may have changed.

    ``index()``: the suggesters' lookups over every entity's names (``importing.suggest.KnownIndex``:
    the mention automaton, speaker names, events), built once a run, not once a file; the entities
    ``forget`` brings are added to it (``learned``), and it is built again only when a known
    entity's names changed.
    """

    def __init__(self):
        self._light = _light_items(Entity.objects.all(), Alias.objects.all())
        self._full = OrderedDict()  # full items, the FULL_ITEMS most recently asked for
        self._index = None

    def __iter__(self):
        return iter(self._light)

    def __len__(self):
        return len(self._light)

    def __contains__(self, slug):
        return slug in self._light

    def __getitem__(self, slug):
        if slug in self._full:
            self._full.move_to_end(slug)
        else:
            if slug not in self._light:
                raise KeyError(slug)
            self._load([slug])
        return self._full[slug]

    def items(self):
        """(slug, item) with the kind, name and aliases of every entity (what matching needs)."""
        return ((slug, self._full.get(slug, light)) for slug, light in self._light.items())

    def index(self):
        """The suggesters' ``KnownIndex`` of every entity, in the knowledge base's order."""
        if self._index is None:
            from ..importing.suggest import KnownIndex

            self._index = KnownIndex(_known_entity(d) for d in self._light.values())
        return self._index

    def prime(self, text):
        """Read in one batch the full items of the entities whose names occur in ``text``."""
        named = self.index().named_in(fold_chars(text))
        self._load(slug for slug in self._light if slug in named and slug not in self._full)

    def _load(self, slugs):
        slugs = list(slugs)
        for i in range(0, len(slugs), 500):
            for e in Entity.objects.filter(slug__in=slugs[i:i + 500]).prefetch_related(
                    "aliases", "roles__organization", "relations_out__object"):
                self._full[e.slug] = canonical(entity_to_doc(e, self._light))
        while len(self._full) > FULL_ITEMS:  # the least recently asked for go: read again if named again
            self._full.popitem(last=False)

    def forget(self, slugs):
        """Read ``slugs`` again when next asked (an import created or changed them)."""
        slugs = set(slugs)
        if not slugs:
            return
        for slug in slugs:
            self._full.pop(slug, None)
        learned = []
        for slug, d in _light_items(Entity.objects.filter(slug__in=slugs),
                                    Alias.objects.filter(entity__slug__in=slugs)).items():
            before = self._light.get(slug)
            self._light[slug] = d
            if before is None:
                learned.append(d)  # a new entity: known after all the others, as a new run would list it
            elif (before["kind"], before["name"], before["aliases"]) != (d["kind"], d["name"], d["aliases"]):
                self._index = None  # a known entity's names or kind changed: the index is built again
        if learned and self._index is not None:
            self._index = self._index.learned(_known_entity(d) for d in learned)


def _light_items(entities, aliases):
    """{slug: light item (kind, name, aliases, pk)} of the ``entities`` QuerySet in pk order, with the
    ``aliases`` QuerySet's texts: two queries."""
    items = {slug: {"id": slug, "kind": kind, "name": name, "aliases": [], "_pk": pk}
             for pk, slug, kind, name in entities.order_by("pk").values_list("pk", "slug", "kind", "name")}
    by_pk = {d["_pk"]: d for d in items.values()}
    for entity_id, text, lang in aliases.order_by("entity_id", "id").values_list("entity_id", "text", "lang"):
        if entity_id in by_pk:
            by_pk[entity_id]["aliases"].append({"text": text, "lang": lang})
    return items


def _known_entity(d):
    from ..importing.suggest import KnownEntity

    return KnownEntity(d["id"], d["kind"], (d["name"], *(a["text"] for a in d["aliases"])))

