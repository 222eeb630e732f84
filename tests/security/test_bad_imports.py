"""Bad imports (issue 10 items 8 and 9): each is refused with its JSON path, nothing is written
(row counts and an export checksum compared before and after), and a directory import goes on."""

import hashlib
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from articles.models import Article
from tests.factories import deep, make_story, story_doc


def state():
    """Row counts of every model of both apps, and a checksum of every story's export."""
    counts = {m._meta.label: m.objects.count() for app in ("articles", "entities")
              for m in apps.get_app_config(app).get_models()}
    digest = hashlib.sha256()
    for slug in Article.objects.working().order_by("slug").values_list("slug", flat=True):
        out = StringIO()
        call_command("export_story", slug, stdout=out)
        digest.update(out.getvalue().encode())
    return counts, digest.hexdigest()


def with_long(path_setter, n):
    doc = deep(story_doc(2, slug="bad-story"))
    path_setter(doc, n)
    return doc


BAD_DOCS = {
    "entity name": (lambda d: d["entities"][1].update(name="名" * 300), "entities[1].name: 300 characters; the most is 200"),
    "heading": (lambda d: d["article"]["sections"][0].update(heading="節" * 400),
                "article.sections[0].heading: 400 characters; the most is 300"),
    "role title": (lambda d: d["entities"][1]["roles"][0].update(title="長" * 300),
                   "entities[1].roles[0].title: 300 characters; the most is 200"),
    "quote role": (lambda d: d["quotes"][0].update(role="長" * 201), "quotes[0].role: 201 characters; the most is 200"),
    "long language tag": (lambda d: d["article"].update(language="zh-Hant-" + "-".join(["abcdefgh"] * 4)),
                          "article.language: 43 characters; the most is 20"),
    "not a language tag": (lambda d: d["entities"][0]["aliases"][0].update(lang="中文"),
                           "entities[0].aliases[0].lang: '中文' is not a language tag"),
    "NUL in a paragraph": (lambda d: d["article"]["lede"][0].update(text="前\u0000後"),
                           "article.lede[0].text: contains a NUL character at position 1"),
    "NUL in a name": (lambda d: d["entities"][0].update(name="阿里\u0000巴巴"), "entities[0].name: contains a NUL"),
    "lone surrogate": (lambda d: d["annotations"][0].update(body="壞\ud800"),
                       "annotations[0].body: contains a lone surrogate"),
    "long image URL": (lambda d: d["article"]["sections"][0]["blocks"][1].update(image="https://e.org/" + "a" * 500),
                       "article.sections[0].blocks[1].image: 514 characters; the most is 500"),
}


class BadImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_story(2, slug="good-story")

    def import_files(self, tmp, *files):
        paths = []
        for name, content in files:
            path = tmp / name
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
            paths.append(str(path))
        out, err = StringIO(), StringIO()
        try:
            call_command("import_story", *paths, stdout=out, stderr=err)
        except CommandError as error:
            return out.getvalue(), err.getvalue(), str(error)
        return out.getvalue(), err.getvalue(), ""

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.tmp = tmp_path

    def test_each_bad_field_is_named_and_nothing_is_written(self):
        for name, (mutate, expected) in BAD_DOCS.items():
            with self.subTest(name):
                before = state()
                doc = deep(story_doc(2, slug="bad-story"))
                mutate(doc)
                # json.dumps escapes the NUL and the surrogate, as a real file would carry them.
                out, err, failed = self.import_files(self.tmp, ("bad.json", json.dumps(doc)))
                assert expected in err, err
                assert "1 failed" in failed
                assert state() == before

    def test_a_bad_entity_name_changes_no_existing_entity(self):
        before = state()
        doc = deep(story_doc(2, slug="good-story"))  # an update of a story that exists
        doc["entities"][0]["name"] = "名" * 300
        out, err, failed = self.import_files(self.tmp, ("update.json", json.dumps(doc)))
        assert "entities[0].name: 300 characters" in err
        assert state() == before

    def test_a_directory_import_goes_on_after_a_bad_file(self):
        before_counts, _ = state()
        bad = deep(story_doc(1, slug="bad-one"))
        bad["entities"][1]["name"] = "名" * 300
        out, err, failed = self.import_files(
            self.tmp, ("a.json", json.dumps(story_doc(1, slug="first-new"))), ("b.json", json.dumps(bad)),
            ("c.json", "[1, 2, 3]"), ("d.json", json.dumps(story_doc(1, slug="last-new"))))
        assert "b.json: entities[1].name: 300 characters" in err
        assert "c.json:" in err and "object" in err
        assert "2 created" in failed and "2 failed" in failed
        assert set(Article.objects.working().values_list("slug", flat=True)) == {"good-story", "first-new", "last-new"}
        assert state()[0]["articles.Article"] == before_counts["articles.Article"] + 4  # two working + two live

    def test_a_json_file_that_is_not_a_story_is_an_error(self):
        before = state()
        for content in ("[1,2,3]", '"a story"', "42", "{}", "不是 JSON"):
            out, err, failed = self.import_files(self.tmp, ("thing.json", content))
            assert "thing.json:" in err and failed, content
        assert state() == before

    @override_settings(IMPORT_MAX_BYTES=10_000)
    def test_a_file_over_the_limit_is_refused_before_it_is_read(self):
        before = state()
        # Invalid JSON past the limit: the answer names the size, so the file was never parsed.
        big = json.dumps(story_doc(9, slug="big-story"), ensure_ascii=False) + "{" * 1000
        for name, content in (("big.json", big), ("big.txt", "長" * 5_000)):
            out, err, failed = self.import_files(self.tmp, (name, content))
            assert f"{name}: " in err and "the most an import takes is 10,000" in err
        assert state() == before
