"""The reader's house style (issue 13): note numbers, sic marks, quotation marks, attribution lines."""

import re

from django.test import TestCase

from articles.services import story_import
from tests.factories import story_doc


TEXTS = {"pa": "他說Scalling Law很重要，數據是關鍵。", "pb": "Scalling Law之外，還有在在別的。"}


def anchor(block, exact):
    start = TEXTS[block].index(exact)
    return {"block": block, "start": start, "end": start + len(exact), "exact": exact}


def sic(key, block, exact, body="原文如此。"):
    return {"id": key, "anchor": anchor(block, exact), "kind": "sic", "body": body, "public": True,
            "status": "resolved"}


def context(key, block, exact, body):
    return {"id": key, "anchor": anchor(block, exact), "kind": "context", "body": body, "public": True,
            "status": "resolved"}


class NoteTests(TestCase):
    def page(self, doc):
        story_import(doc=doc)
        return self.client.get("/stories/test-story/").content.decode()

    def doc(self):
        doc = story_doc(2)
        blocks = doc["article"]["sections"][0]["blocks"]
        blocks += [{"id": key, "type": "paragraph", "text": text} for key, text in TEXTS.items()]
        doc["annotations"] = [a for a in doc["annotations"] if a["kind"] != "context"] + [
            context("c1", "pa", "他說", "第一個註。"),
            sic("s1", "pa", "Scalling Law", "原文如此，應拼作“Scaling Law”。"),
            context("c2", "pa", "數據", "第二個註。"),
            sic("s2", "pb", "Scalling Law", "原文如此，應拼作“Scaling Law”（規模定律）。"),
            sic("s3", "pb", "在在"),
            context("c3", "pb", "還有", "第三個註。"),
        ]
        return doc

    def test_only_context_notes_take_numbers_and_they_have_no_gaps(self):
        html = self.page(self.doc())
        numbers = re.findall(r'<a class="note-label" href="#ref-[^"]+">(\d+)</a>', html)
        assert numbers == [str(n) for n in range(1, len(numbers) + 1)] and len(numbers) >= 3
        refs = re.findall(r'class="note-ref note-ref-context"[^>]*>.*?(\d+)<span class="visually-hidden">', html)
        assert refs == numbers

    def test_one_note_per_distinct_sic_later_occurrences_refer_back(self):
        html = self.page(self.doc())
        assert html.count('id="note-s1"') == 1 and 'id="note-s2"' not in html
        # both marks link to the one note; each mark keeps its own id to come back to
        assert 'href="#note-s1" id="ref-s1"' in html and 'href="#note-s1" id="ref-s2"' in html
        assert html.count("Scaling Law") == 1
        assert 'id="note-s3"' in html  # another sic, another note

    def test_the_sic_mark_is_the_house_style(self):
        html = self.page(self.doc())
        mark = re.search(r'<a class="note-ref note-ref-sic"[^>]*>(.*?)</a>', html).group(1)
        assert mark == "〔原文如此〕"
        note = re.search(r'<p class="note note-sic" id="note-s1">(.*?)</p>', html).group(1)
        # the note does not say 原文如此 twice
        assert note.count("原文如此") == 1 and "應拼作" in note


def quote_in(block, text, key, *, attribution=None):
    exact = text[text.index("“") + 1:text.index("”")]
    start = text.index(exact)
    quote = {"id": key, "anchor": {"block": block, "start": start, "end": start + len(exact), "exact": exact},
             "kind": "direct", "speaker": "person-1", "role": "阿里CTO1", "status": "verified"}
    if attribution:
        quote["attribution"] = attribution
    return quote


class AttributionLineTests(TestCase):
    """An attribution line ("——講者1號，…") only where the paragraph does not name the speaker."""

    def lines(self, html):
        return re.findall(r'<p class="quote-attribution">.*?href="#q-([^"]+)"', html)

    def test_paragraph_naming_the_speaker_gets_no_line(self):
        story_import(doc=story_doc(1))  # "講者1號說，“…”"
        html = self.client.get("/stories/test-story/").content.decode()
        assert self.lines(html) == []

    def test_consecutive_quotes_by_one_speaker_are_attributed_once(self):
        doc = story_doc(1)
        intro = "講者1號也明確了三個商業模式。"
        parts = ["第一，“模型即服務，讓開發者直接調用。”", "第二，“做好雲端的算力服務。”", "第三，“開放生態，扶持夥伴。”"]
        doc["article"]["sections"][0]["blocks"] += [
            {"id": "pi", "type": "paragraph", "text": intro},
            *({"id": f"pp{i}", "type": "paragraph", "text": t} for i, t in enumerate(parts)),
        ]
        doc["quotes"] = [quote_in(f"pp{i}", t, f"qq{i}") for i, t in enumerate(parts)]
        story_import(doc=doc)
        html = self.client.get("/stories/test-story/").content.decode()
        assert self.lines(html) == ["qq0"]  # the first names no one in its paragraph; the others follow it


class SmallThingsTests(TestCase):
    def test_quote_index_sets_no_gap_before_the_commas(self):
        story_import(doc=story_doc(1))
        html = self.client.get("/quotes/").content.decode()
        who = re.search(r'<span class="who">(.*?)</span>\s*<span class="source">', html, re.S).group(1)
        assert "講者1號" in who and "，阿里CTO1" in who and "，2023年10月" in who

    def test_a_past_role_prints_as_printed_wherever_the_quote_is_shown(self):
        doc = story_doc(1)
        text = "時任阿里CTO1的講者1號說，“阿里是唯一一家主動宣布大模型開源的大公司。”"
        doc["article"]["sections"][0]["blocks"][0]["text"] = text
        exact = text[text.index("“") + 1:text.index("”")]
        start = text.index(exact)
        doc["quotes"][0]["anchor"] = {"block": "p1", "start": start, "end": start + len(exact), "exact": exact}
        doc["quotes"][0]["attribution"] = {"block": "p1", "start": 0, "end": 13, "exact": text[:13]}
        doc["mentions"][0]["anchor"] = {"block": "p1", "start": start, "end": start + 2, "exact": "阿里"}
        doc["annotations"][0]["anchor"] = {"block": "p1", "start": start, "end": start + 2, "exact": "阿里"}
        story_import(doc=doc)
        html = self.client.get("/quotes/").content.decode()
        assert "，時任阿里CTO1" in html
        assert "時任阿里CTO1" in self.client.get("/entities/person-1/").content.decode()

    def test_entity_index_has_initial_buttons_but_no_free_text_initial_field(self):
        story_import(doc=story_doc(1))
        html = self.client.get("/entities/").content.decode()
        assert 'name="initial"' not in html and 'class="initials"' in html
        html = self.client.get("/entities/?initial=J").content.decode()
        assert '<input type="hidden" name="initial" value="J">' in html  # kept when filtering further


def test_entity_cards_end_at_a_sentence_not_mid_way():
    from newsroom.text import first_sentence

    text = "阿里巴巴旗下的雲端運算業務（阿里雲智能集團。其一），提供算力。大陸官方寫法為“阿里云。”後略。"
    assert first_sentence(text) == "阿里巴巴旗下的雲端運算業務（阿里雲智能集團。其一），提供算力。"
    assert first_sentence("沒有句號的描述") == "沒有句號的描述" and first_sentence("") == ""


class PhoneNoteTests(TestCase):
    def test_note_text_is_wrapped_so_narrow_screens_can_collapse_it_to_its_number(self):
        story_import(doc=story_doc(1))
        html = self.client.get("/stories/test-story/").content.decode()
        assert re.search(r'<p class="note note-context" id="note-a1"><a class="note-label" href="#ref-a1">1</a>'
                         r'<span class="note-text">即阿里巴巴集團</span></p>', html)


class NoConvertTests(TestCase):
    """-{…}- spans (text that talks about characters) are kept verbatim by the simplified edition."""

    def doc(self):
        doc = story_doc(1)
        doc["annotations"][0]["body"] = "原稿有字未轉換，例如：“-{并}-”（並）、“-{于}-”（於）；本刊已改正。"
        doc["entities"][0]["description"] = "中國的科技公司，大陸寫法作“-{阿里云}-”。"
        return doc

    def test_markers_never_reach_the_reader(self):
        story_import(doc=self.doc())
        html = self.client.get("/stories/test-story/").content.decode()
        assert '「<span class="no-convert" data-no-convert>并</span>」（並）' in html  # house marks: 「」
        assert "-{" not in html and "}-" not in html
        entity = self.client.get("/entities/alibaba/").content.decode()
        assert "-{" not in entity and '<span class="no-convert" data-no-convert>阿里云</span>' in entity

    def test_the_simplified_edition_keeps_no_convert_spans_verbatim(self):
        story_import(doc=self.doc())
        html = self.client.get("/zh-hans/stories/test-story/").content.decode()
        assert '“<span class="no-convert" data-no-convert>并</span>”（并）' in html  # the gloss converts, the span not
        assert "本刊已改正" in html  # the rest of the note is converted
        html = self.client.get("/zh-hans/entities/alibaba/").content.decode()
        assert '<span class="no-convert" data-no-convert>阿里云</span>' in html and "中国的科技公司" in html

    def test_unit_html_converter(self):
        from newsroom.simplified import html_to_simplified

        html = '<p>“<span class="no-convert" data-no-convert>後來</span>”後來<span>後來</span></p>'
        assert html_to_simplified(html) == '<p>“<span class="no-convert" data-no-convert>後來</span>”后来<span>后来</span></p>'

    def test_search_indexes_no_convert_text_as_written(self):
        from newsroom.text import search_tokens

        assert search_tokens("作“-{阿里雲}-”") == search_tokens("作“") + " 阿里 里雲"


class QuoteMarkTests(TestCase):
    """House style for quotation marks: set when the page is served, in both scripts; stored text unchanged."""

    def doc(self):
        doc = story_doc(1, title="想做“賣鏟子”的人")
        doc["article"]["lede"][0]["text"] = "他說“要做‘賣鏟子’的人”，也就是Alibaba’s plan。"
        return doc

    def test_traditional_edition_uses_corner_brackets_headline_included(self):
        article = story_import(doc=self.doc()).article
        html = self.client.get("/stories/test-story/").content.decode()
        assert "<h1 id=\"story-title\">想做「賣鏟子」的人</h1>" in html
        assert "<title>想做「賣鏟子」的人｜Newsroom</title>" in html
        assert "他說「要做『賣鏟子』的人」，也就是" in html and "Alibaba’s" in html  # an apostrophe stays
        assert "“" not in re.sub(r"<script.*?</script>", "", html, flags=re.S).split("<body", 1)[1]
        article.refresh_from_db()
        assert article.title == "想做“賣鏟子”的人"  # the stored text keeps the author's marks
        assert article.blocks.get(key="p0").text.startswith("他說“要做‘")
        # the anchors are untouched: the quote still wraps its words, one mark for one mark
        assert '「<q class="quote quote-direct" id="q-q1">' in html

    def test_simplified_edition_uses_curly_marks(self):
        doc = self.doc()
        doc["article"]["lede"][0]["text"] = "他說「要做『賣鏟子』的人」。"
        story_import(doc=doc)
        html = self.client.get("/zh-hans/stories/test-story/").content.decode()
        assert "想做“卖铲子”的人" in html and "他说“要做‘卖铲子’的人”。" in html
        assert "「" not in html.split("<body", 1)[1]

    def test_quote_cards_and_json_ld_follow_the_house_style(self):
        story_import(doc=self.doc())
        html = self.client.get("/quotes/").content.decode()
        assert "<p>「阿里是唯一一家主動宣布大模型開源的大公司。」</p>" in html
        story = self.client.get("/stories/test-story/").content.decode()
        assert '"headline":"想做「賣鏟子」的人"' in story

    def test_the_setting_decides(self):
        from django.core.cache import cache
        from django.test import override_settings

        story_import(doc=self.doc())
        with override_settings(QUOTE_MARKS={"zh-hant": "《》〈〉"}):
            html = self.client.get("/stories/test-story/").content.decode()
        assert "想做《賣鏟子》的人" in html
        cache.clear()  # settings.py is part of the pages' code digest; an override in a test is not
        with override_settings(QUOTE_MARKS={}):
            html = self.client.get("/stories/test-story/").content.decode()
        assert "想做“賣鏟子”的人" in html


def test_house_quotes_unit():
    from newsroom.simplified import house_quotes

    assert house_quotes("“甲‘乙’”「丙『丁』」", "「」『』") == "「甲『乙』」「丙『丁』」"
    assert house_quotes("「甲」don’t ‘x’", "“”‘’") == "“甲”don’t ‘x’"
    assert house_quotes("", "「」『』") == "" and house_quotes("“a”", None) == "“a”"


def test_house_quotes_html_skips_no_convert_spans_and_urls():
    from newsroom.simplified import house_quotes_html

    html = ('<p title="“甲”">“<span class="no-convert" data-no-convert>“并”</span>”<a href="/s?q=“x”">‘乙’</a>'
            '<span>“丙”</span></p>')
    assert house_quotes_html(html, "「」『』") == (
        '<p title="「甲」">「<span class="no-convert" data-no-convert>“并”</span>」<a href="/s?q=“x”">『乙』</a>'
        '<span>「丙」</span></p>')
