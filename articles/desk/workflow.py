"""The desk's workflow pages: transitions, revisions (history, diff, restore), previews and share links."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .. import services
from ..diff import diff_stories
from ..models import Article, PreviewLink
from ..permissions import desk_permissions
from ..services import ACTION_LABELS, DeskError, export_story
from ..views import story_context
from .forms import TransitionForm, VersionForm
from .serializers import user_name


class WorkflowViews:
    """Transitions, revisions and previews (mixed into ArticleAdmin with DeskBase)."""

    def transition_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:articles_article_desk", args=[object_id]))
        article = self.desk_article(request, object_id)
        action = request.POST.get("action", "")
        perms = desk_permissions(request.user, article)
        if action not in perms["actions"]:
            raise PermissionDenied(_("You may not %(action)s this story now.")
                                   % {"action": action.replace("_", " ") or _("do that to")})
        form = TransitionForm(request.POST)
        try:
            data = form.validated()
        except DeskError as exc:
            messages.error(request, exc.message)
            return self.back(request, article)
        publish_at = None
        if action == "publish" and data["publish_at"]:
            publish_at = data["publish_at"]
            if timezone.is_naive(publish_at):
                publish_at = timezone.make_aware(publish_at)
        elif action == "publish" and article.publish_at and article.publish_at > timezone.now():
            publish_at = timezone.now()  # the time field left empty: publish now, not at the old schedule
        gate_page = HttpResponseRedirect(reverse("admin:articles_article_publish", args=[article.pk]))
        if action == "publish" and data["confirm"] != "yes":
            # Nothing goes live without a look at what readers will see change and at what is still open.
            # Blocking checks: the publish gate's own page (where an editor may give a reason to override).
            gate = services.publish_gate(article)
            if gate.blocking:
                return gate_page
            return self.publish_confirmation(request, article, gate.warnings, form, data)
        try:
            services.article_transition(
                article=article, action=action, user=request.user, expected_version=data["version"],
                note=data["note"][:2000], confirm=data["confirm"] == "yes", publish_at=publish_at,
                override_reason=data["override_reason"])
        except services.PublishBlocked:
            return gate_page
        except services.ChecksNotConfirmed as exc:
            return self.publish_confirmation(request, article, exc.issues, form, data)
        except DeskError as exc:
            messages.error(request, exc.message)
            return self.back(request, article)
        article.refresh_from_db()
        messages.success(request, _("%(action)s: the story is now %(status)s (%(code)s).") % {
            "action": ACTION_LABELS[action], "status": article.get_status_display(), "code": article.status})
        return self.back(request, article)

    def publish_confirmation(self, request, article, issues, form, data):
        """The page that asks before publishing what the gate lets through: what changes for readers, and
        the gate's warnings (409 if any). Blocking checks have the gate's page (``publish_views``)."""
        live = Article.objects.live().filter(working_copy=article).first()
        context = self.desk_context(
            request, article, issues=issues, action="publish", version=form.data.get("version", ""),
            note=data["note"], publish_at=form.data.get("publish_at") or "", next=data["next"],
            when=data["publish_at"], live=live, summary=services.readers_changes(article, live))
        return TemplateResponse(request, "admin/articles/article/publish_confirmation.html", context,
                                status=409 if issues else 200)

    # -- revisions --

    def revisions_view(self, request, object_id):
        article = self.desk_article(request, object_id)
        perms = desk_permissions(request.user, article)
        revisions = list(article.revisions.select_related("user").defer("snapshot", "delta").order_by("-number")[:200])
        context = self.desk_context(request, article, revisions=revisions, desk_perms=perms,
                                    transitions=list(article.transitions.select_related("user")[:100]))
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    @staticmethod
    def revision_doc(article, ref):
        if ref == "current":
            return "working copy now", export_story(article)
        if ref == "live":
            live = Article.objects.live().filter(working_copy=article).first()
            if live is None:
                raise Http404(_("This story has no live edition."))
            return "live edition", export_story(live)
        try:
            number = int(ref)
        except (TypeError, ValueError):
            raise Http404(_("No such revision.")) from None
        revision = article.revisions.filter(number=number).select_related("user").first()
        if revision is None:
            raise Http404(_("No such revision."))
        when = formats.date_format(timezone.localtime(revision.created_at), "DATETIME_FORMAT")
        return f"r{revision.number} ({revision.action}, {user_name(revision.user) or 'system'}, {when})", revision.data

    def revision_diff_view(self, request, object_id):
        article = self.desk_article(request, object_id)
        a_ref, b_ref = request.GET.get("a", ""), request.GET.get("b", "current")
        a_label, a_doc = self.revision_doc(article, a_ref)
        b_label, b_doc = self.revision_doc(article, b_ref)
        context = self.desk_context(request, article, diff=diff_stories(a_doc, b_doc), a_label=a_label,
                                    b_label=b_label, a_ref=a_ref, b_ref=b_ref)
        return TemplateResponse(request, "admin/articles/article/revision_diff.html", context)

    def revision_restore_view(self, request, object_id, number):
        article = self.desk_article(request, object_id)
        self.require_post(request)
        services.require(desk_permissions(request.user, article)["restore"], _("You may not edit this story."))
        revision = article.revisions.filter(number=number).first()
        if revision is None:
            raise Http404(_("No such revision."))
        try:
            version = VersionForm(request.POST).validated()["version"]
            new = services.revision_restore(article=article, revision=revision, user=request.user,
                                            expected_version=version)
        except DeskError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Restored revision r%(old)d as the new revision r%(new)d. Readers see it "
                                        "when the story is published.") % {"old": number, "new": new.number})
        return self.back(request, article, default="revisions")

    # -- previews --

    @staticmethod
    def render_reader_page(request, article_id, link=None):
        """The reader's story page of a working copy under the preview banner (with ``link``'s expiry)."""
        article = Article.objects.filter(pk=article_id).for_story_page().get()
        context = {**story_context(article), "preview_link": link,
                   "has_live": Article.objects.live().filter(working_copy_id=article.pk).exists()}
        response = render(request, "admin/articles/article/preview_page.html", context)
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
                response = self.render_reader_page(request, link.article_id, link=link)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        add_never_cache_headers(response)
        return response

    def preview_link_create_view(self, request, object_id):
        article = self.desk_article(request, object_id)
        self.require_post(request)
        services.require(desk_permissions(request.user, article)["share"], _("You may not share this story."))
        try:
            days = int(request.POST.get("days") or services.PREVIEW_DAYS)
        except ValueError:
            days = services.PREVIEW_DAYS
        link = services.preview_link_create(article=article, user=request.user, days=days)
        url = request.build_absolute_uri(reverse("admin:articles_article_shared",
                                                 args=[article.pk, services.preview_link_signed(link)]))
        until = timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")
        messages.success(request, _("Share link (valid until %(until)s): %(url)s") % {"until": until, "url": url})
        return self.back(request, article)

    def preview_link_revoke_view(self, request, object_id, link_id):
        article = self.desk_article(request, object_id)
        self.require_post(request)
        services.require(desk_permissions(request.user, article)["share"], _("You may not share this story."))
        link = PreviewLink.objects.filter(pk=link_id, article=article).first()
        if link is None:
            raise Http404(_("No such share link."))
        services.preview_link_revoke(link=link)
        messages.success(request, _("The share link is revoked; it no longer opens the story."))
        return self.back(request, article)
