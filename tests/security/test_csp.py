"""Content-Security-Policy (issue 10 item 14): the header on every kind of page, and no inline script."""

import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from tests.factories import make_story

ROOT = Path(__file__).resolve().parents[2]
# A <script> element; data blocks (JSON, JSON-LD) are not executed, so CSP does not apply to them.
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
DATA_TYPES = ("application/json", "application/ld+json")


def directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def executable_inline_scripts(html):
    """The opening tags of <script> elements the browser would run from the page itself."""
    found = []
    for match in SCRIPT.finditer(html):
        attrs = match.group(1)
        if "src=" in attrs:
            continue
        kind = re.search(r"type=[\"']?([^\"' >]+)", attrs)
        if kind and kind.group(1).lower() in DATA_TYPES:
            continue
        found.append(match.group(0))
    return found


class CSPHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.story = make_story(2)
        cls.editor = get_user_model().objects.create_superuser("boss", password="pw-boss-123")

    def assert_strict(self, response):
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], policy
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy.get("default-src", [])
        assert executable_inline_scripts(response.content.decode()) == []

    def test_public_pages(self):
        for url in (reverse("articles:home"), self.story.get_absolute_url(), reverse("articles:search") + "?q=阿里",
                    reverse("entities:list"), reverse("articles:quotes")):
            response = self.client.get(url)
            assert response.status_code == 200, url
            self.assert_strict(response)

    def test_cached_public_page_keeps_the_header(self):
        url = self.story.get_absolute_url()
        self.client.get(url)
        self.assert_strict(self.client.get(url))

    def test_not_found_page(self):
        response = self.client.get("/stories/no-such-story/")
        assert response.status_code == 404
        assert directives(response)["script-src"] == ["'self'"]

    def test_admin_and_desk_pages(self):
        self.client.force_login(self.editor)
        for url in (reverse("admin:index"), reverse("admin:articles_article_changelist"),
                    reverse("admin:articles_article_change", args=[self.story.pk]),
                    reverse("admin:articles_article_desk", args=[self.story.pk]),
                    reverse("admin:articles_quote_changelist"), reverse("admin:entities_entity_changelist")):
            response = self.client.get(url)
            assert response.status_code == 200, url
            self.assert_strict(response)

    def test_login_page_for_anonymous(self):
        self.assert_strict(self.client.get(reverse("admin:login")))


def test_no_template_carries_an_inline_script():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in executable_inline_scripts(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}: {tag}")
    assert offenders == []


def test_no_template_carries_an_inline_event_handler():
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")
                 if handler.search(p.read_text(encoding="utf-8")) or "javascript:" in p.read_text(encoding="utf-8")]
    assert offenders == []
