"""Writes that touch several article models at once: importing, publishing, revisions, and the
editors' desk (workflow transitions, annotations with per-object optimistic locking, preview links)."""

import copy
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format

from entities.models import Entity
from entities.services import entities_upsert
from newsroom.text import search_tokens

from .diff import content_digest
from .importing.story import (
    canonical,
    export_story,
    parse_datetime_aware,
    summarize_changes,
    validate_story,
)
from .models import (
    Annotation,
    Article,
    Block,
    Edition,
    Mention,
    PreviewLink,
    Quote,
    RejectedSuggestion,
    Revision,
    Section,
    Status,
    StoryEntity,
    Transition,
)
from .story_fields import check_story_fields

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
    doc = check_story_fields(canonical(validate_story(doc)))  # before the transaction: no lock held
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
    live = write_story(doc, Article(edition=Edition.LIVE, working_copy=article))
    live.content_digest = content_digest(doc)
    Article.objects.filter(pk=live.pk).update(content_digest=live.content_digest)
    return live


@transaction.atomic
def article_publish(*, article, user=None, now=None, expected_version=None, note=""):
    """Publish the working copy ``article`` now (or at its future publish_at): one transaction.

    Logs the transition and refuses (StaleVersion) when ``expected_version`` is given and outdated.
    """
    now = now or timezone.now()
    working = article_lock(article=article, expected_version=expected_version)
    from_status = working.status
    scheduled = working.publish_at is not None and working.publish_at > now
    working.status = Status.SCHEDULED if scheduled else Status.PUBLISHED
    if not scheduled:
        working.published_at = working.published_at or now
        working.updated_at = now
    _bump(working, user)
    doc = export_story(working)
    live = copy_to_live(working, doc)
    Transition.objects.create(article=working, user=user, from_status=from_status, to_status=working.status,
                              note=note, created_at=now)
    revision_create(article=working, user=user, action="publish", data=doc)
    article.refresh_from_db()
    return live


@transaction.atomic
def article_unpublish(*, article, user=None, expected_version=None, note="", to_status=Status.DRAFT,
                      action="unpublish"):
    """Take a story off the public site: delete its live edition, return the working copy to draft."""
    working = article_lock(article=article, expected_version=expected_version)
    from_status = working.status
    Article.objects.live().filter(working_copy=working).delete()
    working.status = to_status
    _bump(working, user)
    Transition.objects.create(article=working, user=user, from_status=from_status, to_status=to_status, note=note)
    revision_create(article=working, user=user, action=action, data=export_story(working))
    article.refresh_from_db()


def revision_create(*, article, user=None, action, data=None):
    """Store a snapshot of the working copy ``article`` in the story format (and its content digest)."""
    data = data if data is not None else export_story(article)
    number = (article.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = Revision.objects.create(article=article, number=number, user=user, action=action, data=data)
    if article.edition == Edition.WORKING:
        article.content_digest = content_digest(data)
        Article.objects.filter(pk=article.pk).update(content_digest=article.content_digest)
    return revision


def raw_import(*, text, options, user=None, dry_run=False, publish=False):
    """Import raw scraped text as a draft story (or an update that keeps the editors' work)."""
    from entities.models import Entity

    from .importing.raw import merge_editor_work, raw_to_doc
    from .importing.story import entity_to_doc
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


# --- the editors' desk: locking ----------------------------------------------------------------

class DeskError(Exception):
    """A desk write that was refused; ``status`` is the HTTP status a JSON endpoint answers with."""

    status = 400

    def __init__(self, message, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class StaleVersion(DeskError):
    """The object changed since the editor loaded it: their save would overwrite someone's work."""

    status = 409

    def __init__(self, obj, what):
        who = describe_user(getattr(obj, "modified_by", None))
        when = getattr(obj, "modified_at", None)
        when_text = date_format(timezone.localtime(when), "Y-m-d H:i:s") if when else "an unknown time"
        message = (f"Not saved: {what} was changed by {who} at {when_text} (now version {obj.version}) "
                   f"after you opened it. What you typed is kept here; review their changes, then save again "
                   f"to replace them.")
        super().__init__(message, version=obj.version, who=who, when=when.isoformat() if when else None)
        self.obj = obj


class Gone(DeskError):
    status = 404


class ChecksNotConfirmed(DeskError):
    """Publishing over open issues needs the editor's explicit confirmation."""

    status = 409

    def __init__(self, issues):
        super().__init__(f"{len(issues)} open issue(s) before publishing; confirm to publish anyway.",
                         issues=[i.as_dict() for i in issues], needs_confirmation=True)
        self.issues = issues


def describe_user(user):
    if user is None:
        return "the importer or a script"
    return user.get_full_name() or user.get_username()


def article_lock(*, article, expected_version=None):
    """Lock and return the working copy of ``article``; StaleVersion if it moved past ``expected_version``."""
    working = Article.objects.working().select_for_update().filter(pk=article.pk).first()
    if working is None:
        raise Gone("This story no longer exists.")
    if expected_version is not None and int(expected_version) != working.version:
        raise StaleVersion(working, "this story")
    return working


def _bump(working, user):
    working.version += 1
    working.modified_by = user
    working.save()


# --- workflow ------------------------------------------------------------------------------------

# action: (statuses it starts from, the status it leads to, who may do it)
TRANSITIONS = {
    "submit": ({Status.DRAFT}, Status.IN_REVIEW, "edit"),
    "request_changes": ({Status.IN_REVIEW, Status.SCHEDULED}, Status.DRAFT, "publish"),
    "publish": ({Status.DRAFT, Status.IN_REVIEW, Status.SCHEDULED, Status.PUBLISHED}, Status.PUBLISHED, "publish"),
    "unpublish": ({Status.PUBLISHED, Status.SCHEDULED}, Status.DRAFT, "publish"),
    "archive": ({Status.DRAFT, Status.IN_REVIEW, Status.SCHEDULED, Status.PUBLISHED}, Status.ARCHIVED, "publish"),
    "unarchive": ({Status.ARCHIVED}, Status.DRAFT, "publish"),
}
ACTION_LABELS = {
    "submit": "Submit for review", "request_changes": "Request changes (back to draft)", "publish": "Publish",
    "unpublish": "Unpublish", "archive": "Archive", "unarchive": "Back to draft",
}


def allowed_actions(article, user):
    """The workflow actions ``user`` may take on working copy ``article`` in its current status."""
    if not article.user_can_view(user):
        return []
    can = {"edit": article.user_can_edit(user), "publish": user.has_perm("articles.publish_article")}
    return [action for action, (sources, _, who) in TRANSITIONS.items() if article.status in sources and can[who]]


@transaction.atomic
def article_transition(*, article, action, user=None, expected_version=None, note="", confirm=False,
                       publish_at=None, now=None):
    """Move a working copy along the workflow, log the step (Transition) and keep a revision.

    ``user`` None is the system (commands); otherwise the action must be one of ``allowed_actions``.
    Publishing over open pre-publish issues raises ChecksNotConfirmed unless ``confirm``.
    """
    from .checks import article_checks

    if action not in TRANSITIONS:
        raise DeskError(f"Unknown action {action!r}.")
    working = article_lock(article=article, expected_version=expected_version)
    if user is not None and action not in allowed_actions(working, user):
        raise PermissionDenied(f"You may not {action.replace('_', ' ')} this story.")
    sources, target, _ = TRANSITIONS[action]
    if working.status not in sources:
        raise DeskError(f"A story that is {working.get_status_display()} cannot be {action.replace('_', ' ')}ed.")
    if action == "publish":
        if publish_at is not None:
            working.publish_at = publish_at
            working.save(update_fields=["publish_at"])
        if not confirm:
            issues = article_checks(working)
            if issues:
                raise ChecksNotConfirmed(issues)
        article_publish(article=working, user=user, now=now, note=note)
    elif target in VISIBLE_STATUSES or working.status in VISIBLE_STATUSES:
        article_unpublish(article=working, user=user, note=note, to_status=target, action=action)
    else:
        from_status = working.status
        working.status = target
        _bump(working, user)
        Transition.objects.create(article=working, user=user, from_status=from_status, to_status=target, note=note)
        revision_create(article=working, user=user, action=action)
    article.refresh_from_db()
    return article


def articles_publish_due(*, now=None, dry_run=False):
    """Stamp scheduled stories whose publish_at has passed as published, and log it; return them.

    Readers see a scheduled story from its publish_at on without this (Article.objects.public());
    this only records the fact: status, published_at, a Transition and a revision.
    """
    now = now or timezone.now()
    done = []
    due = Article.objects.working().filter(status=Status.SCHEDULED, publish_at__lte=now).order_by("publish_at", "pk")
    for article in due:
        with transaction.atomic():
            working = Article.objects.working().select_for_update().filter(
                pk=article.pk, status=Status.SCHEDULED, publish_at__lte=now).first()
            if working is None:
                continue  # stamped or changed meanwhile
            done.append(working)
            if dry_run:
                continue
            working.status = Status.PUBLISHED
            working.published_at = working.published_at or working.publish_at
            working.updated_at = working.publish_at
            _bump(working, None)
            Article.objects.live().filter(working_copy=working).update(
                status=Status.PUBLISHED, published_at=working.published_at, updated_at=working.updated_at,
                modified_at=timezone.now())
            Transition.objects.create(article=working, user=None, from_status=Status.SCHEDULED,
                                      to_status=Status.PUBLISHED, note="publish_scheduled: publish_at reached",
                                      created_at=now)
            revision_create(article=working, action="publish_scheduled")
    return done


# --- revisions -----------------------------------------------------------------------------------

def _remap_entities(doc):
    """Point a revision's entity references at entities that exist now (merged ones via alias slugs)."""
    from entities.models import Alias

    slugs = {e["id"] for e in doc["entities"]}
    existing = set(Entity.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    mapping = {a.slug: a.entity.slug for a in Alias.objects.select_related("entity")
               .filter(slug__in=slugs - existing)}
    if not mapping:
        return doc, [e for e in doc["entities"] if e["id"] not in existing]

    def m(slug):
        return mapping.get(slug, slug)

    for q in doc["quotes"]:
        q["speaker"] = m(q["speaker"])
        if q.get("event"):
            q["event"] = m(q["event"])
    for mention in doc["mentions"]:
        mention["entity"] = m(mention["entity"])
    source = doc["article"].get("source") or {}
    if source.get("entity"):
        source["entity"] = m(source["entity"])
    targets = {e.slug: e for e in Entity.objects.filter(slug__in=set(mapping.values()))}
    entities, seen = [], set()
    for e in doc["entities"]:
        slug = m(e["id"])
        if slug in seen:
            continue
        seen.add(slug)
        # An entity that exists is only referred to (write_story never changes it): its id is enough.
        target = targets.get(slug)
        entities.append(e if target is None else {"id": slug, "kind": target.kind, "name": target.name})
    doc["entities"] = entities
    return doc, [e for e in entities if e["id"] not in existing and e["id"] not in targets]


@transaction.atomic
def revision_restore(*, article, revision, user=None, expected_version=None):
    """Make the working copy hold revision ``revision``'s content again; that is a new revision.

    Workflow state (status, publish times) and the slug stay as they are now: restoring is an edit
    of the content, and readers see it when an editor publishes.
    """
    working = article_lock(article=article, expected_version=expected_version)
    if revision.article_id != working.pk:
        raise Gone("That revision belongs to another story.")
    doc = copy.deepcopy(revision.data)
    current = export_story(working)["article"]
    for key in ("slug", "status", "publish_at", "published_at", "updated_at"):
        if current.get(key) is None:
            doc["article"].pop(key, None)
        else:
            doc["article"][key] = current[key]
    doc, missing = _remap_entities(doc)
    doc = canonical(validate_story(doc))
    if missing:
        # Entities deleted since: bring them back as they were (existing ones are left as they are now).
        entities_upsert(docs=missing)
    write_story(doc, working)
    _bump(working, user)
    return revision_create(article=working, user=user, action=f"restore r{revision.number}")


# --- annotating ----------------------------------------------------------------------------------

ANCHORED_TYPES = {"quote": Quote, "mention": Mention, "annotation": Annotation}
NOTE_KINDS = (Annotation.Kind.NOTE, Annotation.Kind.CONTEXT, Annotation.Kind.SIC, Annotation.Kind.CORRECTION)


def desk_permissions(user, article):
    """What ``user`` may do on working copy ``article`` in the desk (checked again by every endpoint)."""
    view = article.user_can_view(user)
    edit = article.user_can_edit(user)

    def perm(name):
        return bool(user and user.has_perm(f"articles.{name}"))

    notes = view and (edit or perm("view_any_article"))
    out = {"view": view, "edit": edit}
    for name, scope in (("quote", edit), ("mention", edit), ("annotation", notes)):
        for op in ("add", "change", "delete"):
            out[f"{op}_{name}"] = scope and perm(f"{op}_{name}")
    out.update({
        "review": edit and perm("change_any_article") and (perm("change_quote") or perm("change_mention")),
        "resolve": edit and perm("change_annotation"),
        "verify": view and perm("verify_quote"),
        "new_entity": bool(user and user.has_perm("entities.add_entity")),
        "share": view and (edit or perm("publish_article")),
        "restore": edit,
        "actions": allowed_actions(article, user) if view else [],
    })
    return out


def require(allowed, message="You do not have permission to do that."):
    if not allowed:
        raise PermissionDenied(message)


def anchored_lock(*, model, pk, article, expected_version):
    """Lock one quote, mention or annotation of ``article``; StaleVersion if it moved past ``expected_version``.

    Locking is per object: two editors changing different annotations of one story never collide.
    """
    obj = model.objects.select_for_update().filter(pk=pk, article=article).first()
    if obj is None:
        raise Gone(f"This {model._meta.verbose_name} no longer exists: someone deleted it, or the story was "
                   f"restored or re-imported. Reload to see the story as it is now.")
    if expected_version is None or int(expected_version) != obj.version:
        raise StaleVersion(obj, f"this {model._meta.verbose_name}")
    return obj


def _anchor(block, start, end, exact):
    from .models import check_span

    try:
        check_span(block, start, end, exact, what="selection")
    except ValidationError as exc:
        raise DeskError(
            f"{exc.messages[0]} The paragraph may have been edited since you loaded it; reload and select again.",
            block=block.key, text=block.text) from None


def _full_clean(obj):
    try:
        obj.full_clean(exclude=["key", "block", "article", "attribution_block"], validate_unique=False,
                       validate_constraints=False)
    except ValidationError as exc:
        raise DeskError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                        errors=exc.message_dict) from None


def _saved(obj, user, action):
    obj.modified_by = user
    _full_clean(obj)
    obj.save()
    revision_create(article=obj.article, user=user, action=action)
    return obj


@transaction.atomic
def anchored_create(*, article, model, user=None, block_key, start, end, exact, fields):
    """Anchor a new quote, mention or annotation at ``block_key`` start–end, whose words must be ``exact``."""
    block = Block.objects.filter(article=article, key=block_key).first()
    if block is None:
        raise DeskError(f"There is no paragraph {block_key} in this story any more; reload.")
    _anchor(block, start, end, exact)
    obj = model(article=article, block=block, start=start, end=end, exact=exact, **fields)
    return _saved(obj, user, "annotate")


@transaction.atomic
def anchored_update(*, article, model, pk, user=None, expected_version, fields, anchor=None):
    """Change fields (and optionally the anchor) of one object, refusing a stale ``expected_version``."""
    obj = anchored_lock(model=model, pk=pk, article=article, expected_version=expected_version)
    if anchor is not None:
        block = Block.objects.filter(article=article, key=anchor["block"]).first()
        if block is None:
            raise DeskError(f"There is no paragraph {anchor['block']} in this story any more; reload.")
        _anchor(block, anchor["start"], anchor["end"], anchor["exact"])
        obj.block, obj.start, obj.end, obj.exact = block, anchor["start"], anchor["end"], anchor["exact"]
    verified = model is Quote and obj.status in (Quote.Status.VERIFIED, Quote.Status.DISPUTED)
    before = (obj.block_id, obj.start, obj.end, getattr(obj, "speaker_id", None))
    for key, value in fields.items():
        setattr(obj, key, value)
    if verified and (obj.block_id, obj.start, obj.end, obj.speaker_id) != before:
        # The fact-check was of other words or another speaker: it has to be done again.
        obj.status = Quote.Status.CONFIRMED
    return _saved(obj, user, "annotate")


@transaction.atomic
def anchored_delete(*, article, model, pk, user=None, expected_version):
    obj = anchored_lock(model=model, pk=pk, article=article, expected_version=expected_version)
    obj.delete()
    revision_create(article=article, user=user, action="annotate")


@transaction.atomic
def suggestion_accept(*, article, model, pk, user=None, expected_version):
    """Confirm a suggested quote or mention."""
    obj = anchored_lock(model=model, pk=pk, article=article, expected_version=expected_version)
    if obj.status != "suggested":
        raise DeskError("This is not a suggestion any more.")
    obj.status = "confirmed"
    return _saved(obj, user, "accept")


@transaction.atomic
def suggestion_reject(*, article, model, pk, user=None, expected_version):
    """Delete a suggested quote or mention and remember it, so re-imports do not suggest it again."""
    obj = anchored_lock(model=model, pk=pk, article=article, expected_version=expected_version)
    if obj.status != "suggested":
        raise DeskError("This is not a suggestion any more.")
    RejectedSuggestion.record(obj, user=user)
    obj.delete()
    revision_create(article=article, user=user, action="reject")


@transaction.atomic
def annotation_resolve(*, article, pk, user=None, expected_version, resolved=True):
    """Resolve (or reopen) a flag, a repair or a note."""
    obj = anchored_lock(model=Annotation, pk=pk, article=article, expected_version=expected_version)
    obj.status = Annotation.Status.RESOLVED if resolved else Annotation.Status.OPEN
    return _saved(obj, user, "resolve" if resolved else "reopen")


@transaction.atomic
def quote_verify(*, article, pk, user=None, expected_version, status):
    """A fact-checker's verdict on a quote: verified or disputed."""
    if status not in (Quote.Status.VERIFIED, Quote.Status.DISPUTED):
        raise DeskError("A fact-check marks a quote verified or disputed.")
    obj = anchored_lock(model=Quote, pk=pk, article=article, expected_version=expected_version)
    if obj.status == Quote.Status.SUGGESTED:
        raise DeskError("Confirm the suggestion before fact-checking it.")
    obj.status = status
    return _saved(obj, user, status)


# --- previews ------------------------------------------------------------------------------------

PREVIEW_SALT = "articles.preview-link"
PREVIEW_DAYS = 7


def preview_link_create(*, article, user=None, days=PREVIEW_DAYS, now=None):
    """Make a share link for one story: a 256-bit random token, valid ``days`` days, revocable."""
    now = now or timezone.now()
    days = max(1, min(int(days), 30))
    return PreviewLink.objects.create(article=article, token=secrets.token_urlsafe(32), created_by=user,
                                      created_at=now, expires_at=now + timedelta(days=days))


def preview_link_revoke(*, link, now=None):
    if link.revoked_at is None:
        link.revoked_at = now or timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def preview_link_signed(link):
    """The signed token that goes into the share URL (the signature binds it to its story)."""
    return signing.Signer(salt=PREVIEW_SALT).sign(f"{link.article_id}.{link.token}")


def preview_link_resolve(*, article_id, signed, now=None):
    """The valid PreviewLink behind a share URL for story ``article_id``; None if bad, expired, revoked or not its story."""
    try:
        value = signing.Signer(salt=PREVIEW_SALT).unsign(signed)
    except signing.BadSignature:
        return None
    pk, _, token = value.partition(".")
    if pk != str(article_id) or not token:
        return None
    link = PreviewLink.objects.filter(token=token, article_id=article_id, article__edition=Edition.WORKING).first()
    return link if link is not None and link.is_valid(now) else None
