"""The plausibility model of the mojibake repair: log-weights of characters and pairs."""

from __future__ import annotations

import functools
import math

from newsroom.text import is_han

from .chars import _common_sets, _fold_fullwidth, _is_cjk, _model_form, _rank, _TONE_SET, _word_pairs


# CJK punctuation; full-width ASCII forms (，：！) score as their ASCII fold, see _ASCII_LOGP
_PUNCT_LOGP = {
    "。": -2.6, "、": -4.0, "“": -4.3, "”": -4.3, "「": -5.5, "」": -5.5, "『": -7.0, "』": -7.0,
    "《": -6.0, "》": -6.0, "—": -6.5, "…": -6.5, "·": -7.0, "‘": -7.0, "’": -7.0, "〈": -8.0,
    "〉": -8.0, "　": -8.0,
}
# pairs are compared after folding full-width ASCII forms, as the scraper flattened them
_PUNCT_PAIRS = {"。”", "!”", "?”", "。」", "!」", "?」", ",“", ":“", ":「", ",「", "”,", "」,",
                "”。", "」。", "……", "——"}
_DOUBLED_PUNCT = -3.0
_COMMON_WORD_BONUS = 5.0  # a pair forming an everyday word
_PHRASE_BONUS = 2.0  # a pair found in pypinyin's phrase table
_PUNCT_PAIR_BONUS = 2.0
_QUOTE_BALANCE = 2.5
_ASCII_LOGP = {",": -2.5, ":": -5.0, ";": -6.0, "!": -6.0, "?": -6.5, "(": -5.5, ")": -5.5,
               ".": -6.0, " ": -6.0}


@functools.cache
def _char_logp(c: str) -> float:
    """Log-weight of a character in Chinese prose. Full-width ASCII forms score as their ASCII
    fold (the scraper flattened them), so a reading never wins by merely restoring '，'."""
    c = _fold_fullwidth(c)
    if c in _PUNCT_LOGP:
        return _PUNCT_LOGP[c]
    o = ord(c)
    if o < 0x80:
        if c.isalnum():
            return -5.5
        return _ASCII_LOGP.get(c, -8.0)
    if is_han(c):
        form = _model_form(c)
        r = _rank().get(form)
        if r is not None:
            return -(1.0 + 0.85 * math.log(r + 1))
        level1, level2, _ = _common_sets()
        if c in level1 or form in level1:
            return -8.5
        if c in level2 or form in level2:
            return -10.5
        return -12.5
    if c == "\ufffd":
        return -16.0
    if c in _TONE_SET or c.lower() in _TONE_SET:
        return -12.0
    return -14.0  # Greek, Cyrillic, kana, box drawing, symbols: odd in Chinese prose


@functools.lru_cache(maxsize=200_000)
def _pair_bonus(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if is_han(a) and is_han(b):
        pair = _model_form(a) + _model_form(b)
        common, phrases = _word_pairs()
        return _COMMON_WORD_BONUS if pair in common else _PHRASE_BONUS if pair in phrases else 0.0
    a, b = _fold_fullwidth(a), _fold_fullwidth(b)
    if a + b in _PUNCT_PAIRS:
        return _PUNCT_PAIR_BONUS
    if a == b and a in _PUNCT_LOGP:
        return _DOUBLED_PUNCT  # '。。' is rare
    return 0.0


def _text_score(text: str, left: str = "", right: str = "") -> float:
    total = 0.0
    prev = left
    for c in text:
        total += _char_logp(c) + _pair_bonus(prev, c)
        prev = c
    return total + _pair_bonus(prev, right)


_TRAIL_SYMBOLS = set("@[\\]^_`{|}~")


def _is_odd(text: str, i: int) -> bool:
    """A character that rarely belongs in Chinese prose: a mojibake signature."""
    c = text[i]
    if c in "?\ufffd":
        return True
    o = ord(c)
    if o < 0x80:
        if not (c.isalpha() or c in _TRAIL_SYMBOLS):
            return False
        # a lone Latin letter or symbol squeezed between non-Latin characters ("议L," "臋C會",
        # "艽_實"): typically a GBK trail byte in the ASCII range that landed in lead position
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        # a '?' next to it is a damage marker, not Latin text
        return not ((before.isascii() and before != "?") or (after.isascii() and after != "?"))
    if is_han(c):
        return _char_logp(c) <= -10.5
    return c not in _PUNCT_LOGP and not _is_cjk(c) and c not in "“”‘’"
