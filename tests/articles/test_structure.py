"""Tests for articles.importing.structure: raw text -> title, bylines, lede, sections."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.importing.structure import RawBlock, StructureError, parse_raw

SEED = Path(__file__).resolve().parents[2] / "articles" / "data" / "alibaba-ai-2023.zh-Hant.txt"


def lines(*rows):
    return "\n".join(rows) + "\n"


# --- the seed ---------------------------------------------------------------


def test_seed_has_no_title_five_lede_paragraphs_and_five_sections():
    story = parse_raw(SEED.read_text(encoding="utf-8"))

    assert story.title is None
    assert story.title_line is None
    assert story.bylines == []
    assert len(story.lede) == 5
    assert all(block.kind == "paragraph" for block in story.lede)
    assert story.lede[0].line == 1
    assert [s.number for s in story.sections] == ["01", "02", "03", "04", "05"]
    assert [s.heading for s in story.sections] == [
        "大模型的阿里往事",
        "從M6到通義千問",
        "輪到釘釘做“試驗田”",
        "模型迭代兩三事",
        "不為模型,為工具",
    ]
    assert [s.line for s in story.sections] == [6, 23, 41, 59, 77]


def test_seed_keeps_both_figure_slots_in_place():
    story = parse_raw(SEED.read_text(encoding="utf-8"))

    figures = [
        (section.number, index, block.line)
        for section in story.sections
        for index, block in enumerate(section.blocks)
        if block.kind == "figure"
    ]
    assert figures == [("01", 12, 20), ("04", 14, 75)]
    assert story.sections[0].blocks[11].text.startswith("實際上,自M6開始")


def test_seed_every_content_line_is_accounted_for():
    text = SEED.read_text(encoding="utf-8")
    story = parse_raw(text)

    content_lines = [n for n, row in enumerate(text.splitlines(), 1) if row.strip()]
    used = [b.line for b in story.lede]
    for section in story.sections:
        used += [section.line, section.line + 1] + [b.line for b in section.blocks]
    assert sorted(used) == content_lines
    assert len(story.paragraphs()) == 93 - 10 - 2


# --- paragraphs, whitespace ------------------------------------------------


def test_blank_lines_and_surrounding_whitespace_including_ideographic_space_are_ignored():
    story = parse_raw("\ufeff\n\u3000\u3000第一段。\u3000\n\n   \n\t第二段。 \r\n")

    assert [(b.text, b.line) for b in story.lede] == [("第一段。", 2), ("第二段。", 5)]


def test_file_without_paragraphs_is_an_error():
    with pytest.raises(StructureError, match="no paragraphs"):
        parse_raw("\n\n  \u3000\n")
    with pytest.raises(StructureError, match="no paragraphs"):
        parse_raw(lines("文|張三", "圖片"))


# --- title -----------------------------------------------------------------


def test_short_unpunctuated_first_line_followed_by_bylines_is_the_title():
    story = parse_raw(lines("阿里的大模型往事", "文|張三 編|李四", "", "第一段。"))

    assert story.title == "阿里的大模型往事"
    assert story.title_line == 1
    assert story.bylines == ["文|張三", "編|李四"]
    assert [b.text for b in story.lede] == ["第一段。"]


def test_short_unpunctuated_first_line_followed_by_the_lede_is_the_title():
    story = parse_raw(lines("不為模型，為工具", "阿里在大模型時代想做的是提供工具。"))

    assert story.title == "不為模型，為工具"
    assert len(story.lede) == 1


def test_title_may_end_with_a_scare_quote_or_question_words_but_not_a_full_stop():
    assert parse_raw(lines("輪到釘釘做“試驗田”", "正文。")).title == "輪到釘釘做“試驗田”"
    assert parse_raw(lines("這是一句話。", "正文。")).title is None
    assert parse_raw(lines("他說：“好。”", "正文。")).title is None
    assert parse_raw(lines("“整行都是引語”", "正文。")).title is None


def test_first_line_that_is_a_sentence_of_the_lede_is_not_a_title():
    long_line = "阿里的大模型是在今年4月面世，同年9月，阿里對外開源了7B/14B的通義千問大模型"
    assert len(long_line) > 40
    story = parse_raw(lines(long_line, "第二段。"))

    assert story.title is None
    assert len(story.lede) == 2


def test_a_lone_line_is_a_paragraph_not_a_title():
    story = parse_raw("只有一行")

    assert story.title is None
    assert [b.text for b in story.lede] == ["只有一行"]


# --- bylines ---------------------------------------------------------------


@pytest.mark.parametrize(
    "row, expected",
    [
        ("文|張三 編|李四", ["文|張三", "編|李四"]),
        ("作者|王五 編輯|趙六", ["作者|王五", "編輯|趙六"]),
        ("文 | 張三", ["文|張三"]),
        ("文／張三", ["文|張三"]),
        ("文/張三　编辑/李四", ["文|張三", "编辑|李四"]),
        ("作者｜王五", ["作者|王五"]),
        ("責編：孫七", ["責編|孫七"]),
    ],
)
def test_byline_lines_become_normalised_credits(row, expected):
    story = parse_raw(lines("標題", row, "正文。"))

    assert story.bylines == expected
    assert [b.text for b in story.lede] == ["正文。"]


def test_bylines_on_lines_of_their_own_and_after_the_lede_are_never_paragraphs():
    story = parse_raw(lines("標題", "文|張三", "編|李四", "正文。", "01", "小標", "段落。", "編輯|趙六"))

    assert story.bylines == ["文|張三", "編|李四", "編輯|趙六"]
    assert [b.text for b in story.sections[0].blocks] == ["段落。"]


def test_sentences_that_merely_contain_a_slash_are_paragraphs():
    story = parse_raw(lines("阿里開源了7B/14B的模型。", "文章說|這不是署名。"))

    assert story.bylines == []
    assert len(story.lede) == 2


# --- figures ---------------------------------------------------------------


def test_figure_lines_in_either_script_are_empty_figure_slots_in_place():
    story = parse_raw(lines("導語。", "图片", "01", "小標", "甲。", "圖片", "乙。"))

    assert story.lede == [RawBlock("paragraph", "導語。", 1), RawBlock("figure", "图片", 2)]
    assert [b.kind for b in story.sections[0].blocks] == ["paragraph", "figure", "paragraph"]


# --- section markers -------------------------------------------------------


def test_two_digit_markers_take_the_next_line_as_heading():
    story = parse_raw(lines("導語。", "01", "", "第一節", "甲。", "02", "第二節", "乙。"))

    assert [(s.number, s.heading, s.line) for s in story.sections] == [
        ("01", "第一節", 2),
        ("02", "第二節", 6),
    ]
    assert [b.text for b in story.sections[1].blocks] == ["乙。"]


def test_full_width_two_digit_markers_are_accepted():
    story = parse_raw(lines("導語。", "０１", "第一節", "甲。"))

    assert story.sections[0].number == "01"


def test_chinese_numeral_markers_number_sections_by_their_numeral():
    rows = ["導語。"]
    numerals = "一二三四五六七八九十"
    for numeral in numerals:
        rows += [f"{numeral}、第{numeral}節", "內容。"]
    rows += ["十一、再一節", "內容。", "十二、 最後一節", "內容。"]
    story = parse_raw(lines(*rows))

    assert [s.number for s in story.sections] == [f"{n:02d}" for n in range(1, 13)]
    assert story.sections[0].heading == "第一節"
    assert story.sections[-1].heading == "最後一節"


def test_enumerated_paragraphs_are_not_section_markers():
    story = parse_raw(lines("導語：", "一、為創業公司提供算力、工具和服務；", "二、提供模型開發平臺。"))

    assert story.sections == []
    assert len(story.lede) == 3


def test_gap_in_numbers_names_both_lines():
    text = lines("導語。", "01", "甲", "內容。", "03", "丙", "內容。")
    with pytest.raises(StructureError) as error:
        parse_raw(text)

    assert str(error.value) == "line 5: section 03 follows 01 (line 2); numbers must rise by one"
    assert error.value.lines == (2, 5)


def test_duplicate_number_names_both_lines():
    text = lines("導語。", "01", "甲", "內容。", "02", "乙", "內容。", "02", "乙二", "內容。")
    with pytest.raises(StructureError) as error:
        parse_raw(text)

    assert "line 8" in str(error.value) and "line 5" in str(error.value)
    assert "repeats" in str(error.value)


def test_numbers_must_start_at_one():
    with pytest.raises(StructureError, match=r"line 2: the first section is 02"):
        parse_raw(lines("導語。", "02", "乙", "內容。"))


def test_mixed_marker_styles_share_one_sequence():
    with pytest.raises(StructureError, match=r"line 4: section 03 follows 01 \(line 2\)"):
        parse_raw(lines("導語。", "01", "甲", "三、丙", "內容。"))


def test_marker_at_the_end_of_the_file_without_heading_is_an_error():
    with pytest.raises(StructureError, match=r"line 4: section marker 02 at the end of the file"):
        parse_raw(lines("導語。", "01", "甲", "02", "", ""))


def test_marker_followed_by_a_figure_has_no_heading():
    with pytest.raises(StructureError, match=r"line 2: section marker 01 has no heading"):
        parse_raw(lines("導語。", "01", "圖片", "內容。"))


def test_paragraphs_method_lists_lede_then_sections_without_figures():
    story = parse_raw(lines("甲。", "圖片", "01", "小標", "乙。", "02", "小標二", "丙。"))

    assert [b.text for b in story.paragraphs()] == ["甲。", "乙。", "丙。"]


# --- properties ------------------------------------------------------------


_ROWS = st.lists(
    st.sampled_from(["01", "02", "03", "一、甲", "二、乙", "圖片", "文|張三", "標題", "段落。", "", "　", "99"])
    | st.text(max_size=12),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_ROWS)
def test_parse_raw_either_succeeds_or_raises_structure_error(rows):
    try:
        story = parse_raw("\n".join(rows))
    except StructureError:
        return
    assert story.paragraphs()
    numbers = [int(s.number) for s in story.sections]
    assert numbers == list(range(1, len(numbers) + 1))


# --- reporter credits, datelines, captions and question headlines (constructed cases) --------


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("責編 李小明", "責編|李小明"),
        ("记者 王大海", "记者|王大海"),
        ("(責(zé)任編輯:陳美華)", "責任編輯|陳美華"),
        ("〔編輯：趙六〕", "編輯|趙六"),
        ("編譯林曉雯／綜合報導", "編譯|林曉雯"),
        ("經濟日報 特派記者黃志明/東京即時報導", "記者|黃志明"),
    ],
)
def test_reporter_and_editor_lines_are_bylines(line, credit):
    story = parse_raw(lines("標題在這裡", line, "正文第一段。"))
    assert story.bylines == [credit]
    assert [b.text for b in story.lede] == ["正文第一段。"]


@pytest.mark.parametrize(
    ("paragraph", "credit"),
    [
        ("(中央社記者林大偉台中5日電)市府今天表示,新線將在明年通車。", "記者|林大偉"),
        ("〔記者周美玲／高雄報導〕港務公司昨天宣布擴建碼頭。", "記者|周美玲"),
        ("新華社北京6月1日電(記者 吳國強)國家統計局今天發布數據。", "記者|吳國強"),
    ],
)
def test_a_wire_dateline_names_the_reporter_and_stays_in_the_text(paragraph, credit):
    story = parse_raw(lines("2024/6/5 10:00", paragraph))
    assert story.bylines == [credit]
    assert story.lede[-1].text == paragraph


def test_brackets_in_running_text_or_a_photo_credit_are_not_datelines():
    assert parse_raw(lines("他在會上(記者會結束後)又補充了一句。", "第二段。")).bylines == []
    assert parse_raw(lines("▲市長出席典禮。(圖/記者陳小華攝)", "正文。")).bylines == []


def test_a_photo_caption_is_not_a_title_but_a_question_headline_is():
    assert parse_raw(lines("▲市長出席典禮。(圖/記者陳小華攝)", "正文。")).title is None
    assert parse_raw(lines("董事長出席股東會(圖/資料畫面)", "正文。")).title is None
    assert parse_raw(lines("電動車還能便宜多少?", "正文。")).title == "電動車還能便宜多少?"
    assert parse_raw(lines("價格會降嗎，還是會漲?", "正文。")).title is None


@pytest.mark.parametrize("marker", ["01. 市場的轉向", "1、市場的轉向", "１．市場的轉向"])
def test_a_lone_numbered_heading_on_its_line_is_a_section(marker):
    story = parse_raw(lines("標題", "導語。", marker, "第一節正文。"))
    assert [(s.number, s.heading) for s in story.sections] == [("01", "市場的轉向")]
    assert [b.text for b in story.sections[0].blocks] == ["第一節正文。"]


def test_numbered_lines_out_of_sequence_or_ending_like_sentences_are_paragraphs():
    story = parse_raw(lines("標題", "導語。", "2、先降價；", "3. 再擴產。", "1. 5%"))
    assert story.sections == []
    assert len(story.lede) == 4


# -- credit lines and headlines measured on the real-world set (tests/data/realworld) ------------


def test_an_outlets_reporters_on_one_spaced_line_are_bylines():
    story = parse_raw("董事長談兩岸\n新華社記者 徐群 劉剛\n他說今年會更好。")
    assert story.bylines == ["新華社記者|徐群", "新華社記者|劉剛"]


def test_a_credit_line_after_a_lost_character_and_ending_in_reported_is_a_byline_not_a_title():
    story = parse_raw("? 半島記者 婁花 報道\n半島都市報10月10日訊 專題正式啟動。")
    assert story.title is None and story.bylines == ["半島記者|婁花"]


def test_a_bare_name_under_the_headline_is_the_writer():
    story = parse_raw("記者有問必答 李書福成新發言人?\n陳大義\n中國人大、政協兩會正在北京熱鬧舉行,汽車業代表成為焦點。")
    assert story.title == "記者有問必答 李書福成新發言人?"
    assert story.bylines == ["作者|陳大義"]
    # a short line that is itself a heading is no name
    assert parse_raw("標題\n結語\n正文從這裡開始,說明很長的內容。").bylines == []


def test_a_headline_that_opens_with_who_said_it_may_have_commas():
    story = parse_raw("魏建军:电动车不叫新能源,网友:卖不过就掀桌子?\n9 月 15 日,长城汽车董事长在采访中谈起新能源车。")
    assert story.title == "魏建军:电动车不叫新能源,网友:卖不过就掀桌子?"
    # a lede sentence that asks, with commas and no speaker before a colon, is still no title
    assert parse_raw("為什麼新能源汽車能夠異軍突起,背後還有哪些考量?\n正文。").title is None
