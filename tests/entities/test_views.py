import feedparser
import html5lib
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from articles.services import story_import
from entities.filters import initial_of
from entities.models import Alias, Entity, Relation, Role
from tests.factories import make_story, story_doc


def rich_doc(slug="test-story", status="published", marker=""):
    """A story naming a person with roles over time, an organisation, a product and an event."""
    doc = story_doc(2, slug=slug, status=status, marker=marker)
    doc["entities"] += [
        {"id": "alibaba-cloud", "kind": "organization", "name": "阿里雲", "aliases": [{"text": "阿里云", "lang": "zh-Hans"}],
         "wikidata": "Q5129", "relations": [{"predicate": "subsidiary_of", "object": "alibaba"}]},
        {"id": "tongyi", "kind": "product", "name": "通義千問",
         "relations": [{"predicate": "developed_by", "object": "alibaba-cloud", "start": "2023-04"}]},
        {"id": "apsara", "kind": "event", "name": "雲棲大會"},
    ]
    person = next(e for e in doc["entities"] if e["id"] == "person-1")
    person["roles"] = [{"title": "達摩院副院長", "organization": "alibaba", "start": "2020", "end": "2022"},
                       {"title": "阿里雲CTO", "organization": "alibaba-cloud", "start": "2022-09"}]
    quote = doc["quotes"][0]
    quote["role"] = None
    quote["said_on"] = "2021-06"
    quote["event"] = "apsara"
    return doc


class EntityPageTests(TestCase):
    def test_entity_page_lists_quotes_and_passages(self):
        make_story(2)
        html = self.client.get("/entities/person-1/").content.decode()
        assert "阿里是唯一一家主動宣布大模型開源的大公司" in html
        assert "/stories/test-story/#q-q1" in html
        html = self.client.get("/entities/alibaba/").content.decode()
        assert "/stories/test-story/#p1" in html

    def test_person_page_shows_roles_over_time_and_the_role_held_when_quoted(self):
        story_import(doc=rich_doc())
        response = self.client.get("/entities/person-1/")
        html = response.content.decode()
        html5lib.HTMLParser(strict=True).parse(html)
        assert "達摩院副院長" in html and "2020年–2022年" in html and "阿里雲CTO" in html
        assert "時任達摩院副院長" in html  # said in 2021-06: the role that covered that date
        assert 'href="/entities/apsara/"' in html  # the event the quote was said at
        assert "時間線" in html and "出任阿里雲CTO" in html

    def test_organisation_page_shows_its_people_and_relations_both_ways(self):
        story_import(doc=rich_doc())
        html = self.client.get("/entities/alibaba-cloud/").content.decode()
        assert 'href="/entities/person-1/"' in html and "阿里雲CTO" in html     # people tied to it
        assert "母公司" in html and 'href="/entities/alibaba/"' in html        # relation out
        assert "開發的產品" in html and 'href="/entities/tongyi/"' in html      # relation in
        assert 'href="https://www.wikidata.org/wiki/Q5129"' in html
        assert '<span class="alias" lang="zh-Hans">阿里云</span>' in html

    def test_mentions_are_highlighted_in_context(self):
        make_story(1)
        html = self.client.get("/entities/alibaba/").content.decode()
        assert '<mark class="mention-mark">阿里</mark>是唯一一家' in html

    def test_event_page_lists_quotes_said_there(self):
        story_import(doc=rich_doc())
        html = self.client.get("/entities/apsara/").content.decode()
        assert "在此說過的話" in html and "/stories/test-story/#q-q1" in html

    def test_alias_url_redirects_permanently(self):
        make_story(1)
        Alias.objects.create(entity=Entity.objects.get(slug="alibaba"), text="阿里巴巴集團", slug="alibaba-group")
        response = self.client.get("/entities/alibaba-group/")
        assert response.status_code == 301 and response["Location"] == "/entities/alibaba/"
        response = self.client.get("/zh-hans/entities/alibaba-group/")
        assert response.status_code == 301 and response["Location"] == "/zh-hans/entities/alibaba/"

    def test_alias_of_an_entity_without_public_page_answers_404(self):
        make_story(1, status="draft")
        Alias.objects.create(entity=Entity.objects.get(slug="alibaba"), text="阿里巴巴集團", slug="alibaba-group")
        assert self.client.get("/entities/alibaba-group/").status_code == 404

    def test_entity_only_in_drafts_has_no_page(self):
        make_story(1, status="draft")
        assert self.client.get("/entities/alibaba/").status_code == 404

    def test_quotes_from_unpublished_stories_are_not_shown(self):
        make_story(1, slug="live-one")
        make_story(1, slug="draft-one", status="draft", marker="DRAFTCANARY")
        html = self.client.get("/entities/person-1/").content.decode()
        assert "DRAFTCANARY" not in html

    def test_roles_and_relations_with_entities_without_public_page_are_not_shown(self):
        make_story(1)
        hidden = Entity.objects.create(kind="organization", name="秘密公司HIDDENCANARY", slug="hidden-co")
        person = Entity.objects.get(slug="person-1")
        Role.objects.create(person=person, title="顧問", organization=hidden)
        Relation.objects.create(subject=hidden, predicate="acquired", object=Entity.objects.get(slug="alibaba"))
        for url in ("/entities/person-1/", "/entities/alibaba/"):
            assert "HIDDENCANARY" not in self.client.get(url).content.decode()
        assert self.client.get("/entities/hidden-co/").status_code == 404


class EntityFeedTests(TestCase):
    def test_feed_lists_public_stories_naming_the_entity(self):
        make_story(1, slug="one", title="第一篇")
        make_story(1, slug="two", title="草稿篇", status="draft")
        feed = feedparser.parse(self.client.get("/entities/alibaba/feed.rss").content)
        assert not feed.bozo and feed.version == "rss20"
        assert [e.title for e in feed.entries] == ["第一篇"]
        assert feed.entries[0].link.endswith("/stories/one/")

    def test_feed_of_an_entity_without_public_page_answers_404(self):
        make_story(1, status="draft")
        assert self.client.get("/entities/alibaba/feed.rss").status_code == 404


class EntityIndexTests(TestCase):
    def setUp(self):
        story_import(doc=rich_doc())

    def names(self, query=""):
        response = self.client.get("/entities/" + query)
        assert response.status_code == 200
        html = response.content.decode()
        return {e.name for e in Entity.objects.all() if f'class="entity-name" href="{e.get_absolute_url()}"' in html}

    def test_lists_public_entities_with_counts(self):
        make_story(1, slug="draft", status="draft")
        Entity.objects.create(kind="person", name="無名氏", slug="nobody")
        html = self.client.get("/entities/").content.decode()
        html5lib.HTMLParser(strict=True).parse(html)
        assert "無名氏" not in html
        assert self.names() == {"阿里巴巴", "講者1號", "講者2號", "阿里雲", "通義千問", "雲棲大會"}
        assert "1 則引述" in html and "2 處提及" in html

    def test_filter_by_kind(self):
        assert self.names("?kind=person") == {"講者1號", "講者2號"}
        assert self.names("?kind=product") == {"通義千問"}

    def test_filter_by_initial_uses_pinyin(self):
        assert initial_of("阿里雲") == "A" and initial_of("通義千問") == "T" and initial_of("Qwen") == "Q"
        assert self.names("?initial=A") == {"阿里巴巴", "阿里雲"}
        assert self.names("?initial=t") == {"通義千問"}
        assert self.names("?initial=雲") == {"雲棲大會"}

    def test_filter_by_text_folds_scripts(self):
        assert self.names("?text=阿里云") == {"阿里雲"}
        assert self.names("?text=中國的科技") == {"阿里巴巴"}  # description
        assert self.names("?text=通义") == {"通義千問"}

    def test_filters_combine(self):
        assert self.names("?kind=organization&initial=A&text=云") == {"阿里雲"}


class EntityPagePaginationTests(TestCase):
    def test_an_entity_named_in_many_stories_lists_them_by_page_with_their_passages(self):
        for i in range(25):
            make_story(1, slug=f"s{i:02d}", title=f"第{i}篇")
        first = self.client.get("/entities/alibaba/").content.decode()
        assert first.count('class="mentioning-story"') == 20 and 'rel="next"' in first
        assert "第 1 頁，共 2 頁" in first and "第24篇" in first and "第0篇" not in first
        second = self.client.get("/entities/alibaba/?page=2").content.decode()
        assert second.count('class="mentioning-story"') == 5 and 'rel="prev"' in second
        assert "第0篇" in second and 'class="mention-mark"' in second

    def test_an_entity_in_more_stories_than_counted_shows_pages_from_below_and_walks_them_in_order(self):
        from unittest import mock

        from articles.entity_views import LookaheadPaginator

        for i in range(45):
            make_story(1, slug=f"s{i:02d}", title=f"第{i}篇")
        with mock.patch.object(LookaheadPaginator, "LOOKAHEAD", 1):  # counts at most two pages ahead
            first = self.client.get("/entities/alibaba/").content.decode()
            assert "第 1 頁，共 2+ 頁" in first and 'rel="next"' in first
            assert first.count('class="mentioning-story"') == 20 and "第44篇" in first and "第24篇" not in first
            third = self.client.get("/entities/alibaba/?page=3").content.decode()
            assert "第 3 頁，共 3 頁" in third and third.count('class="mentioning-story"') == 5 and "第0篇" in third


class EntityPageKnowledgeTests(TestCase):
    """What the knowledge base says of an entity is read in one query on each render, never stored:
    each change shows on the (cached) page at once."""

    def setUp(self):
        make_story(1)  # alibaba, and person-1 (阿里CTO1 at alibaba)
        self.person = Entity.objects.get(slug="person-1")
        self.alibaba = Entity.objects.get(slug="alibaba")

    def page(self, slug="person-1"):
        response = self.client.get(f"/entities/{slug}/")
        assert response.status_code == 200
        return response.content.decode()

    def test_each_change_of_the_entity_its_aliases_roles_and_relations_shows_on_its_page(self):
        self.page(), self.page("alibaba")  # both cached
        alias = Alias.objects.create(entity=self.person, text="老講者", lang="zh-Hant")
        assert '<span class="alias" lang="zh-Hant">老講者</span>' in self.page()
        alias.text = "新講者"
        alias.save()
        assert "新講者" in self.page() and "老講者" not in self.page()
        alias.delete()
        assert "新講者" not in self.page()
        role = Role.objects.create(person=self.person, title="董事長ROLECANARY", organization=self.alibaba, start="2024")
        assert "董事長ROLECANARY" in self.page() and "董事長ROLECANARY" in self.page("alibaba")
        role.title = "總裁ROLECANARY"
        role.save()
        assert "總裁ROLECANARY" in self.page() and "總裁ROLECANARY" in self.page("alibaba")
        role.delete()
        assert "ROLECANARY" not in self.page() and "ROLECANARY" not in self.page("alibaba")
        product = Entity.objects.create(kind="product", name="通義RELCANARY", slug="tongyi", marked_public=True)
        relation = Relation.objects.create(subject=product, predicate="developed_by", object=self.alibaba)
        html = self.page("alibaba")
        assert "開發的產品" in html and 'href="/entities/tongyi/">通義RELCANARY</a>' in html
        assert "開發者" in self.page("tongyi") and 'href="/entities/alibaba/"' in self.page("tongyi")
        relation.delete()
        assert "RELCANARY" not in self.page("alibaba")
        self.alibaba.name = "阿里巴巴集團NAMECANARY"
        self.alibaba.save()
        assert "阿里巴巴集團NAMECANARY" in self.page()  # the role's organisation, on the person's page
        self.person.description = "DESCCANARY"
        self.person.save()
        assert "DESCCANARY" in self.page()

    def test_an_entity_named_by_a_role_shows_once_a_publication_names_it(self):
        hidden = Entity.objects.create(kind="organization", name="秘密公司HIDDENCANARY", slug="hidden-co")
        Role.objects.create(person=self.person, title="顧問", organization=hidden)
        assert "HIDDENCANARY" not in self.page()  # cached without it
        doc = story_doc(1, slug="names-hidden", title="另一篇")
        doc["entities"] = [e for e in doc["entities"] if e["id"] == "alibaba"]  # not person-1: its page's own scope
        doc["entities"].append({"id": "hidden-co", "kind": "organization", "name": "秘密公司HIDDENCANARY"})
        doc["quotes"] = []
        story_import(doc=doc)
        assert 'href="/entities/hidden-co/">秘密公司HIDDENCANARY</a>' in self.page()

    def test_an_entity_named_by_a_relation_shows_while_an_editor_marks_it_public(self):
        hidden = Entity.objects.create(kind="organization", name="母公司HIDDENCANARY", slug="parent-co")
        Relation.objects.create(subject=self.alibaba, predicate="subsidiary_of", object=hidden)
        assert "HIDDENCANARY" not in self.page("alibaba")
        hidden.marked_public = True
        hidden.save()
        assert 'href="/entities/parent-co/">母公司HIDDENCANARY</a>' in self.page("alibaba")
        hidden.marked_public = False
        hidden.save()
        assert "HIDDENCANARY" not in self.page("alibaba")

    def test_a_suggested_only_speaker_named_by_a_role_stays_hidden(self):
        doc = story_doc(1, slug="suggests", title="建議")
        doc["entities"].append({"id": "maybe", "kind": "person", "name": "可能的講者SUGGESTEDCANARY",
                                "roles": [{"title": "顧問", "organization": "alibaba"}]})
        doc["quotes"][0]["speaker"] = "maybe"
        doc["quotes"][0]["status"] = "suggested"
        story_import(doc=doc)
        assert "SUGGESTEDCANARY" not in self.page("alibaba")
        assert self.client.get("/entities/maybe/").status_code == 404

    def test_the_page_runs_the_same_queries_however_much_the_knowledge_base_says(self):
        from django.core.cache import cache

        def queries(slug):
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                assert self.client.get(f"/entities/{slug}/").status_code == 200
            return len(ctx.captured_queries)

        before = queries("alibaba"), queries("person-1")
        for i in range(6):
            Alias.objects.create(entity=self.alibaba, text=f"別名{i}")
            other = Entity.objects.create(kind="person", name=f"人物{i}", slug=f"someone-{i}", marked_public=i % 2 == 0)
            Role.objects.create(person=other, title=f"職位{i}", organization=self.alibaba)
            Role.objects.create(person=self.person, title=f"兼任{i}", organization=other)
            Relation.objects.create(subject=other, predicate="competes_with", object=self.alibaba)
        assert (queries("alibaba"), queries("person-1")) == before == (7, 7)
        html = self.page("alibaba")
        assert "別名5" in html and 'href="/entities/someone-4/"' in html and "someone-5" not in html

    def test_an_alias_redirect_and_a_missing_entity_run_a_fixed_number_of_queries(self):
        Alias.objects.create(entity=self.alibaba, text="阿里巴巴集團", slug="alibaba-group")
        with self.assertNumQueries(4):  # the snapshot, the knowledge query, the page state
            assert self.client.get("/entities/alibaba-group/").status_code == 301
        with self.assertNumQueries(4):  # the snapshot (rolled back: a 404 raises) and the knowledge query
            assert self.client.get("/entities/nobody/").status_code == 404
