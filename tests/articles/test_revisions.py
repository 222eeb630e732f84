"""Revisions: one at every save and transition, a history, a diff of any two per section and by
quote, mention and note names, and restore as a new revision."""

import json

from django.test import TestCase
from django.urls import reverse

from articles.diff import diff_stories
from articles.models import Article, Block, Quote, Revision, Section, StoryEntity
from articles.services import article_transition, block_save, export_story, revision_create, revision_restore, story_import
from entities.models import Entity
from entities.services import entity_merge
from tests.articles.base import change_form_data
from tests.factories import make_user, story_doc, story_with_work

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def revisions(article):
    return list(Revision.objects.filter(article=article).order_by("number").values_list("number", "action"))


class RevisionKeepingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work()
        self.client.force_login(self.editor)

    def test_a_revision_at_every_save_and_transition(self):
        assert revisions(self.story) == [(1, "import")]
        self.client.post(reverse("admin:articles_article_change", args=[self.story.pk]),
                         change_form_data(self.story, title="新標題"))
        p1 = Block.objects.get(article=self.story, key="p1")
        self.client.post(reverse("admin:articles_article_annotate", args=[self.story.pk]), json.dumps(
            {"type": "annotation", "kind": "note", "body": "查證", "block": "p1", "start": 0, "end": 2,
             "exact": p1.text[:2]}), content_type="application/json")
        article_transition(article=self.story, action="submit", user=self.editor)
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        assert [a for _, a in revisions(self.story)] == ["import", "save", "annotate", "submit", "publish"]
        latest = Revision.objects.filter(article=self.story).order_by("-number").first()
        assert latest.data == export_story(Article.objects.get(pk=self.story.pk))
        assert latest.user == self.editor

    def test_history_page_lists_them(self):
        article_transition(article=self.story, action="submit", user=self.editor)
        page = self.client.get(reverse("admin:articles_article_revisions", args=[self.story.pk])).content.decode()
        assert "r1" in page and "r2" in page and "submit" in page and 'id="desk-compare"' in page

    def test_revisions_of_a_story_one_may_not_see_are_hidden(self):
        other = make_user("reporter", username="other")
        self.client.force_login(other)
        assert self.client.get(reverse("admin:articles_article_revisions", args=[self.story.pk])).status_code == 403
        listing = self.client.get(reverse("admin:articles_revision_changelist")).content.decode()
        assert self.story.title not in listing
        revision = Revision.objects.filter(article=self.story).first()
        assert self.client.get(reverse("admin:articles_revision_change", args=[revision.pk])).status_code == 302


class DiffTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work()
        self.old = export_story(self.story)

    def edit(self):
        section = Section.objects.get(article=self.story, number="02")
        section.heading = "第二節改"
        section.save()
        p2 = Block.objects.get(article=self.story, key="p2")
        p2.text = p2.text.replace("講者2號說", "講者2號笑稱")
        block_save(block=p2)
        q3 = Quote.objects.get(article=self.story, key="q3")
        q3.role = "阿里董事"
        q3.save()
        Quote.objects.get(article=self.story, key="q99").delete()
        return export_story(self.story)

    def test_changes_per_section_and_by_name(self):
        diff = diff_stories(self.old, self.edit())
        assert [s["number"] for s in diff["sections"]] == ["02"]  # the lede, 01 and 03 are unchanged
        section = diff["sections"][0]
        assert section["heading_change"]["old"] == "第2節" and section["heading_change"]["new"] == "第二節改"
        block = section["blocks"][0]
        assert block["key"] == "p2" and ("insert", "笑稱") in block["ops"] and ("delete", "說") in block["ops"]
        quotes = {q["name"]: q for q in diff["quotes"]}
        changed = next(q for name, q in quotes.items() if name.startswith("q3 · 講者3號"))
        assert changed["status"] == "changed"
        assert [c["field"] for c in changed["changes"]] == ["role"]
        removed = next(q for name, q in quotes.items() if name.startswith("q99"))
        assert removed["status"] == "removed"
        # The quote on the edited paragraph moved with its words: a position change, named.
        moved = next(q for name, q in quotes.items() if name.startswith("q2 ·"))
        assert [c["field"] for c in moved["changes"]] == ["words"]

    def test_mentions_and_notes_by_name(self):
        old = export_story(self.story)
        new = json.loads(json.dumps(old))
        new["mentions"] = new["mentions"][1:]
        new["annotations"][0]["body"] = "改寫的註"
        diff = diff_stories(old, new)
        assert diff["mentions"][0]["status"] == "removed" and "阿里巴巴 @ p1" in diff["mentions"][0]["name"]
        assert diff["annotations"][0]["name"].startswith("a1 · context")
        assert diff["annotations"][0]["changes"][0]["field"] == "body"

    def test_identical_documents_have_an_empty_diff(self):
        assert diff_stories(self.old, self.old)["is_empty"]

    def test_diff_page_of_any_two_escapes_editor_text(self):
        revision_create(article=self.story, action="save")
        p1 = Block.objects.get(article=self.story, key="p1")
        p1.text = p1.text + XSS
        block_save(block=p1)
        revision_create(article=self.story, action="save")
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_revision_diff", args=[self.story.pk])
        for query in ("?a=1&b=3", "?a=2&b=current", "?a=3&b=1"):
            response = self.client.get(url + query)
            assert response.status_code == 200
            page = response.content.decode()
            assert "<script>alert(1)" not in page and "onerror=alert(1)>" not in page
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert self.client.get(url + "?a=99&b=1").status_code == 404
        assert self.client.get(url + "?a=live&b=current").status_code == 404  # never published


class RestoreTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work()
        self.first = Revision.objects.get(article=self.story, number=1)
        self.v0 = self.story.version

    def test_restore_makes_a_new_revision_with_the_old_content(self):
        self.client.force_login(self.editor)
        self.client.post(reverse("admin:articles_article_change", args=[self.story.pk]),
                         change_form_data(self.story, title="改壞了的標題"))
        Quote.objects.get(article=self.story, key="q1").delete()
        article_transition(article=self.story, action="submit", user=self.editor)
        story = Article.objects.get(pk=self.story.pk)
        response = self.client.post(reverse("admin:articles_article_revision_restore", args=[story.pk, 1]),
                                    {"version": story.version})
        assert response.status_code == 302
        story = Article.objects.get(pk=self.story.pk)
        latest = Revision.objects.filter(article=story).order_by("-number").first()
        assert latest.action == "restore r1" and latest.number == 4 and latest.user == self.editor
        now = export_story(story)
        assert story.title == self.first.data["article"]["title"]
        assert Quote.objects.filter(article=story, key="q1").exists()
        # Workflow state is not content: still in review, and the version moved on.
        assert story.status == "in_review" and story.version == self.v0 + 3
        assert [(c["field"], c["old"], c["new"]) for c in diff_stories(self.first.data, now)["fields"]] == [
            ("status", "draft", "in_review")]

    def test_restore_keeps_readers_unaffected_until_published(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        live_before = export_story(Article.objects.live().get(working_copy=self.story))
        Block.objects.filter(article=self.story, key="p1").update(text="完全不同的一段。")
        revision_create(article=self.story, action="save")
        revision_restore(article=self.story, revision=self.first, user=self.editor)
        assert export_story(Article.objects.live().get(working_copy=self.story)) == live_before

    def test_restore_after_a_merge_follows_the_alias(self):
        merged = Entity.objects.get(slug="person-2")
        target = Entity.objects.create(kind="person", name="講者二號", slug="speaker-two")
        entity_merge(source=merged, target=target)
        revision_restore(article=self.story, revision=self.first, user=self.editor)
        q2 = Quote.objects.get(article=self.story, key="q2")
        assert q2.speaker == target

    def test_restore_brings_back_a_deleted_entity(self):
        doc = story_doc(1, slug="other", status="draft")
        doc["entities"].append({"id": "gone-person", "kind": "person", "name": "消失的人"})
        doc["quotes"][0]["speaker"] = "gone-person"
        article = story_import(doc=doc).article
        revision = Revision.objects.get(article=article, number=1)
        Quote.objects.filter(article=article).update(speaker=Entity.objects.get(slug="person-1"))
        StoryEntity.objects.filter(entity__slug="gone-person").delete()
        Entity.objects.get(slug="gone-person").delete()
        revision_restore(article=article, revision=revision)
        assert Quote.objects.get(article=article, key="q1").speaker.slug == "gone-person"


class RevisionDeltaTests(TestCase):
    """A save stores what changed (a patch from the story's last keyframe), and reads back exactly."""

    def setUp(self):
        self.story = story_with_work()

    def stored_bytes(self, revision):
        row = Revision.objects.filter(pk=revision.pk).values("snapshot", "delta").get()
        return len(json.dumps(row["snapshot"] or row["delta"], ensure_ascii=False).encode())

    def test_a_small_edit_is_stored_as_a_small_delta_and_reads_back_exactly(self):
        first = Revision.objects.get(article=self.story, number=1)
        assert first.base_id is None and first.delta is None  # the import is a keyframe
        whole = self.stored_bytes(first)
        block = Block.objects.get(article=self.story, key="p1")
        for i in range(3):
            block.text += f"又一句{i}。"
            block.save()
            revision = revision_create(article=self.story, action="save")
            assert revision.base_id == first.pk and revision.snapshot is None
            assert self.stored_bytes(revision) < whole / 10
            fresh = Revision.objects.get(pk=revision.pk)  # from the database, not the object we built
            assert fresh.data == export_story(Article.objects.get(pk=self.story.pk))

    def test_restoring_a_delta_revision_gives_back_that_story_exactly(self):
        block = Block.objects.get(article=self.story, key="p1")
        block.text += "改過的一句。"
        block.save()
        edited = revision_create(article=self.story, action="save")
        assert edited.delta is not None
        wanted = export_story(Article.objects.get(pk=self.story.pk))
        block.text = "完全不同的段落。"
        block.save()
        revision_create(article=self.story, action="save")
        revision_restore(article=self.story, revision=Revision.objects.get(pk=edited.pk))
        assert export_story(Article.objects.get(pk=self.story.pk)) == wanted

    def test_a_story_rewritten_wholesale_becomes_a_keyframe(self):
        for block in Block.objects.filter(article=self.story, kind="paragraph"):
            block.text = "全新的內容。" * 400
            block.save()
        revision = revision_create(article=self.story, action="save")
        assert revision.base_id is None and revision.snapshot == revision.data


def test_a_patch_between_the_differing_members_is_a_patch_between_the_documents():
    import jsonpatch

    from articles.services.revisions import _differing

    old = {"article": {"title": "舊", "dek": "同", "sections": [{"n": 1}, {"n": 2}]}, "quotes": [1, 2],
           "mentions": [{"a": 1}], "gone": True}
    new = {"article": {"title": "新", "dek": "同", "sections": [{"n": 1}, {"n": 3}], "added": "是"}, "quotes": [1, 2],
           "mentions": [{"a": 1}, {"a": 2}]}
    old_part, new_part = _differing(old, new)
    assert "quotes" not in old_part and "dek" not in old_part["article"]  # what they share is left out
    patch = jsonpatch.make_patch(old_part, new_part).patch
    assert jsonpatch.apply_patch(old, patch) == new
    assert _differing(old, old) == ({}, {})
