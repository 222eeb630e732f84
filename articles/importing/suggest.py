"""Suggest speech quotes, speakers, entity mentions and dates in cleaned paragraphs.

Everything here is pure Python over a list of cleaned paragraph strings (no
database); offsets are Unicode code points into those strings, end exclusive,
and every :class:`Span` satisfies ``exact == paragraphs[block][start:end]``.
The results are *suggestions* for an editor to confirm, never facts.

How it works
------------
**Folding.**  Each paragraph is folded once, character by character, with
OpenCC ``t2s`` (one converter per process) plus full-width digits to ASCII.
Folding one character at a time keeps the folded text exactly as long as the
original, so every pattern below is written once, in simplified characters,
and a match in the folded text is a match at the same offsets in the original
(traditional, simplified or mixed) text.

**Quotes and sentences.**  Quotation marks “…”, 「…」, 『…』 (and paired ASCII
``"``) are matched with a stack; only top-level quotations are candidates,
and an opening mark never closed runs to the end of the paragraph (the
Chinese convention for a quotation that continues in the next paragraph).
A *masked* copy of the folded paragraph has the quoted words replaced by a
placeholder, so sentence splitting (。！？!?) and attribution cues never look
inside a quotation.

**Attribution cues**, tried in this order for each quotation (the first that
names a speaker wins; confidence falls down the list):

1. *speaker and verb before it in the sentence* -- the masked text up to the
   opening mark ends with a speech verb (说 称 笑称 透露 表示 指出 认为 解释
   官宣 口中 所说的 坦言 强调 …) and at most a short tail (道, 的那样, a
   comma or colon).  Words that only look like a verb are excluded by their
   neighbours (小说, 据说, 可以说, 堪称, 号称, 称为, 被认为 …);
2. *speaker named right after it* -- “…”某某说 / “…”某某给…定调;
3. *a colon-ended paragraph* whose last clause has a speaker and a speech or
   statement verb (解释 明确 提出 …) introduces the next paragraph: a
   quotation there is a direct quote, an unquoted statement an indirect one
   (unless it starts an enumeration such as 第一，…);
4. *a quotation right after another attributed one* in the same sentence, or
   continuing an unclosed one from the paragraph before;
5. *a speaker and verb earlier in the sentence* that a substantial quotation
   (10+ characters or a sentence of its own) ends: 某某宣布…，“……。”;
6. *an unattributed quotation paragraph* after a paragraph that names
   exactly one person, known or printed after a title, and no "两人/双方"
   (lower confidence).

A quotation with none of these cues is a scare quote or a term and is not
suggested -- unless it repeats a large part of an earlier quote, in which case
it is a ``fragment`` of that quote's speaker.  A quote with a cue that repeats
part of an earlier quote by the same speaker is also a ``fragment``.  A
statement reported without quotation marks right after a speaker and a
speech verb and a comma (``周靖人称，M6-OFA正是…``) is ``indirect``; its anchor
is the reported clause to the end of the sentence, without final punctuation.

**Speakers.**  From the clause before the verb, adverbials are peeled off the
right end (在…上/时, 正式, 也, 这样, dates, 对记者 …).  What remains ends with
the speaker: first a known entity's name or alias (person or organization,
compared on folded text), else a pronoun (他/她, resolved to the person last
named before the quote), else an unknown person name: a Latin "First Last" or
"名·姓" name, or 2-3 Han characters starting with a common surname (single or
compound), whose preceding text ends on a word boundary (nothing, punctuation
or Latin, 的, a title such as 总裁/CTO/负责人, or a connector such as 据/就像).
That boundary test is what cuts 钉钉总裁|叶军 and 阿里云CTO|周靖人 correctly;
when only one length starts with a surname at all, it is taken without the
boundary (蔚来|李斌).  Anonymous and plural sources (业内人士, 高管, 他们) give
no speaker, and the quotation is not suggested.
Names found this way in a first pass join the known names for a second pass,
so later pronouns and unattributed paragraphs can find them.  The role is the
title printed before the name (时任/原/前/曾任 mark a past role and are not part
of it; 的 is dropped); it is kept only when it ends like a title.

**Dates** are absolute (2018年10月, 2023年4月11日, 2019年, ISO) or relative:
今年/去年/明年 (+month/day) and 上周/上个月/昨天 against ``story_date``
(skipped without one); 这年/同年/这一年 (+month) and a bare month (4月, 4月11日)
against the year of the last date resolved before them in the text (a bare
month falls back to ``story_date``).  A quote's ``said_on`` is the date
nearest before it in its sentence or attribution sentence (outside any
quotation), else the year in its event name.  **Events** are "在X上/期间/现场"
where X ends like an event (大会, 发布会, 峰会, 论坛 …) or is "WAIC 2022"-like;
a demonstrative one (这场发布会) is the last event named before it.

**Mentions** match every name and alias of every known entity on the folded
text, longest first without overlaps, Latin names only on word boundaries
(``BERT`` is not found in ``structBERT``, ``RoBERTa`` or ``BERT-2``).

Confidence: 0.9 for a verb cue next to the quotation, 0.85 for a colon
paragraph, 0.75/0.7 for a chained or continued quotation, 0.65 (0.6 after a colon) for indirect
speech, 0.6 for a verb earlier in the sentence or a bare repetition, 0.5 for a
quotation paragraph after one named person; minus 0.15 when the speaker is a
pronoun and 0.1 when the speaker is a proposed (unknown) person.

Known limits: names are found by dictionary and a surname heuristic, not by a
segmenter; a speaker with no surname on the list and no known entity is
missed, and an organisation speaks only when it is a known entity; pronouns
resolve to the person named last (no gender or number check beyond 他们/她们);
multi-sentence reported speech is cut at the first sentence end; Latin names
match case-sensitively.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

__all__ = [
    "DateMention",
    "KnownEntity",
    "MentionSuggestion",
    "QuoteSuggestion",
    "Span",
    "find_dates",
    "fold",
    "suggest_mentions",
    "suggest_quotes",
]


# ==========================================================================
# Public data types


@dataclass(frozen=True)
class KnownEntity:
    key: str  # slug
    kind: str  # person | organization | product | event | place | concept | publication
    names: tuple[str, ...]  # canonical name + aliases


@dataclass
class Span:
    block: int  # index into the paragraphs list
    start: int
    end: int
    exact: str


@dataclass
class QuoteSuggestion:
    anchor: Span
    kind: str  # "direct" | "indirect" | "fragment"
    speaker_name: str
    speaker_key: str | None
    speaker_kind: str  # "person" | "organization"
    role: str | None
    role_is_past: bool
    attribution: Span | None
    said_on: str | None
    event_name: str | None
    confidence: float
    reason: str


@dataclass
class MentionSuggestion:
    anchor: Span
    entity_key: str


@dataclass
class DateMention:
    anchor: Span
    value: str  # "2023", "2023-04", "2023-04-11"


# ==========================================================================
# Folding: traditional -> simplified, one character at a time

_converter = None


def _t2s():
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    return _converter


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    folded = _t2s().convert(char).translate(_FULLWIDTH_DIGITS)
    return folded if len(folded) == 1 else char


def fold(text: str) -> str:
    """Fold text to simplified characters, keeping its length (and so its offsets)."""
    return "".join(_fold_char(char) for char in text)


# ==========================================================================
# Vocabulary (all in folded, simplified form)

_MASK = "\ufffc"
_OPEN_TO_CLOSE = {"“": "”", "「": "」", "『": "』"}
_CLOSE_TO_OPEN = {v: k for k, v in _OPEN_TO_CLOSE.items()}
_OPENERS = "“「『\""
_SENTENCE_ENDS = "。！？!?"
_CLAUSE_BOUNDARIES = "，,；;：:。！？!?“”「」『』\"—" + _MASK
_FINAL_PUNCTUATION = "。！？!?；;，,、…：:.．"

_SPEECH_VERBS = [
    "说", "说道", "说过", "称", "笑称", "声称", "宣称", "透露", "表示", "指出", "认为",
    "解释", "解释道", "官宣", "口中", "所说的", "所说", "坦言", "直言", "强调", "回应",
    "介绍", "宣布", "提到", "谈到", "谈及", "问道", "反问", "感叹", "感慨", "写道",
    "补充", "补充道", "回忆", "回忆道", "笑言", "笑道", "承认", "提醒", "预测", "断言",
    "评价", "形容", "直说", "告诉记者", "告诉媒体", "告诉笔者", "坦承", "重申", "呼吁",
    "笑说", "笑著说", "笑着说",
]
# Verbs that introduce a statement after a colon (in addition to speech verbs).
_STATEMENT_VERBS = _SPEECH_VERBS + ["明确", "提出", "阐述", "阐明", "分享", "定调", "解读", "展望"]

# A verb is not a speech cue when these stand right before / right after it.
_VERB_NOT_AFTER = {
    "说": ("小", "据", "听", "可以", "就是", "来", "不用", "虽", "再", "或者", "应该", "换句话",
           "话", "传", "游", "不得不", "比如", "譬如", "不是", "所以", "是"),
    "称": ("堪", "号", "简", "统", "俗", "名", "被", "昵", "爱", "并", "相", "职", "对", "尊", "通"),
    "认为": ("被", "普遍", "一般"),
    "表示": ("被",),
    "介绍": ("据",),
    "提到": ("前面", "上文", "前文", "下文"),
}
_VERB_NOT_BEFORE = {
    "说": tuple("明法服书唱"),
    "称": tuple("为作之号呼霸职赞心颂"),
    "表示": ("为",),
    "口中": ("的",),
}

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍喻祁蒲房滕屈"
    "饶牟艾尤穆卓吉缪车项麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬栾隋刁"
    "沙荣巫寇桑郎甄丛仲虞敖巩佘池邝鞠惠荆冀郁胥储栗燕楚鄢谌奚皮粟冼蔺楼闻厉伊仝郜阚"
)
_COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "慕容", "令狐", "皇甫", "尉迟", "公孙", "夏侯",
    "长孙", "宇文", "司徒", "端木", "独孤", "南宫", "西门", "澹台", "申屠",
}
# Words that start with a surname character but are not names.
_NOT_NAMES = {
    "高层", "高管", "方面", "方法", "方案", "方式", "周围", "周末", "周年", "周期", "周边",
    "马上", "向来", "安全", "江湖", "金融", "金额", "石油", "黄金", "许多", "何时", "何况",
    "任何", "任务", "程序", "程度", "曾经", "于是", "谷歌", "顾客", "顾问", "白宫", "关于",
    "关键", "包括", "符合", "毕竟", "季度", "范围", "陆续", "申请", "左右", "游戏", "管理",
    "宁愿", "尚未", "童年", "凌晨", "付出", "余下", "杜绝", "苏联", "韩国", "万一", "严格",
    "康复", "施工", "齐全", "易于", "庞大", "颜色", "庄严", "章程", "焦点", "祝福", "舒适",
    "纪律", "雷达", "段落", "毛病", "熊猫", "董事", "郑重", "罗马", "高度", "高级", "高速",
    "路上", "车上", "车主", "柴油", "宫中", "费用", "冷静", "米饭", "卫生", "沙发", "荣幸",
    "池子", "惠及", "楚楚", "闻名", "伊始", "孔子", "孟子", "老子", "戴着", "项目", "麦克",
    "边缘", "宗旨", "牛市", "蓝图", "蒙古", "景气", "党员", "史上", "毛利", "夏季", "黎明",
}
# Characters that never occur in the given name part of a guessed name.
_NOT_IN_GIVEN_NAME = set(
    "的了是在和也就都说称这那个们我你他她它其之为与及对从而但将被把让给向于以所此并还又再已"
    "不没有无上下中里后前时年月日号等着著过道到该每各某些哪谁啥么吗呢吧啊呀者"
)
_TITLE_SUFFIXES = sorted(
    {
        "总裁", "总经理", "经理", "董事长", "董事", "创始人", "联合创始人", "创办人", "负责人",
        "主任", "教授", "研究员", "科学家", "工程师", "架构师", "总监", "主席", "发言人", "合伙人",
        "分析师", "老师", "律师", "医生", "博士", "记者", "主编", "书记", "顾问", "总编辑", "编辑",
        "专家", "作者", "掌门人", "一号位", "带头人", "主管", "高管", "官", "长", "总", "掌舵人",
        "投资人", "代表", "委员", "议员", "院士", "学者", "研究者", "创作者", "制作人", "总干事", "大使", "部长", "领导", "导演", "队长", "主持人",
    },
    key=len,
    reverse=True,
)
_ACRONYM_TITLE = re.compile(r"[A-Z]{2,5}$")
_PAST_ROLE_MARKERS = ("时任", "曾任", "原任", "前任", "原", "前")
_ROLE_LEADING_NOISE = (
    "一切就像", "就像", "正如", "如同", "诚如", "据", "像", "如", "而", "但", "不过", "此外",
    "对此", "同时", "其中", "因此", "所以", "于是", "就连", "连", "甚至", "作为", "身为",
    "另外", "随后", "当时", "此前", "也", "还", "曾",
)
_CONNECTOR_ENDINGS = (
    "据", "像", "如", "连", "是", "让", "令", "由", "和", "与", "及", "跟", "而", "但", "则",
    "即", "经", "看", "听", "见", "请",
)
_PRONOUNS = ("他", "她")
_PLURAL_PRONOUN = re.compile(r"(?:他们|她们|他俩|我们|你们|大家|其他)$")

_EVENT_SUFFIXES = (
    "大会", "发布会", "峰会", "论坛", "会议", "年会", "博览会", "展会", "座谈会", "研讨会",
    "记者会", "股东会", "股东大会", "董事会", "活动", "典礼", "仪式", "晚会", "演讲", "沟通会", "媒体会", "见面会", "直播",
    "听证会", "世博会", "大赛", "开幕式", "闭幕式", "交流会", "分享会", "峰会上", "庆典",
)
# Bare common nouns: "在发布会上" refers to the event named last, if any.
_GENERIC_EVENTS = {"会", "会议", "大会", "发布会", "新闻发布会", "记者会", "论坛", "峰会", "活动", "直播", "演讲"}
_NOT_EVENTS = ("机会", "社会", "体会", "误会", "约会", "协会", "学会", "委员会", "理事会")
_DEMONSTRATIVES = ("这场", "这次", "此次", "本次", "这届", "本届", "那场", "那次", "该", "这一", "这个")
_LATIN_EVENT = re.compile(r"^[A-Z][A-Za-z0-9&]*(?:\s?[A-Z][A-Za-z0-9&]*)*\s?(?:19|20)\d{2}$")
_EVENT_CONTEXT = re.compile(r"在(?P<event>[^，,。！？!?；;：:" + _MASK + r"“”「」『』]{2,40}?)(?:上|期间|现场)")
_LEADING_DATE_WORDS = re.compile(
    r"^(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:\d{1,2}[日号])?"
    r"(?:上周|本周|今年|去年|日前|近日|当天|此前|随后|刚刚|最近|年初|年底)?"
)

_ENUMERATION = re.compile(
    r"^(?:第[一二三四五六七八九十\d]+[，,、：:．.]|[一二三四五六七八九十]+[是曰、．.]|其[一二三]|首先|"
    r"\d{1,2}[.、．)）]|[（(][一二三四五六七八九十\d]+[）)])"
)

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _is_han(char: str) -> bool:
    return bool(_HAN.match(char))


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_SPEECH_VERB_RE = _alternation(_SPEECH_VERBS)
_STATEMENT_VERB_RE = _alternation(_STATEMENT_VERBS)
# Before a quotation: VERB + short tail, anchored at the opening mark.
_PRE_CUE = re.compile(
    rf"(?P<verb>{_SPEECH_VERB_RE})(?:道|到|着|著|了|过|的那样|那样|时说|说)?\s*(?:[，,：:]|——)?\s*(?:——)?\s*$"
)
# After a quotation: [，] SUBJECT VERB, then punctuation or end.
_POST_CUE = re.compile(
    rf"^[\s，,]*(?P<subject>[^，,。！？!?；;：:{_MASK}“”「」『』]{{1,30}}?)"
    rf"(?P<verb>{_SPEECH_VERB_RE}|给[^，,。{_MASK}]{{1,12}}?定调)(?:道|到|说)?(?=[\s，,。！？!?；;：:“「『]|$)"
)
# Indirect speech: VERB + comma/colon, then the reported clause.
_INDIRECT_CUE = re.compile(rf"(?P<verb>{_SPEECH_VERB_RE})(?:道|到|说)?\s*[，,：:]\s*")
_STATEMENT_CUE = re.compile(rf"(?P<verb>{_STATEMENT_VERB_RE})")

_ADVERBIAL_TAILS = [
    re.compile(r"在[^，," + _MASK + r"]{1,30}?(?:上|时|中|里|后|前|期间|之际|现场|时候|之时)$"),
    re.compile(r"接受[^，," + _MASK + r"]{1,15}?采访(?:时)?$"),
    re.compile(r"(?:对|向|跟|同)(?:记者|媒体|外界|笔者|本报|本刊|我们|员工|大家|用户|[^，," + _MASK + r"]{1,6}?)$"),
    re.compile(r"(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:\d{1,2}[日号])(?:时)?$"),
    re.compile(r"(?:(?:19|20)\d{2}年)?\d{1,2}月(?:时)?$"),
    re.compile(r"(?:19|20)\d{2}年(?:时)?$"),
    re.compile(
        "(?:" + _alternation([
            "今年", "去年", "上周", "本周", "日前", "近日", "此前", "当时", "当天", "昨天", "今天",
            "随后", "后来", "最近", "早前", "曾经", "曾", "也", "还", "又", "则", "就", "更", "便",
            "亦", "都", "正式", "公开", "对外", "对此", "直接", "明确", "坦言", "直言", "笑着",
            "进一步", "再次", "多次", "一再", "一直", "同样", "普遍", "首先", "最后", "特别", "专门",
            "这样", "那样", "如此", "当场", "现场", "私下", "一度", "早就", "很早", "所", "均",
            "甚至", "总是", "常常", "经常", "曾多次", "不止一次", "也曾", "随即", "直接了当地", "笑著",
            "致词", "致辞", "发言", "演讲", "发言时", "演讲时", "致词时", "致辞时",
            "毫不讳言地", "坦率地", "笑着", "不无感慨地", "感慨地", "激动地", "无奈地", "认真地",
        ]) + ")$"
    ),
]


# ==========================================================================
# Paragraph analysis


@dataclass
class _Quotation:
    open: int  # index of the opening mark
    close: int  # index of the closing mark, or len(text) when never closed
    closed: bool

    @property
    def inner(self) -> tuple[int, int]:
        return self.open + 1, self.close


@dataclass
class _Paragraph:
    index: int
    text: str
    folded: str
    masked: str
    quotations: list[_Quotation]
    sentences: list[tuple[int, int]]

    def sentence_at(self, position: int) -> tuple[int, int]:
        for start, end in self.sentences:
            if start <= position < end:
                return start, end
        return (self.sentences[-1] if self.sentences else (0, len(self.text)))


def _find_quotations(text: str) -> list[_Quotation]:
    quotations: list[_Quotation] = []
    stack: list[tuple[str, int]] = []
    for i, char in enumerate(text):
        if char in _OPEN_TO_CLOSE:
            stack.append((char, i))
        elif char in _CLOSE_TO_OPEN:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == _CLOSE_TO_OPEN[char]:
                    if k == 0:
                        quotations.append(_Quotation(stack[0][1], i, True))
                    del stack[k:]
                    break
    if stack:
        quotations.append(_Quotation(stack[0][1], len(text), False))
    if not quotations and text.count('"') >= 2 and text.count('"') % 2 == 0:
        marks = [i for i, c in enumerate(text) if c == '"']
        quotations = [_Quotation(a, b, True) for a, b in zip(marks[::2], marks[1::2])]
    return sorted(quotations, key=lambda q: q.open)


def _split_sentences(masked: str) -> list[tuple[int, int]]:
    sentences, start, i = [], 0, 0
    while i < len(masked):
        if masked[i] in _SENTENCE_ENDS:
            while i + 1 < len(masked) and (masked[i + 1] in _SENTENCE_ENDS or masked[i + 1] in "”」』"):
                i += 1
            sentences.append((start, i + 1))
            start = i + 1
        i += 1
    if start < len(masked):
        sentences.append((start, len(masked)))
    return sentences


def _analyse(index: int, text: str) -> _Paragraph:
    folded = fold(text)
    quotations = _find_quotations(text)
    masked = list(folded)
    for q in quotations:
        start, end = q.inner
        masked[start:end] = _MASK * (end - start)
    masked_text = "".join(masked)
    return _Paragraph(index, text, folded, masked_text, quotations, _split_sentences(masked_text))


# ==========================================================================
# Names


@dataclass(frozen=True)
class _Name:
    folded: str
    key: str | None
    kind: str


@dataclass
class _Speaker:
    name: str  # as printed
    key: str | None
    kind: str
    span: Span  # where the text names the speaker
    role: str | None = None
    role_is_past: bool = False
    via: str = "name"  # "name" | "pronoun" | "guess"


class _Names:
    """Speaker names: known persons and organizations, plus names found on the way."""

    def __init__(self, known, extra_persons=()):
        self.by_folded: dict[str, _Name] = {}
        for entity in known:
            if entity.kind not in ("person", "organization"):
                continue
            for name in entity.names:
                folded = fold(name.strip())
                if len(folded) >= 2 and folded not in self.by_folded:
                    self.by_folded[folded] = _Name(folded, entity.key, entity.kind)
        for name in extra_persons:
            folded = fold(name)
            self.by_folded.setdefault(folded, _Name(folded, None, "person"))
            # A Latin "First Last" name is later often referred to by its last word.
            if re.fullmatch(r"[A-Z][a-z]+(?:[ ·.][A-Z][a-z]+)+", folded):
                last = re.split(r"[ ·.]", folded)[-1]
                self.by_folded.setdefault(last, _Name(last, None, "person"))
        self.longest_first = sorted(self.by_folded, key=len, reverse=True)

    def ending(self, region: str) -> _Name | None:
        """The longest known name that ends ``region`` on a word boundary."""
        for folded in self.longest_first:
            if region.endswith(folded):
                before = region[-len(folded) - 1] if len(region) > len(folded) else ""
                if _is_word_char(folded[0]) and before and _is_word_char(before):
                    continue
                return self.by_folded[folded]
        return None

    def persons_in(self, folded: str) -> list[tuple[int, int, _Name]]:
        """Non-overlapping occurrences of person names, in text order."""
        found = []
        taken = [False] * len(folded)
        for name in self.longest_first:
            entry = self.by_folded[name]
            if entry.kind != "person":
                continue
            start = folded.find(name)
            while start != -1:
                end = start + len(name)
                if not any(taken[start:end]) and _on_word_boundary(folded, start, end):
                    found.append((start, end, entry))
                    taken[start:end] = [True] * (end - start)
                start = folded.find(name, start + 1)
        return sorted(found, key=lambda item: item[0])


def _on_word_boundary(text: str, start: int, end: int) -> bool:
    if _is_word_char(text[start]) and start > 0:
        before = text[start - 1]
        if _is_word_char(before) or (before in "-." and start > 1 and _is_word_char(text[start - 2])):
            return False
    if _is_word_char(text[end - 1]) and end < len(text):
        after = text[end]
        if _is_word_char(after) or (after in "-." and end + 1 < len(text) and _is_word_char(text[end + 1])):
            return False
    return True


def _ends_with_title(text: str) -> bool:
    return bool(_ACRONYM_TITLE.search(text)) or text.endswith(tuple(_TITLE_SUFFIXES))


def _good_name_boundary(prefix: str) -> bool:
    if not prefix:
        return True
    last = prefix[-1]
    return (
        not _is_han(last)
        or last == "的"
        or _ends_with_title(prefix)
        or prefix.endswith(_CONNECTOR_ENDINGS)
    )


def _guess_person(region: str) -> int | None:
    """Length of an unknown person's name ending ``region``, or None.

    A Han name is 2-3 characters (4 with a compound surname) starting with a
    surname.  Among the lengths that fit, the one whose preceding text ends on
    a word boundary wins (nothing, punctuation, 的, a title, a connector); a
    name glued to a company name ("蔚来李斌", "腾讯马化腾") is accepted when only
    one length starts with a surname at all.
    """
    latin = re.search(r"(?:^|[^A-Za-z])([A-Z][a-z]+(?:[ ·.][A-Z][a-z]+)+)$", region)
    if latin:
        return len(latin.group(1))
    transliterated = re.search(r"[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,6}$", region)
    if transliterated:
        return len(transliterated.group(0))
    fitting = [length for length in (4, 3, 2) if _is_name_shape(region, length)]
    for length in fitting:
        if _good_name_boundary(region[:-length]):
            return length
    if len(fitting) == 1 and len(region) > fitting[0]:
        return fitting[0]
    return None


def _is_name_shape(region: str, length: int) -> bool:
    """Whether the last ``length`` characters could be a Han personal name."""
    if len(region) < length:
        return False
    candidate = region[-length:]
    if not all(_is_han(c) for c in candidate) or candidate in _NOT_NAMES:
        return False
    if candidate[:2] in _COMPOUND_SURNAMES:
        surname = 2
    elif candidate[0] in _SURNAMES:
        surname = 1
    else:
        return False
    given = candidate[surname:]
    return 1 <= len(given) <= 2 and not any(c in _NOT_IN_GIVEN_NAME for c in given)


_PLURAL_HINT = re.compile(r"两人|二人|三人|双方|他们|她们|他俩|两位|几位|众人")
_TITLED_NAME = re.compile(
    "(?:" + "|".join(re.escape(t) for t in _TITLE_SUFFIXES if len(t) > 1) + r"|[A-Z]{2,5})"
    r"(?P<name>[\u4e00-\u9fff]{2,3})"
)


def _titled_names(folded: str) -> list[tuple[int, int]]:
    """Spans of unknown names printed right after a title ("董事长刘扬伟")."""
    spans = []
    for match in _TITLED_NAME.finditer(folded):
        start = match.start("name")
        for length in (3, 2):
            candidate = folded[start:start + length]
            if len(candidate) == length and _guess_person(candidate) == length:
                spans.append((start, start + length))
                break
    return spans


def _strip_adverbials(region: str, names: _Names) -> str:
    changed = True
    while changed and region:
        changed = False
        if names.ending(region):
            break
        for pattern in _ADVERBIAL_TAILS:
            match = pattern.search(region)
            if match and match.start() >= 1 and match.end() == len(region):
                region = region[: match.start()].rstrip()
                changed = True
                break
    return region


def _role(paragraph: _Paragraph, start: int, end: int) -> tuple[str | None, bool]:
    """The title printed in folded[start:end] before a name, and whether it is past."""
    folded = paragraph.folded[start:end]
    cut = max((m.end() for m in re.finditer(r"在[^，,]*?(?:上|时|中|期间)", folded)), default=0)
    start += cut
    folded = folded[cut:]
    while folded.endswith(("的", " ")):
        folded, end = folded[:-1], end - 1
    changed = True
    while changed:
        changed = False
        for noise in _ROLE_LEADING_NOISE:
            if folded.startswith(noise) and not folded.startswith(_PAST_ROLE_MARKERS[:2]):
                folded, start, changed = folded[len(noise):], start + len(noise), True
                break
    is_past = False
    for marker in _PAST_ROLE_MARKERS:
        if folded.startswith(marker) and len(folded) > len(marker) + 1:
            folded, start, is_past = folded[len(marker):], start + len(marker), True
            break
    folded = folded.strip()
    if not folded or not _ends_with_title(folded) or len(folded) > 30:
        return None, False
    text = paragraph.text[start:end].strip()
    return text, is_past


# ==========================================================================
# Dates

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_DATE_RE = re.compile(
    rf"(?P<abs>(?<!\d)(?P<ay>(?:1[89]|20)\d{{2}})年(?:(?P<am>{_MONTH})月(?:(?P<ad>\d{{1,2}})[日号])?)?)"
    r"|(?P<iso>(?<!\d)(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2})(?!\d))"
    rf"|(?P<rel>(?P<rw>今年|去年|前年|明年|本年)(?:(?P<rm>{_MONTH})月(?:(?P<rd>\d{{1,2}})[日号])?)?)"
    rf"|(?P<ctx>(?P<cw>这一年|这年|同年|当年|那年|该年)(?:(?P<cm>{_MONTH})月(?:(?P<cd>\d{{1,2}})[日号])?)?)"
    r"|(?P<week>(?P<wk>上周|本周|这周|下周)(?P<wd>[一二三四五六日天])?)"
    r"|(?P<mon>上个月|上月|本月|这个月|下个月|下月)"
    r"|(?P<day>昨天|昨日|前天|明天)"
    r"|(?P<bare>(?<![\d年月])(?P<bm>\d{1,2})月(?:(?P<bd>\d{1,2})[日号])?)"
)


def _month_number(token: str | None) -> int | None:
    if token is None:
        return None
    if token.isdigit():
        return int(token)
    if token.startswith("十"):
        return 10 + (_CN_DIGITS[token[1]] if len(token) > 1 else 0)
    return _CN_DIGITS.get(token)


def _partial(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1000 <= year <= 2999:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _week_value(story_date: datetime.date, which: str, weekday: str | None) -> str:
    offset = {"上周": -7, "本周": 0, "这周": 0, "下周": 7}[which]
    monday = story_date - datetime.timedelta(days=story_date.weekday()) + datetime.timedelta(days=offset)
    if weekday:
        index = "一二三四五六".find(weekday)
        day = monday + datetime.timedelta(days=index if index >= 0 else 6)
        return day.isoformat()
    sunday = monday + datetime.timedelta(days=6)
    if (monday.year, monday.month) == (sunday.year, sunday.month):
        return f"{monday.year:04d}-{monday.month:02d}"
    return f"{monday.year:04d}"


def _resolve_date(match: re.Match, story_date: datetime.date | None, context_year: int | None) -> str | None:
    group = match.group
    if group("abs"):
        return _partial(int(group("ay")), _month_number(group("am")), _int(group("ad")))
    if group("iso"):
        return _partial(int(group("iy")), int(group("im")), int(group("id")))
    if group("rel"):
        if story_date is None:
            return None
        shift = {"今年": 0, "本年": 0, "去年": -1, "前年": -2, "明年": 1}[group("rw")]
        return _partial(story_date.year + shift, _month_number(group("rm")), _int(group("rd")))
    if group("ctx"):
        month = _month_number(group("cm"))
        if context_year is None or (group("cw") in ("当年", "那年") and month is None):
            return None
        return _partial(context_year, month, _int(group("cd")))
    if group("week"):
        return _week_value(story_date, group("wk"), group("wd")) if story_date else None
    if group("mon"):
        if story_date is None:
            return None
        shift = {"上个月": -1, "上月": -1, "本月": 0, "这个月": 0, "下个月": 1, "下月": 1}[group("mon")]
        month_index = story_date.year * 12 + story_date.month - 1 + shift
        return _partial(month_index // 12, month_index % 12 + 1)
    if group("day"):
        if story_date is None:
            return None
        shift = {"昨天": -1, "昨日": -1, "前天": -2, "明天": 1}[group("day")]
        return (story_date + datetime.timedelta(days=shift)).isoformat()
    if group("bare"):
        month, day = int(group("bm")), _int(group("bd"))
        if context_year is not None:
            return _partial(context_year, month, day)
        if story_date is not None:
            year = story_date.year - (1 if month > story_date.month else 0)
            return _partial(year, month, day)
    return None


def _int(token: str | None) -> int | None:
    return int(token) if token else None


def find_dates(paragraphs: list[str], story_date: datetime.date | None) -> list[DateMention]:
    """Absolute and relative dates in the paragraphs, resolved to partial ISO dates."""
    return _find_dates([fold(p) for p in paragraphs], paragraphs, story_date)


def _find_dates(folded_paragraphs, paragraphs, story_date) -> list[DateMention]:
    mentions: list[DateMention] = []
    context_year: int | None = None
    for block, folded in enumerate(folded_paragraphs):
        for match in _DATE_RE.finditer(folded):
            value = _resolve_date(match, story_date, context_year)
            if value is None:
                # An unresolved date ("今年4月" with no story date) is still the year the
                # text now talks about: a later "同年" must not borrow an older year.
                if not match.group("bare"):
                    context_year = None
                continue
            start, end = match.span()
            mentions.append(DateMention(Span(block, start, end, paragraphs[block][start:end]), value))
            context_year = int(value[:4])
    return mentions


# ==========================================================================
# Events


@dataclass
class _Event:
    block: int
    position: int
    name: str | None  # None: a demonstrative ("这场发布会") to resolve


def _find_events(paragraphs: list[_Paragraph], event_names: set[str]) -> list[_Event]:
    events = []
    for paragraph in paragraphs:
        for match in _EVENT_CONTEXT.finditer(paragraph.masked):
            start, end = match.span("event")
            candidate = paragraph.masked[start:end]
            last_de = candidate.rfind("的")
            if last_de >= 0:
                start += last_de + 1
                candidate = candidate[last_de + 1:]
            lead = _LEADING_DATE_WORDS.match(candidate)
            if lead and lead.end() < len(candidate):
                start += lead.end()
                candidate = candidate[lead.end():]
            candidate = candidate.strip()
            if candidate in _GENERIC_EVENTS or (
                candidate.startswith(_DEMONSTRATIVES) and candidate.endswith(_EVENT_SUFFIXES)
            ):
                events.append(_Event(paragraph.index, start, None))
            elif (
                candidate.endswith(_EVENT_SUFFIXES)
                or (len(candidate) >= 3 and candidate.endswith("会") and not candidate.endswith(_NOT_EVENTS))
                or _LATIN_EVENT.match(candidate)
                or candidate in event_names
            ):
                name = paragraph.text[start:start + len(candidate)]
                events.append(_Event(paragraph.index, start, name))
    return events


# ==========================================================================
# Quotes


@dataclass
class _Cue:
    speaker: _Speaker
    verb: str  # as printed
    how: str  # reason template, "{name}" stands for the speaker
    sentence: tuple[int, int, int]  # block, start, end of the sentence with the attribution


class _QuoteFinder:
    def __init__(self, paragraphs, known, story_date, extra_persons=()):
        self.paragraphs = [_analyse(i, p) for i, p in enumerate(paragraphs)]
        self.names = _Names(known, extra_persons)
        event_names = {fold(n) for e in known if e.kind == "event" for n in e.names}
        self.events = _find_events(self.paragraphs, event_names)
        self.dates = _find_dates([p.folded for p in self.paragraphs], paragraphs, story_date)
        self.results: dict[tuple[int, int, int], QuoteSuggestion] = {}

    # -- speakers ----------------------------------------------------------

    def speaker_in(self, paragraph: _Paragraph, start: int, end: int) -> _Speaker | None:
        """The speaker ending the region masked[start:end] (adverbials allowed after it)."""
        region = paragraph.masked[start:end]
        stripped = region.rstrip()
        stripped = _strip_adverbials(stripped, self.names)
        if not stripped:
            return None
        name_end = start + len(stripped)
        if _PLURAL_PRONOUN.search(stripped):
            return None
        if stripped.endswith(_PRONOUNS) and not stripped.endswith("其他"):
            return self.antecedent(paragraph.index, name_end - 1)
        known = self.names.ending(stripped)
        if known:
            # A name found by this module's own first pass (no key) is still a guess.
            length, key, kind = len(known.folded), known.key, known.kind
            via = "name" if key else "guess"
        else:
            length = _guess_person(stripped)
            if length is None:
                return None
            key, kind, via = None, "person", "guess"
        name_start = name_end - length
        role, is_past = _role(paragraph, start, name_start)
        name = paragraph.text[name_start:name_end]
        return _Speaker(name, key, kind, Span(paragraph.index, name_start, name_end, name), role, is_past, via)

    def antecedent(self, block: int, position: int) -> _Speaker | None:
        """The person named last before (block, position), looking back up to three paragraphs."""
        for b in range(block, max(-1, block - 4), -1):
            candidate = self.paragraphs[b]
            limit = position if b == block else len(candidate.masked)
            persons = self.names.persons_in(candidate.masked[:limit])
            if persons:
                start, end, entry = persons[-1]
                name = candidate.text[start:end]
                speaker = _Speaker(name, entry.key, entry.kind, Span(b, start, end, name), via="pronoun")
                role, is_past = self._role_before(candidate, start)
                speaker.role, speaker.role_is_past = role, is_past
                return speaker
        return None

    def _role_before(self, paragraph: _Paragraph, name_start: int) -> tuple[str | None, bool]:
        clause_start = name_start
        while clause_start > 0 and paragraph.masked[clause_start - 1] not in _CLAUSE_BOUNDARIES:
            clause_start -= 1
        return _role(paragraph, clause_start, name_start)

    def subject_before(self, paragraph: _Paragraph, verb_start: int, sentence_start: int) -> _Speaker | None:
        """The speaker of a verb at verb_start: in its clause, else at the end of the clause before."""
        clause_start = verb_start
        while clause_start > sentence_start and paragraph.masked[clause_start - 1] not in _CLAUSE_BOUNDARIES:
            clause_start -= 1
        speaker = self.speaker_in(paragraph, clause_start, verb_start)
        if speaker is not None:
            return speaker
        if _strip_adverbials(paragraph.masked[clause_start:verb_start].strip(), self.names):
            return None  # the clause has a subject, and it is not a speaker
        # "作为…的周靖人，明确了…": the subject closes the previous clause.
        previous_end = clause_start - 1
        if previous_end <= sentence_start or paragraph.masked[previous_end] not in "，,":
            return None
        previous_start = previous_end
        while previous_start > sentence_start and paragraph.masked[previous_start - 1] not in _CLAUSE_BOUNDARIES:
            previous_start -= 1
        return self.speaker_in(paragraph, previous_start, previous_end)

    # -- cues --------------------------------------------------------------

    def verb_allowed(self, folded: str, start: int, end: int) -> bool:
        verb = folded[start:end]
        base = "说" if verb.startswith("说") else verb
        if verb.startswith(("称", "笑称")):
            base = "称"
        if folded[max(0, start - 1):start] == "被":
            return False
        for before in _VERB_NOT_AFTER.get(base, ()):
            if folded[:start].endswith(before):
                return False
        for after in _VERB_NOT_BEFORE.get(base, ()):
            if folded[end:].startswith(after):
                return False
        return True

    def cue_before(self, paragraph: _Paragraph, quotation: _Quotation) -> _Cue | None:
        sentence_start, sentence_end = paragraph.sentence_at(quotation.open)
        lead = paragraph.masked[sentence_start:quotation.open]
        match = _PRE_CUE.search(lead)
        if not match:
            return None
        verb_start, verb_end = sentence_start + match.start("verb"), sentence_start + match.end("verb")
        if not self.verb_allowed(paragraph.masked, verb_start, verb_end):
            return None
        speaker = self.subject_before(paragraph, verb_start, sentence_start)
        if speaker is None:
            return None
        verb = paragraph.text[verb_start:verb_end]
        return _Cue(speaker, verb, f"speech verb {verb} after {{name}}",
                    (paragraph.index, sentence_start, sentence_end))

    def cue_earlier_in_sentence(self, paragraph: _Paragraph, quotation: _Quotation) -> _Cue | None:
        """A speaker and speech verb earlier in the sentence that a substantial quote ends.

        "谭待宣布豆包降价，“把价格打下来……”": the verb is not next to the quotation,
        so the cue is weaker; a short term in mid-sentence never qualifies.
        """
        sentence_start, sentence_end = paragraph.sentence_at(quotation.open)
        if not quotation.closed or not self.is_substantial(paragraph, quotation):
            return None
        if paragraph.masked[quotation.close + 1:sentence_end].strip("。！？!?…；;，, "):
            return None
        lead_end = quotation.open
        while lead_end > sentence_start and paragraph.masked[lead_end - 1] in "，,：: —":
            lead_end -= 1
        lead = paragraph.masked[sentence_start:lead_end]
        if _MASK in lead:
            return None  # an earlier quotation sits between: too far to tell
        for match in reversed(list(re.finditer(_SPEECH_VERB_RE, lead))):
            verb_start, verb_end = sentence_start + match.start(), sentence_start + match.end()
            if not self.verb_allowed(paragraph.masked, verb_start, verb_end):
                continue
            speaker = self.subject_before(paragraph, verb_start, sentence_start)
            if speaker is not None:
                verb = paragraph.text[verb_start:verb_end]
                return _Cue(speaker, verb, f"{{name}} {verb} earlier in the sentence the quote ends",
                            (paragraph.index, sentence_start, sentence_end))
        return None

    def cue_after(self, paragraph: _Paragraph, quotation: _Quotation) -> _Cue | None:
        if not quotation.closed:
            return None
        sentence_start, sentence_end = paragraph.sentence_at(quotation.open)
        after_start = quotation.close + 1
        tail = paragraph.masked[after_start:max(sentence_end, after_start)]
        match = _POST_CUE.match(tail)
        if not match:
            return None
        verb_start = after_start + match.start("verb")
        verb_end = after_start + match.end("verb")
        if not paragraph.masked[verb_start:verb_end].startswith("给") and not self.verb_allowed(
            paragraph.masked, verb_start, verb_end
        ):
            return None
        subject_start = after_start + match.start("subject")
        speaker = self.speaker_in(paragraph, subject_start, verb_start)
        if speaker is None:
            return None
        # The speaker must open the subject: nothing but a role may stand before the name.
        if speaker.via != "pronoun" and speaker.span.block == paragraph.index:
            before = paragraph.folded[subject_start:speaker.span.start].strip()
            if before and speaker.role is None:
                return None
        verb = paragraph.text[verb_start:verb_end]
        return _Cue(speaker, verb, f"{{name}} named after the quote with {verb}",
                    (paragraph.index, sentence_start, sentence_end))

    def colon_intro(self, paragraph: _Paragraph) -> _Cue | None:
        """A paragraph ending in a colon whose last clause has a speaker and a statement verb."""
        text = paragraph.masked.rstrip()
        if not text.endswith(("：", ":")):
            return None
        end = len(text) - 1
        sentence_start, _ = paragraph.sentence_at(max(0, end - 1))
        clause_start = end
        while clause_start > sentence_start and paragraph.masked[clause_start - 1] not in "，,；;。！？!?：:":
            clause_start -= 1
        clause = paragraph.masked[clause_start:end]
        for match in _STATEMENT_CUE.finditer(clause):
            verb_start, verb_end = clause_start + match.start("verb"), clause_start + match.end("verb")
            if not self.verb_allowed(paragraph.masked, verb_start, verb_end):
                continue
            speaker = self.subject_before(paragraph, verb_start, sentence_start)
            if speaker is not None:
                verb = paragraph.text[verb_start:verb_end]
                return _Cue(speaker, verb,
                            f"paragraph {paragraph.index} names {{name}} with {verb} and ends with a colon",
                            (paragraph.index, sentence_start, len(paragraph.text)))
        return None

    # -- building suggestions ---------------------------------------------

    def said_on(self, cue_sentence, anchor_block, anchor_start, exclude_after=None) -> str | None:
        block, start, end = cue_sentence
        paragraph = self.paragraphs[block]
        inside = [q.inner for q in paragraph.quotations]
        limit = anchor_start if block == anchor_block else end
        if exclude_after is not None:
            limit = min(limit, exclude_after)
        candidates = [
            d for d in self.dates
            if d.anchor.block == block and start <= d.anchor.start < end
            and not any(a <= d.anchor.start < b for a, b in inside)
        ]
        before = [d for d in candidates if d.anchor.start < limit]
        if before:
            return before[-1].value
        after = [d for d in candidates if d.anchor.start >= limit and exclude_after is None]
        return after[0].value if after else None

    def event_for(self, cue_sentence) -> str | None:
        block, start, end = cue_sentence
        for event in self.events:
            if event.block == block and start <= event.position < end:
                if event.name is not None:
                    return event.name
                earlier = [
                    e for e in self.events
                    if e.name is not None and (e.block, e.position) < (event.block, event.position)
                ]
                return earlier[-1].name if earlier else None
        return None

    def suggest(self, block, start, end, kind, cue: _Cue, confidence, reason, exclude_after=None):
        paragraph = self.paragraphs[block]
        anchor = Span(block, start, end, paragraph.text[start:end])
        event = self.event_for(cue.sentence)
        said_on = self.said_on(cue.sentence, block, start, exclude_after)
        if said_on is None and event:
            year = re.search(r"(?:19|20)\d{2}", event)
            said_on = year.group(0) if year else None
        speaker = cue.speaker
        if speaker.via == "guess":
            confidence -= 0.1
        suggestion = QuoteSuggestion(
            anchor=anchor,
            kind=kind,
            speaker_name=speaker.name,
            speaker_key=speaker.key,
            speaker_kind=speaker.kind,
            role=speaker.role,
            role_is_past=speaker.role_is_past,
            attribution=speaker.span,
            said_on=said_on,
            event_name=event,
            confidence=round(max(0.05, min(1.0, confidence)), 2),
            reason=reason,
        )
        self.results[(block, start, end)] = suggestion
        return suggestion

    def run(self) -> list[QuoteSuggestion]:
        previous_unclosed: QuoteSuggestion | None = None
        for paragraph in self.paragraphs:
            intro = self.colon_intro(self.paragraphs[paragraph.index - 1]) if paragraph.index else None
            body_start = len(paragraph.text) - len(paragraph.text.lstrip(" \u3000—-–"))
            starts_with_quote = bool(paragraph.quotations) and paragraph.quotations[0].open == body_start
            last_attributed: tuple[_Quotation, QuoteSuggestion] | None = None
            continuing = previous_unclosed
            previous_unclosed = None

            for number, quotation in enumerate(paragraph.quotations):
                start, end = quotation.inner
                if end <= start:
                    continue
                opens_paragraph = number == 0 and starts_with_quote
                suggestion = self.quote(
                    paragraph,
                    quotation,
                    opens_paragraph,
                    intro if opens_paragraph else None,
                    last_attributed,
                    continuing if opens_paragraph else None,
                )
                if suggestion is not None:
                    last_attributed = (quotation, suggestion)
                    if not quotation.closed:
                        previous_unclosed = suggestion

            if intro is not None and not starts_with_quote:
                self.indirect_after_colon(paragraph, intro)
            self.indirect_in(paragraph)
        return sorted(self.results.values(), key=lambda s: (s.anchor.block, s.anchor.start))

    def attribute(self, paragraph, quotation, opens_paragraph, intro, last_attributed, continuing):
        """The strongest attribution cue of a quotation: (cue, confidence, reason) or None."""
        cue = self.cue_before(paragraph, quotation) or self.cue_after(paragraph, quotation)
        if cue is not None:
            return cue, 0.9, None
        if intro is not None:
            return intro, 0.85, None
        if last_attributed is not None:
            previous_quotation, previous = last_attributed
            between = paragraph.masked[previous_quotation.close + 1:quotation.open]
            if previous_quotation.closed and re.fullmatch(r"[\s，,、：:—]*", between):
                return (self._cue_from(previous, paragraph), 0.75,
                        f"continues the quote of {previous.speaker_name} before it")
        if continuing is not None:
            return (self._cue_from(continuing, paragraph), 0.7,
                    f"continues the quote of {continuing.speaker_name} from the paragraph before")
        cue = self.cue_earlier_in_sentence(paragraph, quotation)
        if cue is not None:
            return cue, 0.6, None
        if opens_paragraph and self.is_quote_paragraph(paragraph, quotation):
            cue = self.single_person_before(paragraph)
            if cue is not None:
                return cue, 0.5, None
        return None

    def quote(self, paragraph, quotation, opens_paragraph, intro, last_attributed, continuing):
        start, end = quotation.inner
        attributed = self.attribute(paragraph, quotation, opens_paragraph, intro, last_attributed, continuing)
        earlier = self.repeated(paragraph.text[start:end], block=paragraph.index, position=start,
                                strict=attributed is None)
        if attributed is None:
            if earlier is None:
                return None  # a scare quote or a term
            return self.suggest(paragraph.index, start, end, "fragment", self._cue_from(earlier, paragraph), 0.6,
                                f"repeats part of {earlier.speaker_name}'s earlier quote")

        cue, confidence, reason = attributed
        if cue.speaker.via == "pronoun" and reason is None:
            confidence -= 0.15
            reason = f"pronoun refers to {cue.speaker.name} named before; {cue.how.format(name='the pronoun')}"
        reason = reason or cue.how.format(name=cue.speaker.name)
        kind = "direct"
        if earlier is not None and self._same_speaker(earlier, cue.speaker):
            kind = "fragment"
            reason += f"; repeats part of {earlier.speaker_name}'s earlier quote"
        return self.suggest(paragraph.index, start, end, kind, cue, confidence, reason)

    def _cue_from(self, suggestion: QuoteSuggestion, paragraph: _Paragraph) -> _Cue:
        speaker = _Speaker(suggestion.speaker_name, suggestion.speaker_key, suggestion.speaker_kind,
                           suggestion.attribution, suggestion.role, suggestion.role_is_past,
                           "name" if suggestion.speaker_key else "guess")
        block = suggestion.attribution.block if suggestion.attribution else paragraph.index
        start, end = self.paragraphs[block].sentence_at(suggestion.attribution.start if suggestion.attribution else 0)
        return _Cue(speaker, "", "", (block, start, end))

    @staticmethod
    def _same_speaker(suggestion: QuoteSuggestion, speaker: _Speaker) -> bool:
        if suggestion.speaker_key and speaker.key:
            return suggestion.speaker_key == speaker.key
        return fold(suggestion.speaker_name) == fold(speaker.name)

    def repeated(self, text: str, *, block: int, position: int, strict: bool) -> QuoteSuggestion | None:
        """An earlier direct quote that this quotation repeats, in large part."""
        words = _content(text)
        if len(words) < (8 if strict else 2):
            return None
        for earlier in sorted(self.results.values(), key=lambda s: (s.anchor.block, s.anchor.start), reverse=True):
            if earlier.kind == "indirect" or (earlier.anchor.block, earlier.anchor.start) >= (block, position):
                continue
            source = _content(earlier.anchor.exact)
            if len(source) <= len(words):
                continue
            match = SequenceMatcher(None, words, source, autojunk=False).find_longest_match(
                0, len(words), 0, len(source)
            )
            if match.size >= max(2, 0.8 * len(words)):
                return earlier
        return None

    @staticmethod
    def is_substantial(paragraph: _Paragraph, quotation: _Quotation) -> bool:
        """Long enough, or sentence-like enough, to be speech rather than a term."""
        start, end = quotation.inner
        inner = paragraph.text[start:end]
        return len(inner) >= 10 or any(c in inner for c in "，,。！？!?")

    def is_quote_paragraph(self, paragraph: _Paragraph, quotation: _Quotation) -> bool:
        covers = (quotation.close - quotation.open + 1) >= 0.6 * len(paragraph.text.strip())
        return covers and self.is_substantial(paragraph, quotation)

    def single_person_before(self, paragraph: _Paragraph) -> _Cue | None:
        if paragraph.index == 0:
            return None
        previous = self.paragraphs[paragraph.index - 1]
        mentions = [(start, end, entry) for start, end, entry in self.names.persons_in(previous.masked)]
        for start, end in _titled_names(previous.masked):
            if not any(a < end and start < b for a, b, _ in mentions):
                mentions.append((start, end, _Name(previous.masked[start:end], None, "person")))
        distinct = {entry.key or entry.folded for _, _, entry in mentions}
        if len(distinct) != 1 or _PLURAL_HINT.search(previous.masked):
            return None
        start, end, entry = max(mentions, key=lambda mention: mention[0])
        name = previous.text[start:end]
        speaker = _Speaker(name, entry.key, entry.kind, Span(previous.index, start, end, name),
                           via="name" if entry.key else "guess")
        speaker.role, speaker.role_is_past = self._role_before(previous, start)
        sentence = previous.sentence_at(start)
        return _Cue(speaker, "", f"quote paragraph after a paragraph naming only {name}",
                    (previous.index, *sentence))

    # -- indirect statements ----------------------------------------------

    def indirect_after_colon(self, paragraph: _Paragraph, intro: _Cue) -> None:
        text = paragraph.text
        start = len(text) - len(text.lstrip(" \u3000—-–"))
        body = paragraph.folded[start:]
        if paragraph.quotations and paragraph.quotations[0].open == start:
            return
        if _ENUMERATION.match(body) or len(body.strip()) < 6:
            return
        end = len(text.rstrip())
        while end > start and text[end - 1] in _FINAL_PUNCTUATION:
            end -= 1
        if end - start < 4:
            return
        self.suggest(paragraph.index, start, end, "indirect", intro, 0.6,
                     f"statement after the colon of paragraph {intro.sentence[0]}, "
                     f"where {intro.speaker.name} {intro.verb}")

    def indirect_in(self, paragraph: _Paragraph) -> None:
        for sentence_start, sentence_end in paragraph.sentences:
            sentence = paragraph.masked[sentence_start:sentence_end]
            for match in _INDIRECT_CUE.finditer(sentence):
                verb_start = sentence_start + match.start("verb")
                verb_end = sentence_start + match.end("verb")
                clause_start = sentence_start + match.end()
                if not self.verb_allowed(paragraph.masked, verb_start, verb_end):
                    continue
                if clause_start >= sentence_end or paragraph.masked[clause_start] in _OPENERS + "—":
                    continue
                clause_end = sentence_end
                while clause_end > clause_start and paragraph.text[clause_end - 1] in _FINAL_PUNCTUATION + "”」』":
                    clause_end -= 1
                if paragraph.masked[sentence_start:sentence_end].rstrip().endswith(("：", ":")):
                    continue  # it introduces what follows; colon_intro handles it
                if clause_end - clause_start < 4 or any(
                    block == paragraph.index and start < clause_end and end > clause_start
                    for block, start, end in self.results
                ):
                    continue  # too short, or a direct quote already covers it
                speaker = self.subject_before(paragraph, verb_start, sentence_start)
                if speaker is None:
                    continue
                verb = paragraph.text[verb_start:verb_end]
                cue = _Cue(speaker, verb, "", (paragraph.index, sentence_start, sentence_end))
                reason = f"reported without quotation marks after {speaker.name}{verb}"
                if speaker.via == "pronoun":
                    reason += f" (pronoun refers to {speaker.name})"
                self.suggest(paragraph.index, clause_start, clause_end, "indirect", cue,
                             0.65 if speaker.via != "pronoun" else 0.5, reason, exclude_after=verb_start)
                break


def _content(text: str) -> str:
    return "".join(c for c in fold(text) if c.isalnum())


def suggest_quotes(
    paragraphs: list[str],
    *,
    known: list[KnownEntity] = (),
    story_date: datetime.date | None = None,
) -> list[QuoteSuggestion]:
    """Suggest direct, indirect and fragment quotes with their speakers, in text order."""
    paragraphs = list(paragraphs)
    first = _QuoteFinder(paragraphs, known, story_date).run()
    discovered = {s.speaker_name for s in first if s.speaker_key is None and s.speaker_kind == "person"}
    if not discovered:
        return first
    return _QuoteFinder(paragraphs, known, story_date, extra_persons=discovered).run()


# ==========================================================================
# Mentions


def suggest_mentions(paragraphs: list[str], known: list[KnownEntity]) -> list[MentionSuggestion]:
    """Every name or alias of a known entity, longest first, without overlaps."""
    by_first: dict[str, list[tuple[str, str]]] = {}
    seen = set()
    for entity in known:
        for name in entity.names:
            folded = fold(name.strip())
            if folded and (folded, entity.key) not in seen:
                seen.add((folded, entity.key))
                by_first.setdefault(folded[0], []).append((folded, entity.key))
    for names in by_first.values():
        names.sort(key=lambda item: len(item[0]), reverse=True)

    mentions: list[MentionSuggestion] = []
    for block, text in enumerate(paragraphs):
        folded = fold(text)
        candidates = []
        for start, char in enumerate(folded):
            for name, key in by_first.get(char, ()):
                end = start + len(name)
                if folded.startswith(name, start) and _on_word_boundary(folded, start, end):
                    candidates.append((start, end, key))
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken = [False] * len(folded)
        for start, end, key in candidates:
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                mentions.append(MentionSuggestion(Span(block, start, end, text[start:end]), key))
    return sorted(mentions, key=lambda m: (m.anchor.block, m.anchor.start))
