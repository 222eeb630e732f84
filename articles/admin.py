"""The editors' admin: working copies only; live editions change only by publishing."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count

from .models import Annotation, Article, Block, Edition, Mention, Quote, Revision, Section
from .services import article_publish, article_unpublish, revision_create


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("position", "number", "heading")


class BlockInline(admin.StackedInline):
    model = Block
    extra = 0
    fields = (("position", "key", "kind", "section"), "text", ("image", "alt"), ("caption", "credit"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            # Only this story's sections.
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(article_id=object_id) if object_id else Section.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "status", "publish_at", "published_at", "is_live", "n_sections", "version")
    list_filter = ("status", "language")
    search_fields = ("title", "slug", "dek", "source_name")
    autocomplete_fields = ("source_entity",)
    readonly_fields = ("version", "created_at", "modified_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "dek", "language", "bylines")}),
        ("Source", {"fields": ("source_name", "source_entity", "source_url", "source_published_on")}),
        ("Workflow", {"fields": ("status", "publish_at", "published_at", "updated_at", "version")}),
    )
    inlines = (SectionInline, BlockInline)
    actions = ("publish", "unpublish")

    def get_queryset(self, request):
        return (super().get_queryset(request).filter(edition=Edition.WORKING).select_related("live_edition")
                .annotate(section_count=Count("sections", distinct=True)))

    @admin.display(description="sections", ordering="section_count")
    def n_sections(self, obj):
        return obj.section_count

    @admin.display(description="live", boolean=True)
    def is_live(self, obj):
        return hasattr(obj, "live_edition")

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            revision_create(article=form.instance, user=request.user, action="save")

    @admin.action(description="Publish the selected stories", permissions=["change"])
    def publish(self, request, queryset):
        for article in queryset:
            article_publish(article=article, user=request.user)
        self.message_user(request, f"Published {queryset.count()} stories.", messages.SUCCESS)

    @admin.action(description="Unpublish the selected stories", permissions=["change"])
    def unpublish(self, request, queryset):
        for article in queryset:
            article_unpublish(article=article, user=request.user)
        self.message_user(request, f"Unpublished {queryset.count()} stories.", messages.SUCCESS)


class WorkingCopyAdmin(admin.ModelAdmin):
    """Anchored objects of working copies; the server re-checks every anchor on save."""

    raw_id_fields = ("block",)
    list_select_related = ("article", "block")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(article__edition=Edition.WORKING)


@admin.register(Quote)
class QuoteAdmin(WorkingCopyAdmin):
    list_display = ("exact", "speaker", "role", "kind", "status", "article")
    list_filter = ("status", "kind")
    search_fields = ("exact", "speaker__name", "role", "article__title")
    autocomplete_fields = ("speaker", "event")
    raw_id_fields = ("block", "attribution_block")
    list_select_related = ("article", "block", "speaker")


@admin.register(Mention)
class MentionAdmin(WorkingCopyAdmin):
    list_display = ("exact", "entity", "status", "article")
    list_filter = ("status", "entity__kind")
    search_fields = ("exact", "entity__name", "article__title")
    autocomplete_fields = ("entity",)
    list_select_related = ("article", "block", "entity")


@admin.register(Annotation)
class AnnotationAdmin(WorkingCopyAdmin):
    list_display = ("exact", "kind", "public", "status", "article")
    list_filter = ("kind", "status", "public")
    search_fields = ("exact", "body", "original", "article__title")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("article", "number", "action", "user", "created_at")
    list_filter = ("action",)
    search_fields = ("article__title",)
    list_select_related = ("article", "user")
    readonly_fields = ("article", "number", "action", "user", "created_at", "data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
