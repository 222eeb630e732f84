"""The review queue: open suggestions, flags and repairs across the stories a user may see."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from .. import permissions
from ..models import Annotation, Mention, Quote
from ..permissions import desk_permissions, item_allowed
from ..services import ANCHORED_TYPES, DeskError
from .forms import BulkReviewForm
from .operations import Request, perform_bulk
from .serializers import context_of

QUEUE_KINDS = ("quote", "mention", "flag", "repair")


def review_queue(user, *, kinds=QUEUE_KINDS, story=None):
    """Open work in the stories ``user`` may see, as (type, queryset) pairs."""
    scope = {"article__in": permissions.stories_visible_to(user)}
    if story is not None:
        scope["article_id"] = story
    out = []
    if "quote" in kinds:
        out.append(("quote", Quote.objects.filter(**scope).for_review_queue()))
    if "mention" in kinds:
        out.append(("mention", Mention.objects.filter(**scope).for_review_queue()))
    marks = [k for k in ("flag", "repair") if k in kinds]
    if marks:
        out.append(("annotation", Annotation.objects.filter(**scope, kind__in=marks).for_review_queue()))
    return out


def perms_per_story(user):
    """``desk_permissions`` of ``user`` per story, computed once per request: a function of the article."""
    cache = {}

    def get(article):
        if article.pk not in cache:
            cache[article.pk] = desk_permissions(user, article)
        return cache[article.pk]

    return get


class ReviewQueueViews:
    """The review queue page and its bulk actions (mixed into ArticleAdmin with DeskBase)."""

    def review_view(self, request):
        user = request.user
        if not permissions.can_open_review_queue(user):
            raise PermissionDenied("You may not see the review queue.")
        if request.method == "POST":
            return self.review_bulk(request)
        story = request.GET.get("story")
        queue = review_queue(user, kinds=request.GET.getlist("kind") or QUEUE_KINDS,
                             story=int(story) if story and story.isdigit() else None)
        rows = [(kind, obj) for kind, qs in queue for obj in qs]
        page = Paginator(rows, 100).get_page(request.GET.get("page"))
        perms = perms_per_story(user)
        items = []
        for kind, obj in page.object_list:
            may = perms(obj.article)
            items.append({"kind": kind, "obj": obj, "value": f"{kind}:{obj.pk}:{obj.version}",
                          "can_review": item_allowed(may, kind, "accept" if kind != "annotation" else "resolve", obj),
                          "context": context_of(obj)})
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "Review queue",
            "items": items, "page": page, "stories": permissions.stories_visible_to(user).order_by("title"),
            "kinds": request.GET.getlist("kind"), "story": request.GET.get("story", ""),
            "query": query.urlencode(),
        }
        return TemplateResponse(request, "admin/articles/article/review_queue.html", context)

    def review_bulk(self, request):
        form = BulkReviewForm(request.POST)
        try:
            op = form.validated()["op"]
        except DeskError:
            messages.error(request, "Choose accept, reject or resolve.")
            return HttpResponseRedirect(request.get_full_path())
        done, refused = 0, []
        perms = perms_per_story(request.user)
        for kind, pk, version in form.items():
            obj = ANCHORED_TYPES[kind].objects.select_related("article").filter(pk=pk).first()
            if obj is None or obj.article.edition != "working":
                refused.append(f"{kind} {pk}: it no longer exists.")
                continue
            article = obj.article
            item = Request(article=article, perms=perms(article), type=kind, obj=obj,
                           data={"version": version}, user=request.user)
            try:
                with transaction.atomic():
                    perform_bulk(op, item)
                done += 1
            except (DeskError, PermissionDenied) as exc:
                message = exc.message if isinstance(exc, DeskError) else (str(exc) or "permission denied")
                refused.append(f"{obj.key} in «{article.title}»: {message}")
        past = {"accept": "Accepted", "reject": "Rejected", "resolve": "Resolved"}[op]
        messages.success(request, f"{past} {done}.")
        for line in refused[:20]:
            messages.error(request, f"Not done: {line}")
        return HttpResponseRedirect(request.get_full_path())
