"""articles.services.script: a working copy's simplified leftovers set in Traditional as open repairs."""

import pytest
from django.test import TestCase

from articles.models import Annotation, Block, Quote
from articles.services import story_import
from articles.services.errors import DeskError
from articles.services.script import article_script_repair, script_repair_reject, script_repairs_accept
from tests.factories import story_doc

TEXT = "于洋說，“阿里云并非只做模型，一年后上線。”"


def leftover_doc(language="zh-Hant"):
    doc = story_doc(1)
    doc["article"]["language"] = language
    doc["entities"].append({"id": "yu-yang", "kind": "person", "name": "于洋"})
    exact = TEXT[TEXT.index("“") + 1:TEXT.index("”")]
    start = TEXT.index(exact)
    doc["article"]["sections"][0]["blocks"][0]["text"] = TEXT
    doc["quotes"][0].update(anchor={"block": "p1", "start": start, "end": start + len(exact), "exact": exact},
                            speaker="yu-yang", role="阿里云CTO", attribution={"block": "p1", "start": 0, "end": 3,
                                                                          "exact": "于洋說"})
    doc["quotes"][0].pop("said_on")
    doc["mentions"] = [{"entity": "yu-yang", "anchor": {"block": "p1", "start": 0, "end": 2, "exact": "于洋"},
                        "status": "confirmed"},
                       {"entity": "alibaba", "anchor": {"block": "p1", "start": start, "end": start + 2,
                                                        "exact": "阿里"}, "status": "confirmed"}]
    doc["annotations"] = [{"id": "a1", "anchor": {"block": "p1", "start": start, "end": start + 3, "exact": "阿里云"},
                           "kind": "context", "body": "阿里巴巴的雲端業務。", "public": True, "status": "resolved"}]
    return doc


class ScriptRepairTests(TestCase):
    def test_leftovers_become_open_repairs_with_their_originals_and_names_stay(self):
        article = story_import(doc=leftover_doc()).article
        version = article.version
        created = article_script_repair(article=article)
        block = Block.objects.get(article=article, key="p1")
        assert block.text == "于洋說，“阿里雲並非只做模型，一年後上線。”"  # 于洋 is a name: protected
        assert [(a.original, a.exact, a.status, a.public) for a in created] == [
            ("云并", "雲並", "open", False), ("后", "後", "open", False)]  # adjacent characters: one repair
        for obj in [*Quote.objects.filter(article=article), *Annotation.objects.filter(article=article),
                    *block.mentions.all()]:
            assert block.text[obj.start:obj.end] == obj.exact, obj  # anchors follow, nothing flagged
        assert not Annotation.objects.filter(article=article, kind="flag").exists()
        quote = Quote.objects.get(article=article)
        assert quote.role == "阿里雲CTO" and quote.exact.startswith("阿里雲並非")
        article.refresh_from_db()
        assert article.version == version + 1 and article.revisions.filter(action="script repair").exists()
        assert article_script_repair(article=article) == []  # nothing left to change

    def test_accept_all_resolves_every_script_repair(self):
        article = story_import(doc=leftover_doc()).article
        article_script_repair(article=article)
        assert script_repairs_accept(article=article) == 2
        assert not Annotation.objects.filter(article=article, kind="repair", status="open").exists()

    def test_reject_puts_the_original_back(self):
        article = story_import(doc=leftover_doc()).article
        repair = article_script_repair(article=article)[0]
        script_repair_reject(article=article, pk=repair.pk, expected_version=repair.version)
        block = Block.objects.get(article=article, key="p1")
        assert block.text == "于洋說，“阿里云并非只做模型，一年後上線。”"
        assert not Annotation.objects.filter(pk=repair.pk).exists()
        assert Quote.objects.get(article=article).exact.startswith("阿里云并非")

    def test_only_a_traditional_story_is_converted(self):
        article = story_import(doc=leftover_doc(language="zh-Hans")).article
        with pytest.raises(DeskError):
            article_script_repair(article=article)
