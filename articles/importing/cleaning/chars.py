"""Character classes and lazily built resources (pinyin tables, word pairs, codec tables)."""

from __future__ import annotations

import functools
import re
import unicodedata

from newsroom.text import CONTROL_CHARS, is_han, simplified_char


_TONE_LETTERS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_TONE_SET = frozenset(_TONE_LETTERS)
_SYLLABLE_CLASS = "a-zA-Züv" + _TONE_LETTERS + _TONE_LETTERS.upper() + "êÜ"

_CJK_PUNCT = set("，。、；：！？「」『』（）《》〈〉【】〔〕〖〗—…·～‧﹏　")
_OPEN_QUOTES = set("“‘「『\"'")
_CLOSE_QUOTES = set("”’」』\"'")
_ASCII_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}


def _is_cjk(c: str) -> bool:
    """Han or CJK punctuation (including full-width forms): a Chinese-text context."""
    if not c:
        return False
    o = ord(c)
    return is_han(c) or c in _CJK_PUNCT or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF65


def _is_control(c: str) -> bool:
    o = ord(c)
    return c in CONTROL_CHARS or (o < 0x20 and c != "\t") or 0x7F <= o <= 0x9F


def _fold_fullwidth(c: str) -> str:
    """Full-width ASCII forms to ASCII (what the scraper did to all punctuation)."""
    o = ord(c)
    return chr(o - 0xFEE0) if 0xFF01 <= o <= 0xFF5E else c


# --------------------------------------------------------------------------------------------
# Lazily built resources (pinyin tables, codec tables)
# --------------------------------------------------------------------------------------------


@functools.cache
def _pinyin_tables():
    """(readings by code point, set of valid tonal syllables, set of toneless syllables)."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    tonal: set[str] = set()
    for readings in pinyin_dict.values():
        tonal.update(readings.split(","))
    toneless = {to_normal(s) for s in tonal}
    return pinyin_dict, frozenset(tonal), frozenset(toneless)


@functools.cache
def _word_pairs() -> tuple[frozenset[str], frozenset[str]]:
    """A small word model: (pairs of everyday words, pairs from pypinyin's phrase table), simplified."""
    from pypinyin.constants import PHRASES_DICT

    from .gbk_freq import COMMON_WORDS

    def pairs_of(words) -> frozenset[str]:
        return frozenset(w[i : i + 2] for w in words for i in range(len(w) - 1))

    return pairs_of(COMMON_WORDS.split()), pairs_of(PHRASES_DICT)


@functools.cache
def _rank() -> dict[str, int]:
    from .gbk_freq import COMMON_HANZI

    return {c: i for i, c in enumerate(COMMON_HANZI)}


def _codec_levels(codec: str, level1: range, level2: range) -> tuple[frozenset, frozenset]:
    sets = []
    for leads in (level1, level2):
        chars = set()
        for a in leads:
            for b in range(0x40, 0xFF):
                try:
                    chars.add(bytes((a, b)).decode(codec))
                except UnicodeDecodeError:
                    pass
        sets.append(frozenset(chars))
    return sets[0], sets[1]


@functools.cache
def _common_sets():
    """Characters of GB2312 and Big5 levels 1 (frequent) and 2 (less frequent), and Big5 level 1."""
    gb1, gb2 = _codec_levels("gb2312", range(0xB0, 0xD8), range(0xD8, 0xF8))
    b51, b52 = _codec_levels("big5", range(0xA4, 0xC7), range(0xC9, 0xFA))
    return gb1 | b51, gb2 | b52, b51


@functools.cache
def _model_form(c: str) -> str:
    """The simplified form under which the word and frequency tables know ``c``.

    Only frequent traditional characters (Big5 level 1) are folded with t2s: a rare variant
    such as 麫 must not borrow the frequency of 面.
    """
    if c in _rank():
        return c
    simple = simplified_char(c)
    return simple if simple != c and c in _common_sets()[2] else c


@functools.cache
def _gbk_table():
    """GBK double-byte table: code -> char, char -> bytes, and lookups by lead and by trail byte."""
    by_code: dict[int, str] = {}
    by_lead: dict[int, list[tuple[int, str]]] = {}
    by_trail: dict[int, list[tuple[int, str]]] = {}
    for a in range(0x81, 0xFF):
        for b in range(0x40, 0xFF):
            try:
                c = bytes((a, b)).decode("gbk")
            except UnicodeDecodeError:
                continue
            by_code[(a << 8) | b] = c
            by_lead.setdefault(a, []).append((b, c))
            by_trail.setdefault(b, []).append((a, c))
    encode = {c: bytes((code >> 8, code & 0xFF)) for code, c in by_code.items()}
    return by_code, encode, by_lead, by_trail


def _gbk2(c: str) -> bytes | None:
    """The two GBK bytes of ``c``, or None when it has none."""
    return _gbk_table()[1].get(c)


# Patterns and pinyin helpers shared by several passes

_HTML_TAG_NAMES = (
    "a|abbr|article|aside|b|blockquote|br|center|cite|code|dd|del|div|dl|dt|em|figcaption|figure|"
    "font|footer|h[1-6]|header|hr|i|iframe|img|ins|label|li|link|mark|meta|nav|ol|p|picture|pre|q|s|"
    "script|section|small|source|span|strong|style|sub|sup|table|tbody|td|th|thead|time|tr|u|ul|"
    "video|wbr"
)
_TAG_REMNANT_RE = re.compile(rf"/(?:{_HTML_TAG_NAMES})\s*>", re.I)
# what may follow the last words of a paragraph: tags (or remnants) and spaces
_TAIL_RE = re.compile(rf"(?:\s|<?\s*/?\s*(?:{_HTML_TAG_NAMES})\b[^<>]*>)*\Z", re.I)
_GLOSS_REMNANT_RE = re.compile(rf"([{_SYLLABLE_CLASS}]{{1,6}}[1-5]?)[)）]")

# a space may stand before the closing bracket ("會(huì )": a publisher's template left one)
_ANNOT_RE = re.compile(rf"[(（]([{_SYLLABLE_CLASS}]{{1,6}}[1-5]?) ?[)）]")


def _normalize_syllable(raw: str) -> str:
    from pypinyin.contrib.tone_convert import to_tone

    syl = unicodedata.normalize("NFC", raw).lower().replace("v", "ü")
    if syl[-1:].isdigit():
        if syl[-1] == "5" or syl[-1] == "0":
            return syl[:-1]
        try:
            syl = to_tone(syl.replace("ü", "v"))
        except Exception:  # pragma: no cover - pypinyin rejects odd input
            return syl
    return syl


def _syllable_kind(syl: str) -> str | None:
    """'tonal' / 'toneless' for a valid pinyin syllable, else None."""
    _, tonal, toneless = _pinyin_tables()
    if syl in tonal:
        return "tonal"
    if syl in toneless:
        return "toneless"
    return None


def _readings(c: str) -> list[str]:
    table = _pinyin_tables()[0]
    r = table.get(ord(c))
    return r.split(",") if r else []


def _to_normal(syl: str) -> str:
    from pypinyin.contrib.tone_convert import to_normal

    return to_normal(syl)


@functools.cache
def _in_big5(c: str) -> bool:
    try:
        c.encode("big5")
        return True
    except UnicodeEncodeError:
        return False
