"""Entity-only reader views and helpers: the entity index, and an entity's roles, members and relations.

``entities`` knows no story: the entity page, which lists the stories, quotes and passages naming
an entity, is ``articles.entity_views``; both are routed by ``articles.entity_urls``.
"""

from typing import NamedTuple

from django.db.models import Q
from django_filters.views import FilterView

from newsroom.public_pages import public_page

from .filters import INITIALS, EntityFilter
from .models import Entity, Kind, Relation, Role

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


def entity_links(entity):
    """Every role and relation at either end of ``entity``, and the entities they name (two queries;
    an entity page asks which of those are public, then shows only them)."""
    roles = list(Role.objects.filter(Q(person=entity) | Q(organization=entity)).select_related("person", "organization"))
    relations = list(Relation.objects.filter(Q(subject=entity) | Q(object=entity))
                     .select_related("subject", "object").order_by("id"))
    named = {entity.pk, *(r.person_id for r in roles), *(r.organization_id for r in roles if r.organization_id),
             *(r.subject_id for r in relations), *(r.object_id for r in relations)}
    return Links(roles, relations, named)


def entity_knowledge(entity, public, links=None):
    """(roles, members, relations) of ``entity`` with only the entities in ``public`` (pks) on the other end.

    ``relations`` are (label as read from this entity's page, the other entity, the relation).
    ``links``: ``entity_links(entity)`` when the caller has read them already.
    """
    public = set(public) - {entity.pk}
    both, linked, _named = links or entity_links(entity)
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
