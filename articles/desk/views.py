"""The editors' desk: admin views wired through ``ArticleAdmin.get_urls``.

The annotation view and its JSON endpoints live here; workflow, revisions and previews in
``workflow.py``; the review queue in ``queue.py``. Every view checks staff status (the admin site's
``admin_view``) and then the object's permissions (``articles.permissions``) itself: the
buttons a page shows are a convenience, never the check.
"""

from django.db.models import Q
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from entities.models import Entity

from .. import services
from ..checks import article_checks
from ..models import NOTE_KINDS, Article, Block, Quote
from ..permissions import desk_permissions, item_allowed
from ..services import ACTION_LABELS, ANCHORED_TYPES, DeskError
from ..services.paragraphs import paragraph_edit
from .base import DeskBase, json_error, run_json
from .forms import FIELD_FORMS, AnchorForm, EntitySearchForm, ParagraphForm, TypeForm, read_json
from .operations import OPERATIONS, Request, perform
from .queue import ReviewQueueViews
from .serializers import LEGEND, desk_payload, entity_json, item_json
from .strings import js_strings
from .workflow import WorkflowViews


class ArticleDeskMixin(DeskBase, WorkflowViews, ReviewQueueViews):
    """Views of the desk, added to ArticleAdmin."""

    desk_template = "admin/articles/article/desk.html"

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(self.denied_as_page(view))

        name = "articles_article_"
        urls = [
            path("review/", wrap(self.review_view), name=name + "review"),
            path("entities.json", wrap(self.entity_search_view), name=name + "entities"),
            # The share link is for people without an account: not behind admin_view on purpose.
            path("shared/<int:article_id>/<str:signed>/", self.shared_preview_view, name=name + "shared"),
            path("<int:object_id>/desk/", wrap(self.desk_view), name=name + "desk"),
            path("<int:object_id>/desk/data/", wrap(self.desk_data_view), name=name + "desk_data"),
            path("<int:object_id>/desk/annotations/", wrap(self.annotation_create_view), name=name + "annotate"),
            # <kind>: quote, mention or annotation (operations.OPERATIONS), or block (op "edit": its text).
            path("<int:object_id>/desk/<str:kind>/<int:pk>/<str:op>/", wrap(self.annotation_op_view),
                 name=name + "annotation_op"),
            path("<int:object_id>/transition/", wrap(self.transition_view), name=name + "transition"),
            path("<int:object_id>/revisions/", wrap(self.revisions_view), name=name + "revisions"),
            path("<int:object_id>/revisions/diff/", wrap(self.revision_diff_view), name=name + "revision_diff"),
            path("<int:object_id>/revisions/<int:number>/restore/", wrap(self.revision_restore_view),
                 name=name + "revision_restore"),
            path("<int:object_id>/preview/", wrap(self.preview_view), name=name + "preview"),
            path("<int:object_id>/preview-links/", wrap(self.preview_link_create_view), name=name + "preview_links"),
            path("<int:object_id>/preview-links/<int:link_id>/revoke/", wrap(self.preview_link_revoke_view),
                 name=name + "preview_link_revoke"),
        ]
        return urls + super().get_urls()

    # -- the annotation view --

    @staticmethod
    def workflow_context(request, article):
        perms = desk_permissions(request.user, article)
        live = Article.objects.live().filter(working_copy=article).first()
        unpublished = False
        if live is not None:
            unpublished = article.has_unpublished_changes()
        return {
            "desk_perms": perms,
            "actions": [(a, ACTION_LABELS[a]) for a in perms["actions"]],
            "live": live, "live_is_public": live is not None and live.is_public(),
            "scheduled_for": article.publish_at if article.publish_at and article.publish_at > timezone.now() else None,
            "unpublished_changes": unpublished,
            "issues": article_checks(article),
            "transitions": list(article.transitions.select_related("user")[:50]),
        }

    def desk_view(self, request, object_id):
        article = self.desk_article(request, object_id, Article.objects.for_desk())
        context = self.workflow_context(request, article)
        perms = context["desk_perms"]
        links = list(article.preview_links.select_related("created_by").order_by("-created_at")[:20])
        now = timezone.now()
        for link in links:
            link.url = request.build_absolute_uri(reverse(
                "admin:articles_article_shared", args=[article.pk, services.preview_link_signed(link)]))
            link.valid = link.is_valid(now)
        sections = list(article.sections.all())
        by_section = {}
        for block in article.blocks.all():
            by_section.setdefault(block.section_id, []).append(block)
        for section in sections:
            section.desk_blocks = by_section.get(section.pk, [])
        context.update(
            lede=by_section.get(None, []), sections=sections, preview_links=links,
            desk_data=desk_payload(request, article, perms, context["issues"]), legend=LEGEND,
            desk_strings=js_strings(),
            note_kinds=[(k.value, k.label) for k in NOTE_KINDS], quote_kinds=Quote.Kind.choices,
            entity_kinds=Entity.Kind.choices,
        )
        return TemplateResponse(request, self.desk_template, self.desk_context(request, article, **context))

    # -- JSON endpoints --

    def desk_data_view(self, request, object_id):
        def run():
            article = self.desk_article(request, object_id, Article.objects.for_desk())
            return JsonResponse({"ok": True, **desk_payload(request, article, desk_permissions(request.user, article))})

        if request.method != "GET":
            return json_error("GET only.", 405)
        return run_json(run)

    def annotation_create_view(self, request, object_id):
        if request.method != "POST":
            return json_error("POST only.", 405)

        def run():
            article = self.desk_article(request, object_id)
            perms = desk_permissions(request.user, article)
            data = read_json(request)
            kind = TypeForm(data).validated()["type"]
            services.require(item_allowed(perms, kind, "add"),
                             _("You may not add a %(type)s to this story.") % {"type": kind})
            form = FIELD_FORMS[kind](data, perms=perms)
            form.validated()
            anchor = AnchorForm(data).validated()
            fields = form.model_fields()
            if kind in ("quote", "mention"):
                # What an editor marks is confirmed; what a reporter marks waits for an editor.
                fields["status"] = "confirmed" if perms["review"] else "suggested"
            obj = services.anchored_create(article=article, model=ANCHORED_TYPES[kind], user=request.user,
                                           block_key=anchor["block"], start=anchor["start"], end=anchor["end"],
                                           exact=anchor["exact"], fields=fields)
            return JsonResponse({"ok": True, "item": item_json(obj)}, status=201)

        return run_json(run)

    def annotation_op_view(self, request, object_id, kind, pk, op):
        if request.method != "POST":
            return json_error("POST only.", 405)

        def run():
            article = self.desk_article(request, object_id)
            perms = desk_permissions(request.user, article)
            if kind == "block":
                return self.paragraph_op(request, article, perms, pk, op)
            model = ANCHORED_TYPES.get(kind)
            if model is None:
                raise Http404(_("No such kind of annotation."))
            obj = model.objects.filter(pk=pk, article=article).first()
            if obj is None:
                raise services.Gone(_("This %(type)s no longer exists: someone deleted it, or the story was restored "
                                      "or re-imported. Reload to see the story as it is now.") % {"type": kind})
            data = read_json(request)
            if op not in OPERATIONS:
                raise Http404(_("No such operation."))
            result = perform(op, Request(article=article, perms=perms, type=kind, obj=obj, data=data,
                                         user=request.user))
            if result is None:
                return JsonResponse({"ok": True, "deleted": True, "id": pk, "type": kind})
            result = model.objects.select_related("block", "modified_by").get(pk=result.pk)
            return JsonResponse({"ok": True, "item": item_json(result)})

        return run_json(run)

    @staticmethod
    def paragraph_op(request, article, perms, pk, op):
        """``desk/block/<id>/edit/``: a paragraph's text edited in place; its anchors follow their words."""
        block = Block.objects.filter(pk=pk, article=article).first()
        if block is None:
            raise services.Gone(_("This paragraph no longer exists; reload."))
        if op != "edit":
            raise Http404(_("No such operation."))
        services.require(perms["edit"], _("You may not edit this story's text."))
        data = ParagraphForm(read_json(request)).validated()
        block, flagged = paragraph_edit(article=article, block_key=block.key, text=data["text"],
                                        expected_text=data["expected"], user=request.user)
        return JsonResponse({"ok": True, "block": block.key, "text": block.text, "flagged": flagged})

    def entity_search_view(self, request):
        if not request.user.has_perm("entities.view_entity"):
            return json_error(_("You may not look up entities."), 403)
        try:
            term = EntitySearchForm(request.GET).validated()["q"][:100]
        except DeskError as exc:
            return json_error(exc.message, exc.status, **exc.extra)
        kinds = [k for k in request.GET.getlist("kind") if k in Entity.Kind.values]
        qs = Entity.objects.all()
        if kinds:
            qs = qs.filter(kind__in=kinds)
        if term:
            qs = qs.filter(Q(name__icontains=term) | Q(aliases__text__icontains=term) | Q(slug__icontains=term))
        entities = list(qs.distinct().order_by("name").prefetch_related("roles__organization")[:20])
        return JsonResponse({"results": [
            {**entity_json(e), "roles": [{"title": r.title, "start": r.start, "end": r.end} for r in e.roles.all()]}
            for e in entities]})
