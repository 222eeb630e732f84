"""Previews: an editor sees a draft or pending change exactly as readers will, at an admin URL; a
share link shows one story to someone without an account (signed, expiring, revocable, scoped,
no-store and noindex). DL12 in ../shared/notes/reliability.md."""

from datetime import timedelta

from django.core.signing import Signer
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, PreviewLink
from articles.services import (
    article_transition,
    preview_link_create,
    preview_link_revoke,
    preview_link_signed,
)
from articles.views import story_context
from tests.articles.base import change_form_data
from tests.factories import make_user, story_with_work


def shared_url(link, article_id=None, signed=None):
    return reverse("admin:articles_article_shared",
                   args=[article_id or link.article_id, signed or preview_link_signed(link)])


def assert_private(response):
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


class AdminPreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = make_user("reporter", username="owner")
        cls.other = make_user("reporter", username="other")
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work(owner=self.owner, title="草稿標題DRAFTCANARY")
        self.url = reverse("admin:articles_article_preview", args=[self.story.pk])

    def test_anonymous_is_sent_to_login(self):
        response = self.client.get(self.url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    def test_another_reporter_is_refused(self):
        self.client.force_login(self.other)
        response = self.client.get(self.url)
        assert response.status_code == 403 and "DRAFTCANARY" not in response.content.decode()

    def test_owner_and_editor_see_the_reader_page_of_the_draft(self):
        from django.template.loader import render_to_string

        for user in (self.owner, self.editor):
            self.client.force_login(user)
            response = self.client.get(self.url)
            assert response.status_code == 200
            assert_private(response)
            names = [t.name for t in response.templates]
            assert names[0] == "admin/articles/article/preview_page.html" and names[1] == "articles/article_detail.html"
            assert "草稿標題DRAFTCANARY" in response.content.decode()
        # Exactly what readers would get: the reader template over the same context.
        article = Article.objects.filter(pk=self.story.pk).for_story_page().get()
        expected = render_to_string("articles/article_detail.html", story_context(article),
                                    request=response.wsgi_request)
        # (the preview banner stands above the story, inside <main>)
        story = expected.split("<main")[1].split("</main>")[0]
        assert "<article" + story.split("<article", 1)[1].rsplit("</article>", 1)[0] in response.content.decode()

    def test_pending_changes_of_a_published_story(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        self.client.force_login(self.editor)
        self.client.post(reverse("admin:articles_article_change", args=[self.story.pk]),
                         change_form_data(Article.objects.get(pk=self.story.pk), title="PENDINGCANARY"))
        assert "PENDINGCANARY" in self.client.get(self.url).content.decode()
        self.client.logout()
        assert "PENDINGCANARY" not in self.client.get(f"/stories/{self.story.slug}/").content.decode()

    def test_live_editions_have_no_preview(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        live = Article.objects.live().get(working_copy=self.story)
        self.client.force_login(self.editor)
        assert self.client.get(reverse("admin:articles_article_preview", args=[live.pk])).status_code == 404


class ShareLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work(title="草稿標題DRAFTCANARY")
        self.other = story_with_work(slug="other-story", title="另一篇OTHERCANARY")

    def test_editor_makes_a_link_valid_seven_days_by_default(self):
        self.client.force_login(self.editor)
        response = self.client.post(reverse("admin:articles_article_preview_links", args=[self.story.pk]),
                                    follow=True)
        link = PreviewLink.objects.get(article=self.story)
        assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)
        assert link.created_by == self.editor
        assert shared_url(link) in response.content.decode()  # shown on the desk
        assert len(link.token) >= 43  # 256 random bits, url-safe base64

    def test_anyone_with_the_link_sees_the_story_privately(self):
        link = preview_link_create(article=self.story, user=self.editor)
        response = self.client.get(shared_url(link))
        assert response.status_code == 200
        assert_private(response)
        assert response["Referrer-Policy"] == "no-referrer"
        assert "草稿標題DRAFTCANARY" in response.content.decode()

    def test_expired_link_is_refused(self):
        link = preview_link_create(article=self.story, user=self.editor, now=timezone.now() - timedelta(days=8))
        response = self.client.get(shared_url(link))
        assert response.status_code == 404
        assert_private(response)
        assert "DRAFTCANARY" not in response.content.decode()

    def test_revoked_link_is_refused(self):
        link = preview_link_create(article=self.story, user=self.editor)
        assert self.client.get(shared_url(link)).status_code == 200
        self.client.force_login(self.editor)
        self.client.post(reverse("admin:articles_article_preview_link_revoke", args=[self.story.pk, link.pk]))
        self.client.logout()
        link.refresh_from_db()
        assert link.revoked_at is not None
        response = self.client.get(shared_url(link))
        assert response.status_code == 404 and "DRAFTCANARY" not in response.content.decode()

    def test_link_is_scoped_to_its_story(self):
        link = preview_link_create(article=self.story, user=self.editor)
        signed = preview_link_signed(link)
        response = self.client.get(shared_url(link, article_id=self.other.pk, signed=signed))
        assert response.status_code == 404 and "OTHERCANARY" not in response.content.decode()
        # Re-signing the token for another story needs the secret key; a forged signature fails.
        forged = f"{self.other.pk}.{link.token}:{signed.rsplit(':', 1)[1]}"
        assert self.client.get(shared_url(link, article_id=self.other.pk, signed=forged)).status_code == 404
        # A correctly signed value whose token belongs to another story's link also fails.
        other_link = preview_link_create(article=self.other, user=self.editor)
        crossed = Signer(salt=PreviewLink.SALT).sign(f"{self.story.pk}.{other_link.token}")
        assert self.client.get(shared_url(link, signed=crossed)).status_code == 404

    def test_unsigned_or_tampered_tokens_are_refused(self):
        link = preview_link_create(article=self.story, user=self.editor)
        for signed in (link.token, f"{self.story.pk}.{link.token}", preview_link_signed(link)[:-2] + "xx"):
            assert self.client.get(shared_url(link, signed=signed)).status_code == 404

    def test_share_url_accepts_only_get(self):
        link = preview_link_create(article=self.story, user=self.editor)
        assert self.client.post(shared_url(link)).status_code == 405

    def test_revoking_through_another_storys_url_is_refused(self):
        link = preview_link_create(article=self.story, user=self.editor)
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_preview_link_revoke", args=[self.other.pk, link.pk])
        assert self.client.post(url).status_code == 404
        link.refresh_from_db()
        assert link.revoked_at is None

    def test_fact_checker_cannot_make_links(self):
        checker = make_user("fact-checker")
        self.client.force_login(checker)
        response = self.client.post(reverse("admin:articles_article_preview_links", args=[self.story.pk]))
        assert response.status_code == 403 and not PreviewLink.objects.exists()

    def test_service_revoke_is_idempotent(self):
        link = preview_link_create(article=self.story, days=1)
        first = preview_link_revoke(link=link).revoked_at
        assert preview_link_revoke(link=link).revoked_at == first

    def test_a_link_made_from_the_model_gets_a_token_a_lifetime_and_a_url(self):
        link = PreviewLink.objects.create(article=self.story)
        assert len(link.token) >= 43
        assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)
        assert link.get_absolute_url() == shared_url(link)
        assert self.client.get(link.get_absolute_url()).status_code == 200
