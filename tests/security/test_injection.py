"""Injection read-back: payloads put into every text field through the importer come back escaped
from every public URL (the leak crawl's samples) and from the admin and desk pages."""

import json

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from articles.models import Article
from articles.services import story_import
from entities.models import Entity
from tests.factories import story_doc
from tests.security import test_leak_crawl as crawl

PAYLOADS = ['<script>alert("x1")</script>', '"><img src=x onerror=alert(2)>', "</script><script>alert(3)</script>",
            "' onmouseover='alert(4)", '<a href="javascript:alert(5)">x</a>', "<!--x6-->", "<svg/onload=alert(7)>"]
ALL = "".join(PAYLOADS)
# What must never reach a non-HTML answer (feeds, sitemap) unescaped.
NEVER = ['<script>alert(', "<img src=x", "<svg/onload", '<a href="javascript:', "<!--x6-->"]


def injected_markup(html):
    """Elements, attributes and comments in ``html`` that a payload made (parsed as a browser would)."""
    import html5lib
    from xml.etree.ElementTree import Comment

    found = []
    for el in html5lib.parse(html, namespaceHTMLElements=False).iter():
        if el.tag is Comment:
            found += [f"comment {el.text}"] if "x6" in (el.text or "") else []
            continue
        tag = el.tag.split("}")[-1] if isinstance(el.tag, str) else ""
        if tag == "script":
            data = (el.get("type") or "").lower() in ("application/json", "application/ld+json")
            if data and "<" in (el.text or ""):  # a data block must carry < only as \u003C
                found.append(f"raw < in a data block: {el.text[:80]}")
            if not data and "alert(" in (el.text or ""):
                found.append(f"<script>{el.text}")
        if tag in ("svg", "img") and (el.get("src") == "x" or any(k.startswith("on") for k in el.attrib)):
            found.append(f"<{tag} {el.attrib}>")
        for key, value in el.attrib.items():
            if key.lower().startswith("on") and "alert" in value:
                found.append(f"<{tag} {key}={value}>")
            if key in ("href", "src") and value.strip().lower().startswith("javascript:"):
                found.append(f"<{tag} {key}={value}>")
    return found


def payload_doc():
    doc = story_doc(2, slug="payload-story", title=f"標題{ALL}")
    a = doc["article"]
    a["dek"] = f"導言{ALL}"
    a["bylines"] = [f"記者{ALL}"]
    a["source"] = {"name": f"來源{ALL}", "published_on": "2023-11-08"}
    a["sections"][0]["heading"] = f"小標{PAYLOADS[0]}"
    a["sections"][1]["blocks"][1].update(alt=f"圖{PAYLOADS[1]}", caption=f"圖說{ALL}", credit=f"攝影{PAYLOADS[2]}")
    text = a["lede"][0]["text"]
    a["lede"][0]["text"] = text + ALL
    doc["entities"][0]["description"] = f"描述{ALL}"
    doc["entities"][0]["aliases"].append({"text": f"別名{PAYLOADS[1]}", "lang": "zh-Hant"})
    doc["entities"][1]["roles"][0]["title"] = f"職稱{PAYLOADS[3]}"
    doc["quotes"][0]["role"] = f"職稱{PAYLOADS[5]}"
    doc["quotes"][0]["note"] = f"備註{ALL}"
    doc["annotations"][0]["body"] = f"註{ALL}"
    return doc


class InjectionReadBackTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.story = story_import(doc=payload_doc()).article
        cls.editor = get_user_model().objects.create_superuser("boss", password="pw-boss-123")

    def assert_escaped(self, url, response):
        text = response.content.decode()
        if response.get("Content-Type", "").startswith("text/html"):
            assert injected_markup(text) == [], url
        else:
            for bad in NEVER:
                assert bad not in text, f"{bad!r} unescaped on {url}"

    def test_every_public_url_escapes_the_payloads(self):
        shown = 0
        for name, _ in crawl.public_routes():
            for kwargs, query in crawl.SAMPLES[name]():
                for language in ("zh-hant", "zh-hans"):
                    with translation.override(language):
                        url = reverse(name, kwargs=kwargs) + query
                    response = self.client.get(url)
                    assert response.status_code in (200, 301, 302, 404), (url, response.status_code)
                    self.assert_escaped(url, response)
                    shown += "alert(" in response.content.decode()
        assert shown > 10  # the payloads were on the pages, escaped

    def test_search_for_a_payload_echoes_it_escaped(self):
        for payload in PAYLOADS:
            for url in ("/search/", "/entities/", "/quotes/"):
                response = self.client.get(url, {"q": payload, "text": payload, "speaker": payload})
                self.assert_escaped(url, response)

    def test_admin_and_desk_pages_escape_the_payloads(self):
        self.client.force_login(self.editor)
        working = Article.objects.working().get(slug="payload-story")
        for url in (reverse("admin:articles_article_change", args=[working.pk]),
                    reverse("admin:articles_article_desk", args=[working.pk]),
                    reverse("admin:articles_article_changelist"), reverse("admin:entities_entity_changelist"),
                    reverse("admin:articles_quote_changelist"), reverse("admin:articles_annotation_changelist")):
            response = self.client.get(url)
            assert response.status_code == 200, url
            self.assert_escaped(url, response)


class AdminInjectionReadBackTests(TestCase):
    """The same payloads typed into the admin's forms (story fields, entity, alias, role, quote, note),
    published, then read back from every output: every public URL (pages, feeds, JSON-LD, search,
    sitemap) escaped, and the story-format export carrying them as they were typed."""

    @classmethod
    def setUpTestData(cls):
        from entities.models import Relation

        from tests.factories import make_story

        cls.story = make_story(2, slug="admin-payload-story", status="published")
        cls.editor = get_user_model().objects.create_superuser("boss", password="pw-boss-123")
        Relation.objects.get_or_create(subject=Entity.objects.get(slug="person-1"), predicate="part_of",
                                       object=Entity.objects.get(slug="alibaba"))

    def edit(self, admin_name, pk, **fields):
        from tests.security.test_concurrency import form_data

        url = reverse(f"admin:{admin_name}_change", args=[pk])
        data = form_data(self.client.get(url).content.decode())
        for key, value in fields.items():
            data[key] = [value]
        response = self.client.post(url, data)
        assert response.status_code == 302, (admin_name, response.content.decode()[-2000:])

    def test_payloads_typed_in_the_admin_come_back_escaped_everywhere(self):
        from articles.models import Annotation, Quote
        from articles.services import article_publish, export_story
        from entities.models import Alias, Role

        self.client.force_login(self.editor)
        working = Article.objects.working().get(slug="admin-payload-story")
        self.edit("articles_article", working.pk, title=f"標題{ALL}", dek=f"導言{ALL}",
                  bylines=json.dumps([f"記者{ALL}"], ensure_ascii=False), source_name=f"來源{ALL}")
        alibaba, person = Entity.objects.get(slug="alibaba"), Entity.objects.get(slug="person-1")
        self.edit("entities_entity", alibaba.pk, name=f"阿里巴巴{PAYLOADS[1]}", description=f"描述{ALL}")
        self.edit("entities_alias", Alias.objects.filter(entity=alibaba).first().pk, text=f"別名{PAYLOADS[0]}")
        role = Role.objects.filter(person=person).first()
        self.edit("entities_role", role.pk, title=f"職稱{PAYLOADS[3]}")
        quote = Quote.objects.filter(article=working).order_by("pk").first()
        self.edit("articles_quote", quote.pk, role=f"職稱{PAYLOADS[5]}", note=f"備註{ALL}")
        note = Annotation.objects.filter(article=working, public=True).order_by("pk").first()
        self.edit("articles_annotation", note.pk, body=f"註{ALL}")
        article_publish(article=Article.objects.working().get(pk=working.pk))
        self.client.logout()

        shown = 0
        for name, _ in crawl.public_routes():
            for kwargs, query in crawl.SAMPLES[name]() + ([({}, "?q=描述"), ({}, "?q=阿里巴巴")]
                                                           if name == "articles:search" else []):
                for language in ("zh-hant", "zh-hans"):
                    with translation.override(language):
                        url = reverse(name, kwargs=kwargs) + query
                    response = self.client.get(url)
                    assert response.status_code in (200, 301, 302, 404), (url, response.status_code)
                    InjectionReadBackTests.assert_escaped(self, url, response)
                    shown += "alert(" in response.content.decode()
        assert shown > 10  # the payloads were on the pages, escaped
        story_page = self.client.get("/stories/admin-payload-story/").content.decode()
        assert "application/ld+json" in story_page and "\\u003Cscript" in story_page.replace("\\u003c", "\\u003C")

        # The export (the story format) carries what was typed, unchanged: escaping is the output's job.
        doc = export_story(Article.objects.live().get(slug="admin-payload-story"))
        assert doc["article"]["title"] == f"標題{ALL}" and doc["article"]["bylines"] == [f"記者{ALL}"]
        described = next(e for e in doc["entities"] if e["id"] == "alibaba")
        assert described["description"] == f"描述{ALL}" and described["name"] == f"阿里巴巴{PAYLOADS[1]}"


def test_the_checker_would_catch_each_payload_unescaped():
    """Control: every payload, pasted raw into a page, is reported."""
    for payload in PAYLOADS:
        if payload.startswith("' onmouseover"):
            payload = f"<p title='a{payload}'>"  # an attribute payload needs an unquoted context to bite
        assert injected_markup(f"<html><body><p>{payload}</p></body></html>"), payload
    assert injected_markup('<script type="application/ld+json">{"a": "</script><script>alert(3)</script>"}</script>')
