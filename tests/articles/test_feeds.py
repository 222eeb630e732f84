"""Feeds (parsed with feedparser), the sitemap and robots.txt."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
from django.test import TestCase
from django.utils import timezone

from articles.models import Article
from articles.services import article_publish
from tests.factories import make_story

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


class FeedTests(TestCase):
    def setUp(self):
        make_story(2, slug="one", title="第一篇")
        make_story(1, slug="draft", title="草稿", status="draft")

    def test_rss_feed(self):
        response = self.client.get("/feeds/stories.rss")
        assert response["Content-Type"].startswith("application/rss+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo and feed.version == "rss20"
        assert feed.feed.language == "zh-Hant"
        assert [e.title for e in feed.entries] == ["第一篇"]
        entry = feed.entries[0]
        assert entry.link == "http://testserver/stories/one/"
        assert entry.summary == "一年回顧" and entry.published_parsed[:3] == (2023, 11, 8)

    def test_atom_feed(self):
        feed = feedparser.parse(self.client.get("/feeds/stories.atom").content)
        assert not feed.bozo and feed.version == "atom10"
        assert [e.title for e in feed.entries] == ["第一篇"]
        assert feed.entries[0].updated_parsed is not None

    def test_simplified_feed(self):
        feed = feedparser.parse(self.client.get("/zh-hans/feeds/stories.rss").content)
        assert not feed.bozo and feed.feed.language == "zh-Hans"
        assert feed.entries[0].title == "第一篇" and feed.entries[0].summary == "一年回顾"
        assert feed.entries[0].link == "http://testserver/zh-hans/stories/one/"

    def test_feed_text_is_escaped(self):
        make_story(1, slug="xss", marker="<script>&")
        content = self.client.get("/feeds/stories.rss").content
        feed = feedparser.parse(content)
        assert not feed.bozo and b"<script>" not in content
        assert any("<script>&" in e.title for e in feed.entries)

    def test_scheduled_story_enters_the_feed_only_when_due(self):
        article = make_story(1, slug="later", title="晚點發布", status="draft")
        article.publish_at = timezone.now() + timedelta(hours=1)
        article.save()
        article_publish(article=article)
        assert "晚點發布" not in self.client.get("/feeds/stories.rss").content.decode()


class SitemapTests(TestCase):
    def test_sitemap_lists_public_stories_and_entities_in_both_scripts(self):
        article = make_story(2, slug="one")
        make_story(1, slug="draft", status="draft")
        response = self.client.get("/sitemap.xml")
        root = ET.fromstring(response.content)
        urls = {u.find("s:loc", SITEMAP_NS).text: u for u in root.findall("s:url", SITEMAP_NS)}
        assert "http://testserver/stories/one/" in urls and "http://testserver/zh-hans/stories/one/" in urls
        assert "http://testserver/entities/alibaba/" in urls and "http://testserver/entities/person-2/" in urls
        assert not any("draft" in u for u in urls)
        story = urls["http://testserver/stories/one/"]
        assert story.find("s:lastmod", SITEMAP_NS).text.startswith("2023-11-0")
        alternates = {a.get("hreflang"): a.get("href") for a in story.findall("x:link", SITEMAP_NS)}
        assert alternates["zh-hans"] == "http://testserver/zh-hans/stories/one/"
        assert alternates["x-default"] == "http://testserver/stories/one/"
        live = Article.objects.live().get(working_copy=article)
        assert live.updated_at is None or story.find("s:lastmod", SITEMAP_NS).text

    def test_lastmod_follows_the_last_publication_not_draft_edits(self):
        article = make_story(1, slug="one")
        article_publish(article=article, now=timezone.now())
        before = self.client.get("/sitemap.xml").content
        article.title = "未發布的新標題"
        article.save()
        assert self.client.get("/sitemap.xml").content == before
        lastmod = ET.fromstring(before).find("s:url/s:lastmod", SITEMAP_NS).text
        assert lastmod.startswith(str(timezone.now().year))


class RobotsTests(TestCase):
    def test_robots_names_the_sitemap(self):
        response = self.client.get("/robots.txt")
        assert response["Content-Type"].startswith("text/plain")
        text = response.content.decode()
        assert "Sitemap: http://testserver/sitemap.xml" in text and "Disallow: /admin/" in text
