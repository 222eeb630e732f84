"""The editors' desk: admin views wired through ``ArticleAdmin.get_urls``.

The annotation view and its JSON endpoints, workflow transitions, revisions (history, diff,
restore), previews and share links, and the review queue. Every view checks staff status (the
admin site's ``admin_view``) and then the object's permissions
(``articles.permissions``) itself: the buttons a page shows are a convenience, never the check.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme

from entities.models import Entity, validate_partial_date
from entities.services import entity_create

from . import permissions, services
from .checks import article_checks
from .diff import diff_stories
from .models import Annotation, Article, Mention, PreviewLink, Quote
from .permissions import desk_permissions, item_allowed
from .services import ACTION_LABELS, ANCHORED_TYPES, NOTE_KINDS, DeskError, export_story
from .views import story_context

SPEAKER_KINDS = (Entity.Kind.PERSON, Entity.Kind.ORGANIZATION)
MAX_BODY = 64 * 1024  # a desk request carries one annotation; anything bigger is not ours


def user_name(user):
    return services.describe_user(user) if user is not None else ""


def iso(value):
    return timezone.localtime(value).isoformat() if value else None


# --- serialising ---------------------------------------------------------------------------------

def entity_json(entity):
    if entity is None:
        return None
    return {"id": entity.pk, "name": entity.name, "kind": entity.kind, "slug": entity.slug}


def item_json(obj):
    """A quote, mention or annotation as the desk's JavaScript knows it (offsets in code points)."""
    data = {
        "id": obj.pk, "key": obj.key, "block": obj.block.key, "start": obj.start, "end": obj.end,
        "exact": obj.exact, "status": obj.status, "version": obj.version,
        "modified_by": user_name(obj.modified_by), "modified_at": iso(obj.modified_at),
    }
    if isinstance(obj, Quote):
        data.update(type="quote", kind=obj.kind, speaker=entity_json(obj.speaker), role=obj.role,
                    said_on=obj.said_on, event=entity_json(obj.event), note=obj.note,
                    label=f"{obj.key} · {obj.speaker.name if obj.speaker else '(no speaker)'}")
    elif isinstance(obj, Mention):
        data.update(type="mention", kind=obj.entity.kind, entity=entity_json(obj.entity),
                    label=f"{obj.entity.name}")
    else:
        data.update(type="annotation", kind=obj.kind, body=obj.body, public=obj.public, original=obj.original,
                    label=f"{obj.key} · {obj.get_kind_display()}")
    return data


def desk_items(article):
    """Every anchored object of a ``for_desk()`` article, in reading order."""
    items = [*article.quotes.all(), *article.mentions.all(), *article.annotations.all()]
    position = {b.pk: b.position for b in article.blocks.all()}
    items.sort(key=lambda o: (position.get(o.block_id, 0), o.start, -o.end))
    return items


def desk_payload(request, article, perms, issues=None):
    sections = {s.pk: s for s in article.sections.all()}
    blocks = [{
        "key": b.key, "kind": b.kind, "text": b.text, "alt": b.alt, "caption": b.caption,
        "section": sections[b.section_id].number if b.section_id else "",
    } for b in article.blocks.all()]
    base = reverse("admin:articles_article_desk", args=[article.pk])
    return {
        "article": {"id": article.pk, "title": article.title, "version": article.version, "status": article.status},
        "blocks": blocks,
        "items": [item_json(o) for o in desk_items(article)],
        "perms": {k: v for k, v in perms.items() if k != "actions"},
        "issues": [i.as_dict() for i in (article_checks(article) if issues is None else issues)],
        "urls": {
            "create": base + "annotations/", "item": base, "data": base + "data/",
            "entities": reverse("admin:articles_article_entities"),
        },
        "kinds": {
            "quote": Quote.Kind.choices, "note": [(k.value, k.label) for k in NOTE_KINDS],
            "entity": Entity.Kind.choices,
        },
    }


# --- JSON helpers --------------------------------------------------------------------------------

def json_error(message, status=400, **extra):
    return JsonResponse({"ok": False, "error": str(message), **extra}, status=status)


def read_json(request):
    if len(request.body) > MAX_BODY:
        raise DeskError("The request is too large.")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DeskError("The request is not valid JSON.") from None
    if not isinstance(data, dict):
        raise DeskError("The request must be a JSON object.")
    return data


def as_int(value, what):
    if isinstance(value, bool) or value is None:
        raise DeskError(f"{what} is missing or not a number.")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DeskError(f"{what} is not a number.") from None


def as_text(data, key, max_length=None, default=""):
    value = data.get(key, default)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DeskError(f"{key} must be text.")
    value = value.strip()
    if max_length and len(value) > max_length:
        raise DeskError(f"{key} is longer than {max_length} characters.")
    return value


def entity_choice(data, key, *, kinds, perms, what):
    """An existing entity by id, or a new one from ``<key>_new`` {name, kind} (needs entities.add_entity)."""
    new = data.get(f"{key}_new")
    if new:
        if not perms["new_entity"]:
            raise PermissionDenied("You may not create entities.")
        if not isinstance(new, dict):
            raise DeskError(f"{key}_new must be an object with name and kind.")
        name, kind = as_text(new, "name", 200), as_text(new, "kind", 20)
        if not name:
            raise DeskError(f"Give the new {what} a name.")
        if kind not in kinds:
            raise DeskError(f"A {what} is one of: {', '.join(kinds)}.")
        existing = Entity.objects.filter(Q(name=name) | Q(aliases__text=name), kind=kind).first()
        if existing is not None:
            return existing
        try:
            return entity_create(name=name, kind=kind)
        except ValidationError as exc:
            raise DeskError(" ".join(exc.messages)) from None
    value = data.get(key)
    if value in (None, ""):
        return None
    entity = Entity.objects.filter(pk=as_int(value, key)).first()
    if entity is None:
        raise DeskError(f"That {what} does not exist (any more).")
    if entity.kind not in kinds:
        raise DeskError(f"{entity.name} is a {entity.get_kind_display()}; a {what} is one of: {', '.join(kinds)}.")
    return entity


def quote_fields(data, perms):
    kind = as_text(data, "kind", default=Quote.Kind.DIRECT) or Quote.Kind.DIRECT
    if kind not in Quote.Kind.values:
        raise DeskError(f"A quote is one of: {', '.join(Quote.Kind.values)}.")
    said_on = as_text(data, "said_on", 10)
    if said_on:
        try:
            validate_partial_date(said_on)
        except ValidationError as exc:
            raise DeskError(f"Date: {' '.join(exc.messages)}") from None
    return {
        "kind": kind,
        "speaker": entity_choice(data, "speaker", kinds=SPEAKER_KINDS, perms=perms, what="speaker"),
        "role": as_text(data, "role", 200), "said_on": said_on,
        "event": entity_choice(data, "event", kinds=(Entity.Kind.EVENT,), perms=perms, what="event"),
        "note": as_text(data, "note", 5000),
    }


def mention_fields(data, perms):
    entity = entity_choice(data, "entity", kinds=Entity.Kind.values, perms=perms, what="entity")
    if entity is None:
        raise DeskError("Choose the entity this mention names (or create it).")
    return {"entity": entity}


def annotation_fields(data, perms, current=None):
    kind = as_text(data, "kind", default=current.kind if current else Annotation.Kind.NOTE)
    if current is not None and current.kind not in NOTE_KINDS:
        if kind != current.kind:
            raise DeskError("The kind of an importer's flag or repair cannot change.")
    elif kind not in NOTE_KINDS:
        raise DeskError(f"A note is one of: {', '.join(NOTE_KINDS)}.")
    public = data.get("public")
    if public is None:
        public = kind != Annotation.Kind.NOTE
    if not isinstance(public, bool):
        raise DeskError("public must be true or false.")
    if kind == Annotation.Kind.NOTE and public:
        raise DeskError("An internal note cannot be public; make it a context note.")
    return {"kind": kind, "body": as_text(data, "body", 5000), "public": public}


def anchor_of(data):
    block = as_text(data, "block", 100)
    if not block:
        raise DeskError("Select some words in one paragraph first.")
    exact = data.get("exact")
    if not isinstance(exact, str) or not exact:
        raise DeskError("The selection's words are missing.")
    return {"block": block, "start": as_int(data.get("start"), "start"), "end": as_int(data.get("end"), "end"),
            "exact": exact}


# --- the mixin -----------------------------------------------------------------------------------

class ArticleDeskMixin:
    """Views of the desk, added to ArticleAdmin."""

    desk_template = "admin/articles/article/desk.html"

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        name = "articles_article_"
        urls = [
            path("review/", wrap(self.review_view), name=name + "review"),
            path("entities.json", wrap(self.entity_search_view), name=name + "entities"),
            # The share link is for people without an account: not behind admin_view on purpose.
            path("shared/<int:article_id>/<str:signed>/", self.shared_preview_view, name=name + "shared"),
            path("<int:object_id>/desk/", wrap(self.desk_view), name=name + "desk"),
            path("<int:object_id>/desk/data/", wrap(self.desk_data_view), name=name + "desk_data"),
            path("<int:object_id>/desk/annotations/", wrap(self.annotation_create_view), name=name + "annotate"),
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

    # -- shared helpers --

    def desk_article(self, request, object_id, queryset=None):
        """The working copy ``object_id`` if ``request.user`` may see it: 404 if none, 403 if not theirs."""
        article = (Article.objects.all() if queryset is None else queryset).working().filter(pk=object_id).first()
        if article is None:
            raise Http404("No such story.")
        if not permissions.can_view_story(request.user, article):
            raise PermissionDenied("You may not open this story.")
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
            note_kinds=[(k.value, k.label) for k in NOTE_KINDS], quote_kinds=Quote.Kind.choices,
            entity_kinds=Entity.Kind.choices,
        )
        return TemplateResponse(request, self.desk_template, self.desk_context(request, article, **context))

    @staticmethod
    def _json_view(request, func):
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
            return json_error(str(exc) or "You do not have permission to do that.", 403)
        except Http404 as exc:
            return json_error(str(exc) or "Not found.", 404)

    def desk_data_view(self, request, object_id):
        def run():
            article = self.desk_article(request, object_id, Article.objects.for_desk())
            return JsonResponse({"ok": True, **desk_payload(request, article, desk_permissions(request.user, article))})

        if request.method != "GET":
            return json_error("GET only.", 405)
        return self._json_view(request, run)

    def annotation_create_view(self, request, object_id):
        if request.method != "POST":
            return json_error("POST only.", 405)

        def run():
            article = self.desk_article(request, object_id)
            perms = desk_permissions(request.user, article)
            data = read_json(request)
            kind = data.get("type")
            if kind not in ANCHORED_TYPES:
                raise DeskError("type is one of quote, mention, annotation.")
            services.require(item_allowed(perms, kind, "add"), f"You may not add a {kind} to this story.")
            if kind == "quote":
                fields = quote_fields(data, perms)
            elif kind == "mention":
                fields = mention_fields(data, perms)
            else:
                fields = annotation_fields(data, perms)
            if kind in ("quote", "mention"):
                # What an editor marks is confirmed; what a reporter marks waits for an editor.
                fields["status"] = "confirmed" if perms["review"] else "suggested"
            a = anchor_of(data)
            obj = services.anchored_create(article=article, model=ANCHORED_TYPES[kind], user=request.user,
                                           block_key=a["block"], start=a["start"], end=a["end"], exact=a["exact"],
                                           fields=fields)
            return JsonResponse({"ok": True, "item": item_json(obj)}, status=201)

        return self._json_view(request, run)

    def annotation_op_view(self, request, object_id, kind, pk, op):
        if request.method != "POST":
            return json_error("POST only.", 405)

        def run():
            article = self.desk_article(request, object_id)
            perms = desk_permissions(request.user, article)
            model = ANCHORED_TYPES.get(kind)
            if model is None:
                raise Http404("No such kind of annotation.")
            obj = model.objects.filter(pk=pk, article=article).first()
            if obj is None:
                raise services.Gone(f"This {kind} no longer exists: someone deleted it, or the story was restored "
                                    f"or re-imported. Reload to see the story as it is now.")
            data = read_json(request)
            version = data.get("version")
            common = {"article": article, "pk": pk, "user": request.user, "expected_version": version}
            if op == "save":
                services.require(item_allowed(perms, kind, "change", obj))
                fields = {"quote": quote_fields, "mention": mention_fields}.get(kind)
                fields = fields(data, perms) if fields else annotation_fields(data, perms, current=obj)
                anchor = anchor_of(data) if data.get("block") else None
                result = services.anchored_update(model=model, fields=fields, anchor=anchor, **common)
            elif op == "delete":
                services.require(item_allowed(perms, kind, "delete", obj))
                services.anchored_delete(model=model, **common)
                return JsonResponse({"ok": True, "deleted": True, "id": pk, "type": kind})
            elif op in ("accept", "reject"):
                services.require(item_allowed(perms, kind, op, obj), "Only an editor confirms or rejects suggestions.")
                if op == "reject":
                    services.suggestion_reject(model=model, **common)
                    return JsonResponse({"ok": True, "deleted": True, "id": pk, "type": kind})
                result = services.suggestion_accept(model=model, **common)
            elif op in ("resolve", "reopen"):
                services.require(item_allowed(perms, kind, op, obj))
                result = services.annotation_resolve(resolved=op == "resolve", **common)
            elif op in ("verify", "dispute"):
                services.require(item_allowed(perms, kind, op, obj), "Only a fact-checker verifies quotes.")
                result = services.quote_verify(status="verified" if op == "verify" else "disputed", **common)
            else:
                raise Http404("No such operation.")
            result = model.objects.select_related("block", "modified_by").get(pk=result.pk)
            return JsonResponse({"ok": True, "item": item_json(result)})

        return self._json_view(request, run)

    def entity_search_view(self, request):
        if not request.user.has_perm("entities.view_entity"):
            return json_error("You may not look up entities.", 403)
        term = (request.GET.get("q") or "").strip()[:100]
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

    # -- workflow --

    def transition_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:articles_article_desk", args=[object_id]))
        article = self.desk_article(request, object_id)
        action = request.POST.get("action", "")
        perms = desk_permissions(request.user, article)
        if action not in perms["actions"]:
            raise PermissionDenied(f"You may not {action.replace('_', ' ') or 'do that to'} this story now.")
        publish_at = None
        raw_when = (request.POST.get("publish_at") or "").strip()
        if action == "publish" and raw_when:
            publish_at = parse_datetime(raw_when)
            if publish_at is None:
                messages.error(request, "The publication time is not a date and time.")
                return self.back(request, article)
            if timezone.is_naive(publish_at):
                publish_at = timezone.make_aware(publish_at)
        elif action == "publish" and article.publish_at and article.publish_at > timezone.now():
            publish_at = timezone.now()  # the time field left empty: publish now, not at the old schedule
        try:
            services.article_transition(
                article=article, action=action, user=request.user, expected_version=request.POST.get("version"),
                note=request.POST.get("note", "")[:2000], confirm=request.POST.get("confirm") == "yes",
                publish_at=publish_at, override_reason=request.POST.get("override_reason", "")[:500])
        except services.PublishBlocked:
            # The publish gate's page: the blocking checks, and for an editor the reason to override.
            return HttpResponseRedirect(reverse("admin:articles_article_publish", args=[article.pk]))
        except services.ChecksNotConfirmed as exc:
            context = self.desk_context(request, article, issues=exc.issues, action=action,
                                        version=request.POST.get("version"), note=request.POST.get("note", ""),
                                        publish_at=raw_when, next=request.POST.get("next", ""))
            return TemplateResponse(request, "admin/articles/article/publish_confirmation.html", context, status=409)
        except DeskError as exc:
            messages.error(request, exc.message)
            return self.back(request, article)
        article.refresh_from_db()
        messages.success(request, f"{ACTION_LABELS[action]}: the story is now {article.get_status_display()} "
                                  f"({article.status}).")
        return self.back(request, article)

    # -- revisions --

    def revisions_view(self, request, object_id):
        article = self.desk_article(request, object_id)
        perms = desk_permissions(request.user, article)
        revisions = list(article.revisions.select_related("user").defer("data").order_by("-number")[:200])
        context = self.desk_context(request, article, revisions=revisions, desk_perms=perms,
                                    transitions=list(article.transitions.select_related("user")[:100]))
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def _revision_doc(self, article, ref):
        if ref == "current":
            return "working copy now", export_story(article)
        if ref == "live":
            live = Article.objects.live().filter(working_copy=article).first()
            if live is None:
                raise Http404("This story has no live edition.")
            return "live edition", export_story(live)
        try:
            number = int(ref)
        except (TypeError, ValueError):
            raise Http404("No such revision.") from None
        revision = article.revisions.filter(number=number).select_related("user").first()
        if revision is None:
            raise Http404("No such revision.")
        return f"r{revision.number} ({revision.action}, {user_name(revision.user) or 'system'}, " \
               f"{timezone.localtime(revision.created_at):%Y-%m-%d %H:%M})", revision.data

    def revision_diff_view(self, request, object_id):
        article = self.desk_article(request, object_id)
        a_ref, b_ref = request.GET.get("a", ""), request.GET.get("b", "current")
        a_label, a_doc = self._revision_doc(article, a_ref)
        b_label, b_doc = self._revision_doc(article, b_ref)
        context = self.desk_context(request, article, diff=diff_stories(a_doc, b_doc), a_label=a_label,
                                    b_label=b_label, a_ref=a_ref, b_ref=b_ref)
        return TemplateResponse(request, "admin/articles/article/revision_diff.html", context)

    @staticmethod
    def _require_post(request):
        if request.method != "POST":
            raise PermissionDenied("This changes the story: POST only.")

    def revision_restore_view(self, request, object_id, number):
        article = self.desk_article(request, object_id)
        self._require_post(request)
        services.require(desk_permissions(request.user, article)["restore"], "You may not edit this story.")
        revision = article.revisions.filter(number=number).first()
        if revision is None:
            raise Http404("No such revision.")
        try:
            new = services.revision_restore(article=article, revision=revision, user=request.user,
                                            expected_version=request.POST.get("version"))
        except DeskError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Restored revision r{number} as the new revision r{new.number}. "
                                      "Readers see it when the story is published.")
        return self.back(request, article, default="revisions")

    # -- previews --

    @staticmethod
    def render_reader_page(request, article_id):
        article = Article.objects.filter(pk=article_id).for_story_page().get()
        response = render(request, "articles/article_detail.html", story_context(article))
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)
        return response

    def preview_view(self, request, object_id):
        article = self.desk_article(request, object_id)
        return self.render_reader_page(request, article.pk)

    def shared_preview_view(self, request, article_id, signed):
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"error": "GET only."}, status=405)
        else:
            link = services.preview_link_resolve(article_id=article_id, signed=signed)
            if link is None:
                response = render(request, "admin/articles/article/shared_gone.html", status=404)
            else:
                response = self.render_reader_page(request, link.article_id)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        add_never_cache_headers(response)
        return response

    def preview_link_create_view(self, request, object_id):
        article = self.desk_article(request, object_id)
        self._require_post(request)
        services.require(desk_permissions(request.user, article)["share"], "You may not share this story.")
        try:
            days = int(request.POST.get("days") or services.PREVIEW_DAYS)
        except ValueError:
            days = services.PREVIEW_DAYS
        link = services.preview_link_create(article=article, user=request.user, days=days)
        url = request.build_absolute_uri(reverse("admin:articles_article_shared",
                                                 args=[article.pk, services.preview_link_signed(link)]))
        until = timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")
        messages.success(request, f"Share link (valid until {until}): {url}")
        return self.back(request, article)

    def preview_link_revoke_view(self, request, object_id, link_id):
        article = self.desk_article(request, object_id)
        self._require_post(request)
        services.require(desk_permissions(request.user, article)["share"], "You may not share this story.")
        link = PreviewLink.objects.filter(pk=link_id, article=article).first()
        if link is None:
            raise Http404("No such share link.")
        services.preview_link_revoke(link=link)
        messages.success(request, "The share link is revoked; it no longer opens the story.")
        return self.back(request, article)

    # -- the review queue --

    def review_queue(self, request):
        """Open suggestions, flags and repairs in the stories ``request.user`` may see, as (type, queryset)."""
        stories = permissions.stories_visible_to(request.user)
        kinds = request.GET.getlist("kind") or ["quote", "mention", "flag", "repair"]
        story = request.GET.get("story")
        scope = Q(article__in=stories)
        if story and story.isdigit():
            scope &= Q(article_id=int(story))
        related = ("article", "block", "block__section", "modified_by")
        out = []
        if "quote" in kinds:
            out.append(("quote", Quote.objects.filter(scope, status="suggested").select_related(*related, "speaker")))
        if "mention" in kinds:
            out.append(("mention", Mention.objects.filter(scope, status="suggested")
                        .select_related(*related, "entity")))
        marks = [k for k in ("flag", "repair") if k in kinds]
        if marks:
            out.append(("annotation", Annotation.objects.filter(scope, status="open", kind__in=marks)
                        .select_related(*related)))
        return out

    def review_view(self, request):
        if not permissions.can_open_review_queue(request.user):
            raise PermissionDenied("You may not see the review queue.")
        if request.method == "POST":
            return self.review_bulk(request)
        rows = []
        for kind, qs in self.review_queue(request):
            rows += [(kind, obj) for obj in qs.order_by("article_id", "block__position", "start")]
        page = Paginator(rows, 100).get_page(request.GET.get("page"))
        perms_by_article = {}
        items = []
        for kind, obj in page.object_list:
            perms = perms_by_article.get(obj.article_id)
            if perms is None:
                perms = perms_by_article[obj.article_id] = desk_permissions(request.user, obj.article)
            items.append({"kind": kind, "obj": obj, "value": f"{kind}:{obj.pk}:{obj.version}",
                          "can_review": item_allowed(perms, kind, "accept" if kind != "annotation" else "resolve", obj),
                          "context": context_of(obj)})
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "Review queue",
            "items": items, "page": page, "stories": permissions.stories_visible_to(request.user).order_by("title"),
            "kinds": request.GET.getlist("kind"), "story": request.GET.get("story", ""),
            "query": query.urlencode(),
        }
        return TemplateResponse(request, "admin/articles/article/review_queue.html", context)

    def review_bulk(self, request):
        op = request.POST.get("op")
        if op not in ("accept", "reject", "resolve"):
            messages.error(request, "Choose accept, reject or resolve.")
            return HttpResponseRedirect(request.get_full_path())
        done, refused = 0, []
        perms_by_article = {}
        for value in request.POST.getlist("item")[:500]:
            kind, _, rest = value.partition(":")
            pk, _, version = rest.partition(":")
            model = ANCHORED_TYPES.get(kind)
            if model is None or not pk.isdigit() or not version.isdigit():
                continue
            obj = model.objects.select_related("article").filter(pk=int(pk)).first()
            if obj is None or obj.article.edition != "working":
                refused.append(f"{kind} {pk}: it no longer exists.")
                continue
            article = obj.article
            perms = perms_by_article.get(article.pk)
            if perms is None:
                perms = perms_by_article[article.pk] = desk_permissions(request.user, article)
            common = {"article": article, "pk": obj.pk, "user": request.user, "expected_version": int(version)}
            try:
                with transaction.atomic():
                    if op in ("accept", "reject") and kind in ("quote", "mention"):
                        services.require(item_allowed(perms, kind, op, obj),
                                         "only an editor confirms or rejects suggestions")
                        if op == "accept":
                            services.suggestion_accept(model=model, **common)
                        else:
                            services.suggestion_reject(model=model, **common)
                    elif op == "resolve" and kind == "annotation" and obj.kind in ("flag", "repair"):
                        services.require(item_allowed(perms, kind, op, obj), "you may not resolve it")
                        services.annotation_resolve(**common)
                    else:
                        raise DeskError(f"cannot {op} a {obj.kind if kind == 'annotation' else kind}")
                done += 1
            except (DeskError, PermissionDenied) as exc:
                message = exc.message if isinstance(exc, DeskError) else (str(exc) or "permission denied")
                refused.append(f"{obj.key} in «{article.title}»: {message}")
        past = {"accept": "Accepted", "reject": "Rejected", "resolve": "Resolved"}[op]
        messages.success(request, f"{past} {done}.")
        for line in refused[:20]:
            messages.error(request, f"Not done: {line}")
        return HttpResponseRedirect(request.get_full_path())


def context_of(obj, width=20):
    """The anchored words with a few characters either side: (before, words, after)."""
    text = obj.block.text
    return text[max(0, obj.start - width):obj.start], text[obj.start:obj.end], text[obj.end:obj.end + width]


LEGEND = (
    ("quote", "Quote"), ("mention", "Mention"), ("note", "Note (internal)"), ("context", "Context (public)"),
    ("sic", "Sic (public)"), ("correction", "Correction (public)"), ("repair", "Repair (importer)"),
    ("flag hl-open", "Flag (needs an editor)"), ("repair hl-open", "Repair to review"),
    ("quote hl-verified", "Quote verified"), ("quote hl-disputed", "Quote disputed"), ("suggested", "Suggestion"),
    ("note hl-resolved", "Resolved"),
)
