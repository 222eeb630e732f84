"""Quotes, mentions and annotations outside the desk: working copies only, as the desk would allow."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from entities.validators import validate_calendar_date
from newsroom.forms import VersionedAdminMixin, VersionedModelForm

from .. import permissions, services
from ..models import Annotation, Block, Edition, Mention, Quote
from ..permissions import desk_permissions, item_allowed, status_change_allowed


class AnchoredForm(VersionedModelForm):
    user = None  # set by WorkingCopyAdmin.get_form: status changes follow the desk's rules for this user

    def clean(self):
        cleaned = super().clean()  # the version check (VersionedModelForm)
        block = cleaned.get("block")
        if block is not None and block.article.edition != Edition.WORKING:
            raise ValidationError({"block": _("Annotate the working copy; live editions change only by publishing.")})
        self.check_status(cleaned, block)
        if cleaned.get("said_on"):
            try:
                validate_calendar_date(cleaned["said_on"])
            except ValidationError as exc:
                self.add_error("said_on", exc)
        return cleaned

    def check_status(self, cleaned, block):
        """A status changes here only as the desk would let this user change it (issue 10, item 1)."""
        if "status" not in cleaned or self.user is None:
            return
        model = self._meta.model
        kind = model.__name__.lower()
        article = block.article if block is not None else getattr(self.instance, "article", None)
        if article is None:
            return
        old = getattr(self.locked, "status", None) if self.instance.pk else model._meta.get_field("status").default
        new = cleaned["status"]
        if not status_change_allowed(desk_permissions(self.user, article), kind, old, new, self.instance):
            reason = _("an editor confirms suggestions") if new == "confirmed" else _("that is not your step")
            self.add_error("status", ValidationError(
                _("You may not change this %(thing)s from %(old)s to %(new)s: %(reason)s.") % {
                    "thing": model._meta.verbose_name, "old": old, "new": new, "reason": reason},
                code="transition"))


class WorkingCopyAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """Anchored objects of working copies; the server re-checks every anchor and version on save.

    Permissions follow the story (``desk_permissions``): only where the desk would allow the same.
    There are no bulk actions here; the review queue does bulk work with a version per row.
    """

    form = AnchoredForm
    raw_id_fields = ("block",)
    list_select_related = ("article", "block")
    actions = None
    kind = ""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_queryset(self, request):
        return (super().get_queryset(request).filter(article__edition=Edition.WORKING)
                .filter(article__in=permissions.stories_visible_to(request.user)))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("block", "attribution_block"):
            kwargs["queryset"] = Block.objects.filter(article__in=permissions.stories_visible_to(request.user),
                                                      kind=Block.Kind.PARAGRAPH)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request, obj, op):
        if obj is None:
            return super().has_view_permission(request) if op == "view" else getattr(
                super(), f"has_{op}_permission")(request)
        perms = desk_permissions(request.user, obj.article)
        if op == "view":
            return perms["view"]
        return item_allowed(perms, self.kind, op, obj)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj, "view")

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj, "change")

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj, "delete")

    def save_model(self, request, obj, form, change):
        if not change:
            perms = desk_permissions(request.user, obj.block.article)
            if not item_allowed(perms, self.kind, "add"):
                raise PermissionDenied(_("You may not annotate this story."))
        obj.modified_by = request.user
        super().save_model(request, obj, form, change)
        services.revision_create(article=obj.block.article, user=request.user, action="annotate")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.revision_create(article=obj.article, user=request.user, action="annotate")


@admin.register(Quote)
class QuoteAdmin(WorkingCopyAdmin):
    kind = "quote"
    list_display = ("exact", "speaker", "role", "kind", "status", "article")
    list_filter = ("status", "kind")
    search_fields = ("exact", "speaker__name", "role", "article__title")
    autocomplete_fields = ("speaker", "event")
    raw_id_fields = ("block", "attribution_block")
    list_select_related = ("article", "block", "speaker")

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request) or request.user.has_perm("articles.verify_quote")
        # A fact-checker changes a quote's status (verified or disputed) and note, nothing else.
        perms = desk_permissions(request.user, obj.article)
        return item_allowed(perms, "quote", "change") or item_allowed(perms, "quote", "verify")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not desk_permissions(request.user, obj.article)["change_quote"]:
            return [f.name for f in Quote._meta.fields if f.name not in ("status", "note")]
        return super().get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and not desk_permissions(request.user, obj.article)["change_quote"]:
            statuses = [obj.status, Quote.Status.VERIFIED, Quote.Status.DISPUTED]

            class VerifyForm(form):
                def clean_status(self):
                    status = self.cleaned_data["status"]
                    if status not in statuses:
                        raise ValidationError(_("A fact-check marks a quote verified or disputed."))
                    return status

            return VerifyForm
        return form


@admin.register(Mention)
class MentionAdmin(WorkingCopyAdmin):
    kind = "mention"
    list_display = ("exact", "entity", "status", "article")
    list_filter = ("status", "entity__kind")
    search_fields = ("exact", "entity__name", "article__title")
    autocomplete_fields = ("entity",)
    list_select_related = ("article", "block", "entity")


@admin.register(Annotation)
class AnnotationAdmin(WorkingCopyAdmin):
    kind = "annotation"
    list_display = ("exact", "kind", "public", "status", "article")
    list_filter = ("kind", "status", "public")
    search_fields = ("exact", "body", "original", "article__title")
    # The importer's flags and repairs change only for whoever may resolve them: ``item_allowed``.

