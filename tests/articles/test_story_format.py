import json

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase

from articles.importing.story import StoryFormatError, dumps, load_story
from articles.models import Annotation, Article, Block, Mention, Quote, Revision, Section
from articles.services import export_story, story_import
from entities.models import Alias, Entity, Role
from tests.factories import Buffer, deep, story_doc

MODELS = (Article, Section, Block, Quote, Mention, Annotation, Revision, Entity, Alias, Role)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


class RoundTripTests(TestCase):
    def test_export_of_imported_file_gives_the_same_document(self):
        doc = story_doc(3)
        article = story_import(doc=deep(doc)).article
        assert export_story(article) == doc

    def test_live_edition_exports_the_same_document(self):
        doc = story_doc(2)
        article = story_import(doc=deep(doc)).article
        assert export_story(article.live_edition) == doc

    def test_export_command_writes_the_file_back(self):
        doc = story_doc(2)
        story_import(doc=deep(doc))
        path = self.tmp_path / "out.json"
        call_command("export_story", "test-story", "-o", str(path), verbosity=0)
        assert json.loads(path.read_text(encoding="utf-8")) == doc

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.tmp_path = tmp_path

    def test_bundled_editions_round_trip(self):
        from articles.management.commands.load_demo import DATA_DIR

        for path in sorted(DATA_DIR.glob("*.story.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            article = story_import(doc=deep(doc)).article
            assert export_story(article) == doc, path.name


class IdempotenceTests(TestCase):
    def test_importing_twice_changes_nothing(self):
        doc = story_doc(2)
        first = story_import(doc=deep(doc))
        before = counts()
        second = story_import(doc=deep(doc))
        assert (first.action, second.action) == ("created", "unchanged")
        assert counts() == before

    def test_newer_version_updates_in_place_and_keeps_its_id(self):
        doc = story_doc(2)
        article = story_import(doc=deep(doc)).article
        newer = deep(doc)
        newer["article"]["title"] = "新的標題"
        newer["article"]["sections"][0]["heading"] = "改過的小標"
        result = story_import(doc=newer)
        assert result.action == "updated"
        assert result.article.pk == article.pk
        assert Article.objects.working().count() == 1
        assert Article.objects.live().get().title == "新的標題"
        assert any("sections" in line for line in result.changes)
        assert export_story(result.article) == newer

    def test_dry_run_reports_and_writes_nothing(self):
        doc = story_doc(1)
        before = counts()
        result = story_import(doc=deep(doc), dry_run=True)
        assert result.dry_run and result.action == "created"
        assert counts() == before

    def test_dry_run_command_output(self):
        path = self.tmp_path / "story.json"
        path.write_text(dumps(story_doc(1)), encoding="utf-8")
        before = counts()
        call_command("import_story", str(path), "--dry-run", stdout=(out := Buffer()))
        assert "would create test-story" in out.text
        assert counts() == before

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.tmp_path = tmp_path


class BrokenFileTests(TestCase):
    """A broken file: non-zero exit, a message naming the file and the fault, nothing written."""

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.tmp_path = tmp_path

    def assert_rejected(self, raw, expected):
        # A good file in the same run still imports: each file is atomic on its own.
        good = self.tmp_path / "good.json"
        good.write_text(dumps(story_doc(1, slug="good-story")), encoding="utf-8")
        bad = self.tmp_path / "bad.json"
        bad.write_bytes(raw if isinstance(raw, bytes) else raw.encode("utf-8"))
        before = counts()
        err = Buffer()
        with pytest.raises(CommandError, match="1 failed"):
            call_command("import_story", str(bad), stdout=Buffer(), stderr=err)
        assert counts() == before
        assert str(bad) in err.text and expected in err.text, err.text
        with pytest.raises(CommandError):
            call_command("import_story", str(good), str(bad), stdout=Buffer(), stderr=Buffer())
        assert Article.objects.working().filter(slug="good-story").exists()
        assert not Article.objects.working().filter(slug="test-story").exists()

    def test_wrong_format_value(self):
        doc = story_doc(1)
        doc["format"] = "newsroom.story/2"
        self.assert_rejected(json.dumps(doc), "format: expected 'newsroom.story/1'")

    def test_schema_violation(self):
        doc = story_doc(1)
        doc["article"]["sections"][0]["number"] = "1"
        self.assert_rejected(json.dumps(doc), "article.sections[0].number")

    def test_dangling_entity_reference(self):
        doc = story_doc(2)
        doc["quotes"][1]["speaker"] = "nobody"
        self.assert_rejected(json.dumps(doc), "quotes[1].speaker: entity 'nobody' is not in this file's entities")

    def test_anchor_mismatch(self):
        doc = story_doc(3)
        doc["quotes"][2]["anchor"]["exact"] = "別的話"
        self.assert_rejected(json.dumps(doc), "quotes[2].anchor.exact: does not match block p3")

    def test_invalid_utf8_bytes(self):
        raw = dumps(story_doc(1)).encode("utf-8")
        raw = raw.replace("阿里巴巴".encode("utf-8"), "阿里巴巴".encode("gbk"), 1)
        self.assert_rejected(raw, "not valid UTF-8 at byte")

    def test_truncated_json(self):
        self.assert_rejected(dumps(story_doc(1))[:200], "invalid JSON at line")

    def test_later_error_leaves_no_earlier_rows(self):
        # Entities come first in the file; an error in the last annotation must not leave them behind.
        doc = story_doc(2)
        doc["annotations"][-1]["anchor"]["end"] = 999
        self.assert_rejected(json.dumps(doc), "annotations[1].anchor")


class ValidationTests(TestCase):
    def test_duplicate_block_ids_rejected(self):
        doc = story_doc(2)
        doc["article"]["sections"][1]["blocks"][0]["id"] = "p1"
        with pytest.raises(StoryFormatError, match="block id 'p1' is used twice"):
            load_story(json.dumps(doc))

    def test_only_http_urls_reach_a_page(self):
        doc = story_doc(1)
        doc["article"]["source"]["url"] = "javascript:alert(1)"
        with pytest.raises(StoryFormatError, match="article.source.url: 'javascript:alert\\(1\\)' is not an http"):
            load_story(json.dumps(doc))
        doc = story_doc(1)
        doc["entities"][0]["url"] = "data:text/html,<script>alert(1)</script>"
        with pytest.raises(StoryFormatError, match="entities\\[0\\].url"):
            load_story(json.dumps(doc))
        doc = story_doc(1)
        doc["article"]["sections"][0]["blocks"][1]["image"] = "javascript:x"
        with pytest.raises(StoryFormatError, match="blocks\\[1\\].image"):
            load_story(json.dumps(doc))
        doc["article"]["sections"][0]["blocks"][1]["image"] = "/media/figures/m6.jpg"
        doc["article"]["source"]["url"] = "https://example.org/story"
        load_story(json.dumps(doc))

    def test_duplicate_json_keys_rejected(self):
        with pytest.raises(StoryFormatError, match="duplicate key"):
            load_story('{"format": "newsroom.story/1", "format": "x"}')

    def test_speaker_must_be_person_or_organization(self):
        doc = story_doc(1)
        doc["entities"][1]["kind"] = "product"
        with pytest.raises(StoryFormatError, match="quotes\\[0\\].speaker"):
            load_story(json.dumps(doc))

    def test_text_is_stored_nfc(self):
        doc = story_doc(1)
        # U+F900 (a CJK compatibility ideograph) is U+8C48 in NFC.
        doc["article"]["title"] = "標題\uf900"
        article = story_import(doc=doc).article
        assert article.title == "標題\u8c48"


def test_the_schemas_enums_match_the_models_choices():
    """The schema is the format's truth; every list of allowed values in it is a TextChoices of a model."""
    import json

    from articles.importing.story import SCHEMA_PATH
    from articles.models import Annotation, Block, Mention, Quote, Status
    from entities.models import Entity, Relation

    defs = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["$defs"]
    pairs = [
        (defs["article"]["properties"]["status"]["enum"], Status.values),
        (defs["entity"]["properties"]["kind"]["enum"], Entity.Kind.values),
        (defs["entity"]["properties"]["relations"]["items"]["properties"]["predicate"]["enum"],
         Relation.Predicate.values),
        (defs["quote"]["properties"]["kind"]["enum"], Quote.Kind.values),
        (defs["quote"]["properties"]["status"]["enum"], Quote.Status.values),
        (defs["mention"]["properties"]["status"]["enum"], Mention.Status.values),
        (defs["annotation"]["properties"]["kind"]["enum"], Annotation.Kind.values),
        (defs["annotation"]["properties"]["status"]["enum"], Annotation.Status.values),
        ([b["properties"]["type"]["const"] for b in defs["block"]["oneOf"]], Block.Kind.values),
    ]
    for schema_values, model_values in pairs:
        assert schema_values == list(model_values)


class EditorsWorkTests(TestCase):
    """An import never silently discards what editors did since the story's last import (issue 11)."""

    def setUp(self):
        self.doc = story_doc(2, status="draft")
        self.story = story_import(doc=self.doc).article

    def annotate(self):
        from articles.services import anchored_create

        block = Block.objects.get(article=self.story, key="p0")
        return anchored_create(article=self.story, model=Annotation, block_key="p0", start=0, end=2,
                               exact=block.text[:2], fields={"kind": "note", "body": "編輯的筆記"})

    def test_a_changed_file_over_an_edited_story_is_refused_naming_it(self):
        note = self.annotate()
        changed = deep(self.doc)
        changed["article"]["title"] = "新標題"
        with pytest.raises(StoryFormatError) as info:
            story_import(doc=changed)
        assert "阿里的大模型之年" in str(info.value) and "test-story" in str(info.value)
        assert "--replace" in str(info.value)
        assert Annotation.objects.filter(pk=note.pk).exists()
        assert Article.objects.working().get(slug="test-story").title == "阿里的大模型之年"

    def test_replace_overwrites_on_purpose_and_the_history_keeps_the_work(self):
        self.annotate()
        changed = deep(self.doc)
        changed["article"]["title"] = "新標題"
        assert story_import(doc=changed, replace=True).action == "updated"
        assert not Annotation.objects.filter(article=self.story, body="編輯的筆記").exists()
        bodies = [a["body"] for r in Revision.objects.filter(article=self.story) for a in r.data["annotations"]]
        assert "編輯的筆記" in bodies

    def test_a_newer_file_over_an_untouched_story_still_updates(self):
        changed = deep(self.doc)
        changed["article"]["title"] = "新標題"
        assert story_import(doc=changed).action == "updated"

    def test_import_command_reports_the_refusal_and_replace_overrides(self):
        import tempfile
        from pathlib import Path

        self.annotate()
        changed = deep(self.doc)
        changed["article"]["title"] = "新標題"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "story.json"
            path.write_text(dumps(changed), encoding="utf-8")
            err = Buffer()
            with pytest.raises(CommandError):
                call_command("import_story", str(path), stdout=Buffer(), stderr=err)
            assert "--replace" in err.text and "test-story" in err.text
            call_command("import_story", str(path), "--replace", stdout=Buffer(), stderr=Buffer())
        assert Article.objects.working().get(slug="test-story").title == "新標題"
