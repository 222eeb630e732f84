"""The reader pages of the bundled seed story, byte for byte (issue 9: refactors change no page).

The seed edition (articles/data/*.story.json) is imported with ``load_demo`` and every public page
kind is compared with a stored copy under tests/data/golden/. A reader change that is intended is
recorded by regenerating the copies and reviewing their diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -p no:cacheprovider tests/articles/test_golden_pages.py
    git diff tests/data/golden/

Normalised before comparing (they legitimately vary between runs): nothing else than
- the database id in feed guids (``newsroom:story:<ID>``: PostgreSQL does not reset sequences between tests),
- ``csrfmiddlewaretoken`` values and ``csrftoken`` cookies (none on public pages today; kept for safety),
- the import clock: RFC 822 / ISO 8601 instants that fall within the test run (feeds' and sitemap's
  ``lastBuildDate``/``updated``/``lastmod`` when they come from ``now``) are replaced by ``<NOW>``.
Dates stored in the edition (published 2023-11-06 and the like) are compared as they are.
"""

import difflib
import os
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import TestCase

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

PAGES = {
    "home.html": "/",
    "home.zh-hans.html": "/zh-hans/",
    "story.html": "/stories/alibaba-tongyi-qianwen-2023/",
    "story.zh-hans.html": "/zh-hans/stories/alibaba-tongyi-qianwen-2023/",
    "entity-alibaba.html": "/entities/alibaba/",
    "entity-zhou-jingren.html": "/entities/zhou-jingren/",
    "entity-apsara-2023.html": "/entities/apsara-2023/",
    "entity-tongyi-qianwen.zh-hans.html": "/zh-hans/entities/tongyi-qianwen/",
    "entity-alibaba-feed.rss": "/entities/alibaba/feed.rss",
    "quotes.html": "/quotes/",
    "quotes-filtered.html": "/quotes/?speaker=zhou-jingren",
    "entities.html": "/entities/",
    "entities-filtered.html": "/entities/?kind=person",
    # Percent-encoded, as browsers send it (the test client would pass raw UTF-8 bytes through).
    "search.html": "/search/?q=%E9%80%9A%E7%BE%A9%E5%8D%83%E5%95%8F",
    "search-latin.zh-hans.html": "/zh-hans/search/?q=GPT",
    "feed.rss": "/feeds/stories.rss",
    "feed.atom": "/feeds/stories.atom",
    "sitemap.xml": "/sitemap.xml",
    "robots.txt": "/robots.txt",
}

GUID_RE = re.compile(r"newsroom:story:\d+")
CSRF_RE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
RFC822_RE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}")
ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


def _now_stamp(text, parse, start, end):
    try:
        when = parse(text)
    except (TypeError, ValueError):
        return text
    if when.tzinfo is None:
        return text
    return "<NOW>" if start <= when <= end else text


def normalise(text, start, end):
    text = GUID_RE.sub("newsroom:story:<ID>", CSRF_RE.sub(r"\1<CSRF>\2", text))
    text = RFC822_RE.sub(lambda m: _now_stamp(m.group(0), parsedate_to_datetime, start, end), text)
    return ISO_RE.sub(lambda m: _now_stamp(m.group(0), datetime.fromisoformat, start, end), text)


class GoldenPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Seconds, not microseconds: RFC 822 dates carry whole seconds.
        cls.start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=1)
        call_command("load_demo", "--no-users", "--no-raw", verbosity=0)

    def test_public_pages_are_byte_identical_to_the_golden_copies(self):
        end = datetime.now(timezone.utc) + timedelta(minutes=5)
        missing, changed = [], []
        for name, url in PAGES.items():
            response = self.client.get(url)
            assert response.status_code == 200, url
            body = normalise(response.content.decode(), self.start, end)
            path = GOLDEN / name
            if UPDATE:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")
            elif not path.exists():
                missing.append(name)
            elif (stored := path.read_text(encoding="utf-8")) != body:
                diff = difflib.unified_diff(stored.splitlines(), body.splitlines(), name, url, lineterm="", n=1)
                changed.append(f"{name} ({url}):\n" + "\n".join(list(diff)[:12]))
        assert not missing, f"no golden copy (regenerate with UPDATE_GOLDEN=1): {missing}"
        assert not changed, "pages differ from tests/data/golden/ (see this module's docstring):\n" + "\n".join(changed)

    def test_every_golden_copy_is_checked(self):
        stored = {p.name for p in GOLDEN.iterdir()} if GOLDEN.exists() else set()
        if not UPDATE:
            assert stored == set(PAGES), f"stale or missing golden files: {stored ^ set(PAGES)}"
