"""Entity-only reader views and helpers: the entity index, and an entity's roles, members and relations.

``entities`` knows no story: the entity page, which lists the stories, quotes and passages naming
an entity, is ``articles.entity_views``; both are routed by ``articles.entity_urls``.
"""

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


def entity_knowledge(entity, public):
    """(roles, members, relations) of ``entity`` with only the entities in ``public`` (pks) on the other end.

    ``relations`` are (label as read from this entity's page, the other entity, the relation). Two
    queries: the roles at either end, the relations at either end (split and ordered here).
    """
    public = set(public) - {entity.pk}
    both = list(Role.objects.filter(Q(person=entity, organization__isnull=True) | Q(person=entity, organization__in=public)
                                    | Q(organization=entity, person__in=public)).select_related("person", "organization"))
    roles = sorted((r for r in both if r.person_id == entity.pk and (r.organization_id is None or r.organization_id in public)),
                   key=lambda r: (r.start, r.pk))
    members = sorted((r for r in both if r.organization_id == entity.pk and r.person_id in public),
                     key=lambda r: (r.start, r.person.name, r.pk))
    linked = list(Relation.objects.filter(Q(subject=entity, object__in=public) | Q(object=entity, subject__in=public))
                  .select_related("subject", "object").order_by("id"))
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
