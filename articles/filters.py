"""Reader-side filters: the quote index (/quotes/)."""

import django_filters
from django import forms
from django.db.models import Q

from entities.models import Entity

from .models import Article, Quote

KIND_LABELS = {"direct": "直接引語", "indirect": "間接引語", "fragment": "引語片段"}


class StoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class StoryFilter(django_filters.ModelChoiceFilter):
    field_class = StoryChoiceField


def public_speakers(request):
    return Entity.objects.filter(pk__in=Quote.objects.public().reviewed().values("speaker")).order_by("name")


def public_stories(request):
    return Article.objects.for_listing()


def quote_years(request=None):
    """The years readers can filter by: when quotes were said, else when their story came out."""
    years = set()
    for said_on, published in Quote.objects.public().reviewed().values_list("said_on", "article__published_at"):
        if said_on:
            years.add(said_on[:4])
        elif published:
            years.add(str(published.year))
    return [(y, f"{y}年") for y in sorted(years, reverse=True)]


class QuoteFilter(django_filters.FilterSet):
    speaker = django_filters.ModelChoiceFilter(
        queryset=public_speakers, to_field_name="slug", label="說話者", empty_label="全部")
    story = StoryFilter(field_name="article", queryset=public_stories, to_field_name="slug", label="報導",
                        empty_label="全部")
    kind = django_filters.ChoiceFilter(choices=list(KIND_LABELS.items()), label="類型", empty_label="全部")
    year = django_filters.ChoiceFilter(choices=quote_years, method="filter_year", label="年份", empty_label="全部")

    class Meta:
        model = Quote
        fields = ["speaker", "story", "kind", "year"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(Q(said_on__startswith=value) | Q(said_on="", article__published_at__year=int(value)))
