"""Entity-only reader views and helpers: the entity index, and an entity's roles, members and relations.

``entities`` knows no story: the entity page, which lists the stories, quotes and passages naming
an entity, is ``articles.entity_views``; both are routed by ``articles.entity_urls``.
"""

from django.db.models import Q
from django_filters.views import FilterView

from newsroom.public_pages import public_page

from .filters import INITIALS, EntityFilter
from .models import Entity, Kind

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
    """(roles, members, relations) of ``entity`` with only the entities in ``public`` on the other end.

    ``relations`` are (label as read from this entity's page, the other entity, the relation).
    """
    roles = list(entity.roles.filter(Q(organization__isnull=True) | Q(organization__in=public))
                 .select_related("organization"))
    members = list(entity.member_roles.filter(person__in=public).select_related("person")
                   .order_by("start", "person__name", "id"))
    relations = [(PREDICATE_LABELS.get(r.predicate, (r.predicate, r.predicate))[0], r.object, r)
                 for r in entity.relations_out.filter(object__in=public).select_related("object")]
    relations += [(PREDICATE_LABELS.get(r.predicate, (r.predicate, r.predicate))[1], r.subject, r)
                  for r in entity.relations_in.filter(subject__in=public).select_related("subject")]
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
