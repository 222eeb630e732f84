"""Which public pages a knowledge-base write changes (newsroom.public_pages scopes).

Connected from ``EntitiesConfig.ready()``: a save or delete of an entity, alias, role or relation
bumps the scope of every entity it touches ("entity:<slug>": its page, and the pages showing it)
and "site" (lists show names and counts), in the writing transaction; a change of the entity row
itself also bumps "entity-card:<slug>" (story pages show only that). A save that changes nothing
bumps nothing.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from newsroom.public_pages import SITE, bump

from .models import Alias, Entity, Relation, Role


def entity_scope(slug):
    """What the knowledge base says of an entity: its page, and every page that shows it."""
    return f"entity:{slug}" if slug else None


def entity_card_scope(slug):
    """What the entity's own row says (name, kind, description, slug, links): all a story page shows of
    it. Bumped by a change of the entity itself, not of its aliases, roles or relations."""
    return f"entity-card:{slug}" if slug else None


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


# Recomputed at each save (search tokens) or the save's own bookkeeping (the optimistic-lock version,
# which every full save counts up, and who saved): shown on no public page.
NOT_SHOWN = {"search_tokens", "version", "modified_by_id"}


def _compared(model):
    """The columns whose change shows on a page (not the save's own clock or version, not search tokens)."""
    return [f.attname for f in model._meta.concrete_fields
            if not getattr(f, "auto_now", False) and f.attname not in NOT_SHOWN]


def _values(instance):
    return {name: getattr(instance, name) for name in _compared(type(instance))}


def _remember(sender, instance, raw=False, **kwargs):
    """Keep the row as stored before a save: a save that changes nothing bumps nothing (imports and
    publications upsert every entity a story lists, mostly unchanged: the pages showing them stay cached)."""
    if raw or not instance.pk:
        return
    before = sender._default_manager.filter(pk=instance.pk).values(*_compared(sender)).first()
    instance._stored_before = before
    if isinstance(instance, Entity):
        instance._slug_before = before["slug"] if before else None


def _changed(sender, instance, raw=False, created=None, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_stored_before", None)
    if created is False and before is not None and before == _values(instance):
        return  # saved unchanged (created is None for a delete)
    touched = _touched(instance)
    cards = [entity_card_scope(slug) for slug in touched] if isinstance(instance, Entity) else []
    bump(SITE, *(entity_scope(slug) for slug in touched), *cards)


def connect_signals():
    for model in (Entity, Alias, Role, Relation):
        pre_save.connect(_remember, sender=model, dispatch_uid=f"page-scopes-{model.__name__}-before")
        post_save.connect(_changed, sender=model, dispatch_uid=f"page-scopes-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"page-scopes-{model.__name__}-delete")
