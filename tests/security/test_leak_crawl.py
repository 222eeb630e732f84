"""The leak crawl: every public URL pattern, found through the URL resolver, fetched with every
sample its arguments can take (every story and entity slug, canaries included) in both editions.

A URL pattern with no row in SAMPLES fails the suite, so a new public page cannot go unchecked.
The canaries are those of tests/articles/test_leaks.py (drafts, in review, scheduled, archived,
withdrawn, unpublished edits, an entity named only in a draft) plus the knowledge-base canaries of
test_knowledge_leaks.py (what a draft import says about an entity that is public).
"""

from django.test import TestCase
from django.urls import URLResolver, get_resolver, reverse
from django.utils import translation

from articles.models import Article
from entities.models import Alias, Entity
# Modules, not their classes: a TestCase imported by name would run here a second time.
from tests.articles import test_leaks
from tests.security import test_knowledge_leaks

ALL_CANARIES = [*test_leaks.CANARIES.values(), test_knowledge_leaks.KB_CANARY]


def public_routes():
    """(name, converter names) of every URL pattern outside the admin."""

    def walk(patterns, ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("admin/"):
                    continue
                inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
                yield from walk(p.url_patterns, inner)
            else:
                yield (f"{ns}:{p.name}" if ns else p.name), sorted(p.pattern.converters)

    return sorted(set((name, tuple(args)) for name, args in walk(get_resolver().url_patterns)))


def story_slugs():
    return sorted(set(Article.objects.values_list("slug", flat=True)))


def entity_slugs():
    return sorted(set(Entity.objects.values_list("slug", flat=True)) |
                  set(Alias.objects.exclude(slug="").values_list("slug", flat=True)))


def searches(key):
    """Query strings searching for every canary (by prefix, as the search page matches words)."""
    out = []
    for marker in ALL_CANARIES:
        out += [f"?{key}={marker[:-1]}", f"?{key}={marker[:-1].lower()}"]
    return out + [f"?{key}=秘密", f"?{key}=別名", f"?{key}=描述", f"?{key}=職稱"]


# For each public URL name: the kwargs to reverse it with, and the query strings to add.
SAMPLES = {
    "sitemap": lambda: [({}, "")],
    "robots": lambda: [({}, "")],
    # Django's language switch: a GET answers a redirect (it only changes anything on POST).
    "set_language": lambda: [({}, "")],
    "articles:home": lambda: [({}, ""), ({}, "?page=2")],
    "articles:detail": lambda: [({"slug": s}, "") for s in story_slugs()],
    "articles:quotes": lambda: [({}, q) for q in ["", "?year=2023", "?page=2"] +
                                [f"?speaker={s}" for s in entity_slugs()]],
    "articles:search": lambda: [({}, q) for q in searches("q")],
    "articles:feed-rss": lambda: [({}, "")],
    "articles:feed-atom": lambda: [({}, "")],
    "entities:list": lambda: [({}, q) for q in ["", "?kind=person", "?kind=organization", "?kind=product",
                                                 "?initial=M", "?initial=J"] + searches("text")],
    "entities:detail": lambda: [({"slug": s}, "") for s in entity_slugs()],
    "entities:feed": lambda: [({"slug": s}, "") for s in entity_slugs()],
}


class LeakCrawlTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        test_leaks.LeakTests.setUpTestData.__func__(cls)
        test_knowledge_leaks.plant_knowledge_canaries()

    def test_every_public_url_pattern_has_samples(self):
        missing = [name for name, _ in public_routes() if name not in SAMPLES]
        assert missing == [], f"public URL patterns with no row in SAMPLES: {missing}"

    def test_no_canary_on_any_public_url(self):
        fetched = 0
        for name, _ in public_routes():
            for kwargs, query in SAMPLES[name]():
                for language in ("zh-hant", "zh-hans"):
                    with translation.override(language):
                        url = reverse(name, kwargs=kwargs) + query
                    response = self.client.get(url)
                    fetched += 1
                    assert response.status_code in (200, 301, 302, 404), (url, response.status_code)
                    text = response.content.decode() + repr(sorted(response.headers.items()))
                    # A form may echo the value it was given ("x is not one of the choices"): that is
                    # the request read back, not a leak.
                    for value in [*kwargs.values(), *(p.split("=", 1)[1] for p in query.lstrip("?").split("&") if "=" in p)]:
                        text = text.replace(value, "")
                    for marker in ALL_CANARIES:
                        assert marker not in text and marker.lower() not in text, f"{marker} leaked on {url}"
        assert fetched > 150  # the crawl really crawled (190 URLs when written)
