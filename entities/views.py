"""Entity-only reader views and helpers: the entity index, and an entity's roles, members and relations.

``entities`` knows no story: the entity page, which lists the stories, quotes and passages naming
an entity, is ``articles.entity_views``; both are routed by ``articles.entity_urls``.
"""

import json
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import NamedTuple

from django.utils import timezone
from django_filters.views import FilterView

from newsroom.db import Prepared, instance_from_row
from newsroom.public_pages import public_page

from .filters import INITIALS, EntityFilter
from .models import ENTITY_CARD, ENTITY_PAGE_FIELDS, Alias, Entity, Kind, Relation, Role

# How a relation reads from either end: (label on the subject's page, label on the object's page).
PREDICATE_LABELS = {
    "developed_by": ("開發者", "開發的產品"),
    "part_of": ("隸屬於", "包含"),
    "acquired": ("收購了", "被收購於"),
    "successor_of": ("前身", "後繼"),
    "product_of": ("出品方", "產品"),
    "subsidiary_of": ("母公司", "子公司"),
    "founded_by": ("創辦人", "創辦了"),
    "held_at": ("舉辦地點", "在此舉辦"),
    "based_on": ("基於", "衍生出"),
    "organized_by": ("主辦方", "主辦了"),
    "competes_with": ("競爭對手", "競爭對手"),
}


class Links(NamedTuple):
    roles: list  # every role of the entity or at it (person or organization)
    relations: list  # every relation from or to it
    named: set  # the pks of the entity and of every entity these name


class Knowledge(NamedTuple):
    entity: Entity
    is_alias: bool  # reached by an alias slug (the page redirects)
    aliases: list
    links: Links
    public: set  # the pks of the public ones among ``links.named``
    stories_counted: int | None  # its public stories, counted up to the number asked for
    slugs: dict  # pk -> slug of every entity in ``links.named``

    def hidden_slugs(self):
        """The slugs of the named entities without a public page (not shown: a publication naming one
        of them, or an editor marking it public, would show it)."""
        return [slug for pk, slug in self.slugs.items() if pk not in self.public]


_STANDIN_SLUG = "\x00entity-page-slug\x00"
_STANDIN_NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt_timezone.utc)
_STANDIN_UP_TO = 918273645
_KNOWLEDGE = Prepared(lambda slug, now, up_to: Entity.objects.for_entity_page(slug, now=now, stories_up_to=up_to),
                      slug=_STANDIN_SLUG, now=_STANDIN_NOW, up_to=_STANDIN_UP_TO)


def _json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


ALIAS_FIELDS = ("id", "entity_id", "text", "lang", "slug")
ROLE_FIELDS = ("id", "person_id", "title", "organization_id", "start", "end")
RELATION_FIELDS = ("id", "subject_id", "predicate", "object_id", "start", "end")


def _card(data):
    """An entity at the other end of a role or relation (its ``ENTITY_CARD`` fields; the rest deferred).
    JSON has no booleans on SQLite: marked_public is 0 or 1 there."""
    return instance_from_row(Entity, {**data, "marked_public": bool(data["marked_public"])}, ENTITY_CARD)


def entity_page_knowledge(slug, stories_up_to, now=None):
    """What an entity page shows of the knowledge base, for a canonical or alias ``slug``: one query
    (``EntityQuerySet.for_entity_page``, built once per process). None when no entity has that slug."""
    rows = _KNOWLEDGE.run(slug=slug, now=now or timezone.now(), up_to=stories_up_to)
    if not rows:
        return None
    row = rows[0]
    entity = instance_from_row(Entity, row, ENTITY_PAGE_FIELDS)
    aliases = [instance_from_row(Alias, {**a, "entity_id": entity.pk}, ALIAS_FIELDS)
               for a in sorted(_json(row["alias_rows"]), key=lambda a: a["id"])]
    public = set(_json(row.get("named_in_stories") or "[]"))
    cards = {}

    def other(data):
        if data is None or data["id"] is None:
            return None
        if data["id"] == entity.pk:
            return entity
        return cards.setdefault(data["id"], _card(data))

    roles = []
    for r in sorted(_json(row["role_rows"]), key=lambda r: r["id"]):
        role = instance_from_row(Role, r, ROLE_FIELDS)
        role.person, role.organization = other(r["person"]), other(r["organization"])
        roles.append(role)
    relations = []
    for r in sorted(_json(row["relation_rows"]), key=lambda r: r["id"]):
        relation = instance_from_row(Relation, r, RELATION_FIELDS)
        relation.subject, relation.object = other(r["subject"]), other(r["object"])
        relations.append(relation)
    public |= {e.pk for e in (entity, *cards.values()) if e.marked_public}
    slugs = {entity.pk: entity.slug, **{pk: card.slug for pk, card in cards.items()}}
    return Knowledge(entity, entity.slug != slug, aliases, Links(roles, relations, set(slugs)), public,
                     row.get("stories_counted"), slugs)


def entity_knowledge(entity, public, links):
    """(roles, members, relations) of ``entity`` with only the entities in ``public`` (pks) on the other end.

    ``relations`` are (label as read from this entity's page, the other entity, the relation).
    ``links``: what ``entity_page_knowledge`` read of them.
    """
    public = set(public) - {entity.pk}
    both, linked, _named = links
    roles = sorted((r for r in both if r.person_id == entity.pk and (r.organization_id is None or r.organization_id in public)),
                   key=lambda r: (r.start, r.pk))
    members = sorted((r for r in both if r.organization_id == entity.pk and r.person_id in public),
                     key=lambda r: (r.start, r.person.name, r.pk))
    relations = [(PREDICATE_LABELS.get(r.predicate, (r.predicate, r.predicate))[0], r.object, r)
                 for r in linked if r.subject_id == entity.pk and r.object_id in public]
    relations += [(PREDICATE_LABELS.get(r.predicate, (r.predicate, r.predicate))[1], r.subject, r)
                  for r in sorted(linked, key=lambda r: (r.subject.name, r.pk))  # Relation.Meta: subject (by name), id
                  if r.object_id == entity.pk and r.subject_id in public]
    return roles, members, relations


class EntityListView(FilterView):
    """/entities/: every public entity, filtered by kind, initial and text."""

    filterset_class = EntityFilter
    paginate_by = 60
    template_name = "entities/entity_filter.html"

    def get_queryset(self):
        return Entity.objects.for_index()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["initials"] = INITIALS
        context["kinds"] = Kind.choices
        return context


entity_list = public_page(EntityListView.as_view(), params=(*EntityFilter.base_filters, "page"))
