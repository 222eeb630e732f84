"""Revisions: a story's history, read-only (diff and restore are on the story's revisions page)."""

from django.contrib import admin

from .. import permissions
from ..models import Revision


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("article", "number", "action", "user", "created_at")
    list_filter = ("action",)
    search_fields = ("article__title",)
    list_select_related = ("article", "user")
    readonly_fields = ("article", "number", "action", "user", "created_at", "data")
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).filter(article__in=permissions.stories_visible_to(request.user))

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return super().has_view_permission(request) and permissions.can_view_story(request.user, obj.article)
        return super().has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
