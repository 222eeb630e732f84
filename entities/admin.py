"""The knowledge base in the admin: inline aliases, roles and relations, where an entity is used, and merging."""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Value
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsroom.forms import VersionedAdminMixin, VersionedModelForm, https_formfield

from .models import Alias, Entity, Relation, Role
from .services import entity_merge
from .usage import provider

# The bidi embedding, override and isolate controls (U+202A-202E, U+2066-2069: Trojan Source).
BIDI_OVERRIDES_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


class EntityForm(VersionedModelForm):
    class Meta:
        model = Entity
        fields = "__all__"
        formfield_callback = staticmethod(https_formfield)  # not dead code: see newsroom.forms

    def clean_description(self):
        # Bidi overrides are stripped from names; in a description they may be meant (rarely), so they are
        # shown to the editor rather than dropped: saved, with a warning (issue 10, item 13).
        value = self.cleaned_data.get("description") or ""
        self.bidi_warning = bool(BIDI_OVERRIDES_RE.search(value))
        return value


class VersionedInline(admin.TabularInline):
    form = VersionedModelForm
    extra = 1


class AliasInline(VersionedInline):
    model = Alias


class RoleInline(VersionedInline):
    model = Role
    fk_name = "person"
    autocomplete_fields = ("organization",)


class RelationInline(VersionedInline):
    model = Relation
    fk_name = "subject"
    autocomplete_fields = ("object",)


class VersionedAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """Who saved is remembered on the row and on every inline row saved with it."""

    form = VersionedModelForm

    def save_model(self, request, obj, form, change):
        obj.modified_by = request.user
        super().save_model(request, obj, form, change)
        if getattr(form, "bidi_warning", False):
            messages.warning(request, _(
                "The description of %(name)s contains invisible bidirectional control characters (U+202A–202E, "
                "U+2066–2069), which can make text read differently from how it is stored. Remove them unless "
                "they are meant.") % {"name": obj.name})

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance.modified_by = request.user
        super().save_formset(request, form, formset, change)


class MergeForm(forms.Form):
    def __init__(self, *args, source, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin's own autocomplete (through Relation.object, an autocomplete field to Entity).
        self.fields["target"] = forms.ModelChoiceField(
            queryset=Entity.objects.exclude(pk=source.pk), label=gettext_lazy("Merge into"),
            widget=AutocompleteSelect(Relation._meta.get_field("object"), admin_site),
            help_text=gettext_lazy("The entity to keep. Everything that points at this one moves to it."))


def entity_usage(entity, user):
    """Where ``entity`` is used, as far as ``user`` may read it (sections of linked rows; see ``usage``)."""
    usage = provider()
    return [] if usage is None else usage.admin_usage(entity, user)


@admin.register(Entity)
class EntityAdmin(VersionedAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6 default, said now
    list_display = ("name", "kind", "slug", "wikidata", "n_quotes", "n_mentions")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "aliases__text", "description")
    form = EntityForm
    prepopulated_fields = {}
    inlines = (AliasInline, RoleInline, RelationInline)
    change_form_template = "admin/entities/entity/change_form.html"
    actions = ("merge_selected",)

    class Media:
        css = {"all": ("css/admin.css",)}  # the inline tables' widths (layout only)

    def get_queryset(self, request):
        usage = provider()
        counts = usage.admin_counts() if usage else {"quote_count": Value(0), "mention_count": Value(0)}
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description=gettext_lazy("quotes"), ordering="quote_count")
    def n_quotes(self, obj):
        return obj.quote_count

    @admin.display(description=gettext_lazy("mentions"), ordering="mention_count")
    def n_mentions(self, obj):
        return obj.mention_count

    def use_counts(self, entity):
        """{"quotes": n, "mentions": n}: everything a merge moves, in every story (live ones included)."""
        usage = provider()
        if usage is None:
            return {"quotes": 0, "mentions": 0}
        row = Entity.objects.filter(pk=entity.pk).annotate(**usage.admin_counts()).get()
        return {"quotes": row.quote_count, "mentions": row.mention_count}

    def has_merge_permission(self, request, obj=None):
        user = request.user
        return (user.has_perm("entities.merge_entity") and user.has_perm("entities.change_entity")
                and user.has_perm("entities.delete_entity"))

    @admin.action(description=gettext_lazy("Merge the two selected entities…"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        pair = list(queryset.order_by("-quote_count", "-mention_count", "pk")[:3])
        if len(pair) != 2:
            self.message_user(request, _("Select exactly two entities to merge."), messages.WARNING)
            return None
        keep, source = pair  # keep the more used one; the confirmation page can swap them
        url = reverse("admin:entities_entity_merge", args=[source.pk])
        return HttpResponseRedirect(f"{url}?target={keep.pk}")

    def get_urls(self):
        return [
            path("<int:object_id>/merge/", self.admin_site.admin_view(self.merge_view), name="entities_entity_merge"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        entity = Entity.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if entity is not None and self.has_view_permission(request, entity):
            extra_context["usage"] = entity_usage(entity, request.user)
            extra_context["can_merge"] = self.has_merge_permission(request, entity)
        return super().change_view(request, object_id, form_url, extra_context)

    def merge_view(self, request, object_id):
        if not self.has_merge_permission(request):
            raise PermissionDenied(_("You may not merge entities."))
        source = Entity.objects.filter(pk=object_id).first()
        if source is None:
            raise Http404(_("No such entity."))
        data = request.POST if request.method == "POST" else (request.GET if "target" in request.GET else None)
        form = MergeForm(data, source=source, admin_site=self.admin_site)
        target = None
        if data is not None and form.is_valid():
            target = form.cleaned_data["target"]
            if request.POST.get("confirm") == "yes":
                try:
                    result = entity_merge(source=source, target=target, user=request.user)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(request, _(
                        "Merged %(source)s (%(slug)s) into %(target)s: %(summary)s. /entities/%(slug)s/ now redirects "
                        "here.") % {"source": source.name, "slug": source.slug, "target": target.name,
                                    "summary": result.summary()})
                    return HttpResponseRedirect(reverse("admin:entities_entity_change", args=[target.pk]))
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Merge %(name)s") % {"name": source.name},
            "source": source, "target": target, "form": form, "media": self.media + form.media,
            "counts": {"aliases": source.aliases.count(), "roles": source.roles.count(),
                       "relations": source.relations_out.count() + source.relations_in.count(),
                       **self.use_counts(source)},
        }
        return TemplateResponse(request, "admin/entities/entity/merge.html", context)


@admin.register(Alias)
class AliasAdmin(VersionedAdmin):
    list_display = ("text", "lang", "entity", "slug")
    list_filter = ("lang",)
    search_fields = ("text", "entity__name")
    autocomplete_fields = ("entity",)
    list_select_related = ("entity",)


@admin.register(Role)
class RoleAdmin(VersionedAdmin):
    list_display = ("person", "title", "organization", "start", "end")
    search_fields = ("title", "person__name", "organization__name")
    autocomplete_fields = ("person", "organization")
    list_select_related = ("person", "organization")


@admin.register(Relation)
class RelationAdmin(VersionedAdmin):
    list_display = ("subject", "predicate", "object", "start", "end")
    list_filter = ("predicate",)
    search_fields = ("subject__name", "object__name")
    autocomplete_fields = ("subject", "object")
    list_select_related = ("subject", "object")
