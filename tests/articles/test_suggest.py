"""Tests for articles.importing.suggest: quotes, speakers, mentions and dates.

The seed is tested end to end through an approximate cleaner written here (the
real one lives in the cleaning package and is not imported), once with the seed's ASCII
punctuation and once with it made full-width, as the cleaner does by default.
Short passages written for these tests, in traditional and simplified
Chinese, check that the rules are general and not fitted to the seed.
"""

import datetime
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.importing.structure import parse_raw
from articles.importing.suggest import KnownEntity, find_dates, suggest_mentions, suggest_quotes
from newsroom.text import fold_chars

SEED = Path(__file__).resolve().parents[2] / "articles" / "data" / "alibaba-ai-2023.zh-Hant.txt"
STORY_DATE = datetime.date(2023, 11, 8)

_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]+\)")


def approximately_clean(text, *, full_width=False):
    """Strip pinyin glosses after Han characters and repair the seed's `?!?/span>`."""
    text = _GLOSS.sub("", text).replace("?!?/span>", "。”")
    if full_width:
        text = re.sub(r"(?<=[\u4e00-\u9fff”)]),(?=[\u4e00-\u9fff“(])", "，", text)
        text = re.sub(r"(?<=[\u4e00-\u9fff]):", "：", text)
    return text


def seed_paragraphs(full_width=False):
    story = parse_raw(approximately_clean(SEED.read_text(encoding="utf-8"), full_width=full_width))
    return [block.text for block in story.paragraphs()]


SEED_ENTITIES = [
    KnownEntity("zhou-jingren", "person", ("周靖人",)),
    KnownEntity("zhou-chang", "person", ("周暢", "周畅")),
    KnownEntity("zhang-yong", "person", ("張勇", "张勇", "Daniel Zhang")),
    KnownEntity("ye-jun", "person", ("叶军",)),  # simplified alias only: matched by folding
    KnownEntity("alibaba", "organization", ("阿里巴巴", "阿里", "Alibaba")),
    KnownEntity("alibaba-cloud", "organization", ("阿里雲", "阿里云")),
    KnownEntity("damo", "organization", ("達摩院", "达摩院")),
    KnownEntity("dingtalk", "product", ("釘釘", "钉钉", "DingTalk")),
    KnownEntity("tongyi-qianwen", "product", ("通義千問", "通义千问", "Qwen")),
    KnownEntity("tongyi", "product", ("通義", "通义")),
    KnownEntity("bert", "product", ("BERT",)),
    KnownEntity("openai", "organization", ("OpenAI",)),
]

# The seed's 11 direct speech quotes (one a fragment) and 2 indirect statements:
# (start of the quoted words, speaker, kind).
SEED_QUOTES = [
    ("阿里是唯一一家主動宣布大模型開源的大公司", "周靖人", "direct"),
    ("我們最開始其實只是想做一個能看、聽、說、使用工具的通用智能體", "周暢", "direct"),
    ("M6-OFA正是通義大模型的底座", "周靖人", "indirect"),
    ("(大模型是)今天真正一項技術", "張勇", "direct"),
    ("阿里所有產品都將接入大模型(重新做一遍)已經成為阿里內部的共識", "張勇", "direct"),
    ("以往我們釘釘做個產品", "葉軍", "direct"),
    ("釘釘全面接入通義千問大模型", "葉軍", "direct"),
    ("大家一直都說釘釘是一個非常臃腫的軟件", "葉軍", "direct"),
    ("將AI創作的內容存下來", "葉軍", "direct"),
    ("國內第一個將大模型規模落地的應用", "阿里", "direct"),
    ("由于資源有限", "周暢", "direct"),
    ("圍繞Scalling Law做技術探索", "周暢", "fragment"),
    ("——不是做一個C端產品", "周靖人", "indirect"),
]
SEED_SCARE_QUOTES = [
    "賣鏟子", "試驗田", "看官", "/", "注意力機制", "通用", "AI革命", "大模型", "釘釘個人版",
    "通義", "通義千問", "釘釘", "微軟Bing", "ChatGPT", "通用大模型", "行業大模型", "基於大模型的應用",
]


def by_start(suggestions, prefix):
    found = [s for s in suggestions if s.anchor.exact.startswith(prefix.lstrip("—"))]
    assert len(found) == 1, (prefix, found)
    return found[0]


def assert_spans_exact(suggestions, paragraphs):
    for s in suggestions:
        for span in (s.anchor, s.attribution):
            if span is not None:
                assert paragraphs[span.block][span.start:span.end] == span.exact


# ==========================================================================
# The seed, end to end


@pytest.mark.parametrize("full_width", [False, True], ids=["ascii-punctuation", "full-width"])
def test_seed_finds_every_quote_with_the_right_speaker_and_nothing_else(full_width):
    paragraphs = seed_paragraphs(full_width)
    suggestions = suggest_quotes(paragraphs, known=SEED_ENTITIES, story_date=STORY_DATE)

    found = [(s.speaker_name, s.kind) for s in (by_start(suggestions, q) for q, _, _ in SEED_QUOTES)]
    assert found == [(speaker, kind) for _, speaker, kind in SEED_QUOTES]
    assert len(suggestions) == len(SEED_QUOTES)
    assert_spans_exact(suggestions, paragraphs)


def test_seed_suggests_no_scare_quote():
    suggestions = suggest_quotes(seed_paragraphs(True), known=SEED_ENTITIES, story_date=STORY_DATE)

    anchors = {s.anchor.exact for s in suggestions}
    assert not anchors & set(SEED_SCARE_QUOTES)


def test_seed_speakers_roles_dates_and_events():
    paragraphs = seed_paragraphs(True)
    suggestions = suggest_quotes(paragraphs, known=SEED_ENTITIES, story_date=STORY_DATE)

    first = by_start(suggestions, "阿里是唯一一家")
    assert (first.speaker_key, first.speaker_kind, first.role, first.role_is_past) == (
        "zhou-jingren", "person", "阿里云CTO", False)
    assert first.anchor.exact == "阿里是唯一一家主動宣布大模型開源的大公司。"

    zhou_chang = by_start(suggestions, "我們最開始")
    assert zhou_chang.role == "通義實驗室通義千問負責人"
    assert zhou_chang.event_name == "2023云棲大會"
    assert zhou_chang.said_on == "2023"

    waic = by_start(suggestions, "M6-OFA")
    assert waic.anchor.exact == "M6-OFA正是通義大模型的底座"
    assert (waic.role, waic.role_is_past) == ("達摩院副院長", True)
    assert (waic.said_on, waic.event_name) == ("2022-09", "WAIC 2022")

    colon = by_start(suggestions, "(大模型是)")
    assert (colon.speaker_key, colon.role, colon.role_is_past) == ("zhang-yong", "阿里CEO", True)
    assert colon.attribution.block == colon.anchor.block - 1
    assert colon.attribution.exact == "張勇"

    april = by_start(suggestions, "阿里所有產品")
    assert april.said_on == "2023-04"

    laughing = by_start(suggestions, "以往我們釘釘")
    assert (laughing.speaker_key, laughing.role) == ("ye-jun", "釘釘總裁")
    assert laughing.event_name == "春釘發布會"
    assert by_start(suggestions, "釘釘全面接入").event_name == "春釘發布會"

    unattributed = by_start(suggestions, "大家一直都說")
    assert unattributed.speaker_key == "ye-jun"
    assert unattributed.confidence < laughing.confidence
    assert unattributed.attribution.block == unattributed.anchor.block - 1

    organization = by_start(suggestions, "國內第一個")
    assert (organization.speaker_key, organization.speaker_kind) == ("alibaba", "organization")

    fragment = by_start(suggestions, "圍繞Scalling Law")
    assert fragment.speaker_key == "zhou-chang"
    assert fragment.anchor.exact == "圍繞Scalling Law做技術探索"

    position = by_start(suggestions, "不是做一個C端產品")
    assert position.anchor.exact == "——不是做一個C端產品(通義千問)，而是要將模型的能力釋放出去，繼續做B端生意"[2:]
    assert position.attribution.exact == "周靖人"


def test_seed_without_known_entities_proposes_new_people():
    suggestions = suggest_quotes(seed_paragraphs(True), story_date=STORY_DATE)

    people = {s.speaker_name for s in suggestions}
    assert people == {"周靖人", "周暢", "張勇", "葉軍"}
    assert all(s.speaker_key is None and s.speaker_kind == "person" for s in suggestions)
    # Only the organisation speaking (阿里口中) needs a known entity.
    direct = [q for q, _, kind in SEED_QUOTES if kind != "indirect" and not q.startswith("國內")]
    for prefix in direct:
        by_start(suggestions, prefix)
    assert len(suggestions) == len(SEED_QUOTES) - 1


def test_seed_mentions_respect_latin_word_boundaries():
    paragraphs = seed_paragraphs(True)
    mentions = suggest_mentions(paragraphs, SEED_ENTITIES)

    for mention in mentions:
        span = mention.anchor
        assert paragraphs[span.block][span.start:span.end] == span.exact
    berts = [m for m in mentions if m.entity_key == "bert"]
    assert berts and all(m.anchor.exact == "BERT" for m in berts)
    for m in berts:
        text = paragraphs[m.anchor.block]
        assert not re.match(r"[A-Za-z0-9]", text[m.anchor.start - 1:m.anchor.start])
        assert not re.match(r"[A-Za-z0-9]", text[m.anchor.end:m.anchor.end + 1])
    assert not any("structBERT" in paragraphs[m.anchor.block][m.anchor.start - 6:m.anchor.end] for m in berts)
    keys = {m.entity_key for m in mentions}
    assert {"zhou-jingren", "alibaba", "alibaba-cloud", "tongyi-qianwen", "tongyi", "dingtalk"} <= keys


def test_seed_dates():
    paragraphs = seed_paragraphs(True)
    values = [(d.anchor.exact, d.value) for d in find_dates(paragraphs, STORY_DATE)]

    for expected in [
        ("今年4月", "2023-04"), ("同年9月", "2023-09"), ("2018年10月", "2018-10"),
        ("2019年", "2019"), ("2022年9月", "2022-09"), ("這年11月", "2022-11"),
        ("這年3月", "2023-03"), ("今年4月11日", "2023-04-11"),
    ]:
        assert expected in values
    assert ("上周", "2023") in values  # 30 Oct - 5 Nov 2023 spans two months


# ==========================================================================
# Passages written for these tests


def quotes(paragraphs, known=(), story_date=STORY_DATE):
    suggestions = suggest_quotes(paragraphs, known=list(known), story_date=story_date)
    assert_spans_exact(suggestions, paragraphs)
    return suggestions


def summary(suggestions):
    return [(s.anchor.block, s.anchor.exact, s.speaker_name, s.kind) for s in suggestions]


def test_traditional_corner_brackets_pronoun_and_speaker_after_the_quote():
    paragraphs = [
        "台積電董事長魏哲家在股東會上表示：「AI需求非常強勁，我們的產能仍然吃緊。」",
        "他還說，「明年的資本支出會維持在高檔。」",
        "業界把這波熱潮稱為「AI淘金潮」，不少供應鏈廠商也想分一杯羹。",
        "「我們不會只做代工，」魏哲家笑著補充道，「我們要做大家的『晶圓廠』。」",
    ]
    suggestions = quotes(paragraphs)

    assert summary(suggestions) == [
        (0, "AI需求非常強勁，我們的產能仍然吃緊。", "魏哲家", "direct"),
        (1, "明年的資本支出會維持在高檔。", "魏哲家", "direct"),
        (3, "我們不會只做代工，", "魏哲家", "direct"),
        (3, "我們要做大家的『晶圓廠』。", "魏哲家", "direct"),
    ]
    assert suggestions[0].role == "台積電董事長"
    assert suggestions[0].event_name == "股東會"
    assert suggestions[1].attribution.block == 0  # the pronoun's antecedent
    assert "pronoun" in suggestions[1].reason
    assert suggestions[1].confidence < suggestions[0].confidence


def test_simplified_past_role_indirect_statement_and_dates():
    paragraphs = [
        "2021年3月，时任小米集团总裁的王翔在发布会上说：“我们会坚持性价比。”",
        "去年12月，雷军在年度演讲上透露，小米汽车的研发团队已超过3400人。",
        "雷军认为：“造车是我人生最后一次重大创业项目。”",
        "对于外界所谓的“雷布斯”称号，他笑称：“我只是一个普通的工程师。”",
        "小米的“铁人三项”战略，被不少人视为其成功的关键。",
    ]
    suggestions = quotes(paragraphs)

    assert summary(suggestions) == [
        (0, "我们会坚持性价比。", "王翔", "direct"),
        (1, "小米汽车的研发团队已超过3400人", "雷军", "indirect"),
        (2, "造车是我人生最后一次重大创业项目。", "雷军", "direct"),
        (3, "我只是一个普通的工程师。", "雷军", "direct"),
    ]
    wang = suggestions[0]
    assert (wang.role, wang.role_is_past, wang.said_on) == ("小米集团总裁", True, "2021-03")
    assert suggestions[1].said_on == "2022-12"
    assert all(s.speaker_key is None for s in suggestions)


def test_double_corner_brackets_latin_names_and_dingdiao_after_the_quote():
    known = [KnownEntity("microsoft", "organization", ("微軟", "Microsoft"))]
    paragraphs = [
        "OpenAI執行長Sam Altman在開發者大會上說：『我們正處在一個新時代的開端。』",
        "『這不只是一個聊天機器人。』Altman給這款產品定調。",
        "微軟表示，雙方的合作將持續到2030年。",
    ]
    suggestions = quotes(paragraphs, known)

    assert summary(suggestions) == [
        (0, "我們正處在一個新時代的開端。", "Sam Altman", "direct"),
        (1, "這不只是一個聊天機器人。", "Altman", "direct"),
        (2, "雙方的合作將持續到2030年", "微軟", "indirect"),
    ]
    assert suggestions[0].role == "OpenAI執行長"
    assert suggestions[0].event_name == "開發者大會"
    assert (suggestions[2].speaker_key, suggestions[2].speaker_kind) == ("microsoft", "organization")
    assert suggestions[2].said_on is None  # 2030 is what was said, not when


def test_quote_continued_over_paragraphs_and_chained_quotes():
    paragraphs = [
        "在谈到公司的未来时，华为轮值董事长徐直军说：",
        "“我们要活下来，",
        "“还要活得有质量。”",
        "可以说，这是华为最艰难的一年。",
        "徐直军说，“第一，要活下来”，“第二，要有质量地活下来”。",
    ]
    suggestions = quotes(paragraphs)

    assert summary(suggestions) == [
        (1, "我们要活下来，", "徐直军", "direct"),
        (2, "还要活得有质量。", "徐直军", "direct"),
        (4, "第一，要活下来", "徐直军", "direct"),
        (4, "第二，要有质量地活下来", "徐直军", "direct"),
    ]
    assert suggestions[0].role == "华为轮值董事长"
    assert suggestions[0].attribution.block == 0


def test_scare_quotes_and_look_alike_verbs_are_not_suggested():
    paragraphs = [
        "這款被稱為“國民應用”的軟件，據說已有上億用戶。",
        "業內人士普遍認為，“出海”是下一個增長點。",
        "他寫過一本名為“三體”的小說，堪稱“現象級”作品。",
        "也就是說，“降本增效”仍是今年的主題。",
        "可以看到，「雙十一」的熱度正在下降，所謂的「最低價」也不再吸引人。",
    ]
    assert quotes(paragraphs) == []


def test_fragment_repeating_an_earlier_quote_and_pronoun_after_a_known_person():
    known = [KnownEntity("pony-ma", "person", ("馬化騰", "马化腾", "Pony Ma"))]
    paragraphs = [
        "張一鳴在內部信中寫道：“我們要始終保持創業心態，像第一天那樣思考問題。”",
        "這種“始終保持創業心態”的說法，後來被員工反覆引用。",
        "马化腾在会上谈到了微信。他说：“微信是一个生活方式。”",
    ]
    suggestions = quotes(paragraphs, known)

    assert summary(suggestions) == [
        (0, "我們要始終保持創業心態，像第一天那樣思考問題。", "張一鳴", "direct"),
        (1, "始終保持創業心態", "張一鳴", "fragment"),
        (2, "微信是一个生活方式。", "马化腾", "direct"),
    ]
    assert suggestions[2].speaker_key == "pony-ma"


def test_colon_introduced_statement_is_indirect_but_an_enumeration_is_not():
    paragraphs = [
        "發布會上，騰訊雲總裁邱躍鵬明確了公司的方向：",
        "——不追求模型參數規模，而是把能力開放給行業客戶。",
        "隨後，邱躍鵬也提出了三個重點：",
        "第一，降低推理成本；",
        "第二，擴大開發者生態。",
    ]
    suggestions = quotes(paragraphs)

    assert summary(suggestions) == [
        (1, "不追求模型參數規模，而是把能力開放給行業客戶", "邱躍鵬", "indirect"),
    ]
    assert suggestions[0].role == "騰訊雲總裁"


def test_unattributed_quote_paragraph_needs_exactly_one_person_before_it():
    known = [
        KnownEntity("li-yanhong", "person", ("李彥宏", "李彦宏", "Robin Li")),
        KnownEntity("lei-jun", "person", ("雷軍", "雷军")),
    ]
    one = ["談起文心一言，李彥宏顯得頗為自信。", "“我們是全球第一個發布類ChatGPT產品的大廠，這一點無法改變。”"]
    two = ["李彥宏和雷軍都出席了這場論壇。", "“我們是全球第一個發布類ChatGPT產品的大廠，這一點無法改變。”"]

    [suggestion] = quotes(one, known)
    assert suggestion.speaker_key == "li-yanhong"
    assert suggestion.confidence <= 0.5
    assert quotes(two, known) == []


@pytest.mark.parametrize(
    "sentence, name, role, is_past",
    [
        ("釘釘總裁葉軍說：“好。”", "葉軍", "釘釘總裁", False),
        ("阿里云CTO周靖人說，“好。”", "周靖人", "阿里云CTO", False),
        ("時任阿里CEO的張勇表示：“好。”", "張勇", "阿里CEO", True),
        ("通義實驗室通義千問負責人周暢稱，“好。”", "周暢", "通義實驗室通義千問負責人", False),
        ("前百度總裁張亞勤指出：“好。”", "張亞勤", "百度總裁", True),
        ("原达摩院院长张建锋坦言：“好。”", "张建锋", "达摩院院长", True),
        ("清華大學教授歐陽明高認為：“好。”", "歐陽明高", "清華大學教授", False),
        ("辦公室主任王偉解釋說：“好。”", "王偉", "辦公室主任", False),
        ("据李开复透露，“好。”", "李开复", None, False),
        ("蔚來李斌說：“好。”", "李斌", None, False),
        ("騰訊馬化騰表示：“好。”", "馬化騰", None, False),
        ("董事長兼CEO張勇說：“好。”", "張勇", "董事長兼CEO", False),
    ],
)
def test_title_is_cut_from_an_unknown_name(sentence, name, role, is_past):
    [suggestion] = quotes([sentence])

    assert (suggestion.speaker_name, suggestion.role, suggestion.role_is_past) == (name, role, is_past)
    assert suggestion.speaker_key is None
    assert suggestion.attribution.exact == name


@pytest.mark.parametrize(
    "sentence",
    [
        "業內人士表示：“好。”",
        "該公司高管透露：“好。”",
        "有分析師指出：“好。”",
        "用戶說：“好。”",
        "鋅產業認為：“好。”",
        "他們說：“好。”",
    ],
)
def test_no_speaker_is_invented_for_anonymous_or_plural_sources(sentence):
    assert quotes([sentence]) == []


def test_known_alias_in_the_other_script_names_the_speaker():
    known = [KnownEntity("ye-jun", "person", ("叶军", "Ye Jun"))]

    [suggestion] = quotes(["釘釘總裁葉軍說：“好。”"], known)

    assert suggestion.speaker_key == "ye-jun"
    assert suggestion.speaker_name == "葉軍"
    assert suggestion.confidence == 0.9


def test_anchor_is_the_quoted_words_without_the_marks():
    paragraph = "他說：“你好。”"
    [suggestion] = quotes(["張三是記者。", paragraph], [KnownEntity("z", "person", ("張三",))])

    assert suggestion.anchor.exact == "你好。"
    assert paragraph[suggestion.anchor.start - 1] == "“"
    assert paragraph[suggestion.anchor.end] == "”"


# ==========================================================================
# Mentions


def test_mentions_longest_first_without_overlaps_in_both_scripts():
    known = [
        KnownEntity("tongyi", "product", ("通義",)),
        KnownEntity("qwen", "product", ("通義千問",)),
        KnownEntity("alibaba-cloud", "organization", ("阿里雲",)),
        KnownEntity("alibaba", "organization", ("阿里",)),
    ]
    paragraphs = ["阿里云发布了通义千问，也更新了通義家族。", "阿里雲和阿里。"]
    mentions = suggest_mentions(paragraphs, known)

    assert [(m.anchor.block, m.anchor.exact, m.entity_key) for m in mentions] == [
        (0, "阿里云", "alibaba-cloud"),
        (0, "通义千问", "qwen"),
        (0, "通義", "tongyi"),
        (1, "阿里雲", "alibaba-cloud"),
        (1, "阿里", "alibaba"),
    ]


def test_latin_mentions_need_word_boundaries():
    known = [KnownEntity("bert", "product", ("BERT",)), KnownEntity("m6", "product", ("M6",))]
    paragraphs = ["BERT、structBERT、RoBERTa和BERT-2都不同；M6與M6-OFA也不同，M6。"]
    mentions = suggest_mentions(paragraphs, known)

    text = paragraphs[0]
    assert [(m.anchor.start, m.anchor.exact) for m in mentions] == [
        (0, "BERT"), (text.index("M6與"), "M6"), (text.index("M6。"), "M6"),
    ]


def test_fold_keeps_length_and_offsets():
    text = "時任達摩院副院長的周靖人說，阿里雲「通義千問」２０２３"
    folded = fold_chars(text)

    assert len(folded) == len(text)
    assert folded == "时任达摩院副院长的周靖人说，阿里云「通义千问」2023"


# ==========================================================================
# Dates


def values(text, story_date=STORY_DATE):
    return [(d.anchor.exact, d.value) for d in find_dates([text], story_date)]


def test_absolute_dates():
    assert values("2018年10月，谷歌發布BERT；2023年4月11日發布；2019年；2024-02-29。", None) == [
        ("2018年10月", "2018-10"), ("2023年4月11日", "2023-04-11"), ("2019年", "2019"),
        ("2024-02-29", "2024-02-29"),
    ]


def test_relative_dates_resolve_against_the_story_date():
    assert values("今年4月11日、今年4月、去年、上個月、昨天、上周三") == [
        ("今年4月11日", "2023-04-11"), ("今年4月", "2023-04"), ("去年", "2022"),
        ("上個月", "2023-10"), ("昨天", "2023-11-07"), ("上周三", "2023-11-01"),
    ]
    assert values("上周", datetime.date(2023, 11, 22)) == [("上周", "2023-11")]


def test_relative_dates_are_skipped_without_a_story_date():
    assert values("今年4月11日發布，同年9月開源，上周更新。", None) == []


def test_this_year_and_same_year_take_the_year_of_the_text():
    assert values("2022年9月發布，直到這年11月；同年12月又更新，並在3月上線。", None) == [
        ("2022年9月", "2022-09"), ("這年11月", "2022-11"), ("同年12月", "2022-12"), ("3月", "2022-03"),
    ]


def test_impossible_dates_and_quantities_are_not_dates():
    assert values("2023年2月30日；三個月；十年二十年；7B/14B；GPT-3.5；3400人", None) == []


def test_simplified_feature_with_many_speakers():
    paragraphs = """字节跳动的大模型之路，比外界想象的更早开始。
2023年8月，字节正式发布了豆包大模型。字节跳动CEO梁汝波在内部全员会上说，“我们对大模型的反应太慢了。”
这被不少员工视为一次“自我批评”。
对于“追赶”这个说法，火山引擎总裁谭待并不认同。他表示，字节的优势在于应用场景，而不是模型本身。
“我们不需要做第一个，但一定要做最好用的那个。”谭待说。
据知情人士透露，豆包团队目前已超过千人。
有业内人士认为，价格战对中小厂商并不友好。
在今年5月的火山引擎原动力大会上，谭待宣布豆包主力模型降价99.3%，“把价格打下来，才能让更多企业用得起。”
这一举动，被媒体称为大模型行业的“价格屠夫”。
雷军曾经说过：
“站在风口上，猪都能飞起来。”
如今，这句话又被人们重新提起。
张楠在接受《晚点LatePost》采访时坦言，抖音的成功有很大的运气成分。
她还说：“我们今天做的事情，五年后回头看可能都是错的。”
李彦宏则在百度世界大会上表示：“开源模型会越来越落后。”""".split("\n")
    suggestions = quotes(paragraphs, story_date=datetime.date(2024, 6, 1))

    assert [(s.anchor.block, s.speaker_name, s.kind) for s in suggestions] == [
        (1, "梁汝波", "direct"),
        (3, "谭待", "indirect"),
        (4, "谭待", "direct"),
        (7, "谭待", "direct"),
        (10, "雷军", "direct"),
        (12, "张楠", "indirect"),
        (13, "张楠", "direct"),
        (14, "李彦宏", "direct"),
    ]
    by_block = {s.anchor.block: s for s in suggestions}
    assert by_block[1].role == "字节跳动CEO"
    assert by_block[3].anchor.exact == "字节的优势在于应用场景，而不是模型本身"
    assert by_block[3].role == "火山引擎总裁"  # the pronoun's antecedent carries its title
    assert (by_block[7].said_on, by_block[7].event_name) == ("2024-05", "火山引擎原动力大会")
    assert by_block[7].confidence < by_block[4].confidence
    assert by_block[14].event_name == "百度世界大会"


def test_traditional_feature_with_corner_brackets():
    known = [
        KnownEntity("jensen-huang", "person", ("黃仁勳", "黄仁勋", "Jensen Huang")),
        KnownEntity("nvidia", "organization", ("輝達", "英伟达", "NVIDIA")),
    ]
    paragraphs = """輝達執行長黃仁勳去年來台時，掀起一陣「黃仁勳旋風」。
他在台大畢業典禮上致詞指出：「不管是追逐食物，或不被別人當成食物，都要用跑的。」
這段話隨即成為社群上的「金句」。
經濟部長王美花則強調，政府會持續協助廠商布局AI供應鏈。
「台灣是全世界最重要的AI夥伴之一，」黃仁勳說，「沒有台灣，就沒有輝達。」
前行政院長蘇貞昌也曾提到：
「我們要讓年輕人留在台灣。」
不過，也有學者指出，所謂「AI島」的說法仍言之過早。
中研院院士李琳山表示，台灣在「大型語言模型」上起步較晚。
她笑說，這是「一場馬拉松，不是短跑」。
鴻海董事長劉揚偉與黃仁勳同台，兩人相談甚歡。
「我們會一起打造AI工廠。」""".split("\n")
    suggestions = quotes(paragraphs, known, story_date=datetime.date(2024, 6, 1))

    assert [(s.anchor.block, s.speaker_name, s.kind) for s in suggestions] == [
        (1, "黃仁勳", "direct"),
        (3, "王美花", "indirect"),
        (4, "黃仁勳", "direct"),
        (4, "黃仁勳", "direct"),
        (6, "蘇貞昌", "direct"),
        (8, "李琳山", "indirect"),
        (9, "李琳山", "direct"),
    ]
    assert suggestions[0].speaker_key == "jensen-huang"
    assert suggestions[0].event_name == "台大畢業典禮"
    assert (suggestions[4].role, suggestions[4].role_is_past) == ("行政院長", True)
    assert suggestions[5].role == "中研院院士"
    assert suggestions[6].anchor.exact == "一場馬拉松，不是短跑"
    # The last quote follows a paragraph naming two people: no guess.
    assert all(s.anchor.block != 11 for s in suggestions)


# ==========================================================================
# Properties: never raise, every span is exact



_TOKENS = [
    "周靖人", "葉軍", "叶军", "張勇", "阿里", "釘釘總裁", "時任", "的", "他", "她", "說", "说", "稱",
    "表示", "透露", "所說的", "口中", "認為", "堪稱", "據說", "給", "定調", "在", "大會", "上", "：",
    ":", "，", ",", "。", "！", "？", "“", "”", "「", "」", "『", "』", '"', "——", "2023年", "4月",
    "11日", "今年", "同年", "這年", "上周", "BERT", "structBERT", "M6-OFA", "第一，", " ", "\u3000",
    "文字", "模型", "阿里云CTO", "一", "十", "、", "(", ")", "Sam Altman", "·",
]
_PARAGRAPH = st.lists(st.sampled_from(_TOKENS) | st.text(max_size=3), max_size=25).map("".join)
_KNOWN = [
    KnownEntity("zhou", "person", ("周靖人",)),
    KnownEntity("ye", "person", ("叶军",)),
    KnownEntity("ali", "organization", ("阿里", "Alibaba")),
    KnownEntity("bert", "product", ("BERT",)),
    KnownEntity("empty", "concept", ("",)),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(_PARAGRAPH, max_size=6), st.none() | st.dates(datetime.date(1990, 1, 1), datetime.date(2090, 1, 1)))
def test_suggestions_never_raise_and_spans_are_exact(paragraphs, story_date):
    suggestions = suggest_quotes(paragraphs, known=_KNOWN, story_date=story_date)
    assert_spans_exact(suggestions, paragraphs)
    for s in suggestions:
        assert s.kind in {"direct", "indirect", "fragment"}
        assert s.speaker_kind in {"person", "organization"}
        assert 0 <= s.confidence <= 1
        assert s.anchor.end > s.anchor.start
        assert s.said_on is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", s.said_on)

    mentions = suggest_mentions(paragraphs, _KNOWN)
    taken = set()
    for m in mentions:
        assert paragraphs[m.anchor.block][m.anchor.start:m.anchor.end] == m.anchor.exact
        cells = {(m.anchor.block, i) for i in range(m.anchor.start, m.anchor.end)}
        assert not cells & taken
        taken |= cells

    for d in find_dates(paragraphs, story_date):
        assert paragraphs[d.anchor.block][d.anchor.start:d.anchor.end] == d.anchor.exact
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d.value)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fold_keeps_the_length_of_any_text(text):
    assert len(fold_chars(text)) == len(text)


# --- cues of unseen copy (constructed cases, not copied from the development set) -------------


def test_a_transliterated_name_after_a_title_speaks():
    paragraphs = ["微軟執行長納德拉（Satya Nadella）說，「雲端業務還會再成長。」",
                  "輝達CEO黃仁勳則表示，算力需求不會放緩。"]
    assert summary(quotes(paragraphs)) == [
        (0, "雲端業務還會再成長。", "納德拉", "direct"),
        (1, "算力需求不會放緩", "黃仁勳", "indirect"),
    ]


def test_the_subject_of_an_earlier_clause_speaks():
    paragraphs = ["聯發科總經理陳冠州昨天參觀展覽，下午在臉書發文表示「這是最好的一屆」。",
                  "鴻海董事長劉揚偉出席論壇表示，電動車是集團的重點。"]
    assert summary(quotes(paragraphs)) == [
        (0, "這是最好的一屆", "陳冠州", "direct"),
        (1, "電動車是集團的重點", "劉揚偉", "indirect"),
    ]


def test_a_colon_after_a_sentence_opened_by_one_person():
    paragraphs = ["李開復在會上金句頻出：「大模型的時代才剛開始。」「每個行業都會被重做一遍。」"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [
        ("大模型的時代才剛開始。", "李開復"), ("每個行業都會被重做一遍。", "李開復")]


def test_a_quote_after_one_persons_reported_words_in_the_paragraph():
    paragraphs = ["張汝京在受訪時表示，國產設備進步很快。他說，材料仍是短板。「再給我們五年時間，差距一定會縮小。」"]
    found = [(s.anchor.exact, s.speaker_name, s.kind) for s in quotes(paragraphs)]
    assert ("再給我們五年時間，差距一定會縮小。", "張汝京", "direct") in found


def test_told_someone_colon_and_a_saying_quoted_with_de_hua():
    paragraphs = ["季平告訴經濟日報（Economic Daily）：「訂單已經排到明年。」",
                  "套句公司董事長周可的話「慢就是快」。",
                  "如果真的要漲價的話「客戶」會先離開。"]
    assert summary(quotes(paragraphs)) == [
        (0, "訂單已經排到明年。", "季平", "direct"),
        (1, "慢就是快", "周可", "direct"),
    ]


def test_a_weekday_or_a_one_character_title_is_not_a_name():
    paragraphs = ["執行長林小明（Tom Lin）週二表示，新廠將在年底量產。",
                  "稍早總統府宣布，記者會將在下午舉行。"]
    assert [(s.speaker_name, s.kind) for s in quotes(paragraphs)] == [("林小明", "indirect")]


def test_a_semicolon_ends_one_speakers_reported_clause():
    paragraphs = ["工研院院長劉文雄表示，產業需要更多人才；公會理事長蔡明忠表示，政策要更穩定。"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [
        ("產業需要更多人才", "劉文雄"), ("政策要更穩定", "蔡明忠")]


def test_a_pronoun_refers_to_an_unknown_name_printed_after_a_title():
    paragraphs = ["甲公司執行長周大文上周表示，市場正在復甦。",
                  "乙集團CEO林志成博士在臉書上呼籲合作。他說“我們要一起面對挑戰”。"]
    assert [(s.speaker_name, s.kind) for s in quotes(paragraphs)][-1] == ("林志成", "direct")


def test_an_adverb_ending_in_di_before_the_verb_and_a_full_width_dot_name():
    paragraphs = ["“這一季賣得很好，”王立平不無得意地說，“明年還會更好。”",
                  "共同創辦人約翰．史密斯說，「團隊會繼續擴編」。"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [
        ("這一季賣得很好，", "王立平"), ("明年還會更好。", "王立平"), ("團隊會繼續擴編", "約翰．史密斯")]


def test_bare_verbs_take_their_clause_without_a_comma():
    paragraphs = ["電信公司總經理郭大同昨天出席論壇,表示明年將在全台再建五百座基地台。",
                  "他表示感謝。"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [
        ("明年將在全台再建五百座基地台", "郭大同")]


def test_the_one_titled_person_of_the_sentence_speaks_not_the_reporter_in_the_dateline():
    paragraphs = ["〔記者吳小芬／台中報導〕商會理事長張文華今日出席「青年創業週」開幕典禮時表示，創業門檻正在降低。",
                  "銀行董事長李明與市長陳大中今天會面後表示，雙方將合作推動綠能。"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [
        ("創業門檻正在降低", "張文華")]  # two people before the verb: no guess


def test_a_transliterated_name_after_a_title_opens_a_clause_with_adverbs():
    paragraphs = ["亞馬遜執行長賈西也在社群平台發文表示：「我們會持續投資雲端。」"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [("我們會持續投資雲端。", "賈西")]


def test_a_dotted_name_introduced_after_a_title_is_later_known_by_its_last_part():
    paragraphs = ["這個說法由研究機構共同創辦人安娜．霍夫曼（Anna Hoffmann）提出。",
                  "霍夫曼日前在部落格中寫道，「小團隊也能做出大模型。」"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [("小團隊也能做出大模型。", "霍夫曼")]


def test_a_title_before_a_scare_quoted_word_is_no_name():
    from articles.importing.suggest.names import _titled_names

    assert _titled_names("矽谷流行「创办人模式」") == []
    assert _titled_names("执行长库克也在") == [(3, 5)]


def test_a_given_name_with_he_is_a_name_but_two_surnames_joined_by_he_are_not():
    paragraphs = ["對此，孫和平認為，市場還有很大空間。", "王和李都表示，「會繼續合作。」"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [("市場還有很大空間", "孫和平")]


# -- rules measured on the real-world set (tests/data/realworld), each on a constructed case --------


def test_a_partial_quotation_in_a_named_speakers_reported_clause_is_his_words():
    paragraphs = ["陳志明說，今年的訂單「比去年多了一倍」，因此工廠已經加開夜班。",
                  "林美玲表示，市場仍「處在剛起步的階段，不是尾聲」，她把現況比喻為二十年前的手機業。"]
    found = [(s.anchor.exact, s.speaker_name, s.kind) for s in quotes(paragraphs)]
    assert ("比去年多了一倍", "陳志明", "direct") in found
    assert ("處在剛起步的階段，不是尾聲", "林美玲", "direct") in found
    # the reported clause itself stays an indirect statement (the partial quotation is a small part of it)
    assert any(kind == "indirect" and text.startswith("今年的訂單") for text, _, kind in found)


def test_a_quoted_term_in_a_reported_clause_is_not_speech():
    paragraphs = ["陳志明說，公司明年將推出「智慧工廠」的新方案，並擴大招募。",
                  "林美玲表示，這套做法被業界稱為「輕資產模式」，成本比較低。",
                  "王大同指出，新廠會採用「零碳排」設計。"]
    assert [s.anchor.exact for s in quotes(paragraphs) if s.kind != "indirect"] == []


def test_a_reported_clause_stops_where_the_speakers_own_words_begin():
    paragraphs = ["張建國回憶,公司從2015年就開始研發電池,但難度太大,後來解決量產問題後,「第一款產品今天終於要交給大家」。"]
    found = {s.kind: s.anchor.exact for s in quotes(paragraphs)}
    assert found["direct"] == "第一款產品今天終於要交給大家"
    assert found["indirect"] == "公司從2015年就開始研發電池,但難度太大,後來解決量產問題後"


def test_an_event_named_in_quotation_marks_does_not_hide_the_speaker_after_a_title():
    paragraphs = ["今年，交通部公路局二級研究員白志華在“2022全國物流發展論壇”上表示，“貨運量將會增加一成。”"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [("貨運量將會增加一成。", "白志華")]


def test_an_anonymous_subject_is_no_speaker_and_a_semicolon_ends_the_earlier_subject():
    paragraphs = ["報告沒有提到李大偉；有分析師受訪時說，李小龍做人一向低調，「做人還是低調一點好」。"]
    assert quotes(paragraphs) == []


def test_a_closing_mark_lost_in_run_on_text_ends_the_quote_at_the_sentence_end():
    paragraphs = ["記者問他是否滿意。 陳主任笑答:“我覺得已經很好了! 又有記者問下一步。 陳主任說:“我們會繼續努力! 會後他離開。"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs) if s.kind == "direct"] == [
        ("我覺得已經很好了!", "陳主任"), ("我們會繼續努力!", "陳主任")]


def test_a_question_after_the_quote_and_an_adverb_in_di_that_leaves_a_three_character_name():
    paragraphs = ["“要拍照嗎？我是不是該換件衣服？”蔡明德很認真地問，一句話讓大家都笑了。",
                  "問及當時的想法，蔡明德的回答很直率：“賺了錢總想做點事。”"]
    found = [(s.anchor.exact, s.speaker_name, s.kind) for s in quotes(paragraphs)]
    assert ("要拍照嗎？我是不是該換件衣服？", "蔡明德", "direct") in found
    assert not any(kind == "indirect" for _, _, kind in found)  # 問 takes no reported clause


def test_a_name_printed_once_after_a_title_is_a_name_everywhere():
    paragraphs = ["集團董事長蔡明德今年六十歲。", "問及當時的想法，蔡明德的回答很直率：“賺了錢總想做點事。”"]
    assert [(s.anchor.exact, s.speaker_name) for s in quotes(paragraphs)] == [("賺了錢總想做點事。", "蔡明德")]
