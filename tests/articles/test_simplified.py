"""The simplified edition: /zh-hans/, converted by OpenCC (t2s) at phrase level, markup untouched."""

import json
import re

import html5lib
from django.test import TestCase

from newsroom.simplified import html_to_simplified
from tests.factories import make_story


class ConversionTests(TestCase):
    def test_text_and_reader_attributes_convert_markup_and_urls_do_not(self):
        html = ('<p class="說明" id="阿里雲" data-x="雲"><a href="/search/?q=阿里雲" title="阿里雲官網">阿里雲</a>'
                '<img src="/media/雲.jpg" alt="雲棲大會"><!-- 雲 --></p>')
        out = html_to_simplified(html)
        assert out == ('<p class="說明" id="阿里雲" data-x="雲"><a href="/search/?q=阿里雲" title="阿里云官网">阿里云</a>'
                       '<img src="/media/雲.jpg" alt="云栖大会"><!-- 雲 --></p>')

    def test_phrases_convert_across_inline_tags(self):
        assert html_to_simplified("<p>乾隆</p>") == "<p>乾隆</p>"
        assert html_to_simplified("<p><a href='#'>乾</a>隆</p>") == "<p><a href='#'>乾</a>隆</p>"
        assert html_to_simplified("<p>乾</p><p>淨</p>") == "<p>干</p><p>净</p>"

    def test_scripts_are_left_alone_except_json_ld_values(self):
        ld = json.dumps({"@type": "NewsArticle", "headline": "阿里雲</script>", "url": "https://x.org/雲"},
                        ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E")
        html = f'<script>var s = "雲";</script><script type="application/ld+json">{ld}</script>'
        out = html_to_simplified(html)
        assert '<script>var s = "雲";</script>' in out
        data = json.loads(re.search(r'ld\+json">(.*?)</script>', out).group(1))
        assert data == {"@type": "NewsArticle", "headline": "阿里云</script>", "url": "https://x.org/雲"}
        assert out.count("</script>") == 2

    def test_entities_and_escapes_survive(self):
        assert html_to_simplified("<p>&lt;雲&gt; &amp; &#32321;&#39636;</p>") == "<p>&lt;云&gt; &amp; &#32321;&#39636;</p>"


class SimplifiedEditionTests(TestCase):
    def setUp(self):
        make_story(2, title="阿里雲的開源之年")

    def test_story_page_in_simplified_script(self):
        response = self.client.get("/zh-hans/stories/test-story/")
        assert response.status_code == 200
        html = response.content.decode()
        html5lib.HTMLParser(strict=True).parse(html)
        assert '<html lang="zh-Hans">' in html
        assert "阿里云的开源之年" in html and "阿里雲的開源之年" not in html
        assert 'href="/zh-hans/entities/alibaba/"' in html  # links stay in the edition
        assert '<q class="quote quote-direct" id="q-q1">' in html  # markup untouched
        data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))
        assert data["headline"] == "阿里云的开源之年" and data["inLanguage"] == "zh-Hans"
        assert data["url"] == "http://testserver/zh-hans/stories/test-story/"

    def test_switch_and_alternates_both_ways(self):
        hant = self.client.get("/stories/test-story/").content.decode()
        hans = self.client.get("/zh-hans/stories/test-story/").content.decode()
        for html in (hant, hans):
            assert 'hreflang="zh-Hans" href="http://testserver/zh-hans/stories/test-story/"' in html
            assert 'hreflang="zh-Hant" href="http://testserver/stories/test-story/"' in html
        assert 'href="/zh-hans/stories/test-story/" hreflang="zh-Hans"' in hant
        assert 'href="/stories/test-story/" hreflang="zh-Hant"' in hans
        assert "&#32321;&#39636;" in hans  # the switch keeps saying 繁體 in the simplified edition

    def test_switch_keeps_the_query(self):
        html = self.client.get("/search/", {"q": "阿里"}).content.decode()
        assert 'href="/zh-hans/search/?q=%E9%98%BF%E9%87%8C"' in html

    def test_every_page_has_a_simplified_edition(self):
        for url in ("/", "/entities/", "/entities/alibaba/", "/quotes/", "/search/?q=阿里", "/feeds/stories.rss",
                    "/feeds/stories.atom", "/entities/alibaba/feed.rss"):
            traditional = self.client.get(url).content.decode()
            response = self.client.get("/zh-hans" + url)
            assert response.status_code == 200, url
            simplified = response.content.decode()
            # The story's title and the speakers' names: every page kind shows one of them.
            shown = [(t, s) for t, s in (("開源之年", "开源之年"), ("講者", "讲者")) if t in traditional]
            assert shown, url
            assert all(s in simplified and t not in simplified for t, s in shown), url
            assert "zh-Hans" in simplified and "zh-Hant" in traditional, url

    def test_not_found_page_is_simplified_too(self):
        response = self.client.get("/zh-hans/stories/nothing/")
        assert response.status_code == 404
        assert "找不到这一页" in response.content.decode()
