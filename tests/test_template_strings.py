"""No template shows text a person reads outside Django's translation tags (issue 11 item 4).

Every template under templates/ is read with Django's own lexer: {% translate %}, {% blocktranslate %}
… {% endblocktranslate %}, variables and other tags become a placeholder, comments, <script> and
<style> are dropped, and what is left is parsed as HTML. Text nodes and the attributes people read
(alt, title, placeholder, aria-label, aria-description, label, content of <meta name=description>)
must then contain no letter and no Han character, apart from ALLOWED: names that are the same in
every language. Each finding names the template, the line and the text.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# The same in every language: the brand (and its logo mark 新), feed formats, language names written in themselves
# (a language menu names each language in its own script), the script-switch labels that show the
# reader the script itself, and sample input.
ALLOWED = {"新", "English", "繁體中文", "简体中文", "繁體", "简体", "字體 Script"}
BRANDS = ("Newsroom", "RSS", "Atom", "JSON-LD", "JSON", "Wikidata")  # may stand beside punctuation (｜Newsroom)
# Templates that are not pages a person reads.
SKIP = {"robots.txt"}
# Reader templates still to wrap: their text is the edition's own Traditional Chinese, shown to
# readers of both scripts (the simplified edition converts it). Listed so that the test guards every
# other template now and this list can only shrink.
PENDING = set()
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}
HOLE = "\x00"
WORDS = re.compile(r"[A-Za-z\u3400-\u9fff\uf900-\ufaff]")


def flatten(source):
    """The template with tags and variables as HOLE, translated text as HOLE, comments removed."""
    out, depth_translate, in_comment = [], 0, False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name == "comment":
                in_comment = True
            elif name == "endcomment":
                in_comment = False
            elif name == "block" and token.contents.split()[1:2] in (["bodyclass"], ["body_class"]):
                in_comment = True  # CSS class names, not text
            elif name == "endblock" and in_comment:
                in_comment = False
            elif name in ("blocktranslate", "blocktrans"):
                depth_translate += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                depth_translate -= 1
            out.append(HOLE)
            continue
        if in_comment:
            continue
        if token.token_type == TokenType.VAR or depth_translate:
            out.append(HOLE)
        else:
            out.append(token.contents)
    return "".join(out)


class Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        attrs = dict(attrs)
        for name, value in attrs.items():
            readable = name in READ_ATTRIBUTES or (tag == "meta" and name == "content"
                                                   and attrs.get("name") in ("description",))
            if readable and value:
                self.check(value, f"{tag}[{name}]")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.check(data, "text")

    def check(self, text, where):
        for part in text.split(HOLE):
            part = part.strip()
            bare = part
            for brand in BRANDS:
                bare = bare.replace(brand, "")
            if part and part not in ALLOWED and WORDS.search(bare):
                self.found.append((self.getpos()[0], where, part))


def untranslated(path):
    reader = Reader()
    reader.feed(flatten(path.read_text(encoding="utf-8")))
    reader.close()
    return reader.found


def templates():
    for path in sorted(TEMPLATES.rglob("*")):
        name = str(path.relative_to(TEMPLATES))
        if path.is_file() and path.suffix in (".html", ".txt", ".xml") and name not in SKIP:
            yield name


@pytest.mark.parametrize("name", [n for n in templates() if n not in PENDING])
def test_template_text_is_translated(name):
    found = untranslated(TEMPLATES / name)
    assert not found, f"templates/{name}: text outside {{% translate %}}:\n" + "\n".join(
        f"  line ~{line} ({where}): {text[:80]!r}" for line, where, text in found)


def test_the_pending_list_only_names_templates_that_still_need_it():
    done = sorted(name for name in PENDING if (TEMPLATES / name).exists() and not untranslated(TEMPLATES / name))
    assert not done, f"translated now, remove from PENDING: {done}"


def test_the_check_finds_untranslated_text():
    reader = Reader()
    reader.feed(flatten('{% load i18n %}<p title="Hi">{% translate "ok" %} 你好 {{ x }}</p>'
                        '{% blocktranslate %}fine {{ x }}{% endblocktranslate %}{# note #}<a aria-label="Go">x</a>'))
    assert [(where, text) for _, where, text in reader.found] == [
        ("p[title]", "Hi"), ("text", "你好"), ("a[aria-label]", "Go"), ("text", "x")]
