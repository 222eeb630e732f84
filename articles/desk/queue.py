"""The review queue: open suggestions, flags and repairs across the stories a user may see, listed
or grouped by kind or by entity, with bulk actions; and the desk's bulk review (JSON, same URL).

Every bulk write goes through ``services.review.suggestions_review``: one story at a time, all or
nothing, checked by the permission policy, one revision per step.
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Annotation, Article, Mention, Quote
from ..permissions import desk_permissions, item_allowed
from ..services import DeskError
from ..services.review import confident_suggestions, done_message, suggestions_review
from .base import run_json
from .forms import BulkReviewForm, ConfidenceField, DeskReviewForm, read_json
from .serializers import context_of

QUEUE_KINDS = ("quote", "mention", "flag", "repair")
GROUPS = ("", "kind", "entity")


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


def kind_of(type_, obj):
    """The queue's kind of an item: quote, mention, flag or repair."""
    return obj.kind if type_ == "annotation" else type_


def entity_of(type_, obj):
    """The entity a suggestion names (a mention's entity, a quote's speaker); None for flags and repairs."""
    return {"quote": getattr(obj, "speaker", None), "mention": getattr(obj, "entity", None)}.get(type_)


def entity_groups(rows):
    """Suggestions grouped by the entity they name, most first: [{entity, count, items, by_kind}]."""
    groups = {}
    for type_, obj in rows:
        entity = entity_of(type_, obj)
        if entity is None:
            continue
        group = groups.setdefault(entity.pk, {"entity": entity, "items": [], "by_kind": defaultdict(int)})
        group["items"].append(f"{type_}:{obj.pk}:{obj.version}")
        group["by_kind"][type_] += 1
    out = sorted(groups.values(), key=lambda g: (-len(g["items"]), g["entity"].name))
    for group in out:
        group["count"] = len(group["items"])
        group["value"] = " ".join(group["items"])
        group["by_kind"] = dict(group["by_kind"])
    return out


def confidence_choice(rows, raw):
    """What "all at or above a confidence" would take from ``rows``: None when no valid threshold was
    asked for, else {threshold, count, by_kind, value} (``value``: the items, as the bulk form posts them)."""
    if raw in (None, ""):
        return None
    try:
        threshold = ConfidenceField().clean(raw)
    except ValidationError:
        return {"error": _("The confidence must be a number from 0 to 1."), "raw": raw}
    chosen = confident_suggestions(rows, threshold)
    by_kind = defaultdict(int)
    for type_, _obj in chosen:
        by_kind[type_] += 1
    return {"threshold": threshold, "count": len(chosen), "by_kind": dict(by_kind),
            "value": " ".join(f"{type_}:{obj.pk}:{obj.version}" for type_, obj in chosen)}


def review_by_story(user, op, items, min_confidence=None):
    """Run the bulk review story by story; (number done, [refusal messages])."""
    versions = {(type_, pk): version for type_, pk, version in items}  # the last of duplicates wins
    stories = defaultdict(list)
    for type_, model in (("quote", Quote), ("mention", Mention), ("annotation", Annotation)):
        pks = [pk for t, pk in versions if t == type_]
        for pk, article_id in model.objects.filter(pk__in=pks, article__edition="working").values_list(
                "pk", "article_id"):
            stories[article_id].append((type_, pk, versions[type_, pk]))
    done, refused = 0, []
    gone = len(versions) - sum(len(v) for v in stories.values())
    if gone:
        refused.append(_("%(n)d of the chosen items no longer exist.") % {"n": gone})
    for article in Article.objects.working().filter(pk__in=stories).order_by("title"):
        try:
            if not permissions.can_view_story(user, article):
                raise PermissionDenied(_("You may not open this story."))
            done += suggestions_review(article=article, user=user, op=op, items=stories[article.pk],
                                       min_confidence=min_confidence)
        except (DeskError, PermissionDenied) as exc:
            message = exc.message if isinstance(exc, DeskError) else (str(exc) or _("permission denied"))
            refused.append(_("«%(title)s»: %(message)s (nothing of this story was changed)")
                           % {"title": article.title, "message": message})
    return done, refused


class ReviewQueueViews:
    """The review queue page and its bulk actions (mixed into ArticleAdmin with DeskBase)."""

    def review_view(self, request):
        user = request.user
        if not permissions.can_open_review_queue(user):
            raise PermissionDenied(_("You may not see the review queue."))
        if request.method == "POST":
            if request.content_type == "application/json":
                return self.review_json(request)
            return self.review_bulk(request)
        story = request.GET.get("story")
        group = request.GET.get("group", "")
        group = group if group in GROUPS else ""
        queue = review_queue(user, kinds=request.GET.getlist("kind") or QUEUE_KINDS,
                             story=int(story) if story and story.isdigit() else None)
        rows = [(type_, obj) for type_, qs in queue for obj in qs]
        groups = entity_groups(rows) if group == "entity" else []
        confident = confidence_choice(rows, request.GET.get("confidence"))
        if group == "kind":
            order = {k: i for i, k in enumerate(QUEUE_KINDS)}
            rows.sort(key=lambda row: order[kind_of(*row)])  # stable: reading order within a kind
        elif group == "entity":
            rank = {g["entity"].pk: i for i, g in enumerate(groups)}
            rows.sort(key=lambda row: rank.get(getattr(entity_of(*row), "pk", None), len(rank)))
        page = Paginator(rows, 100).get_page(request.GET.get("page"))
        perms = perms_per_story(user)
        items = []
        for type_, obj in page.object_list:
            may = perms(obj.article)
            entity = entity_of(type_, obj)
            items.append({"kind": type_, "obj": obj, "value": f"{type_}:{obj.pk}:{obj.version}",
                          "group": (kind_of(type_, obj) if group == "kind" else
                                    (entity.name if entity else _("flags and repairs")) if group == "entity" else ""),
                          "can_review": item_allowed(may, type_, "accept" if type_ != "annotation" else "resolve",
                                                     obj),
                          "context": context_of(obj)})
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Review queue"),
            "items": items, "page": page, "stories": permissions.stories_visible_to(user).order_by("title"),
            "kinds": request.GET.getlist("kind"), "story": request.GET.get("story", ""),
            "query": query.urlencode(), "group": group, "entity_groups": groups, "total": len(rows),
            "confident": confident, "confidence": request.GET.get("confidence", ""),
            "can_review_any": user.has_perm("articles.change_any_article"),
        }
        return TemplateResponse(request, "admin/articles/article/review_queue.html", context)

    def review_bulk(self, request):
        form = BulkReviewForm(request.POST)
        try:
            data = form.validated()
        except DeskError as exc:
            messages.error(request, _("Choose accept, reject or resolve.") if "op" in form.errors else exc.message)
            return HttpResponseRedirect(request.get_full_path())
        op = data["op"]
        done, refused = review_by_story(request.user, op, form.items(), min_confidence=data.get("confidence"))
        messages.success(request, done_message(op, done))
        for line in refused[:20]:
            messages.error(request, _("Not done: %(why)s") % {"why": line})
        return HttpResponseRedirect(request.get_full_path())

    def review_json(self, request):
        """The desk's bulk review of one story: {story, op, items: [[type, id, version], ...]}."""
        def run():
            data = DeskReviewForm(read_json(request)).validated()
            article = self.desk_article(request, data["story"])
            done = suggestions_review(article=article, user=request.user, op=data["op"], items=data["items"],
                                      min_confidence=data.get("confidence"))
            return JsonResponse({"ok": True, "done": done, "message": done_message(data["op"], done)})

        return run_json(run)
