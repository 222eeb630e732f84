"""Malformed desk requests answer 400 with a JSON error naming the field, and write nothing
(issue 10 item 12: they used to answer 500, or store an impossible date)."""

import json

from django.test import TestCase
from django.urls import reverse

from articles.models import Annotation, Article, Quote, Revision, Transition
from tests.factories import make_user, story_with_work

JSON = {"content_type": "application/json"}


def counts():
    return Quote.objects.count(), Annotation.objects.count(), Revision.objects.count()


class MalformedDeskRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work()
        self.p1 = self.story.blocks.get(key="p1")
        self.client.force_login(self.editor)

    def create(self, **body):
        return self.client.post(reverse("admin:articles_article_annotate", args=[self.story.pk]), json.dumps(body),
                                **JSON)

    def op(self, obj, type_, name, **body):
        url = reverse("admin:articles_article_annotation_op", args=[self.story.pk, type_, obj.pk, name])
        return self.client.post(url, json.dumps(body), **JSON)

    def refused(self, response, field):
        assert response.status_code == 400, response.content
        data = response.json()
        assert data["ok"] is False and data["error"].startswith(f"{field}:"), data
        assert field in data["errors"]
        return data

    def quote(self, **extra):
        return {"type": "quote", "block": "p1", "start": 0, "end": 4, "exact": self.p1.text[:4], **extra}

    def test_wrong_json_types_name_the_field(self):
        before = counts()
        self.refused(self.create(type=["quote"]), "type")
        self.refused(self.create(type=7), "type")
        self.refused(self.create(**self.quote(start="abc")), "start")
        self.refused(self.create(**self.quote(end=[4])), "end")
        self.refused(self.create(**self.quote(start=True)), "start")
        self.refused(self.create(**self.quote(role=["x"])), "role")
        self.refused(self.create(**self.quote(kind={"k": 1})), "kind")
        self.refused(self.create(**self.quote(speaker="abc")), "speaker")
        self.refused(self.create(**self.quote(speaker_new="葉軍")), "speaker_new")
        self.refused(self.create(type="annotation", block="p1", start=0, end=4, exact=self.p1.text[:4],
                                 kind="context", public="yes"), "public")
        assert counts() == before

    def test_impossible_dates_are_refused(self):
        before = counts()
        data = self.refused(self.create(**self.quote(said_on="2023-02-30")), "said_on")
        assert "2023-02-30" in data["error"]
        self.refused(self.create(**self.quote(said_on="2023-13")), "said_on")
        self.refused(self.create(**self.quote(said_on=20230201)), "said_on")
        assert counts() == before
        assert self.create(**self.quote(said_on="2024-02-29")).status_code == 201

    def test_nul_characters_are_refused_before_the_database(self):
        before = counts()
        self.refused(self.create(**self.quote(role="阿里\x00CTO")), "role")
        self.refused(self.create(**self.quote(note="a\x00b")), "note")
        self.refused(self.create(type="annotation", block="p1", start=0, end=4, exact=self.p1.text[:4],
                                 kind="note", body="\x00"), "body")
        self.refused(self.create(**self.quote(block="p\x001")), "block")
        assert counts() == before
        response = self.client.get(reverse("admin:articles_article_entities"), {"q": "a\x00b"})
        assert response.status_code == 400 and response.json()["error"].startswith("q:")

    def test_a_version_that_is_not_a_number_is_refused(self):
        q1 = Quote.objects.get(article=self.story, key="q1")
        for version in ("abc", [1], True, 1.5, -1):
            data = self.refused(self.op(q1, "quote", "save", version=version, role="新角色", kind="direct",
                                        speaker=q1.speaker_id), "version")
            assert "stale" not in data
        self.refused(self.op(q1, "quote", "delete", version="abc"), "version")
        q99 = Quote.objects.get(article=self.story, key="q99")
        self.refused(self.op(q99, "quote", "accept", version={"v": 1}), "version")
        q1.refresh_from_db()
        assert q1.version == 1 and q1.role != "新角色" and Quote.objects.filter(pk=q99.pk, status="suggested").exists()
        # Without a version the save is still refused as stale (409), never applied blindly.
        assert self.op(q1, "quote", "save", role="新角色", kind="direct", speaker=q1.speaker_id).status_code == 409

    def test_workflow_post_with_a_bad_version_is_a_message_not_a_500(self):
        url = reverse("admin:articles_article_transition", args=[self.story.pk])
        response = self.client.post(url, {"action": "submit", "version": "abc"}, follow=True)
        assert response.status_code == 200
        assert "version:" in response.content.decode().lower()
        assert Article.objects.get(pk=self.story.pk).status == "draft" and not Transition.objects.exists()
        restore = reverse("admin:articles_article_revision_restore", args=[self.story.pk, 1])
        response = self.client.post(restore, {"version": "x1"}, follow=True)
        assert response.status_code == 200 and "version:" in response.content.decode().lower()

    def test_a_valid_request_still_writes(self):
        response = self.create(**self.quote(said_on="2023-02", role=" 阿里CTO "))
        assert response.status_code == 201
        quote = Quote.objects.get(pk=response.json()["item"]["id"])
        assert (quote.said_on, quote.role, quote.kind, quote.status) == ("2023-02", "阿里CTO", "direct", "confirmed")


class PublishConfirmationTests(TestCase):
    """The desk's Publish button asks first, with what changes for readers (issue 11 item 3, desk side)."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        from tests.factories import make_story

        self.story = make_story(2, slug="clean", status="draft")
        self.client.force_login(self.editor)
        self.url = reverse("admin:articles_article_transition", args=[self.story.pk])

    def publish(self, **extra):
        self.story.refresh_from_db()
        return self.client.post(self.url, {"action": "publish", "version": self.story.version, **extra})

    def test_a_clean_story_is_not_published_before_the_editor_confirms(self):
        response = self.publish()
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="desk-confirm-summary"' in page and "First publication" in page and "/stories/clean/" in page
        assert 'id="desk-confirm-ok"' in page
        assert not Transition.objects.exists() and not Article.objects.live().exists()
        assert self.publish(confirm="yes").status_code == 302
        assert Article.objects.get(pk=self.story.pk).status == "published"

    def test_republishing_summarises_the_changes_readers_will_see(self):
        from articles.models import Block

        self.publish(confirm="yes")
        Article.objects.filter(pk=self.story.pk).update(title="新的標題")
        p1 = Block.objects.get(article=self.story, key="p1")
        p1.text = p1.text + "補充。"
        from articles.services import block_save

        block_save(block=p1)
        Quote.objects.filter(article=self.story, key="q2").delete()
        page = self.publish().content.decode()
        assert "新的標題" in page and "Text: 1 paragraph changed." in page
        assert "Quotes readers see: 2 becomes 1" in page
        assert "a=live&amp;b=current" in page


class DeniedPageTests(TestCase):
    def test_a_reporter_opening_anothers_desk_gets_the_admins_page_not_a_bare_403(self):
        reporter = make_user("reporter")
        story = story_with_work()  # nobody's: a reporter may not open it
        self.client.force_login(reporter)
        for name in ("desk", "revisions", "preview"):
            response = self.client.get(reverse(f"admin:articles_article_{name}", args=[story.pk]))
            page = response.content.decode()
            assert response.status_code == 403, name
            assert 'id="desk-denied-reason"' in page and "You may not open this story." in page
            assert 'id="header"' in page  # the admin's frame, styled
        response = self.client.get(reverse("admin:articles_article_desk_data", args=[story.pk]))
        assert response.status_code == 403 and response.json()["ok"] is False  # JSON stays JSON
