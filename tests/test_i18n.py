"""One language machinery: the project's catalogs under locale/ translate what editors read (issue 11 item 4)."""

from pathlib import Path

import pytest
from django.utils import translation

from articles.workflow import ACTION_LABELS

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize(("language", "expected"), [("zh-hant", "發布"), ("zh-hans", "发布"), ("en", "Publish")])
def test_workflow_labels_follow_the_language(language, expected):
    with translation.override(language):
        assert str(ACTION_LABELS["publish"]) == expected


def test_the_default_language_is_traditional_chinese():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hant"
    assert {code for code, _ in settings.LANGUAGES} == {"zh-hant", "zh-hans", "en"}


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_every_message_is_translated_and_compiled(language):
    import gettext

    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    blocks = po.read_text(encoding="utf-8").split("\n\n")[1:]  # the first block is the header
    untranslated = [b for b in blocks if b.rstrip().endswith('msgstr ""') and "msgid" in b]
    assert untranslated == []
    with open(po.with_suffix(".mo"), "rb") as mo:  # compiled from this .po (`make messages`)
        catalog = gettext.GNUTranslations(mo)._catalog
    assert len([k for k in catalog if k]) == len(blocks), "the .mo is older than the .po: run `make messages`"
