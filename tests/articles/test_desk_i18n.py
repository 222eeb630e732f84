"""Every string an editor reads in the desk's templates goes through Django's translation, and the
desk's JavaScript gets its strings translated from the server (issue 11 item 4, desk side)."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from articles.desk.strings import JS_STRINGS
from tests.factories import make_user, story_with_work

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "admin" / "articles" / "article"
DESK_TEMPLATES = ("desk.html", "_desk_block.html", "_desk_page.html", "review_queue.html",
                  "publish_confirmation.html", "desk_denied.html")
JS = Path(__file__).resolve().parents[2] / "static" / "js" / "desk"

TRANSLATED = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}|{%\s*translate\s.*?%}", re.S)
TAG_OR_VAR = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
ATTRIBUTE = re.compile(r'\s(?:aria-label|title|placeholder|alt|label)="([^"]*)"')
WORDS = re.compile(r"[A-Za-z]{2,}")


def untranslated(source):
    source = re.sub(r"{%\s*block bodyclass\s*%}.*?{%\s*endblock bodyclass\s*%}", "", source, flags=re.S)
    source = re.sub(r"&\w+;", " ", source)
    source = TRANSLATED.sub("", source)
    source = TAG_OR_VAR.sub("", source)
    found = [m for m in ATTRIBUTE.findall(source) if WORDS.search(m)]
    text = re.sub(r"<[^>]*>", "\n", source)
    found += [line.strip() for line in text.splitlines() if WORDS.search(line)]
    return found


@pytest.mark.parametrize("name", DESK_TEMPLATES)
def test_desk_templates_have_no_untranslated_string(name):
    assert untranslated((TEMPLATES / name).read_text(encoding="utf-8")) == []


def test_the_check_sees_an_untranslated_string():
    assert untranslated('<p>{% translate "ok" %}</p><button aria-label="Close">x</button><b>Save</b>') == \
        ["Close", "Save"]


def test_javascript_shows_no_literal_english_sentence():
    # Messages are t("key"); a literal like "Not saved." in a module is a string no translation reaches.
    literal = re.compile(r'"(?:[A-Z][a-z]+ ){1,}[a-z]+[^"]*"')
    for path in JS.glob("*.js"):
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith(("//", "*", "/*")))
        assert not literal.findall(code), (path.name, literal.findall(code))


@pytest.mark.django_db
def test_the_page_carries_its_javascript_strings_translated(client):
    editor = make_user("editor")
    story = story_with_work()
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_desk", args=[story.pk])).content.decode()
    strings = json.loads(page.split('<script id="desk-strings" type="application/json">')[1].split("</script>")[0])
    assert set(strings) == set(JS_STRINGS)
    with translation.override("en"):
        assert strings["nothing_selected"] == str(JS_STRINGS["nothing_selected"])
    used = set()
    for path in JS.glob("*.js"):
        used |= {k for k in re.findall(r'\bt\("(\w+)"', path.read_text(encoding="utf-8")) if not k.endswith("_")}
    dynamic = {k for k in JS_STRINGS if k.startswith(("new_", "done_", "group_confirm_", "confident_confirm_", "issue_kind_"))}
    assert used - set(JS_STRINGS) == set()  # every key the modules use exists
    assert set(JS_STRINGS) - used - dynamic == set()  # and none is left unused
