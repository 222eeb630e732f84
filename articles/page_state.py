"""Which public pages a publication changes (newsroom.public_pages scopes).

Connected from ``ArticlesConfig.ready()``. Readers see live editions only, and a publication
writes a new live edition (a copy of the working copy) or deletes one. So, in that transaction:

- a live edition saved: its story page ("story:<slug>"), the lists ("site") and what the pages of
  the entities it lists show of stories ("entity-stories:<slug>", from its working copy's list,
  which it copies, and its own) change; not the other stories showing those entities; a future publish_at
  is recorded as a coming change (``newsroom.public_pages.schedule``);
- a live edition deleted (unpublished, or replaced by a new copy): the same, from the entities it
  listed (read before the rows go).
"""

from django.db.models.signals import post_save, pre_delete
from django.utils import timezone

from entities.page_state import entity_stories_scope
from newsroom.public_pages import SITE, bump, schedule

from .models import Article, Edition, StoryEntity


def story_scope(slug):
    return f"story:{slug}"


def _entity_slugs(*article_ids):
    return StoryEntity.objects.filter(article_id__in=[i for i in article_ids if i]).values_list(
        "entity__slug", flat=True).distinct()


def _live_saved(sender, instance, raw=False, **kwargs):
    if raw or instance.edition != Edition.LIVE:
        return
    # A new edition copied from a document says which entities it lists (copy_to_live); else read.
    listed = getattr(instance, "listed_entity_slugs", None)
    if listed is None:
        listed = _entity_slugs(instance.pk, instance.working_copy_id)
    bump(SITE, story_scope(instance.slug), *(entity_stories_scope(s) for s in dict.fromkeys(listed)))
    if instance.publish_at and instance.publish_at > timezone.now():
        schedule(instance.publish_at)


def _live_deleted(sender, instance, **kwargs):
    if instance.edition != Edition.LIVE:
        return
    bump(SITE, story_scope(instance.slug), *(entity_stories_scope(s) for s in _entity_slugs(instance.pk)))


def connect_signals():
    post_save.connect(_live_saved, sender=Article, dispatch_uid="page-scopes-live-saved")
    pre_delete.connect(_live_deleted, sender=Article, dispatch_uid="page-scopes-live-deleted")
