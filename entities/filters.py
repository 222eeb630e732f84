"""Reader-side filters: the entity index (/entities/)."""

import string

import django_filters
from django.db.models import Q

from newsroom.text import search_tokens

from .models import Entity, Kind


def initial_of(name):
    """The index letter of a name: its first Latin letter, or the pinyin initial of its first Han character."""
    first = (name or "").strip()[:1]
    if not first:
        return "#"
    if first.isascii():
        return first.upper() if first.isalpha() else "#"
    from pypinyin import Style, lazy_pinyin

    reading = lazy_pinyin(first, style=Style.FIRST_LETTER, errors=lambda s: ["#"])
    letter = (reading[0][:1] if reading else "#").upper()
    return letter if letter in string.ascii_uppercase else "#"


INITIALS = [(c, c) for c in string.ascii_uppercase] + [("#", "其他")]


class EntityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label="類別", empty_label="全部")
    initial = django_filters.CharFilter(method="filter_initial", label="首字母")
    text = django_filters.CharFilter(method="filter_text", label="名稱或描述")

    class Meta:
        model = Entity
        fields = ["kind", "initial", "text"]

    def filter_initial(self, queryset, name, value):
        """A Latin letter picks names by their pinyin (or Latin) initial; any other character, names starting with it."""
        value = value.strip()[:1]
        if not value:
            return queryset
        if value == "#" or (value.isascii() and value.isalpha()):
            letter = value.upper()
            ids = [pk for pk, n in queryset.values_list("pk", "name") if initial_of(n) == letter]
            return queryset.filter(pk__in=ids)
        return queryset.filter(name__startswith=value)

    def filter_text(self, queryset, name, value):
        """Every word must occur in the name, an alias or the description (folded: 阿里云 finds 阿里雲)."""
        for word in value[:100].split()[:8]:
            tokens = search_tokens(word)
            if tokens:
                queryset = queryset.filter(Q(search_tokens__contains=tokens))
        return queryset
