"""The import's row writer (``newsroom.db.reserve_ids``/``insert_rows`` through ``write_story``):
the rows ``bulk_create`` gave, all or nothing, ids safe beside other writers, a fixed number of queries."""

from pathlib import Path
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase

from articles.importing.story import canonical, load_story
from articles.models import Annotation, Article, Block, Edition, Mention, Quote, Section, StoryEntity
from articles.services import export_story, story_import
from entities.models import Entity
from newsroom.db import insert_rows, reserve_ids
from tests.factories import deep, story_doc

SEED = Path(__file__).resolve().parents[2] / "articles" / "data" / "alibaba-ai-2023.story.json"


def rich_doc(n=3, **kwargs):
    """``story_doc`` with what the plain one lacks: an attribution in an earlier paragraph, an event,
    confidences, a repair's original text, a figure with an image, a suggested mention, a note."""
    doc = story_doc(n, **kwargs)
    doc["entities"].append({"id": "wave-summit", "kind": "event", "name": "雲棲大會"})
    first = doc["quotes"][0]
    doc["quotes"][1]["attribution"] = dict(first["attribution"])  # named in paragraph p1, quoted in p2
    doc["quotes"][1].update(event="wave-summit", status="suggested", confidence=0.75, note="機器建議")
    p2 = doc["article"]["sections"][1]["blocks"][0]
    p2_mention = {"entity": "person-2", "anchor": {"block": "p2", "start": 0, "end": 4, "exact": p2["text"][:4]},
                  "status": "suggested", "confidence": 0.5}
    doc["mentions"].append(p2_mention)
    doc["annotations"].append({"id": "r1", "anchor": {"block": "p0", "start": 0, "end": 4, "exact": "2023"},
                               "kind": "repair", "body": "mojibake: repaired", "public": False, "status": "resolved",
                               "original": "2O23"})
    doc["annotations"].append({"id": "n1", "anchor": {"block": "p1", "start": 0, "end": 2,
                                                      "exact": doc["article"]["sections"][0]["blocks"][0]["text"][:2]},
                               "kind": "note", "body": "編輯的筆記", "public": False, "status": "open"})
    doc["article"]["sections"][0]["blocks"][1].update(image="/media/figure.jpg", credit="攝影：某人")
    return doc


class WriterRowsTests(TestCase):
    def assert_round_trip(self, doc):
        article = story_import(doc=deep(doc)).article
        expected = canonical(load_story(deep(doc)) if isinstance(doc, bytes) else deep(doc))
        assert export_story(article) == expected
        live = Article.objects.live().get(working_copy=article)
        assert export_story(live) == expected
        return article, live

    def test_seed_story_exports_as_imported(self):
        doc = load_story(SEED.read_bytes())
        article, live = self.assert_round_trip(doc)
        assert Annotation.objects.filter(article=live).count() == len(doc["annotations"]) == 565

    def test_constructed_story_exports_as_imported(self):
        self.assert_round_trip(rich_doc())

    def test_rows_get_what_bulk_create_gave_them(self):
        article, live = self.assert_round_trip(rich_doc())
        for edition in (article, live):
            quotes = list(Quote.objects.filter(article=edition).select_related("speaker").order_by("id"))
            assert [q.search_tokens for q in quotes] == [q.tokens() for q in quotes]
            assert quotes[1].attribution_block.key == "p1" and quotes[1].block.key == "p2"
            assert {q.version for q in quotes} == {1}
            assert all(q.modified_at is not None and q.modified_by_id is None for q in quotes)
            notes = Annotation.objects.filter(article=edition)
            assert all(n.created_at is not None and n.version == 1 for n in notes)
            assert notes.get(key="r1").original == "2O23" and notes.get(key="n1").original is None
            assert list(Mention.objects.filter(article=edition).order_by("id").values_list("key", flat=True)) == [
                "m1", "m2", "m3", "m4"]
            figure = Block.objects.get(article=edition, key="f1")
            assert (figure.text, figure.image, figure.alt, figure.credit) == ("", "/media/figure.jpg", "一張圖", "攝影：某人")
            # The story's search tokens hold its title, dek, paragraphs and headings, as before.
            assert "大模" in edition.search_tokens and "回顾" in edition.search_tokens
            assert Article.objects.get(pk=edition.pk).search_tokens == edition.search_tokens

    def test_reimport_replaces_the_rows(self):
        story_import(doc=rich_doc())
        article = story_import(doc=story_doc(1, marker="！"), replace=True).article
        assert export_story(article) == canonical(story_doc(1, marker="！"))
        assert Block.objects.filter(article=article).count() == 3
        assert Quote.objects.filter(article=article).count() == 1

    def test_an_import_refused_midway_leaves_nothing(self):
        real = insert_rows

        def fail_on_mentions(model, rows):
            if model is Mention:
                raise RuntimeError("disk full")
            real(model, rows)

        with mock.patch("articles.services.documents.insert_rows", fail_on_mentions), \
                pytest.raises(RuntimeError):
            story_import(doc=rich_doc())
        for model in (Article, Section, Block, Quote, Mention, Annotation, StoryEntity, Entity):
            assert not model.objects.exists(), model

    def test_reserved_ids_follow_the_largest_ever_given(self):
        story_import(doc=rich_doc())
        last = Block.objects.order_by("-id").values_list("id", flat=True).first()
        Article.objects.all().delete()  # the newest rows go; their ids are not handed out again
        with transaction.atomic():
            ids = reserve_ids({Block: 3, Quote: 0})
        assert Quote not in ids
        assert ids[Block] == sorted(ids[Block]) and len(set(ids[Block])) == 3 and ids[Block][0] > last


class ImportQueryCountTests(TestCase):
    """Importing a story runs the same number of queries for a 3-paragraph story and for the seed
    (565 annotations): one statement per table, not per row or per batch. Its entities exist already
    (creating an entity is a few queries of its own, counted in tests/entities).

    25 for a new published story: the transaction's two (here a savepoint's), the story looked up
    by slug, its entities compared (entities, aliases, roles, relations: no savepoint of their own),
    the working copy (its row with its content digest, ids reserved, six tables), its first
    revision (no earlier one looked up), the live edition (its row, the page scopes it changes,
    from the document's entities; ids, six tables). Entities are read once for both editions."""

    def count(self, doc):
        story_import(doc=deep(doc))
        doc["article"]["slug"] += "-again"
        with self.assertNumQueries(EXPECTED_QUERIES[connection.vendor]):
            story_import(doc=doc)

    def test_small_story(self):
        self.count(rich_doc(slug="small-story"))

    def test_seed_story(self):
        self.count(load_story(SEED.read_bytes()))


EXPECTED_QUERIES = {"sqlite": 25, "postgresql": 25}


class OutsideTransactionTests(TransactionTestCase):
    def test_ids_outside_a_transaction_are_refused(self):
        with pytest.raises(transaction.TransactionManagementError):
            reserve_ids({Block: 3})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="sequences: PostgreSQL")
class ConcurrentIdsTests(TransactionTestCase):
    """Ids reserved in an open transaction are not handed to another session writing meanwhile."""

    def test_another_session_gets_other_ids(self):
        import psycopg

        settings = connection.settings_dict
        other = psycopg.connect(dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or None,
                                port=settings["PORT"] or None, password=settings["PASSWORD"] or None, autocommit=True)
        try:
            with transaction.atomic():
                mine = reserve_ids({Block: 50})[Block]
                theirs = [other.execute("SELECT nextval(pg_get_serial_sequence('articles_block', 'id'))").fetchone()[0]
                          for _ in range(50)]
                more = reserve_ids({Block: 50})[Block]
        finally:
            other.close()
        assert len(set(mine) | set(theirs) | set(more)) == 150
