"""What every desk view shares: finding the story the user may open, the admin context, redirects
back, and running a JSON endpoint in one transaction with refusals as JSON errors."""

import functools

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .. import permissions, services
from ..models import Article
from ..services import DeskError
from .serializers import item_json


def json_error(message, status=400, **extra):
    return JsonResponse({"ok": False, "error": str(message), **extra}, status=status)


def run_json(func):
    """Answer ``func()`` in one transaction; a refused write is a JSON error with its HTTP status."""
    try:
        with transaction.atomic():
            return func()
    except services.StaleVersion as exc:
        current = exc.obj
        extra = dict(exc.extra)
        if not isinstance(current, Article):
            current = type(current).objects.select_related("block", "modified_by").get(pk=current.pk)
            extra["current"] = item_json(current)
        return json_error(exc.message, exc.status, stale=True, **extra)
    except DeskError as exc:
        return json_error(exc.message, exc.status, **exc.extra)
    except PermissionDenied as exc:
        return json_error(str(exc) or _("You do not have permission to do that."), 403)
    except Http404 as exc:
        return json_error(str(exc) or _("Not found."), 404)


class DeskBase:
    """Helpers of the desk views (mixed into ArticleAdmin)."""

    def desk_article(self, request, object_id, queryset=None):
        """The working copy ``object_id`` if ``request.user`` may see it: 404 if none, 403 if not theirs."""
        article = (Article.objects.all() if queryset is None else queryset).working().filter(pk=object_id).first()
        if article is None:
            raise Http404(_("No such story."))
        if not permissions.can_view_story(request.user, article):
            raise PermissionDenied(_("You may not open this story."))
        return article

    def desk_context(self, request, article, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts, "article": article, "original": article, "title": article.title,
            "has_view_permission": self.has_view_permission(request), **extra,
        }

    def back(self, request, article, default="desk"):
        target = request.POST.get("next") or request.GET.get("next")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(reverse(f"admin:articles_article_{default}", args=[article.pk]))

    def denied_as_page(self, view):
        """``view``, answering a refusal with the admin's look (403) instead of Django's bare page.

        JSON endpoints answer refusals as JSON themselves (``run_json``) and never get here."""
        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:
                context = {**self.admin_site.each_context(request), "opts": self.opts, "title": _("Not allowed"),
                           "reason": str(exc) or _("You do not have permission to do that.")}
                return TemplateResponse(request, "admin/articles/article/desk_denied.html", context, status=403)

        return inner

    @staticmethod
    def require_post(request):
        if request.method != "POST":
            raise PermissionDenied(_("This changes the story: POST only."))
