"""Optimistic locking on every write path: a save based on an outdated version is refused with who
changed it and when, and keeps what the editor typed (CE1, CE2); different annotations of one story
never collide."""

import json

from django.test import TestCase
from django.urls import reverse

from articles.models import Annotation, Article, Block, Quote, Revision
from articles.services import anchored_update, article_transition, block_save
from tests.articles.base import change_form_data, quote_form_data
from tests.factories import make_user, story_with_work

JSON = {"content_type": "application/json"}


class ChangeFormLockingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ann = make_user("editor", username="ann", first_name="Ann", last_name="Lee")
        cls.ben = make_user("editor", username="ben")

    def setUp(self):
        self.story = story_with_work()
        self.url = reverse("admin:articles_article_change", args=[self.story.pk])

    def test_later_save_from_an_older_form_is_refused_and_keeps_what_was_typed(self):
        ann_form = change_form_data(self.story, title="安改的標題")
        ben_form = change_form_data(self.story, dek="本寫的導語")
        self.client.force_login(self.ann)
        assert self.client.post(self.url, ann_form).status_code == 302
        self.client.force_login(self.ben)
        response = self.client.post(self.url, ben_form)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Not saved" in page and "Ann Lee" in page and 'id="desk-conflict"' in page
        assert "本寫的導語" in page  # what Ben typed comes back in the form
        story = Article.objects.get(pk=self.story.pk)
        assert story.title == "安改的標題" and story.dek != "本寫的導語"
        assert story.version == self.story.version + 1

    def test_explicit_overwrite_after_the_refusal_is_saved_and_logged(self):
        self.client.force_login(self.ann)
        self.client.post(self.url, change_form_data(self.story, title="安改的標題"))
        current = Article.objects.get(pk=self.story.pk).version
        self.client.force_login(self.ben)
        data = change_form_data(self.story, dek="本寫的導語")
        data["overwrite_version"] = current
        assert self.client.post(self.url, data).status_code == 302
        story = Article.objects.get(pk=self.story.pk)
        assert story.dek == "本寫的導語" and story.modified_by == self.ben
        assert Revision.objects.filter(article=story).order_by("-number").first().action == f"overwrite v{current}"

    def test_overwrite_of_a_version_not_seen_is_refused(self):
        self.client.force_login(self.ann)
        self.client.post(self.url, change_form_data(self.story, title="一"))
        seen = Article.objects.get(pk=self.story.pk).version
        self.client.post(self.url, change_form_data(Article.objects.get(pk=self.story.pk), title="二"))
        self.client.force_login(self.ben)
        data = change_form_data(self.story, dek="本寫的導語")
        data["overwrite_version"] = seen
        assert self.client.post(self.url, data).status_code == 200
        assert Article.objects.get(pk=self.story.pk).title == "二"

    def test_the_change_form_no_longer_edits_paragraphs(self):
        # Text is edited in the desk; block fields POSTed to the change form change nothing.
        Block.objects.get(article=self.story, key="p1")
        form = change_form_data(self.story, **{"blocks-TOTAL_FORMS": 1, "blocks-INITIAL_FORMS": 1,
                                               "blocks-0-text": "本改了這段。"})
        self.client.force_login(self.ben)
        assert self.client.post(self.url, form).status_code == 302
        assert Block.objects.get(article=self.story, key="p1").text != "本改了這段。"

    def test_the_form_always_carries_its_version(self):
        self.client.force_login(self.ann)
        page = self.client.get(self.url).content.decode()
        assert f'name="loaded_version" value="{self.story.version}"' in page
        # A POST made without one (a script, not this page) is refused: it could overwrite a later save.
        data = change_form_data(self.story, title="沒有版本")
        del data["loaded_version"]
        assert self.client.post(self.url, data).status_code == 200
        assert Article.objects.get(pk=self.story.pk).title != "沒有版本"

    def test_a_workflow_step_makes_open_forms_stale(self):
        form = change_form_data(self.story, dek="晚了")
        article_transition(article=self.story, action="submit", user=self.ann)
        self.client.force_login(self.ben)
        assert self.client.post(self.url, form).status_code == 200
        assert Article.objects.get(pk=self.story.pk).dek != "晚了"

    def test_fields_the_form_does_not_edit_come_from_the_locked_row(self):
        # Status is read-only in the form: a save never writes back an old status.
        form = change_form_data(self.story, title="新標題")
        self.client.force_login(self.ann)
        assert self.client.post(self.url, form).status_code == 302
        story = Article.objects.get(pk=self.story.pk)
        assert story.status == "draft" and story.modified_by == self.ann

    def test_text_edit_moves_anchors_and_names_the_editor(self):
        from articles.services import block_save

        p1 = Block.objects.get(article=self.story, key="p1")
        p1.text = "前言。" + p1.text
        block_save(block=p1, user=self.ann)
        q1 = Quote.objects.get(article=self.story, key="q1")
        assert q1.block.text[q1.start:q1.end] == q1.exact and q1.version == 2 and q1.modified_by == self.ann


class EndpointLockingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ann = make_user("editor", username="ann")
        cls.ben = make_user("editor", username="ben")

    def setUp(self):
        self.story = story_with_work()

    def op(self, obj, type_, op, **data):
        url = reverse("admin:articles_article_annotation_op", args=[self.story.pk, type_, obj.pk, op])
        return self.client.post(url, json.dumps(data), **JSON)

    def test_stale_quote_save_is_refused_with_who_and_when(self):
        q1 = Quote.objects.get(article=self.story, key="q1")
        self.client.force_login(self.ann)
        assert self.op(q1, "quote", "save", version=q1.version, role="安的角色", kind="direct",
                       speaker=q1.speaker_id).status_code == 200
        self.client.force_login(self.ben)
        response = self.op(q1, "quote", "save", version=q1.version, role="本的角色", kind="direct",
                           speaker=q1.speaker_id)
        assert response.status_code == 409
        data = response.json()
        assert data["stale"] and data["who"] == "ann" and data["when"] and "changed by ann" in data["error"]
        assert data["current"]["role"] == "安的角色" and data["current"]["version"] == q1.version + 1
        assert Quote.objects.get(pk=q1.pk).role == "安的角色"
        # Ben, now knowing Ann's version, saves on top of it.
        assert self.op(q1, "quote", "save", version=data["current"]["version"], role="本的角色", kind="direct",
                       speaker=q1.speaker_id).status_code == 200
        assert Quote.objects.get(pk=q1.pk).role == "本的角色"

    def test_every_endpoint_operation_checks_the_version(self):
        q99 = Quote.objects.get(article=self.story, key="q99")
        flag = Annotation.objects.get(article=self.story, key="flag-1")
        a1 = Annotation.objects.get(article=self.story, key="a1")
        self.client.force_login(self.ann)
        for obj, kind, op in ((q99, "quote", "accept"), (q99, "quote", "reject"), (flag, "annotation", "resolve"),
                              (a1, "annotation", "delete"), (a1, "annotation", "save")):
            response = self.op(obj, kind, op, version=obj.version - 1, body="x")
            assert response.status_code == 409, (op, response.content)
            response = self.op(obj, kind, op, body="x")  # no version at all
            assert response.status_code == 409, (op, response.content)
        assert Quote.objects.get(pk=q99.pk).status == "suggested"
        assert Annotation.objects.get(pk=flag.pk).status == "open"
        assert Annotation.objects.filter(pk=a1.pk).exists()

    def test_two_editors_changing_different_annotations_both_keep_their_work(self):
        q1 = Quote.objects.get(article=self.story, key="q1")
        q2 = Quote.objects.get(article=self.story, key="q2")
        a1 = Annotation.objects.get(article=self.story, key="a1")
        self.client.force_login(self.ann)
        assert self.op(q1, "quote", "save", version=q1.version, role="安", kind="direct",
                       speaker=q1.speaker_id).status_code == 200
        self.client.force_login(self.ben)
        assert self.op(q2, "quote", "save", version=q2.version, role="本", kind="direct",
                       speaker=q2.speaker_id).status_code == 200
        self.client.force_login(self.ann)
        assert self.op(a1, "annotation", "save", version=a1.version, kind="context", body="安的註",
                       public=True).status_code == 200
        assert Quote.objects.get(pk=q1.pk).role == "安" and Quote.objects.get(pk=q2.pk).role == "本"
        assert Annotation.objects.get(pk=a1.pk).body == "安的註"
        # ...and the story version (what the change form locks) did not move.
        assert Article.objects.get(pk=self.story.pk).version == self.story.version

    def test_deleted_annotation_answers_404_not_500(self):
        a1 = Annotation.objects.get(article=self.story, key="a1")
        self.client.force_login(self.ann)
        assert self.op(a1, "annotation", "delete", version=a1.version).status_code == 200
        response = self.op(a1, "annotation", "save", version=a1.version, kind="context", body="x", public=True)
        assert response.status_code == 404 and "no longer exists" in response.json()["error"]

    def test_new_annotation_on_an_edited_paragraph_is_refused(self):
        p1 = Block.objects.get(article=self.story, key="p1")
        old = p1.text
        p1.text = "前言。" + p1.text
        block_save(block=p1)
        self.client.force_login(self.ann)
        response = self.client.post(reverse("admin:articles_article_annotate", args=[self.story.pk]), json.dumps(
            {"type": "annotation", "kind": "note", "body": "x", "block": "p1", "start": 0, "end": 4,
             "exact": old[:4]}), **JSON)
        assert response.status_code == 400
        assert response.json()["text"] == p1.text  # the desk gets the paragraph as it is now
        assert not Annotation.objects.filter(article=self.story, body="x").exists()

    def test_service_refuses_a_stale_version(self):
        from articles.services import StaleVersion

        q1 = Quote.objects.get(article=self.story, key="q1")
        import pytest

        with pytest.raises(StaleVersion):
            anchored_update(article=self.story, model=Quote, pk=q1.pk, user=self.ann, expected_version=q1.version + 1,
                            fields={"role": "x"})


class OtherWritePathTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ann = make_user("editor", username="ann")
        cls.ben = make_user("editor", username="ben")

    def setUp(self):
        self.story = story_with_work()

    def test_quote_admin_form_refuses_a_stale_save(self):
        q1 = Quote.objects.get(article=self.story, key="q1")
        url = reverse("admin:articles_quote_change", args=[q1.pk])
        ben = quote_form_data(q1, role="本的角色")
        self.client.force_login(self.ann)
        assert self.client.post(url, quote_form_data(q1, role="安的角色")).status_code == 302
        self.client.force_login(self.ben)
        response = self.client.post(url, ben)
        assert response.status_code == 200 and "changed by ann" in response.content.decode()
        assert "本的角色" in response.content.decode()
        assert Quote.objects.get(pk=q1.pk).role == "安的角色"

    def test_review_queue_refuses_stale_rows_and_does_the_others(self):
        q99 = Quote.objects.get(article=self.story, key="q99")
        flag = Annotation.objects.get(article=self.story, key="flag-1")
        Quote.objects.get(pk=q99.pk).save()  # someone touched it: version + 1
        self.client.force_login(self.ann)
        response = self.client.post(reverse("admin:articles_article_review"), {
            "op": "accept", "item": [f"quote:{q99.pk}:{q99.version}"]}, follow=True)
        assert "Not done" in response.content.decode()
        assert Quote.objects.get(pk=q99.pk).status == "suggested"
        self.client.post(reverse("admin:articles_article_review"), {
            "op": "resolve", "item": [f"annotation:{flag.pk}:{flag.version}"]})
        assert Annotation.objects.get(pk=flag.pk).status == "resolved"

    def test_changelist_action_refuses_a_story_changed_since_the_list_was_shown(self):
        self.client.force_login(self.ann)
        url = reverse("admin:articles_article_changelist")
        page = self.client.get(url).content.decode()
        shown = self.story.version
        assert f'name="version_{self.story.pk}" value="{shown}"' in page  # inside the action form
        article_transition(article=self.story, action="submit", user=self.ben)
        response = self.client.post(url, {"action": "archive", "_selected_action": [self.story.pk],
                                          f"version_{self.story.pk}": shown}, follow=True)
        assert "was changed by ben" in " ".join(str(m) for m in response.context["messages"])
        assert Article.objects.get(pk=self.story.pk).status == "in_review"

    def test_crafted_list_editable_post_changes_nothing(self):
        # There are no list-editable columns: a crafted formset POST to the changelist is ignored.
        self.client.force_login(self.ann)
        before = Article.objects.get(pk=self.story.pk)
        self.client.post(reverse("admin:articles_article_changelist"), {
            "form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-id": self.story.pk,
            "form-0-status": "published", "form-0-title": "x", "_save": "Save"})
        after = Article.objects.get(pk=self.story.pk)
        assert (after.status, after.title, after.version) == (before.status, before.title, before.version)

    def test_restore_from_an_older_page_is_refused(self):
        from articles.services import revision_create

        revision_create(article=self.story, action="save")
        stale = self.story.version
        article_transition(article=self.story, action="submit", user=self.ben)
        self.client.force_login(self.ann)
        response = self.client.post(reverse("admin:articles_article_revision_restore", args=[self.story.pk, 1]),
                                    {"version": stale}, follow=True)
        assert "was changed by ben" in response.content.decode()
        assert not Revision.objects.filter(article=self.story, action__startswith="restore").exists()


class ImportVersusEditorTests(TestCase):
    """CE3: an import that updates a story an editor has open makes the editor's form stale."""

    def test_editor_save_after_a_reimport_is_refused(self):
        from articles.services import story_import
        from tests.factories import story_doc

        editor = make_user("editor")
        story = story_with_work()
        form = change_form_data(story, dek="編輯寫的")
        doc = story_doc(3, slug="test-story", status="draft")
        doc["article"]["sections"][0]["heading"] = "來源改了標題"
        story_import(doc=doc)
        self.client.force_login(editor)
        response = self.client.post(reverse("admin:articles_article_change", args=[story.pk]), form)
        assert response.status_code == 200 and "the importer" in response.content.decode()
        assert Article.objects.get(pk=story.pk).dek != "編輯寫的"
