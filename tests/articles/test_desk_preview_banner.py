"""The preview banner (issue 11 item 6): an editor's preview and a share link's page say, above the
reader's page, that this is a preview, whether it is a draft or unpublished changes, and until when
the share link works."""

from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.services import article_transition, preview_link_create, preview_link_signed
from tests.factories import make_user, story_with_work


def banner(response):
    page = response.content.decode()
    assert page.count('id="preview-banner"') == 1
    return page.split('id="preview-banner"')[1].split("</div>")[0]


class PreviewBannerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work(title="草稿標題DRAFTCANARY")

    def shared(self, link):
        return self.client.get(reverse("admin:articles_article_shared", args=[link.article_id, preview_link_signed(link)]))

    def test_a_share_link_shows_preview_draft_and_its_expiry_in_the_default_language(self):
        link = preview_link_create(article=self.story, user=self.editor, days=3)
        with self.settings(EDITOR_LANGUAGE_CODE=settings.LANGUAGE_CODE):  # as a visitor gets it, no choice made
            response = self.shared(link)
        text = banner(response)
        until = timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")
        assert "預覽" in text and "草稿" in text and until in text
        page = response.content.decode()
        assert "<title>【預覽】" in page and "css/preview.css" in page and "is-preview" in page
        assert page.index('id="preview-banner"') < page.index('class="story"')  # above the story

    def test_the_editors_preview_says_draft_and_who_may_see_it(self):
        self.client.force_login(self.editor)
        text = banner(self.client.get(reverse("admin:articles_article_preview", args=[self.story.pk])))
        assert "Preview" in text and "Draft" in text and "Not published (draft)" in text
        assert "Only people who may open the story in the desk see this page." in text

    def test_a_published_storys_preview_says_its_changes_are_not_published_yet(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True,
                           override_reason="checked by hand")
        self.client.force_login(self.editor)
        text = banner(self.client.get(reverse("admin:articles_article_preview", args=[self.story.pk])))
        assert "Changes not yet published: readers still see the live edition." in text and "Draft" not in text

    def test_the_reader_page_has_no_banner(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True,
                           override_reason="checked by hand")
        page = self.client.get(f"/stories/{self.story.slug}/").content.decode()
        assert "preview-banner" not in page and "preview.css" not in page
