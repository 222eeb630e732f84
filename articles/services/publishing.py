"""Publishing: the live edition is a copy of the working copy through the story format."""

from django.db import transaction
from django.utils import timezone

from newsroom.locale import READER_EDITIONS
from newsroom.public_pages import generations, read_rows

from ..diff import content_digest
from ..models import Article, Edition, Status, StoryRedirect, StoryRender, Transition
from ..rendering import render_code, story_page, story_scopes
from .documents import export_story, write_story
from .gate import OVERRIDE_PREFIX, blocking_issues
from .locking import article_lock, bump
from .knowledge import knowledge_apply
from .revisions import revision_create

VISIBLE_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)


def transition_log(*, article, user, from_status, to_status, note="", **fields):
    """Log a workflow step; a no-op step (已發布 → 已發布) is not one, unless it carries a note
    (an editor's override reason must stay in the history). Returns the Transition or None."""
    if from_status == to_status and not note:
        return None
    return Transition.objects.create(article=article, user=user, from_status=from_status, to_status=to_status,
                                     note=note, **fields)


def live_edition_delete(working):
    """Delete the live edition of working copy ``working`` (with its rows and renders), if any."""
    return Article.objects.live().filter(working_copy=working).delete()[0] > 0


def sync_live_edition(article):
    """Make the live edition match the working copy's status: copy it if visible, drop it if not.

    Returns a one-line description of what changed, or "" when nothing did.
    """
    live = Article.objects.live().filter(working_copy=article).first()
    if article.status not in VISIBLE_STATUSES:
        if live:
            live_edition_delete(article)
            return "live edition removed"
        return ""
    doc = export_story(article)
    if live and export_story(live) == doc:
        return ""
    copy_to_live(article, doc)
    return "live edition updated" if live else "live edition created"


def copy_to_live(article, doc=None, *, new=False, entities=None):
    """Make the live edition of working copy ``article`` a copy of it through the story format.

    An existing live edition keeps its row and has its content replaced (``write_story`` replaces a
    story's rows wholesale): cheaper than deleting it with everything that cascades from it.
    ``new``: the working copy was created in this transaction (it has no live edition to look up);
    ``entities``: {slug: Entity} of the document's entities, for ``write_story``."""
    doc = doc or export_story(article)
    live = None if new else Article.objects.live().filter(working_copy=article).first()
    old_slug = live.slug if live is not None else None
    if live is not None and live.slug != doc["article"]["slug"]:
        live_edition_delete(article)  # a new URL: the old one's pages go with the old edition
        live = None
    if live is None:
        live = Article(edition=Edition.LIVE, working_copy=article)
        # The entities whose pages show it (page_state): those the working copy lists, which are
        # the document's (it holds what the working copy holds); not read back by the save's signal.
        live.listed_entity_slugs = [e["id"] for e in doc["entities"]]
    live.content_digest = content_digest(doc)
    live = write_story(doc, live, entities=entities)
    live.__dict__.pop("listed_entity_slugs", None)  # its rows are written: a later save reads them
    StoryRedirect.record(article=article, old_slug=old_slug, new_slug=live.slug)  # the old URL answers 301
    return live


def story_renders_store(live):
    """Render the story page of live edition ``live`` in every script edition and store it with the
    edition (``StoryRender``): readers' requests then read one row. Called in the publishing
    transaction, after every write of the edition and its entities (the state stored is the one the
    page shows)."""
    article = Article.objects.filter(pk=live.pk).for_story_page().get()
    scopes = story_scopes(article)
    state, code = generations(scopes, read_rows(scopes)), render_code()
    StoryRender.objects.filter(article=article).delete()
    StoryRender.objects.bulk_create([
        StoryRender(article=article, language=language, html=story_page(article, language), scopes=scopes,
                    state=state, code=code)
        for language in READER_EDITIONS])


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
    bump(working, user)
    if not scheduled:
        knowledge_apply(working)  # what its import said about known entities (services/knowledge.py)
    doc = export_story(working)
    live = copy_to_live(working, doc)
    transition_log(article=working, user=user, from_status=from_status, to_status=working.status,
                   note=note, created_at=now)
    revision_create(article=working, user=user, action="publish", data=doc)
    story_renders_store(live)
    article.refresh_from_db()
    return live


@transaction.atomic
def article_unpublish(*, article, user=None, expected_version=None, note="", to_status=Status.DRAFT,
                      action="unpublish"):
    """Take a story off the public site: delete its live edition, return the working copy to draft."""
    working = article_lock(article=article, expected_version=expected_version)
    from_status = working.status
    live_edition_delete(working)
    working.status = to_status
    bump(working, user)
    transition_log(article=working, user=user, from_status=from_status, to_status=to_status, note=note)
    revision_create(article=working, user=user, action=action, data=export_story(working))
    article.refresh_from_db()


class Due(list):
    """The stories ``articles_publish_due`` stamped; ``held``: those the publish gate took down."""

    def __init__(self):
        super().__init__()
        self.held = []


def articles_publish_due(*, now=None, dry_run=False):
    """Stamp scheduled stories whose publish_at has passed as published, and log it; return them.

    Readers see a scheduled story from its publish_at on without this (Article.objects.public());
    this records the fact: status, published_at, a Transition and a revision. It is also a publish
    path, so the publish gate applies: a live edition with blocking issues that no editor overrode
    when scheduling it (a scheduled story file imported as it is) is taken down to draft ("held").
    """
    now = now or timezone.now()
    done = Due()
    due = Article.objects.working().filter(status=Status.SCHEDULED, publish_at__lte=now).order_by("publish_at", "pk")
    for article in due:
        with transaction.atomic():
            working = Article.objects.working().select_for_update().filter(
                pk=article.pk, status=Status.SCHEDULED, publish_at__lte=now).first()
            if working is None:
                continue  # stamped or changed meanwhile
            live = Article.objects.live().filter(working_copy=working).first()
            scheduled = (Transition.objects.filter(article=working, to_status=Status.SCHEDULED)
                         .order_by("-created_at", "-id").values_list("note", flat=True).first() or "")
            blocking = blocking_issues(live or working)
            if blocking and OVERRIDE_PREFIX not in scheduled:
                done.held.append(working)
                if not dry_run:
                    codes = ", ".join(sorted({i.code for i in blocking}))
                    article_unpublish(article=working, note=f"Held by the publish gate: blocking issues ({codes}).",
                                      action="publish_held")
                continue
            done.append(working)
            if dry_run:
                continue
            working.status = Status.PUBLISHED
            working.published_at = working.published_at or working.publish_at
            working.updated_at = working.publish_at
            bump(working, None)
            knowledge_apply(working)
            Article.objects.live().filter(working_copy=working).update(
                status=Status.PUBLISHED, published_at=working.published_at, updated_at=working.updated_at,
                modified_at=timezone.now())
            for live in Article.objects.live().filter(working_copy=working):
                story_renders_store(live)  # its dates as published
            Transition.objects.create(article=working, user=None, from_status=Status.SCHEDULED,
                                      to_status=Status.PUBLISHED, note="publish_scheduled: publish_at reached",
                                      created_at=now)
            revision_create(article=working, action="publish_scheduled")
    return done


