"""The story's admin: its change form (fields only), the list of working copies and the workflow actions."""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from entities.validators import validate_calendar_date, validate_public_url
from newsroom.forms import VersionedModelForm, https_formfield

from .. import permissions, services
from ..desk import ArticleDeskMixin
from ..models import Article, Edition, Revision
from ..publish_views import PublishGateMixin
from ..services import ACTION_LABELS, DeskError

# Fields of Article that only workflow actions change (never a form, whatever is POSTed).
WORKFLOW_FIELDS = ("status", "published_at", "updated_at")


class ArticleForm(VersionedModelForm):
    lock_label = gettext_lazy("this story")

    class Meta:
        model = Article
        fields = "__all__"
        formfield_callback = staticmethod(https_formfield)  # not dead code: see newsroom.forms

    def lock_current(self):
        return Article.objects.working().select_for_update().filter(pk=self.instance.pk).first()

    def clean_bylines(self):
        bylines = self.cleaned_data.get("bylines")
        if bylines in (None, ""):
            return []
        if not isinstance(bylines, list) or not all(isinstance(b, str) for b in bylines):
            raise ValidationError(_('Bylines are a list of names in quotes, e.g. ["鋅產業", "王小明"].'), code="bylines")
        return bylines

    def clean_source_url(self):
        value = self.cleaned_data.get("source_url") or ""
        validate_public_url(value)
        return value

    def clean_source_published_on(self):
        value = self.cleaned_data.get("source_published_on") or ""
        validate_calendar_date(value)
        return value


class UnpublishedChangesFilter(admin.SimpleListFilter):
    title = gettext_lazy("unpublished changes")
    parameter_name = "unpublished"

    def lookups(self, request, model_admin):
        return (("yes", _("has unpublished changes")), ("no", _("live is current")))

    def queryset(self, request, queryset):
        pending = Q(live_edition__isnull=False) & ~Q(content_digest=F("live_edition__content_digest"))
        if self.value() == "yes":
            return queryset.filter(pending)
        if self.value() == "no":
            return queryset.exclude(pending)
        return queryset


class EstimatedCountPaginator(Paginator):
    """The admin's paginator: on PostgreSQL a big list is counted from the planner's estimate
    (EXPLAIN), as "about N"; an exact COUNT(*) would read every row of 100,000 stories."""

    EXACT_BELOW = 10_000
    SEARCH_COUNT_CAP = 1_000

    @cached_property
    def count(self):
        qs = self.object_list
        if getattr(qs, "_newsroom_searched", False):
            # A search is counted up to SEARCH_COUNT_CAP matches ("1,000" then means "at least"): a
            # common word in 100,000 headlines would otherwise be counted row by row.
            return qs.order_by()[:self.SEARCH_COUNT_CAP].count()
        if connection.vendor == "postgresql" and hasattr(qs, "query"):
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            estimate = int(plan[0]["Plan"]["Plan Rows"])
            if estimate >= self.EXACT_BELOW:
                return estimate
        return super().count


@admin.register(Article)
class ArticleAdmin(PublishGateMixin, ArticleDeskMixin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6 default, said now
    form = ArticleForm
    # Few, narrow columns with the desk link beside the title: at 1280-1440 px, beside the admin's
    # sidebar and the filters, the title keeps a readable width (issue 11 item 6; css/admin.css).
    # The slug, the first publication and the sections are on the change form and the desk; "live"
    # says both whether readers see it and whether they see the working copy's content.
    list_display = ("title", "desk_link", "status", "publish_at", "live_state", "owner", "version_column")
    list_filter = ("status", UnpublishedChangesFilter, "language")
    search_fields = ("title", "slug", "dek", "source_name")
    autocomplete_fields = ("source_entity",)
    readonly_fields = (*WORKFLOW_FIELDS, "version", "owner", "modified_by", "created_at", "modified_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "dek", "language", "bylines")}),
        (gettext_lazy("Source"), {"fields": ("source_name", "source_entity", "source_url", "source_published_on")}),
        (gettext_lazy("Workflow"), {"fields": ("status", "publish_at", "published_at", "updated_at", "version", "owner",
                                 "modified_by")}),
    )
    # The story's fields only: its text is edited in the desk (paragraph by paragraph, anchors following
    # the words), so the form stays small and fast on a long story (issue 11 item 5, issue 10 item 3).
    inlines = ()
    actions = ("publish", "unpublish", "submit", "archive", "accept_knowledge")
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"

    class Media:
        css = {"all": ("css/admin.css",)}

    # -- who may do what --

    # At 100,000 stories: no second count of the whole table, an estimate of the count on PostgreSQL,
    # a page that reads its rows in reading order (article_working_order), never the stories' search tokens.
    show_full_result_count = False
    list_per_page = 50
    paginator = EstimatedCountPaginator

    def get_search_results(self, request, queryset, search_term):
        """Django's search, with a case-sensitive LIKE for terms without Latin letters (Han text has
        no case: UPPER() on both sides doubled the cost of every row read), counted up to a cap."""
        if not search_term or any(c.isascii() and c.isalpha() for c in search_term):
            results, duplicates = super().get_search_results(request, queryset, search_term)
        else:
            condition = Q()
            for word in search_term.split():
                condition &= Q(*[Q(**{f"{field}__contains": word}) for field in self.search_fields], _connector=Q.OR)
            results, duplicates = queryset.filter(condition), False
        if search_term:
            results._newsroom_searched = True
        return results, duplicates

    def get_queryset(self, request):
        qs = (super().get_queryset(request).filter(edition=Edition.WORKING)
              .select_related("live_edition", "owner")
              .defer("search_tokens", "live_edition__search_tokens"))
        user = request.user
        if not permissions.sees_every_story(user):
            qs = qs.filter(owner=user) if user.is_active else qs.none()
        return qs

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return permissions.can_view_story(request.user, obj)
        return super().has_view_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return permissions.can_edit_story(request.user, obj)
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_delete_story(request.user, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A story's revisions go with it; nobody may delete a revision on its own.
        perms_needed.discard(Revision._meta.verbose_name)
        # A story readers can see is unpublished first: deleting it would take its revisions, and
        # its public URL, away at once (issue 10, item 13). Django refuses while ``protected``.
        live = Article.objects.live().filter(working_copy__in=[o.pk for o in objs]).select_related("working_copy")
        protected = list(protected) + [f"«{a.working_copy.title}» has a live edition: unpublish it first"
                                       for a in live]
        return deleted, counts, perms_needed, protected

    def has_publish_permission(self, request):
        return permissions.can_publish(request.user)

    def has_accept_knowledge_permission(self, request):
        return permissions.can_accept_knowledge(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.can_publish(request.user):
            fields.append("publish_at")  # scheduling is publishing
        return fields

    # -- columns --

    @admin.display(description=gettext_lazy("live"))
    def live_state(self, obj):
        """Empty when readers see nothing; else whether the live edition is the working copy's content."""
        live = getattr(obj, "live_edition", None)
        if live is None:
            return None
        if obj.content_digest != live.content_digest:
            return format_html('<span class="live-pending">{}</span>', _("has unpublished changes"))
        return format_html('<span class="live-current">{}</span>', _("live is current"))

    @admin.display(description=gettext_lazy("version"), ordering="version")
    def version_column(self, obj):
        # The version travels with the changelist's action form: an action on a story changed since
        # the list was shown is refused for that story (like a stale change form).
        return format_html('{}<input type="hidden" name="version_{}" value="{}">', obj.version, obj.pk, obj.version)

    @admin.display(description=gettext_lazy("desk"))
    def desk_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:articles_article_desk", args=[obj.pk]), _("annotate"))

    # -- saving --

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = form.locked.version + 1
        else:
            obj.owner = request.user
            obj.status = "draft"
        obj.modified_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            action = "save" if change else "create"
            if form.overwrote is not None:
                action = f"overwrite v{form.overwrote.version}"[:20]
            services.revision_create(article=form.instance, user=request.user, action=action)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        article = Article.objects.working().filter(pk=object_id).first() if str(object_id).isdigit() else None
        if article is not None and permissions.can_view_story(request.user, article):
            extra_context.update(self.workflow_context(request, article))
            extra_context["desk_url"] = reverse("admin:articles_article_desk", args=[article.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context.get("adminform").form if context.get("adminform") else None
        context["conflict"] = getattr(form, "conflict", None)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- actions: each goes through a confirmation page that carries every story's version --

    def _transition_action(self, request, queryset, action):
        """Run a workflow action on each selected story, with its version from the list if it came with one.

        Publishing first shows a confirmation page: per story, what the publish gate blocks, what it
        warns about and what changes for readers; an editor may give a reason to override blocks.
        """
        stories = list(queryset.order_by("pk"))
        confirmed = request.POST.get("confirm_issues") == "yes"
        if action == "publish" and not confirmed:
            rows = []
            for article in stories:
                allowed = action in permissions.allowed_actions(article, request.user)
                version = request.POST.get(f"version_{article.pk}") or article.version
                rows.append({"article": article, "allowed": allowed, "version": version,
                             "gate": services.publish_gate(article) if allowed else None,
                             "can_override": allowed and services.can_override(request.user, article)})
            context = {
                **self.admin_site.each_context(request), "opts": self.opts, "title": ACTION_LABELS[action],
                "rows": rows, "action": action, "label": ACTION_LABELS[action],
                "any_blocking": any(r["gate"] and r["gate"].blocking for r in rows),
                "can_override": any(r["can_override"] for r in rows),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/articles/article/action_confirmation.html", context)
        done = 0
        for article in stories:
            try:
                services.article_transition(
                    article=article, action=action, user=request.user,
                    expected_version=request.POST.get(f"version_{article.pk}") or None, confirm=confirmed,
                    override_reason=request.POST.get("override_reason", "")[:500])
                done += 1
            except (services.ChecksNotConfirmed, services.PublishBlocked) as exc:
                self.message_user(request, _("«%(title)s» not published: %(reason)s") % {"title": article.title, "reason": exc.message},
                                  messages.WARNING)
            except (DeskError, PermissionDenied) as exc:
                message = exc.message if isinstance(exc, DeskError) else str(exc)
                self.message_user(request, f"«{article.title}»: {message}", messages.ERROR)
        if done:
            self.message_user(request, ngettext("%(action)s: %(n)d story.", "%(action)s: %(n)d stories.", done) % {
                "action": ACTION_LABELS[action], "n": done}, messages.SUCCESS)
        return None

    @admin.action(description=gettext_lazy("Publish the selected stories"), permissions=["publish"])
    def publish(self, request, queryset):
        return self._transition_action(request, queryset, "publish")

    @admin.action(description=gettext_lazy("Unpublish the selected stories"), permissions=["publish"])
    def unpublish(self, request, queryset):
        return self._transition_action(request, queryset, "unpublish")

    @admin.action(description=gettext_lazy("Archive the selected stories"), permissions=["publish"])
    def archive(self, request, queryset):
        return self._transition_action(request, queryset, "archive")

    @admin.action(description=gettext_lazy("Accept what the selected drafts' imports say about entities"),
                  permissions=["accept_knowledge"])
    def accept_knowledge(self, request, queryset):
        """Apply each draft's pending knowledge (descriptions, aliases, roles of known entities) now,
        before the story is published: it shows on public entity pages at once."""
        applied = []
        for article in queryset.order_by("pk"):
            try:
                count = services.story_knowledge_accept(article=article, user=request.user)
            except PermissionDenied as exc:
                self.message_user(request, f"«{article.title}»: {exc}", messages.ERROR)
                continue
            if count:
                applied.append(article.title)
        if applied:
            self.message_user(request, _("Accepted the knowledge of: %(titles)s.") % {
                "titles": "、".join(f"«{t}»" for t in applied)}, messages.SUCCESS)
        else:
            self.message_user(request, _("The selected stories carry no pending knowledge."), messages.INFO)
        return None

    @admin.action(description=gettext_lazy("Submit the selected stories for review"), permissions=["change"])
    def submit(self, request, queryset):
        return self._transition_action(request, queryset, "submit")
