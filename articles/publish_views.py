"""The publish gate in the admin: a confirmation page and a JSON endpoint (for the desk's button).

``ArticleAdmin`` mixes these in. GET ``<id>/publish/`` shows what blocks publishing, what only
warns and what changes for readers; POST publishes through ``services.article_transition`` (the
same gate), with ``confirm=yes`` for warnings and, for an editor, a typed ``override_reason`` for
blocking checks (logged in the story's status history). GET ``<id>/publish-gate.json`` answers the
same gate as JSON: {"blocking": [...], "warnings": [...], "changes": [...], "passes": bool,
"can_override": bool, "publish_url": str}.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import permissions, services
from .models import Article


class PublishGateMixin:
    def get_urls(self):
        name = "articles_article_"
        return [
            path("<int:object_id>/publish/", self.admin_site.admin_view(self.publish_view), name=name + "publish"),
            path("<int:object_id>/publish-gate.json", self.admin_site.admin_view(self.publish_gate_view),
                 name=name + "publish_gate"),
        ] + super().get_urls()

    @staticmethod
    def publishable(request, object_id):
        """The working copy ``object_id`` if ``request.user`` may publish it now: 404 or 403 otherwise."""
        article = Article.objects.working().filter(pk=object_id).first()
        if article is None:
            raise Http404(_("No such story."))
        if not permissions.can_view_story(request.user, article):
            raise PermissionDenied(_("You may not open this story."))
        if "publish" not in permissions.allowed_actions(article, request.user):
            raise PermissionDenied(_("You may not publish this story now."))
        return article

    def publish_gate_view(self, request, object_id):
        try:
            article = self.publishable(request, object_id)
        except PermissionDenied as exc:
            return JsonResponse({"ok": False, "error": str(exc)}, status=403)
        except Http404 as exc:
            return JsonResponse({"ok": False, "error": str(exc)}, status=404)
        gate = services.publish_gate(article)
        return JsonResponse({"ok": True, **gate.as_dict(), "version": article.version,
                             "can_override": services.can_override(request.user, article),
                             "publish_url": reverse("admin:articles_article_publish", args=[article.pk])})

    def publish_view(self, request, object_id):
        article = self.publishable(request, object_id)
        error, status = None, 200
        if request.method == "POST":
            raw_when = (request.POST.get("publish_at") or "").strip()
            publish_at = parse_datetime(raw_when) if raw_when else None
            if raw_when and publish_at is None:
                error, status = _("The publication time is not a date and time."), 400
            else:
                if publish_at is not None and timezone.is_naive(publish_at):
                    publish_at = timezone.make_aware(publish_at)
                if publish_at is None and article.publish_at and article.publish_at > timezone.now():
                    publish_at = timezone.now()  # no time given: publish now, not at the old schedule
                try:
                    services.article_transition(
                        article=article, action="publish", user=request.user,
                        expected_version=request.POST.get("version") or None, note=request.POST.get("note", "")[:2000],
                        confirm=request.POST.get("confirm") == "yes", publish_at=publish_at,
                        override_reason=request.POST.get("override_reason", "")[:500])
                except services.DeskError as exc:
                    error, status = exc.message, exc.status
                else:
                    article.refresh_from_db()
                    messages.success(request, _("Published: the story is now %(status)s.")
                                     % {"status": article.get_status_display()})
                    return HttpResponseRedirect(reverse("admin:articles_article_desk", args=[article.pk]))
            article.refresh_from_db()
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "article": article, "original": article,
            "title": _("Publish «%(title)s»") % {"title": article.title}, "gate": services.publish_gate(article),
            "can_override": services.can_override(request.user, article), "error": error,
            "version": request.POST.get("version") or article.version,
            "override_reason": request.POST.get("override_reason", ""),
        }
        return TemplateResponse(request, "admin/articles/article/publish_gate.html", context, status=status)
