"""schema.org JSON-LD and the other standards in the page head."""

import json
import re

from django.test import TestCase

from articles.services import story_import
from tests.factories import make_story, story_doc

LD_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(html):
    scripts = LD_RE.findall(html)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def nodes(data):
    """Every object in a JSON-LD tree."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from nodes(value)
    elif isinstance(data, list):
        for value in data:
            yield from nodes(value)


class StoryJsonLdTests(TestCase):
    def setUp(self):
        doc = story_doc(3)
        doc["entities"][0]["wikidata"] = "Q1359568"
        story_import(doc=doc)
        self.html = self.client.get("/stories/test-story/").content.decode()
        self.data = json_ld(self.html)

    def test_news_article(self):
        data = self.data
        assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
        assert data["headline"] == "阿里的大模型之年"
        assert data["datePublished"].startswith("2023-11-08T09:00:00") and data["dateModified"]
        assert data["inLanguage"] == "zh-Hant"
        assert data["author"] == [{"@type": "Person", "name": "鋅產業"}]
        assert data["publisher"]["@type"] == "NewsMediaOrganization"
        assert data["mainEntityOfPage"] == "http://testserver/stories/test-story/"

    def test_entities_it_is_about_carry_wikidata(self):
        entities = self.data["about"] + self.data.get("mentions", [])
        alibaba = next(e for e in entities if e["name"] == "阿里巴巴")
        assert alibaba["@type"] == "Organization"
        assert alibaba["sameAs"] == ["https://www.wikidata.org/wiki/Q1359568"]

    def test_sections_are_parts(self):
        parts = [p for p in self.data["hasPart"] if p["@type"] == "WebPageElement"]
        assert [p["name"] for p in parts] == ["01 第1節", "02 第2節", "03 第3節"]
        assert parts[0]["url"] == "http://testserver/stories/test-story/#s01"

    def test_a_quotation_node_per_quote_with_its_speaker(self):
        quotes = [n for n in nodes(self.data) if n.get("@type") == "Quotation"]
        assert len(quotes) == 3
        first = quotes[0]
        assert first["text"] == "阿里是唯一一家主動宣布大模型開源的大公司。"
        assert first["creator"]["@type"] == "Person" and first["creator"]["name"] == "講者1號"
        assert first["creator"]["jobTitle"] == "阿里CTO1"
        assert first["creator"]["url"] == "http://testserver/entities/person-1/"
        assert first["url"] == "http://testserver/stories/test-story/#q-q1"

    def test_open_graph_twitter_canonical_and_hreflang(self):
        html = self.html
        assert '<link rel="canonical" href="http://testserver/stories/test-story/">' in html
        assert '<meta property="og:title" content="阿里的大模型之年">' in html
        assert '<meta property="og:type" content="article">' in html
        assert '<meta name="twitter:card" content="summary">' in html
        assert '<link rel="alternate" hreflang="zh-Hans" href="http://testserver/zh-hans/stories/test-story/">' in html
        assert '<link rel="alternate" hreflang="zh-Hant" href="http://testserver/stories/test-story/">' in html


class ScriptEscapingTests(TestCase):
    def test_no_text_can_close_the_script(self):
        payload = "</script><script>alert(1)</script>&<!--"
        make_story(1, marker=payload)
        html = self.client.get("/stories/test-story/").content.decode()
        script = LD_RE.search(html).group(1)
        assert "<" not in script and ">" not in script and "&" not in script
        assert "\\u003C/script\\u003E" in script
        assert json.loads(script)["headline"] == "阿里的大模型之年" + payload
        assert "<script>alert(1)" not in html


class EntityJsonLdTests(TestCase):
    def test_person_and_organisation(self):
        doc = story_doc(1)
        doc["entities"][0]["wikidata"] = "Q1359568"
        story_import(doc=doc)
        person = json_ld(self.client.get("/entities/person-1/").content.decode())
        assert person["@type"] == "Person" and person["name"] == "講者1號"
        assert person["jobTitle"] == ["阿里CTO1"]
        assert person["affiliation"][0]["name"] == "阿里巴巴"
        org = json_ld(self.client.get("/entities/alibaba/").content.decode())
        assert org["@type"] == "Organization" and org["sameAs"] == ["https://www.wikidata.org/wiki/Q1359568"]
        assert org["alternateName"] == ["阿里", "Alibaba"]
        assert org["subjectOf"][0]["url"] == "http://testserver/stories/test-story/"
