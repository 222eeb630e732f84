"""Editing a paragraph re-locates its anchors; vanished words are flagged, never dropped."""

from django.test import TestCase

from articles.anchoring import relocate
from articles.models import Annotation, Block, Mention, Quote
from articles.services import block_save
from tests.factories import make_story


def test_relocate_picks_the_nearest_occurrence():
    text = "阿里說阿里做阿里"
    assert relocate(text, "阿里", 3) == (3, 5)
    assert relocate(text, "阿里", 7) == (6, 8)
    assert relocate(text, "騰訊", 0) is None


class ReanchorTests(TestCase):
    def setUp(self):
        self.article = make_story(1)
        self.block = Block.objects.get(article=self.article, key="p1")

    def test_moved_text_is_found(self):
        quote = Quote.objects.get(article=self.article, key="q1")
        old_start = quote.start
        self.block.text = "今天，" + self.block.text
        block_save(block=self.block)
        quote.refresh_from_db()
        assert quote.start == old_start + 3
        assert self.block.text[quote.start:quote.end] == quote.exact
        # The attribution moved too, and the mention and note on the same words.
        assert self.block.text[quote.attribution_start:quote.attribution_end] == quote.attribution_exact
        for obj in (*Mention.objects.filter(block=self.block), *Annotation.objects.filter(block=self.block)):
            assert self.block.text[obj.start:obj.end] == obj.exact

    def test_vanished_text_is_kept_and_flagged(self):
        quote = Quote.objects.get(article=self.article, key="q1")
        lost = quote.exact
        self.block.text = "講者1號沒有說話。"
        block_save(block=self.block)
        quote.refresh_from_db()
        assert Quote.objects.filter(pk=quote.pk).exists()  # never dropped
        assert self.block.text[quote.start:quote.end] == quote.exact
        flag = Annotation.objects.get(article=self.article, kind="flag", original=lost)
        assert flag.status == "open" and not flag.public
        assert "q1" in flag.body

    def test_unchanged_text_touches_nothing(self):
        before = list(Quote.objects.values_list("start", "end"))
        self.block.caption = "改圖說"
        block_save(block=self.block)
        assert list(Quote.objects.values_list("start", "end")) == before
        assert not Annotation.objects.filter(kind="flag").exists()
