import html5lib
import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from articles.rendering import find_terms, snippet
from articles.search import parse_query, search
from articles.services import story_import
from tests.factories import make_story, story_doc


def story_with(text, *, slug, title="一篇報導", status="published"):
    doc = story_doc(1, slug=slug, title=title, status=status)
    doc["article"]["lede"][0]["text"] = text
    return story_import(doc=doc).article


class QueryParsingTests(TestCase):
    def test_terms_are_folded_and_split(self):
        query = parse_query("  通義千問 Qwen，阿里雲 ")
        assert query.texts == ["通义千问", "qwen", "阿里云"]
        assert query.terms[0].tokens == ("通义", "义千", "千问")

    def test_punctuation_only_or_empty_gives_no_terms(self):
        for raw in ("", "   ", "，。！？、“”", "!@#$%^&*()'\"<>|&:*", "\x00\x01"):
            assert not parse_query(raw)

    def test_absurd_queries_are_bounded(self):
        query = parse_query("阿" * 10_000)
        assert len(query.terms) == 1 and len(query.terms[0].text) <= 24
        assert len(parse_query(" ".join(f"w{i}" for i in range(500))).terms) <= 8


class SearchTests(TestCase):
    def setUp(self):
        story_with("阿里雲CTO周靖人說，通義千問2.0在雲棲大會發布。", slug="cloud", title="阿里雲的一年")
        story_with("釘釘全面接入大模型，葉軍說這是一次躍遷。", slug="dingtalk", title="釘釘的試驗田")

    def hits(self, q):
        hits, _ = search(parse_query(q))
        return [(h.kind, getattr(h.obj, "slug", None) or getattr(h.obj, "key", None)) for h in hits]

    def test_simplified_query_finds_traditional_text(self):
        assert ("story", "cloud") in self.hits("阿里云")
        assert ("story", "cloud") in self.hits("通义千问")

    def test_every_term_must_occur(self):
        assert ("story", "cloud") not in self.hits("阿里雲 釘釘")
        assert ("story", "dingtalk") in self.hits("釘釘 葉軍")

    def test_terms_match_as_phrases_not_scattered_characters(self):
        assert ("story", "cloud") not in self.hits("雲阿里")

    def test_single_character_and_latin_terms(self):
        assert ("story", "cloud") in self.hits("棲")
        assert ("story", "cloud") in self.hits("cto")
        assert ("story", "cloud") in self.hits("CT")  # a Latin word matches as a prefix

    def test_quotes_and_entities_are_found_and_ranked_with_stories(self):
        hits = self.hits("講者1號")
        assert ("entity", "person-1") == hits[0]  # an exact name first
        assert ("quote", "q1") in hits

    def test_headline_matches_rank_first(self):
        hits = [h for h in self.hits("釘釘") if h[0] == "story"]
        assert hits[0] == ("story", "dingtalk")

    def test_unpublished_stories_are_not_found(self):
        story_with("DRAFTCANARY 秘密計畫", slug="secret", status="draft")
        assert self.hits("DRAFTCANARY") == [] and self.hits("秘密計畫") == []

    def test_occurrences_are_counted_exactly(self):
        # Counted in the database (bytes on PostgreSQL, characters on SQLite): the same number.
        story_with("鈷礦、鈷礦與鈷礦石，還有 Cobalt cobalt。", slug="cobalt")
        hits, _ = search(parse_query("鈷礦"))
        assert [h.obj.n for h in hits if h.kind == "story" and h.obj.slug == "cobalt"] == [3]
        hits, _ = search(parse_query("鈷礦 cobalt"))
        assert [h.obj.n for h in hits if h.kind == "story" and h.obj.slug == "cobalt"] == [5]

    def test_entities_are_found_when_public_by_a_story_or_marked_public_by_an_editor(self):
        from entities.models import Entity

        unnamed = Entity.objects.create(slug="zinc", kind="organization", name="鋅產業研究院", description="一家研究機構。")
        assert ("entity", "zinc") not in self.hits("鋅產業")  # no public story names it: no page, no hit
        Entity.objects.filter(pk=unnamed.pk).update(marked_public=True)
        assert ("entity", "zinc") in self.hits("鋅產業")
        assert ("entity", "alibaba") in self.hits("阿里巴巴")  # named by a public story
        for q in ("研究", "研", "鋅產業 機構", "zinc"):  # every shape of query: bigrams, one character, two terms
            found = ("entity", "zinc") in self.hits(q)
            assert found == (q != "zinc"), q  # (a slug is no name)


class SearchPageTests(TestCase):
    def setUp(self):
        story_with("阿里雲CTO周靖人說，通義千問2.0在雲棲大會發布。", slug="cloud", title="阿里雲的一年")

    def test_results_have_highlighted_snippets_and_link_to_the_passage(self):
        response = self.client.get("/search/", {"q": "阿里云"})
        html = response.content.decode()
        html5lib.HTMLParser(strict=True).parse(html)
        assert "<mark>阿里雲</mark>CTO周靖人說" in html
        assert 'href="/stories/cloud/#p0"' in html

    def test_empty_and_punctuation_queries_run_no_search(self):
        # SAVEPOINT, the page-state read, RELEASE: no search query at all.
        for q in ("", "，，，", "&|!():*'"):
            with self.assertNumQueries(3):
                response = self.client.get("/search/", {"q": q})
            assert response.status_code == 200
            html = response.content.decode()
            assert ("請輸入要搜尋的文字。" in html) == bool(q), q
            assert 'class="result ' not in html

    def test_huge_query_is_cut_to_bounded_terms_and_escaped(self):
        for q in ("阿" * 10_000, "a " * 5_000, "<script>" * 1_000, "'&|!" * 2_500):
            query = parse_query(q)
            assert len(query.raw) <= 200 and len(query.terms) <= 8
            assert all(len(t.text) <= 24 for t in query.terms)
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get("/search/", {"q": q})
            assert len(ctx.captured_queries) <= 8  # never more than an ordinary search (page count test below)
            assert response.status_code == 200
            assert "<script><script>" not in response.content.decode()

    def test_query_is_escaped(self):
        html = self.client.get("/search/", {"q": '"><img src=x onerror=alert(1)>'}).content.decode()
        assert "<img src=x" not in html and "&lt;img src=x" in html

    def test_pagination(self):
        for i in range(25):
            story_with(f"第{i}篇提到鋅產業的報導。", slug=f"s{i}")
        first = self.client.get("/search/", {"q": "鋅產業"}).content.decode()
        assert 'rel="next"' in first and "page=2" in first
        second = self.client.get("/search/", {"q": "鋅產業", "page": 2}).content.decode()
        assert 'rel="prev"' in second

    def test_query_count_is_fixed_whatever_the_number_of_results(self):
        for grow in (lambda: None, lambda: (make_story(3, slug="more"), story_with("阿里又一篇。", slug="again"))):
            grow()
            with self.assertNumQueries(8):  # snapshot (2), page state, 3 searches (one per kind), paragraphs, aliases
                assert self.client.get("/search/", {"q": "阿里"}).status_code == 200


class SnippetTests(TestCase):
    def test_find_terms_folds_scripts_and_maps_back_to_the_original(self):
        text = "據阿里雲CTO說"
        assert find_terms(text, ["阿里云"]) == [(1, 4)]
        assert find_terms(text, ["cto"]) == [(4, 7)]

    def test_folding_maps_every_folded_character_back_to_the_original(self):
        import unicodedata

        from newsroom.text import fold_with_index, simplified_char, to_simplified

        def one_by_one(text):  # the definition: each character NFKC'd and lower-cased on its own, then t2s
            pairs = [(out, i) for i, ch in enumerate(text) for out in unicodedata.normalize("NFKC", ch).lower()]
            lowered = "".join(c for c, _ in pairs)
            simple = to_simplified(lowered)
            if len(simple) != len(lowered):
                simple = "".join(simplified_char(c) for c in lowered)
            return simple, [i for _, i in pairs]

        for text in ("阿里雲CTO周靖人說：通義千問", "ＡＢＣ全形１２３", "ΣΟΦΊΑ ΣΑΣ", "İstanbul 大模型", "ﬁle ㈱ ½",
                     "e\u0301 Å", "後台與后台", ""):
            folded, index = fold_with_index(text)
            expected, expected_index = one_by_one(text)
            assert (folded, list(index)) == (expected, expected_index), text

    def test_snippet_is_escaped_and_cut_around_the_match(self):
        text = "<b>" + "前文" * 100 + "通義千問" + "後文" * 100
        html = str(snippet(text, ["通义千问"], window=40))
        assert html.startswith("…") and html.endswith("…") and "<mark>通義千問</mark>" in html
        assert "<b>" not in html


class AdminStoryListSearchTests(TestCase):
    """The admin's story list search: Han terms without UPPER(), Latin ones as ever, counted up to a cap."""

    def setUp(self):
        from django.contrib.auth import get_user_model

        for i in range(3):
            make_story(1, slug=f"s{i}", title=f"阿里第{i}篇 Qwen")
        make_story(1, slug="other", title="別的報導")
        self.client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.org", "x-not-a-secret"))

    def listed(self, q):
        html = self.client.get("/admin/articles/article/", {"q": q}).content.decode()
        titles = {"s0": "阿里第0篇 Qwen", "s1": "阿里第1篇 Qwen", "s2": "阿里第2篇 Qwen", "other": "別的報導"}
        return {slug for slug, title in titles.items() if f">{title}<" in html}, html

    def test_han_and_latin_terms_find_the_same_stories(self):
        assert self.listed("阿里")[0] == {"s0", "s1", "s2"}
        assert self.listed("qwen")[0] == {"s0", "s1", "s2"}  # case-insensitive for Latin letters
        assert self.listed("阿里 第1篇")[0] == {"s1"}

    def test_a_search_is_counted_up_to_the_cap(self):
        from unittest import mock

        from articles.admin import EstimatedCountPaginator

        with mock.patch.object(EstimatedCountPaginator, "SEARCH_COUNT_CAP", 2):
            _, html = self.listed("阿里")
        assert "2 results" in html


@pytest.mark.django_db
def test_the_search_indexes_outlive_every_migration():
    """Migration 0011 made the search indexes outside Django's models: FTS5 tables kept by triggers on
    SQLite, a generated column on PostgreSQL. A later migration that rebuilds one of these tables
    (SQLite remakes a table for most column changes) would drop them silently: it must make them again."""
    from articles.search import _has_fts5

    tables = ("articles_article", "articles_quote", "entities_entity")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT table_name FROM information_schema.columns WHERE column_name = 'search_vector'")
            assert set(tables) <= {row[0] for row in cursor.fetchall()}
        elif _has_fts5():
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            triggers = {row[0] for row in cursor.fetchall()}
            expected = {f"{t}_fts_{when}" for t in tables for when in ("ai", "ad", "au")}
            assert expected | {"articles_quote_fts_rekey"} <= triggers
