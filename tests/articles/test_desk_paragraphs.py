"""A paragraph edited in place in the desk (issue 11 item 5): anchors follow their words, the text
the editor started from is the lock, the story's version moves on, permissions as for the text."""

import json

from django.test import TestCase
from django.urls import reverse

from articles.models import Annotation, Article, Block, Quote, Revision
from tests.factories import make_user, story_with_work

JSON = {"content_type": "application/json"}


class ParagraphEditTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")
        cls.owner = make_user("reporter", username="owner")

    def setUp(self):
        self.story = story_with_work(owner=self.owner)
        self.p1 = Block.objects.get(article=self.story, key="p1")
        self.client.force_login(self.editor)

    def edit(self, block, text, expected):
        url = reverse("admin:articles_article_annotation_op", args=[self.story.pk, "block", block.pk, "edit"])
        return self.client.post(url, json.dumps({"text": text, "expected": expected}), **JSON)

    def test_the_quote_follows_its_words_and_the_story_version_moves_on(self):
        q1 = Quote.objects.get(article=self.story, key="q1")
        version = Article.objects.get(pk=self.story.pk).version
        revisions = Revision.objects.filter(article=self.story).count()
        response = self.edit(self.p1, "據報導，" + self.p1.text, self.p1.text)
        assert response.status_code == 200, response.content
        assert response.json()["flagged"] == 0
        q1.refresh_from_db()
        assert q1.block.text.startswith("據報導，") and q1.block.text[q1.start:q1.end] == q1.exact
        assert q1.modified_by == self.editor
        assert Article.objects.get(pk=self.story.pk).version == version + 1  # an older change form is refused
        assert Revision.objects.filter(article=self.story).count() == revisions + 1

    def test_words_that_vanish_are_flagged_not_dropped(self):
        q1 = Quote.objects.get(article=self.story, key="q1")
        response = self.edit(self.p1, "全新的一段話。", self.p1.text)
        assert response.status_code == 200 and response.json()["flagged"] >= 1
        assert Quote.objects.filter(pk=q1.pk).exists()
        assert Annotation.objects.filter(article=self.story, kind="flag", original=q1.exact).exists()

    def test_a_changed_paragraph_is_refused_with_its_current_text(self):
        old = self.p1.text
        assert self.edit(self.p1, old + "甲。", old).status_code == 200
        response = self.edit(self.p1, old + "乙。", old)
        assert response.status_code == 409
        data = response.json()
        assert data["stale"] and data["text"] == old + "甲。" and data["block"] == "p1"
        assert Block.objects.get(pk=self.p1.pk).text == old + "甲。"
        # Knowing their text, the editor saves over it.
        assert self.edit(self.p1, old + "乙。", data["text"]).status_code == 200

    def test_bad_input_and_permissions(self):
        before = self.p1.text
        assert self.edit(self.p1, "", before).status_code == 400
        assert self.edit(self.p1, "a\x00b", before).json()["error"].startswith("text:")
        url = reverse("admin:articles_article_annotation_op", args=[self.story.pk, "block", self.p1.pk, "edit"])
        assert self.client.post(url, json.dumps({"text": "x"}), **JSON).status_code == 400  # no lock, no save
        figure = Block.objects.get(article=self.story, key="f1")
        assert self.edit(figure, "x", "").status_code == 400
        for role, status in (("fact-checker", 403), ("reporter", 403)):
            self.client.force_login(make_user(role, username=f"{role}-x"))
            assert self.edit(self.p1, "改。", before).status_code == status, role
        self.client.force_login(self.owner)  # a reporter edits the text of their own draft
        assert self.edit(self.p1, before + "補。", before).status_code == 200
        assert Block.objects.get(pk=self.p1.pk).text == before + "補。"
