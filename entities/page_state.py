"""Which public pages a knowledge-base write changes (newsroom.public_pages scopes).

Connected from ``EntitiesConfig.ready()``: a save or delete of an entity, alias, role or relation
bumps the scope of every entity it touches ("entity:<slug>": its page, and the pages showing it)
and "site" (lists show names and counts), in the writing transaction.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from newsroom.public_pages import SITE, bump

from .models import Alias, Entity, Relation, Role


def entity_scope(slug):
    """What the knowledge base says of an entity: its page, and every page that shows it."""
    return f"entity:{slug}" if slug else None


def entity_stories_scope(slug):
    """What public stories say of an entity (bumped by publications): its page and feed only."""
    return f"entity-stories:{slug}" if slug else None


def _slugs(*ids):
    return list(Entity.objects.filter(pk__in=[i for i in ids if i]).values_list("slug", flat=True))


def _touched(instance):
    """The entity slugs a row of the knowledge base shows up under."""
    if isinstance(instance, Entity):
        return [instance.slug, getattr(instance, "_slug_before", None)]
    if isinstance(instance, Alias):
        return _slugs(instance.entity_id)
    if isinstance(instance, Role):
        return _slugs(instance.person_id, instance.organization_id)
    return _slugs(instance.subject_id, instance.object_id)


def _remember_slug(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        instance._slug_before = Entity.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()


def _changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    bump(SITE, *(entity_scope(slug) for slug in _touched(instance)))


def connect_signals():
    pre_save.connect(_remember_slug, sender=Entity, dispatch_uid="page-scopes-entity-slug")
    for model in (Entity, Alias, Role, Relation):
        post_save.connect(_changed, sender=model, dispatch_uid=f"page-scopes-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"page-scopes-{model.__name__}-delete")
