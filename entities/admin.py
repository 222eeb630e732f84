from django.contrib import admin
from django.db.models import Count

from .models import Alias, Entity, Relation, Role


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1


class RoleInline(admin.TabularInline):
    model = Role
    fk_name = "person"
    extra = 1
    autocomplete_fields = ("organization",)


class RelationInline(admin.TabularInline):
    model = Relation
    fk_name = "subject"
    extra = 1
    autocomplete_fields = ("object",)


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "slug", "wikidata", "n_quotes", "n_mentions")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "aliases__text", "description")
    prepopulated_fields = {}
    inlines = (AliasInline, RoleInline, RelationInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            quote_count=Count("quotes", distinct=True), mention_count=Count("mentions", distinct=True))

    @admin.display(description="quotes", ordering="quote_count")
    def n_quotes(self, obj):
        return obj.quote_count

    @admin.display(description="mentions", ordering="mention_count")
    def n_mentions(self, obj):
        return obj.mention_count


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin):
    list_display = ("text", "lang", "entity", "slug")
    list_filter = ("lang",)
    search_fields = ("text", "entity__name")
    autocomplete_fields = ("entity",)
    list_select_related = ("entity",)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("person", "title", "organization", "start", "end")
    search_fields = ("title", "person__name", "organization__name")
    autocomplete_fields = ("person", "organization")
    list_select_related = ("person", "organization")


@admin.register(Relation)
class RelationAdmin(admin.ModelAdmin):
    list_display = ("subject", "predicate", "object", "start", "end")
    list_filter = ("predicate",)
    search_fields = ("subject__name", "object__name")
    autocomplete_fields = ("subject", "object")
    list_select_related = ("subject", "object")
