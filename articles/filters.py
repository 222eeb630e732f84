"""Reader-side filters: the quote index (/quotes/)."""

from datetime import timezone as dt_timezone

import django_filters
from django import forms
from django.db.models import CharField, Q
from django.db.models.functions import Cast, ExtractYear, Substr
from django.forms.models import ModelChoiceIterator

from entities.models import Entity

from .models import Article, Quote

KIND_LABELS = {"direct": "直接引語", "indirect": "間接引語", "fragment": "引語片段"}


SHOWN_CHOICES = 200  # a select lists at most these (the newest stories, speakers by name); any public one filters


class FirstChoices(ModelChoiceIterator):
    """The choices of the first SHOWN_CHOICES rows: a site of 100,000 stories is not one <select>."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.shown_rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.shown_rows()) + (self.field.empty_label is not None)


class ShortModelChoiceField(forms.ModelChoiceField):
    """A select of the first SHOWN_CHOICES rows, and the chosen one: read in one query that both
    validates the choice and draws the select."""

    iterator = FirstChoices

    def shown_rows(self, chosen=None):
        if getattr(self, "_shown", None) is None:
            first = Q(pk__in=self.queryset.values("pk")[:SHOWN_CHOICES])
            key = self.to_field_name or "pk"
            self._shown = list(self.queryset.filter(first | Q(**{key: chosen})) if chosen is not None
                               else self.queryset[:SHOWN_CHOICES])
        return self._shown

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        for obj in self.shown_rows(chosen=str(value)):
            if str(getattr(obj, key)) == str(value):
                return obj
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                    params={"value": value})

class StoryChoiceField(ShortModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class SpeakerFilter(django_filters.ModelChoiceFilter):
    field_class = ShortModelChoiceField


class StoryFilter(django_filters.ModelChoiceFilter):
    field_class = StoryChoiceField


def public_speakers(request):
    return Entity.objects.filter(pk__in=Quote.objects.public().reviewed().values("speaker")).order_by("name")


def public_stories(request):
    return Article.objects.for_listing()


def quote_years(request=None):
    """The years readers can filter by: when quotes were said, else when their story came out (UTC)."""
    published = Cast(ExtractYear("article__published_at", tzinfo=dt_timezone.utc), CharField())
    rows = (Quote.objects.public().reviewed().order_by()
            .values_list(Substr("said_on", 1, 4), published).distinct())
    years = {said or str(year) for said, year in rows if said or year}
    return [(y, f"{y}年") for y in sorted(years, reverse=True)]


class QuoteFilter(django_filters.FilterSet):
    speaker = SpeakerFilter(
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
