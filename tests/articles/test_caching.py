"""Validators, 304s and the public page cache: invalidated by publishing, never by a draft save."""

import time
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Quote
from articles.services import article_publish, article_unpublish
from entities.models import Alias, Entity, Role
from newsroom.models import PageScope
from newsroom.public_pages import mark_path, read_state
from tests.factories import make_story


def count(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    return response, len(ctx.captured_queries)


class ConditionalGetTests(TestCase):
    def setUp(self):
        self.article = make_story(2)

    def test_pages_carry_validators(self):
        for url in ("/", "/stories/test-story/", "/entities/alibaba/", "/quotes/", "/entities/", "/search/?q=阿里",
                    "/feeds/stories.rss", "/sitemap.xml", "/zh-hans/stories/test-story/"):
            response = self.client.get(url)
            assert response.status_code == 200, url
            assert response["ETag"].startswith('"') and response["Last-Modified"], url
            assert "max-age=0" in response["Cache-Control"]

    def test_if_none_match_answers_304_without_rendering(self):
        first = self.client.get("/stories/test-story/")
        response, queries = count(self.client, "/stories/test-story/", if_none_match=first["ETag"])
        assert response.status_code == 304 and response.content == b""
        assert response["ETag"] == first["ETag"]
        assert queries == 1  # the validator read (served before the view and its snapshot): nothing rendered
        cache.clear()
        _, full = count(self.client, "/stories/test-story/")
        assert queries < full

    def test_if_modified_since_answers_304(self):
        first = self.client.get("/stories/test-story/")
        response = self.client.get("/stories/test-story/", headers={"if_modified_since": first["Last-Modified"]})
        assert response.status_code == 304

    def test_editions_and_urls_have_their_own_etags(self):
        etags = {self.client.get(url)["ETag"] for url in ("/", "/zh-hans/", "/stories/test-story/", "/?page=1")}
        assert len(etags) == 4

    def test_cached_page_is_served_without_rendering(self):
        first, full = count(self.client, "/stories/test-story/")
        second, cached = count(self.client, "/stories/test-story/")
        assert second.content == first.content and cached < full


class InvalidationTests(TestCase):
    def setUp(self):
        self.article = make_story(2)
        self.first = self.client.get("/stories/test-story/")

    def test_publishing_changes_invalidates(self):
        self.article.title = "新的標題"
        self.article.save()
        article_publish(article=self.article)
        response = self.client.get("/stories/test-story/", headers={"if_none_match": self.first["ETag"]})
        assert response.status_code == 200 and "新的標題" in response.content.decode()
        assert "新的標題" in self.client.get("/").content.decode()

    def test_unpublishing_invalidates(self):
        self.client.get("/")
        article_unpublish(article=self.article)
        assert self.client.get("/stories/test-story/").status_code == 404
        assert "阿里的大模型之年" not in self.client.get("/").content.decode()

    def test_draft_save_changes_no_validator(self):
        self.article.title = "還沒發布的標題"
        self.article.save()
        response = self.client.get("/stories/test-story/", headers={"if_none_match": self.first["ETag"]})
        assert response.status_code == 304

    def test_entity_edits_invalidate_pages_showing_them(self):
        alibaba = Entity.objects.get(slug="alibaba")
        alibaba.description = "新的描述文字"
        alibaba.save()
        assert "新的描述文字" in self.client.get("/stories/test-story/").content.decode()
        alias = Alias.objects.get(entity=alibaba, text="Alibaba")
        alias.text = "Alibaba Group Holding"
        alias.save()
        assert "Alibaba Group Holding" in self.client.get("/entities/alibaba/").content.decode()
        role = Role.objects.get(title="阿里CTO1")
        Role.objects.filter(pk=role.pk).update(title="x")  # a raw update: no signal, same counts
        role.title = "阿里首席技術官"
        role.save()
        assert "阿里首席技術官" in self.client.get("/entities/person-1/").content.decode()

    def test_a_scheduled_story_coming_due_changes_the_state(self):
        later = make_story(1, slug="later", title="排程的報導", status="draft")
        later.publish_at = timezone.now() + timedelta(hours=1)
        later.save()
        article_publish(article=later)
        now_state, _ = read_state(["site"])
        due_state, _ = read_state(["site"], now=timezone.now() + timedelta(hours=2))
        assert now_state != due_state
        assert Article.objects.public(now=timezone.now() + timedelta(hours=2)).filter(slug="later").exists()


def page_entries():
    """The page-cache entries of this process's cache (the test settings' local-memory cache)."""
    return [k for k in cache._cache if "public-page:" in k]


class ScopedInvalidationTests(TestCase):
    """Invalidate what changed, in every process (the validator is read from the database)."""

    def setUp(self):
        self.article = make_story(2)
        self.other = make_story(1, slug="other", title="另一篇報導")
        self.first = self.client.get("/stories/test-story/")

    def cached(self, url, etag):
        response, queries = count(self.client, url, if_none_match=etag)
        return response.status_code == 304 and queries <= 1  # the validator read (or remembered), nothing rendered

    def test_an_unrelated_publish_leaves_the_story_page_and_its_entity_pages_cached(self):
        person = self.client.get("/entities/person-2/")
        self.other.title = "另一篇報導（修訂）"
        self.other.save()
        article_publish(article=self.other)
        assert self.cached("/stories/test-story/", self.first["ETag"])
        assert self.cached("/entities/person-2/", person["ETag"])  # person-2 is only in test-story
        assert "另一篇報導（修訂）" in self.client.get("/").content.decode()  # the lists did change

    def test_a_quote_changed_and_published_invalidates_the_page_showing_it(self):
        quote = Quote.objects.get(article=self.article, key="q1")
        quote.role = "新的職稱"
        quote.save()
        assert self.cached("/stories/test-story/", self.first["ETag"])  # a working-copy edit: not yet
        article_publish(article=self.article)
        assert not self.cached("/stories/test-story/", self.first["ETag"])
        assert "新的職稱" in self.client.get("/stories/test-story/").content.decode()

    def test_an_entity_edit_invalidates_the_stories_showing_it_and_not_the_others(self):
        other_page = self.client.get("/stories/other/")
        person = Entity.objects.get(slug="person-2")  # quoted in test-story only
        person.description = "新的人物介紹"
        person.save()
        assert not self.cached("/stories/test-story/", self.first["ETag"])
        assert self.cached("/stories/other/", other_page["ETag"])

    def test_a_write_from_another_process_is_seen_without_a_shared_cache(self):
        # The writer shares no cache with this process (another gunicorn worker, no Redis): only the
        # database carries the invalidation.
        with self.settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
            alias = Alias.objects.get(entity__slug="alibaba", text="Alibaba")
            alias.text = "Alibaba Group Holding"
            alias.save()
        assert page_entries()  # this process's cached pages are still there
        assert "Alibaba Group Holding" in self.client.get("/entities/alibaba/").content.decode()

    def test_query_parameters_a_page_does_not_read_share_one_cache_entry(self):
        cache.clear()
        for i in range(50):
            response = self.client.get(f"/stories/test-story/?utm_source=x{i}&fbclid={i}")
            assert response.status_code == 200
        assert len(page_entries()) == 1
        assert "utm_source" not in response.content.decode()
        for url in ("/?page=2", "/?page=2&utm=1", "/search/?q=阿里&ref=x", "/search/?ref=y&q=阿里"):
            self.client.get(url)
        assert len(page_entries()) == 3  # /?page=2 and /search/?q=阿里 (either order) added


class PublishInvalidatesWhatChangedTests(TestCase):
    """A publication changes its story page, the lists (home, feeds, sitemap, search) and the pages
    of the entities it lists; not the other stories' pages."""

    LISTS = ("/", "/feeds/stories.rss", "/feeds/stories.atom", "/sitemap.xml", "/search/?q=阿里")

    def setUp(self):
        self.article = make_story(2)
        self.other = make_story(1, slug="other", title="另一篇報導")
        self.urls = [*self.LISTS, "/stories/test-story/", "/stories/other/", "/entities/alibaba/",
                     "/entities/person-2/", "/entities/person-1/"]
        self.etags = {url: self.client.get(url)["ETag"] for url in self.urls}

    def still_cached(self):
        return {url for url in self.urls
                if self.client.get(url, headers={"if_none_match": self.etags[url]}).status_code == 304}

    def test_publishing_a_story(self):
        self.article.title = "新的標題"
        self.article.save()
        article_publish(article=self.article)
        # person-1 is on both stories' lists, person-2 on test-story's only: both pages list it.
        assert self.still_cached() == {"/stories/other/"}
        assert "新的標題" in self.client.get("/feeds/stories.rss").content.decode()

    def test_publishing_an_unrelated_story(self):
        self.other.title = "另一篇報導（修訂）"
        self.other.save()
        article_publish(article=self.other)
        assert "/stories/test-story/" in self.still_cached() and "/entities/person-2/" in self.still_cached()
        assert not {"/stories/other/", *self.LISTS} & self.still_cached()

    def test_an_entity_edit(self):
        person = Entity.objects.get(slug="person-2")  # on test-story only
        person.description = "新的人物介紹"
        person.save()
        cached = self.still_cached()
        assert "/entities/person-2/" not in cached and "/stories/test-story/" not in cached
        assert {"/stories/other/", "/entities/person-1/"} <= cached

    def test_an_alias_edit_changes_the_entity_page_but_not_the_stories(self):
        alias = Alias.objects.get(entity__slug="alibaba", text="Alibaba")
        alias.text = "Alibaba Group Holding"
        alias.save()
        cached = self.still_cached()
        assert "/entities/alibaba/" not in cached
        assert {"/stories/test-story/", "/stories/other/"} <= cached  # story pages do not show aliases

    def test_saving_an_entity_unchanged_changes_nothing(self):
        Entity.objects.get(slug="alibaba").save()
        Alias.objects.get(entity__slug="alibaba", text="Alibaba").save()
        assert self.still_cached() == set(self.urls)


class EarlyCacheTests(TestCase):
    """PageCacheMiddleware: cached pages for anonymous readers before the middleware stack."""

    URLS = ("/stories/test-story/", "/zh-hans/stories/test-story/", "/", "/zh-hans/", "/feeds/stories.rss",
            "/sitemap.xml", "/search/?q=阿里", "/quotes/?speaker=person-1", "/entities/alibaba/", "/entities/")

    def setUp(self):
        self.article = make_story(2)

    def test_an_early_hit_has_exactly_the_headers_and_body_of_the_full_path(self):
        for url in self.URLS:
            cache.clear()
            full = self.client.get(url)
            early, queries = count(self.client, url)
            assert getattr(early, "from_page_cache", False) and queries == 1, url
            assert early.content == full.content, url
            assert dict(early.headers) == dict(full.headers), url
            assert "Content-Security-Policy" in early and early["ETag"] == full["ETag"], url

    def test_an_early_304_has_the_headers_of_the_full_path_304(self):
        for url in self.URLS:
            cache.clear()
            etag = self.client.get(url)["ETag"]
            cache.clear()
            full = self.client.get(url, headers={"if_none_match": etag})  # rendered, answered 304
            self.client.get(url)
            early = self.client.get(url, headers={"if_none_match": etag})
            assert full.status_code == early.status_code == 304 and getattr(early, "from_page_cache", False)
            assert dict(early.headers) == dict(full.headers), url

    def test_a_logged_in_editor_is_never_served_a_cached_page(self):
        from django.contrib.auth import get_user_model

        url = "/stories/test-story/"
        self.client.get(url)  # cached for readers
        editor = get_user_model().objects.create_superuser("editor", "e@example.org", "pw")
        self.client.force_login(editor)
        response, queries = count(self.client, url)
        assert response.status_code == 200 and not getattr(response, "from_page_cache", False) and queries > 1
        self.client.logout()
        self.client.cookies.clear()
        assert getattr(self.client.get(url), "from_page_cache", False)

    def test_a_stale_page_is_not_served_early(self):
        url = "/stories/test-story/"
        self.client.get(url)
        self.article.title = "新的標題"
        self.article.save()
        article_publish(article=self.article)
        response = self.client.get(url)
        assert not getattr(response, "from_page_cache", False) and "新的標題" in response.content.decode()
        assert getattr(self.client.get(url), "from_page_cache", False)


class RememberedStateTests(TestCase):
    """A process remembers the page state it read: a cached hit then runs no query, until the host's
    change mark changes (any process's write), a publication comes due, or PAGE_STATE_RECHECK_SECONDS."""

    URL = "/stories/test-story/"

    def setUp(self):
        self.article = make_story(2)
        self.client.get(self.URL)  # rendered and stored

    def hit(self):
        response, queries = count(self.client, self.URL)
        assert response.status_code == 200 and getattr(response, "from_page_cache", False)
        return queries

    def test_a_second_hit_runs_no_query(self):
        assert self.hit() == 1  # the state read, remembered
        assert self.hit() == 0
        assert self.hit() == 0

    def test_a_change_by_another_process_is_seen_at_the_next_request(self):
        import tempfile

        with tempfile.NamedTemporaryFile() as shared, self.settings(PAGE_STATE_MARK_FILE=shared.name):
            assert [self.hit(), self.hit()] == [1, 0]
            # Another worker publishes: its rows and its change mark (no signal, no cache in common here).
            PageScope.objects.filter(scope="story:test-story").update(generation=99)
            with open(mark_path(), "r+b") as other_process:
                other_process.write(b"another worker..")
            response, queries = count(self.client, self.URL)
            assert queries > 1 and not getattr(response, "from_page_cache", False)  # read, found stale, rendered

    def test_a_write_the_mark_missed_is_seen_within_the_recheck_time(self):
        with self.settings(PAGE_STATE_RECHECK_SECONDS=0.2):
            assert [self.hit(), self.hit()] == [1, 0]
            PageScope.objects.filter(scope="story:test-story").update(generation=99)  # another host
            assert self.hit() == 0  # not seen yet: at most 0.2 s
            time.sleep(0.25)
            response, queries = count(self.client, self.URL)
            assert queries > 1 and not getattr(response, "from_page_cache", False)

    def test_a_state_read_in_a_read_snapshot_is_not_remembered(self):
        from newsroom import public_pages
        from newsroom.db import snapshot

        scopes = ["story:test-story"]
        stored = {"scopes": scopes, "state": read_state(scopes)[0]}
        with snapshot():  # its rows may be older than the change mark read now
            assert public_pages._fresh("a page", stored)[0]
        assert "a page" not in public_pages._validated
        assert public_pages._fresh("a page", stored)[0]
        assert "a page" in public_pages._validated

    def test_a_publication_coming_due_ends_what_is_remembered(self):
        later = make_story(1, slug="later", title="排程的報導", status="draft")
        later.publish_at = timezone.now() + timedelta(seconds=0.6)
        later.save()
        article_publish(article=later)
        assert "排程的報導" not in self.client.get("/").content.decode()
        for _ in range(2):
            self.client.get("/")  # the state read once, then remembered
        assert count(self.client, "/")[1] == 0
        time.sleep(max(0, (later.publish_at - timezone.now()).total_seconds()) + 0.05)
        assert "排程的報導" in self.client.get("/").content.decode()


def redis_reachable():
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
        return True
    except OSError:
        return False


REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://127.0.0.1:6379/3", "KEY_PREFIX": "newsroom-test-caching"}}


class SharedCacheInvalidationTests(TestCase):
    """The same invalidation with a shared cache (Redis) as with per-process caches."""

    def setUp(self):
        if not redis_reachable():
            self.skipTest("no Redis at 127.0.0.1:6379")
        override = self.settings(CACHES=REDIS)
        override.enable()
        self.addCleanup(override.disable)
        from django.core.cache import caches

        caches["default"].clear()
        self.article = make_story(2)
        self.other = make_story(1, slug="other", title="另一篇報導")

    def test_publish_and_entity_edit_invalidate_only_their_pages(self):
        first = self.client.get("/stories/test-story/")
        other = self.client.get("/stories/other/")
        assert getattr(self.client.get("/stories/test-story/"), "from_page_cache", False)
        self.article.title = "新的標題"
        self.article.save()
        article_publish(article=self.article)
        assert self.client.get("/stories/test-story/", headers={"if_none_match": first["ETag"]}).status_code == 200
        assert self.client.get("/stories/other/", headers={"if_none_match": other["ETag"]}).status_code == 304
        person = Entity.objects.get(slug="person-1")  # on both stories
        person.description = "新的人物介紹"
        person.save()
        assert "新的人物介紹" in self.client.get("/stories/other/").content.decode()


class ThunderingHerdTests(TransactionTestCase):
    """After a publish, concurrent first requests for a page render it once (one cache: the threads
    of one process share the local-memory cache as gunicorn workers share Redis)."""

    def test_concurrent_requests_after_a_publish_render_the_page_once(self):
        import threading
        from unittest import mock

        from django.db import connections
        from django.test import Client

        from newsroom import public_pages

        article = make_story(2)
        for url in ("/", "/stories/test-story/"):
            Client().get(url)
        article.title = "新的標題"
        article.save()
        article_publish(article=article)
        renders, real = [], public_pages._render

        def slow_render(*args, **kwargs):
            renders.append(args[0].path)
            time.sleep(0.3)  # every other request arrives while this one renders
            return real(*args, **kwargs)

        results = []

        def reader(url):
            try:
                response = Client().get(url)
                results.append((url, response.status_code, "新的標題" in response.content.decode()))
            finally:
                connections.close_all()

        with mock.patch.object(public_pages, "_render", slow_render):
            threads = [threading.Thread(target=reader, args=(url,)) for url in ("/", "/stories/test-story/") * 6]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert sorted(renders) == ["/", "/stories/test-story/"]
        assert len(results) == 12 and all(status == 200 and new for _, status, new in results)
