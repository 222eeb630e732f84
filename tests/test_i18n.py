"""Languages (issue 11 item 4): the admin in Traditional Chinese by default and in the editor's chosen
language after switching; readers get only the two script editions; the committed catalogs are
complete and compiled (see locale/README.md)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from articles.models import Article
from newsroom.locale import READER_EDITIONS

LOCALE = Path(settings.LOCALE_PATHS[0])
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def entries(catalog):
    """{(msgctxt, msgid): msgstr or {index: msgstr}} of the translated entries."""
    return {(e.msgctxt, e.msgid): (e.msgstr_plural or e.msgstr) for e in catalog
            if (e.msgstr or any(e.msgstr_plural.values())) and not e.obsolete and "fuzzy" not in e.flags}


class AdminLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("editor", password="pw")
        cls.article = Article.objects.create(slug="story", title="標題")

    def setUp(self):
        self.client.force_login(self.editor)

    def switch(self, language):
        response = self.client.post("/i18n/setlang/", {"language": language, "next": "/admin/"})
        assert response.status_code == 302 and response["Location"] == "/admin/"

    def test_the_admin_is_in_traditional_chinese_by_default(self):
        with self.settings(EDITOR_LANGUAGE_CODE=settings.LANGUAGE_CODE):
            changelist = self.client.get("/admin/articles/article/").content.decode()
            index = self.client.get("/admin/").content.decode()
            desk = self.client.get(f"/admin/articles/article/{self.article.pk}/desk/").content.decode()
        assert '<html lang="zh-hant"' in changelist
        assert "選擇 報導 來修改" in changelist  # Django's "Select %s to change" with our verbose name
        assert "新增 報導" in changelist and "新增 article" not in changelist
        assert "未發布的修改" in changelist  # a column of ours
        assert "實體" in index and "引述" in index  # model names on the index
        assert '<h1 class="desk-title">編輯台：標題</h1>' in desk and "發布前檢查" in desk

    def test_the_admin_follows_the_language_the_editor_chose(self):
        with self.settings(EDITOR_LANGUAGE_CODE=settings.LANGUAGE_CODE):
            self.switch("en")
            changelist = self.client.get("/admin/articles/article/").content.decode()
            assert '<html lang="en"' in changelist
            assert "Select article to change" in changelist and "unpublished changes" in changelist
            desk = self.client.get(f"/admin/articles/article/{self.article.pk}/desk/").content.decode()
            assert '<h1 class="desk-title">Desk: 標題</h1>' in desk and "Checks before publishing" in desk
            self.switch("zh-hans")
            changelist = self.client.get("/admin/articles/article/").content.decode()
            assert "选择 报导 来修改" in changelist
            # A reader page stays the traditional edition whatever the editor chose.
            assert '<html lang="zh-Hant">' in self.client.get("/").content.decode()

    def test_the_header_offers_each_language_named_in_itself(self):
        page = self.client.get("/admin/").content.decode()
        assert 'action="/i18n/setlang/"' in page
        for code, name in settings.LANGUAGES:
            assert f'value="{code}"' in page and name in page


class ReaderEditionTests(TestCase):
    def test_english_is_not_a_reader_edition(self):
        assert "en" in dict(settings.LANGUAGES) and "en" not in READER_EDITIONS
        assert self.client.get("/en/").status_code == 404
        assert self.client.get("/zh-hans/").status_code == 200

    def test_reader_urls_reversed_in_an_editors_language_point_at_an_edition(self):
        with translation.override("en"):
            assert reverse("articles:detail", args=["story"]) == "/stories/story/"
        with translation.override("zh-hans"):
            assert reverse("articles:detail", args=["story"]) == "/zh-hans/stories/story/"

    def test_a_language_cookie_does_not_change_a_reader_page(self):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.get("/")
        assert response.status_code == 200 and response["Content-Language"] == "zh-hant"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(LOCALE)))
def test_compiled_catalog_matches_its_source(path):
    """The committed .mo is the .po compiled: run `manage.py translations --compile` after editing."""
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `python manage.py translations --compile`"
    assert entries(polib.mofile(str(mo))) == entries(polib.pofile(str(path))), (
        f"{mo} is out of date with {path.name}: run `python manage.py translations --compile`")


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(LOCALE)))
def test_every_message_is_translated(path):
    """An empty msgstr would show the English msgid (or, for en, fall back to Traditional Chinese)."""
    catalog = polib.pofile(str(path))
    missing = [e.msgid for e in catalog if not e.translated() and not e.obsolete]
    assert not missing, f"{path}: {len(missing)} untranslated, e.g. {missing[:5]}"


def test_every_language_has_catalogs():
    codes = {code for code, _ in settings.LANGUAGES}
    assert {p.parts[-3] for p in CATALOGS} == {"zh_Hant", "zh_Hans", "en"} and codes == {"zh-hant", "zh-hans", "en"}
