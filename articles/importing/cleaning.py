"""Repair the damage a scraper leaves in Chinese feature text, recording every change.

``clean_text`` takes one paragraph or heading line and returns a :class:`CleanResult`: the cleaned
text, the :class:`Change` list (each becomes a ``repair`` annotation), the :class:`Flag` list (open
``flag`` annotations) and :class:`ScriptSuggestion` s (never applied). ``rebuild(text, changes)`` gives
the input back byte for byte, so the file as received can always be reconstructed from the story.

How it works
------------
The input is held in a *piece table*: a list of pieces, each either verbatim input or a replacement
that remembers the input it replaced and why (rule, sure, note). Each pass looks at the current text
and returns edits (start, end, replacement) in current coordinates; applying them splits verbatim
pieces and merges with earlier replacements it touches, so passes compose without offset bookkeeping
and ``rebuild`` is exact by construction. Output is assembled from lists (linear time). A deletion
(say the gloss in ``戰(zhàn)``) is finally widened to the neighbouring character (preferably the one
before), so every change has ``end > start`` in the cleaned text. Flags raised by a pass are mapped
through the edits of later passes.

Passes, in order (the whole sequence repeats until nothing changes, at most a few rounds, which
makes the cleaner idempotent: cleaning its own output changes nothing):

1. ``unicode``: NFC (never NFKC, which would flatten full-width punctuation), chunk by chunk so a
   change is recorded where it happened. A literal NO-BREAK SPACE is treated like ``&nbsp;`` (below).
2. ``mojibake``: GBK bytes decoded one byte out of step. Re-running the damage on clean text
   reproduces the seed exactly (the tests hold that re-implementation): the decoder re-read the
   trail byte of the character before the run, so each following pair straddles two real
   characters; an invalid pair became one ``?`` and took both bytes (so ``?/span>`` lost its
   ``<``); the text was glossed with pinyin, the garbage too (``數(shù)``), and a later step lost a
   byte, turning ``數(`` into ``?``; full-width ASCII forms were flattened (``！`` -> ``!``). The
   paragraph-end ``?!?/span>`` is the same decoder after a junk byte followed the first byte of
   ``。``. The shift ends where a byte in the ASCII range lands in lead position: in the seed the
   trail bytes of traditional characters in GBK's extension area (長 ``E9 4C`` leaves ``L``, 發
   ``B0 6C`` leaves ``l``, 東 ``96 7C`` leaves ``|``), so the seed's runs were encoded from
   *traditional* GBK bytes (a simplified source gives long runs ending at ASCII punctuation; both
   are handled, and a recovered run keeps the script its bytes give).
   The inverse re-encodes the run, drops the re-read byte, lets each lost byte range over the
   values its position allows, decodes in step and keeps the most plausible reading by a
   Viterbi search over character frequency (``gbk_freq.COMMON_HANZI``), word pairs
   (``gbk_freq.COMMON_WORDS`` and pypinyin's phrase table), quote balance, sentence-final
   punctuation at paragraph end and the paragraph's script. The stray pinyin is the reading of the
   lost straddling character, whose first byte is known: it pins the lost byte. A lone ASCII letter
   or symbol equal to the trail byte of the Han character before it (``團F隊``, 團 = ``88 46``) is
   that byte read twice and is removed. Runs are found by their signature: a ``?`` or U+FFFD
   followed by a bracket-less gloss, a tag remnant or odd characters (Greek, symbols, rare Han,
   lone Latin letters among Han text), or a reading far likelier than the text as it stands;
   never by a list. Recovered words are proposals (``sure=False``): an editor confirms the
   author's words. A recovery made only of punctuation whose reading wins by a clear margin
   (``?!?/span>`` -> ``。”``) is ``sure=True``. Damage that cannot be recovered stays and is
   flagged, and the punctuation pass leaves it alone. The search is bounded per paragraph.
3. ``html``: tags and tag remnants whose ``<`` was lost (``/span>``), entities with or without ``&``
   (``&rdquo;``, ``rdquo;``, ``&#8221;``, ``&amp;nbsp;``). NBSP becomes a normal space, or nothing
   when it stands next to Chinese (Chinese text does not space words). Block tags (``<br>``,
   ``</p>``) become a space between Latin words and nothing elsewhere.
4. ``pinyin``: glosses ``戰(zhàn)``, ``戰（zhàn）``, ``戰(zhan4)``, ``戰(zhan)`` removed only when the
   syllable is a reading of the Han character before it (pypinyin heteronyms plus the contextual
   reading of the trailing Han run, on the text and on its t2s form). A tone-marked gloss after a
   non-Han character (``F(xiàn)acebook``) is the orphan of a lost character: removed, unsure, and
   flagged. A tone-marked gloss that is not a reading stays and is flagged; one that differs only
   in tone is removed (unsure) and flagged ``tone-mismatch``. Multi-syllable glosses are left alone.
5. ``punctuation`` (optional): ASCII ``, : ; ! ?`` become full width when the character before or
   after (looking through quotation marks) is Chinese, unless both neighbours are ASCII letters or
   digits (``1,000``, ``10:30``). Parentheses are decided per matched pair: full width when the
   content contains Han (``Scaling Law(規模定理)`` -> ``Scaling Law（規模定理）``: the parenthetical is
   Chinese text; this is the documented judgement call) or when the ``(`` follows a Chinese
   character (``蘋果（Apple）``); ``Llama 2(7B)`` and ``f(x)`` stay. Flagged mojibake is never touched.

Then, on the final text: control characters (zero-width, bidi, C0/C1) are flagged, and with
``traditional=True`` OpenCC ``s2tw`` is run over each Han run to suggest traditional forms for
simplified characters. Taiwan's accepted variants (布, 台, 占, 吃) are not suggested; characters
that are also legitimate traditional characters (里, 云, 于, 并 ...) are suggested with a note
saying so (阿里云 is a brand and may be intentional).

``clean_name`` (titles, names, slugs) only applies NFC and removes zero-width, bidi and control
characters, recording each removal; it does not touch punctuation or glosses (``李(Li)`` stays).
"""

from __future__ import annotations

import bisect
import functools
import html
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "Change",
    "Flag",
    "ScriptSuggestion",
    "CleanResult",
    "clean_text",
    "clean_name",
    "rebuild",
]


# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change the cleaner made; stored by the importer as a ``repair`` annotation."""

    start: int  # span in the cleaned text (code points), end exclusive, end > start
    end: int
    original: str  # the text as received for that span
    replacement: str  # == cleaned_text[start:end]
    rule: str  # "pinyin" | "orphan-pinyin" | "html" | "mojibake" | "punctuation" | "unicode"
    sure: bool  # True: applied and resolved; False: applied as a proposal, open for an editor
    note: str  # one line for the editor


@dataclass(frozen=True)
class Flag:
    """Damage left in place, or something an editor must look at (an open ``flag`` annotation)."""

    start: int
    end: int
    rule: str  # "orphan-pinyin" | "mojibake" | "control-char" | "tone-mismatch" | "unmatched-pinyin"
    #            | "empty" (cleaning would have removed everything: the text was kept as received)
    note: str


@dataclass(frozen=True)
class ScriptSuggestion:
    """Simplified characters inside traditional text: suggested, never applied."""

    start: int
    end: int
    text: str
    proposed: str
    note: str


@dataclass
class CleanResult:
    text: str
    changes: list[Change] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    suggestions: list[ScriptSuggestion] = field(default_factory=list)

    def rebuild(self) -> str:
        """The exact input, from the cleaned text and the changes."""
        return rebuild(self.text, self.changes)


def rebuild(text: str, changes: list[Change]) -> str:
    """Undo ``changes`` on ``text``: give back the text as received."""
    out: list[str] = []
    pos = 0
    for ch in sorted(changes, key=lambda c: c.start):
        if ch.start < pos or text[ch.start : ch.end] != ch.replacement:
            raise ValueError(f"change {ch!r} does not fit the text")
        out.append(text[pos : ch.start])
        out.append(ch.original)
        pos = ch.end
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------------------------

_TONE_LETTERS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_TONE_SET = frozenset(_TONE_LETTERS)
_SYLLABLE_CLASS = "a-zA-Züv" + _TONE_LETTERS + _TONE_LETTERS.upper() + "êÜ"

# Zero-width and bidi controls named by the brief.
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
         "\u2069", "\u200e", "\u200f", "\u061c"}
_INVISIBLE = _ZERO_WIDTH | _BIDI

_CJK_PUNCT = set("，。、；：！？「」『』（）《》〈〉【】〔〕〖〗—…·～‧﹏　")
_OPEN_QUOTES = set("“‘「『\"'")
_CLOSE_QUOTES = set("”’」』\"'")
_ASCII_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}


def _is_han(c: str) -> bool:
    o = ord(c)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3134F
        or o == 0x3007
    )


def _is_cjk(c: str) -> bool:
    """Han or CJK punctuation (including full-width forms): a Chinese-text context."""
    if not c:
        return False
    o = ord(c)
    return _is_han(c) or c in _CJK_PUNCT or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF65


def _is_control(c: str) -> bool:
    o = ord(c)
    return c in _INVISIBLE or (o < 0x20 and c != "\t") or 0x7F <= o <= 0x9F


def _fold_fullwidth(c: str) -> str:
    """Full-width ASCII forms to ASCII (what the scraper did to all punctuation)."""
    o = ord(c)
    return chr(o - 0xFEE0) if 0xFF01 <= o <= 0xFF5E else c


# --------------------------------------------------------------------------------------------
# Lazily built resources (OpenCC converters, pinyin tables, codec tables)
# --------------------------------------------------------------------------------------------


@functools.cache
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def _t2s(text: str) -> str:
    return _opencc("t2s").convert(text)


@functools.cache
def _t2s_char(c: str) -> str:
    s = _t2s(c)
    return s if len(s) == 1 else c


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
    simple = _t2s_char(c)
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


# --------------------------------------------------------------------------------------------
# Plausibility model (log-weights; only differences matter)
# --------------------------------------------------------------------------------------------

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
    if _is_han(c):
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
    if _is_han(a) and _is_han(b):
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
    if _is_han(c):
        return _char_logp(c) <= -10.5
    return c not in _PUNCT_LOGP and not _is_cjk(c) and c not in "“”‘’"


# --------------------------------------------------------------------------------------------
# Piece table
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Meta:
    rule: str
    sure: bool
    note: str
    flag: tuple[str, str] | None = None  # (rule, note): raised on the final span of the change


@dataclass
class _Piece:
    text: str
    original: str
    metas: tuple[_Meta, ...] = ()

    @property
    def verbatim(self) -> bool:
        return not self.metas


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int  # end > start in the pass's input text
    replacement: str
    meta: _Meta


@dataclass
class _PendingFlag:
    start: int
    end: int
    rule: str
    note: str


# Priority when several rules end up in one change.
_RULE_PRIORITY = ["mojibake", "orphan-pinyin", "pinyin", "html", "unicode", "punctuation"]


def _apply(pieces: list[_Piece], edits: list[_Edit]) -> tuple[list[_Piece], list[tuple[int, int, int]]]:
    """Apply sorted, non-overlapping edits (current-text coordinates) to the piece table.

    Returns the new pieces and the effective edits as (start, end, new_length): an edit that cuts
    into an earlier replacement is widened to cover it whole, so each piece's original stays exact.
    """
    if not edits:
        return pieces, []
    starts: list[int] = []
    pos = 0
    for p in pieces:
        starts.append(pos)
        pos += len(p.text)
    current = "".join(p.text for p in pieces)

    # 1. Widen edits that cut into replaced pieces; merge edits that then overlap.
    replaced = [(st, st + len(p.text)) for p, st in zip(pieces, starts) if not p.verbatim and p.text]
    rep_starts = [a for a, _ in replaced]

    def widen(s: int, e: int) -> tuple[int, int]:
        k = bisect.bisect_right(rep_starts, s) - 1
        if k >= 0 and replaced[k][0] < s < replaced[k][1]:
            s = replaced[k][0]
        k = bisect.bisect_right(rep_starts, e - 1) - 1
        if k >= 0 and replaced[k][0] < e < replaced[k][1]:
            e = replaced[k][1]
        return s, e

    groups: list[list] = []  # [S, E, [edits]]
    for ed in edits:
        s, e = widen(ed.start, ed.end)
        if groups and s < groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], e)
            groups[-1][2].append(ed)
        else:
            groups.append([s, e, [ed]])
    merged: list[tuple[int, int, str, tuple[_Meta, ...]]] = []
    for S, E, eds in groups:
        parts = [current[S : eds[0].start]]
        for n, ed in enumerate(eds):
            parts.append(ed.replacement)
            parts.append(current[ed.end : eds[n + 1].start if n + 1 < len(eds) else E])
        merged.append((S, E, "".join(parts), tuple(ed.meta for ed in eds)))

    # 2. Split verbatim pieces at every edit bound.
    bounds = sorted({b for S, E, _, _ in merged for b in (S, E)})
    atoms: list[tuple[_Piece, int]] = []
    bi = 0
    for p, st in zip(pieces, starts):
        en = st + len(p.text)
        if not (p.verbatim and p.text):
            atoms.append((p, st))
            continue
        while bi < len(bounds) and bounds[bi] <= st:
            bi += 1
        cut = st
        j = bi
        while j < len(bounds) and bounds[j] < en:
            b = bounds[j]
            atoms.append((_Piece(p.text[cut - st : b - st], p.original[cut - st : b - st]), cut))
            cut = b
            j += 1
        atoms.append((_Piece(p.text[cut - st :], p.original[cut - st :]), cut))

    # 3. Fold the atoms inside each edit into one replaced piece.
    out: list[_Piece] = []
    g = 0
    originals: list[str] = []
    covered: list[_Meta] = []

    def flush() -> None:
        S, E, repl, metas = merged[g]
        out.append(_Piece(repl, "".join(originals), tuple(covered) + metas))
        originals.clear()
        covered.clear()

    for p, st in atoms:
        size = len(p.text)
        while g < len(merged) and merged[g][1] <= st and not (size == 0 and merged[g][0] < st < merged[g][1]):
            flush()
            g += 1
        if g < len(merged):
            S, E = merged[g][0], merged[g][1]
            inside = (S <= st and st + size <= E) if size else (S < st < E)
            if inside:
                originals.append(p.original)
                covered.extend(p.metas)
                continue
        out.append(p)
    while g < len(merged):
        flush()
        g += 1
    return out, [(S, E, len(repl)) for S, E, repl, _ in merged]


def _map_flags(flags: list[_PendingFlag], effective: list[tuple[int, int, int]]) -> list[_PendingFlag]:
    """Move flags through the edits; a bound inside an edit goes to the edit's start (or end)."""
    if not effective or not flags:
        return flags
    ends = [e for _, e, _ in effective]
    shift = [0]  # shift[k]: length change made by the first k edits
    for s, e, new_len in effective:
        shift.append(shift[-1] + new_len - (e - s))

    def map_pos(pos: int, right: bool) -> int:
        k = bisect.bisect_right(ends, pos)  # edits wholly before pos
        if k < len(effective):
            s, e, new_len = effective[k]
            if s < pos < e:
                return s + shift[k] + (new_len if right else 0)
        return pos + shift[k]

    return [_PendingFlag(map_pos(f.start, False), map_pos(f.end, True), f.rule, f.note) for f in flags]


def _assemble(pieces: list[_Piece]) -> tuple[str, list[Change], list[_PendingFlag]] | None:
    """Widen deletions to a neighbouring character and build the Change list.

    Returns None when cleaning would leave no text at all (a deletion then has nothing to attach
    to); the caller keeps the input unchanged.
    """
    merged: list[_Piece] = []
    held: list[_Piece] = []  # deletions waiting for a following character (at the very start)
    for p in pieces:
        if p.text == "":
            if not p.metas:
                continue
            if merged:
                last = merged[-1]
                if last.verbatim:
                    merged[-1] = _Piece(last.text[:-1], last.original[:-1])
                    merged.append(_Piece(last.text[-1], last.original[-1] + p.original, p.metas))
                    if merged[-2].text == "":
                        del merged[-2]
                else:
                    merged[-1] = _Piece(last.text, last.original + p.original, last.metas + p.metas)
            else:
                held.append(p)
            continue
        if held:
            pre = "".join(h.original for h in held)
            metas = tuple(m for h in held for m in h.metas)
            if p.verbatim:
                merged.append(_Piece(p.text[0], pre + p.original[0], metas))
                if len(p.text) > 1:
                    merged.append(_Piece(p.text[1:], p.original[1:]))
            else:
                merged.append(_Piece(p.text, pre + p.original, metas + p.metas))
            held = []
            continue
        merged.append(p)
    if held:
        return None

    text_parts: list[str] = []
    changes: list[Change] = []
    flags: list[_PendingFlag] = []
    pos = 0
    for p in merged:
        start, end = pos, pos + len(p.text)
        text_parts.append(p.text)
        pos = end
        if p.verbatim:
            continue
        for m in p.metas:
            if m.flag:
                flags.append(_PendingFlag(start, end, m.flag[0], m.flag[1]))
        if p.text == p.original:
            continue
        rule = min((m.rule for m in p.metas), key=_RULE_PRIORITY.index)
        notes: list[str] = []
        for m in p.metas:
            if m.note not in notes:
                notes.append(m.note)
        changes.append(
            Change(start, end, p.original, p.text, rule, all(m.sure for m in p.metas), "; ".join(notes))
        )
    return "".join(text_parts), changes, flags


# --------------------------------------------------------------------------------------------
# Pass 1: Unicode
# --------------------------------------------------------------------------------------------


def _safe_boundary(c: str) -> bool:
    # ASCII and unified ideographs are NFC-stable and never compose with what precedes them,
    # so normalising chunk by chunk between them equals normalising the whole text.
    o = ord(c)
    return o < 0x80 or 0x4E00 <= o <= 0x9FFF


def _unicode_pass(text: str, *, nbsp: bool = True) -> list[_Edit]:
    edits: list[_Edit] = []
    if not unicodedata.is_normalized("NFC", text):
        chunk_start = 0
        for i in range(1, len(text) + 1):
            if i < len(text) and not _safe_boundary(text[i]):
                continue
            chunk = text[chunk_start:i]
            if chunk and not unicodedata.is_normalized("NFC", chunk):
                norm = unicodedata.normalize("NFC", chunk)
                p = 0
                while p < min(len(chunk), len(norm)) and chunk[p] == norm[p]:
                    p += 1
                q = 0
                while q < min(len(chunk), len(norm)) - p and chunk[-1 - q] == norm[-1 - q]:
                    q += 1
                if p + q >= len(chunk):  # keep the edit non-empty in the input
                    if p:
                        p -= 1
                    else:
                        q -= 1
                old, new = chunk[p : len(chunk) - q], norm[p : len(norm) - q]
                codes = " ".join(f"U+{ord(c):04X}" for c in old)
                edits.append(
                    _Edit(chunk_start + p, chunk_start + len(chunk) - q, new,
                          _Meta("unicode", True, f"Unicode NFC normalisation of {codes}"))
                )
            chunk_start = i
    if nbsp and "\u00a0" in text:
        nb = [_Edit(i, i + 1, _space_for(text, i, i + 1), _Meta("unicode", True, "no-break space (U+00A0)"))
              for i, c in enumerate(text) if c == "\u00a0"]
        edits = _merge_edit_lists(edits, nb)
    return edits


def _merge_edit_lists(a: list[_Edit], b: list[_Edit]) -> list[_Edit]:
    """Combine two sorted edit lists, dropping edits of ``b`` that overlap ``a``."""
    out = list(a)
    for ed in b:
        if not any(x.start < ed.end and ed.start < x.end for x in a):
            out.append(ed)
    out.sort(key=lambda e: e.start)
    return out


def _space_for(text: str, start: int, end: int) -> str:
    """What a removed space-like thing becomes: nothing next to Chinese or at an edge, else ' '."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if not before or not after or _is_cjk(before) or _is_cjk(after) or before.isspace() or after.isspace():
        return ""
    return " "


# --------------------------------------------------------------------------------------------
# Pass 2: GBK mojibake
# --------------------------------------------------------------------------------------------

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

_MAX_RUN_TOKENS = 40
_MAX_COMBOS = 16
_MAX_UNKNOWN_TOKENS = 4  # '?' inside one run (each hides two bytes)
_SEARCH_BUDGET = 600  # decodings tried per pass, plus two per character: bounds pathological input
_ACCEPT_GAIN = 8.0  # log-weight a recovery must gain over the damaged text
_ACCEPT_GAIN_NO_MARK = 14.0  # ... when the run has no '?' marker
_SURE_MARGIN = 3.0

# Byte-slot markers (real bytes are ints 0..255)
_UNK_LEAD = -1  # unknown byte known to be a lead byte (0x81..0xFE)
_UNK_HIGH = -2  # unknown byte >= 0x80 (sat in lead position of the garbled stream, gave '?')
_LEADS = range(0x81, 0xFF)


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


@dataclass
class _Recovery:
    start: int  # in the text given to the pass
    end: int
    replacement: str
    score: float
    gain: float
    margin: float
    has_han: bool
    notes: list[str]
    missing_char: bool  # a byte swallowed by the damage could not be told
    swallowed: str = ""  # an ASCII character the damage ate, restored at the end of the run
    guessed: bool = False  # ... named by likelihood only


# How the character a final '?' swallowed is told: (swallowed, missing, guessed)
_SWALLOW_TAG = ("<", False, False)  # '?/span>': the '<' of the tag
_SWALLOW_NOTHING = ("", False, False)  # end of text: a lone lead byte
_SWALLOW_UNKNOWN = ("", True, False)  # before a digit or letter: cannot tell which
_SWALLOW_COMMA = (",", False, True)  # before Chinese text: most likely a flattened comma


def _token_options(c: str, last: bool, following: str) -> list[tuple]:
    """Byte-slot options of one damaged token; each option is (slots, swallowed, missing, guessed).

    ``swallowed`` is an ASCII character the damaged pair ate (restored after the run);
    ``missing``: it ate one we cannot name; ``guessed``: we named it by likelihood only.
    """
    opts: list[tuple] = []
    if c in "?\ufffd":
        if not last:
            opts.append(((_UNK_HIGH, _UNK_LEAD), "", False, False))
        else:
            if _TAG_REMNANT_RE.match(following):
                how = _SWALLOW_TAG
            elif not following or _TAIL_RE.match(following):
                how = _SWALLOW_NOTHING
            elif following[0].isascii() and following[0].isalnum():
                how = _SWALLOW_UNKNOWN
            else:
                how = _SWALLOW_COMMA
            opts.append(((_UNK_HIGH,), *how))
        return opts
    o = ord(c)
    if o < 0x80:
        opts.append(((o,), "", False, False))
        if c in ",.:;!?()":
            full = _gbk2(chr(o + 0xFEE0))
            if full:
                opts.append((tuple(full), "", False, False))
        return opts
    b = _gbk2(c)
    if b is None:
        return []
    opts.append((tuple(b), "", False, False))
    if last and 0x40 <= b[1] <= 0x7E and following[:1] != chr(b[1]):
        # the final pair may have eaten an ASCII letter: its lead is ours, its trail was text
        opts.append(((b[0],), chr(b[1]), False, False))
    return opts


@functools.cache
def _likeliest_gbk_chars(high_trail: bool) -> list[str]:
    """The most frequent double-byte GBK characters (for a pair whose two bytes are both lost)."""
    by_code = _gbk_table()[0]
    chars = [c for code, c in by_code.items() if not high_trail or (code & 0xFF) >= 0x80]
    return sorted(chars, key=_char_logp, reverse=True)[:_MAX_CANDIDATES]


def _decode_slots(slots: list[int], x_set: list[int] | None) -> list[list[str]] | None:
    """Decode byte slots in step; unknown bytes give candidate lists. None if not exact."""
    by_code, _, by_lead, by_trail = _gbk_table()
    out: list[list[str]] = []
    i = 0
    n = len(slots)
    while i < n:
        a = slots[i]
        if a >= 0 and a < 0x80:
            out.append([chr(a)])
            i += 1
            continue
        if i + 1 >= n:
            return None  # dangling lead byte: not an exact decode
        b = slots[i + 1]
        if a >= 0 and b >= 0:
            c = by_code.get((a << 8) | b)
            if c is None:
                return None
            out.append([c])
        elif a < 0 and b >= 0:
            leads = x_set if (i == 0 and x_set is not None) else None
            cands = [c for lead, c in by_trail.get(b, ()) if leads is None or lead in leads]
            if not cands:
                return None
            out.append(cands)
        elif a >= 0:
            cands = [c for trail, c in by_lead.get(a, ()) if b != _UNK_HIGH or trail >= 0x80]
            if not cands:
                return None
            out.append(cands)
        elif i == 0 and x_set is not None and len(x_set) < len(_LEADS):
            # the first lead byte is constrained (by the stray reading): enumerate its rows
            cands = [c for lead in x_set for trail, c in by_lead.get(lead, ()) if b != _UNK_HIGH or trail >= 0x80]
            if not cands:
                return None
            out.append(cands)
        else:
            # two unknown bytes in one pair: keep the likeliest characters only
            out.append(_likeliest_gbk_chars(b == _UNK_HIGH))
        i += 2
    return out


_MAX_CANDIDATES = 32


def _prune(slots: list[list[str]], left: str, right: str) -> list[list[str]]:
    """Keep the likeliest candidates of each open slot (unigram plus words with fixed neighbours)."""
    out = []
    for idx, cands in enumerate(slots):
        if len(cands) <= _MAX_CANDIDATES:
            out.append(cands)
            continue
        before = slots[idx - 1] if idx else [left]
        after = slots[idx + 1] if idx + 1 < len(slots) else [right]
        b = before[0] if len(before) == 1 else ""
        a = after[0] if len(after) == 1 else ""

        def key(c: str) -> float:
            return _char_logp(c) + _pair_bonus(b, c) + _pair_bonus(c, a)

        out.append(sorted(cands, key=key, reverse=True)[:_MAX_CANDIDATES])
    return out


def _viterbi(slots: list[list[str]], left: str, right: str, bonus) -> tuple[str, float, float]:
    """Best string over candidate slots; also the smallest per-slot margin of that best path."""
    slots = _prune(slots, left, right)
    # layers of {char: (score, backpointer char)}
    layers: list[dict[str, tuple[float, str | None]]] = []
    prev_layer: dict[str, tuple[float, str | None]] = {left: (0.0, None)}
    for idx, cands in enumerate(slots):
        layer: dict[str, tuple[float, str | None]] = {}
        for c in cands:
            base = _char_logp(c) + bonus(idx, c)
            best = None
            for pc, (ps, _) in prev_layer.items():
                s = ps + base + _pair_bonus(pc, c)
                if best is None or s > best[0]:
                    best = (s, pc)
            layer[c] = best
        layers.append(layer)
        prev_layer = layer
    final = {c: s + _pair_bonus(c, right) for c, (s, _) in prev_layer.items()}
    last = max(final, key=final.get)
    score = final[last]
    path = [last]
    for layer in reversed(layers[1:]):
        path.append(layer[path[-1]][1])
    path.reverse()
    # margin: for each slot with alternatives, best alternative with neighbours held fixed
    margin = math.inf
    for idx, cands in enumerate(slots):
        if len(cands) < 2:
            continue
        p = path[idx - 1] if idx else left
        nx = path[idx + 1] if idx + 1 < len(path) else right

        def local(c: str) -> float:
            return _char_logp(c) + bonus(idx, c) + _pair_bonus(p, c) + _pair_bonus(c, nx)

        chosen = local(path[idx])
        alt = max(local(c) for c in cands if c != path[idx])
        margin = min(margin, chosen - alt)
    return "".join(path), score, margin


_SENTENCE_END = set("。!?！？")
_CLOSERS = set("”」』’")
_PARAGRAPH_END = 1.5


_SCRIPT_MISMATCH = -3.0


def _script_of(text: str) -> str | None:
    """'traditional' or 'simplified' when the text's Han characters say so, else None."""
    big5_l1 = _common_sets()[2]
    trad = simp = 0
    for c in text:
        if _is_han(c) and _t2s_char(c) != c:
            if c in big5_l1:
                trad += 1
            elif not _in_big5(c):
                simp += 1
        elif _is_han(c) and not _in_big5(c):
            simp += 1
    if trad > 2 * simp:
        return "traditional"
    if simp > 2 * trad:
        return "simplified"
    return None


@functools.cache
def _script_penalty(c: str, script: str | None) -> float:
    """A free choice should agree with the paragraph's script (a soft preference only)."""
    if script is None or not _is_han(c):
        return 0.0
    if script == "traditional":
        return _SCRIPT_MISMATCH if not _in_big5(c) else 0.0
    return _SCRIPT_MISMATCH if _t2s_char(c) != c else 0.0


class _QuoteCounter:
    """How many of each quotation mark stand before a position (bisect over their positions)."""

    def __init__(self, text: str) -> None:
        self.positions: dict[str, list[int]] = {q: [] for q in "“”「」‘’『』"}
        for i, c in enumerate(text):
            if c in self.positions:
                self.positions[c].append(i)

    def open_before(self, pos: int) -> dict[str, int]:
        def n(q: str) -> int:
            return bisect.bisect_left(self.positions[q], pos)

        return {"”": n("“") - n("”"), "」": n("「") - n("」"), "’": n("‘") - n("’"), "』": n("『") - n("』")}


def _context_bonus_factory(opens: dict[str, int], script: str | None):
    """Per-slot context weights: quote balance, sentence-final punctuation at paragraph end, script.

    A closing quote is likely when the text before has an unmatched opening one; a paragraph
    usually ends with 。！？ (possibly followed by a closing quote); a character chosen for a lost
    byte should be written in the paragraph's script.
    """
    def factory(n_slots: int, at_paragraph_end: bool):
        def bonus(idx: int, c: str) -> float:
            b = _script_penalty(c, script)
            if c in opens:
                b += _QUOTE_BALANCE if opens[c] > 0 else -_QUOTE_BALANCE
            if at_paragraph_end:
                if idx == n_slots - 1 and (c in _SENTENCE_END or c in _CLOSERS):
                    b += _PARAGRAPH_END
                elif idx == n_slots - 2 and c in _SENTENCE_END:
                    b += _PARAGRAPH_END
            return b

        return bonus

    return factory


class _Budget:
    def __init__(self, n: int) -> None:
        self.left = n


@dataclass
class _RunContext:
    """What every run of one paragraph shares: computed once per pass."""

    script: str | None
    quotes: _QuoteCounter
    budget: _Budget


def _run_context(fold: str) -> _RunContext:
    return _RunContext(_script_of(fold), _QuoteCounter(fold), _Budget(_SEARCH_BUDGET + 2 * len(fold)))


def _recover_run(text: str, fold: str, s: int, k: int, x_fixed: int | None, gloss: str | None,
                 limit: int, ctx: _RunContext | None = None) -> _Recovery | None:
    """Best in-step reading of the damaged run starting at ``s``; its tokens start at ``k``.

    ``x_fixed``: the lead byte of the first real character when known (visible straddling
    character); otherwise it is guessed, constrained by ``gloss`` (the reading of the lost
    straddling character, whose first byte is the trail byte of the character before ``s``).
    """
    n = len(text)
    left = fold[s - 1] if s else ""
    # The shifted stretch is double-byte characters and '?'. A single ASCII byte puts the decoder
    # back in step, so it ends the run, unless it is a flattened full-width mark ('!' for '！').
    tokens_end = k
    marks = unknowns = 0
    while tokens_end < min(n, k + _MAX_RUN_TOKENS, limit):
        c = fold[tokens_end]
        if c in "\n\r\t" or (ord(c) >= 0x80 and c != "\ufffd" and _gbk2(c) is None):
            break
        tokens_end += 1
        if c in "?\ufffd":
            unknowns += 1
            if unknowns > _MAX_UNKNOWN_TOKENS:
                break
        elif ord(c) < 0x80:
            if c not in ",.:;!?()":
                break
            marks += 1
            if marks > 2:
                break
    if tokens_end == k:
        return None

    notes: list[str] = []
    gloss_conflict = False
    if x_fixed is not None:
        x_set = [x_fixed]
    else:
        x_set = list(_LEADS)
        prev_bytes = _gbk2(text[s - 1]) if s else None
        if gloss and prev_bytes:
            p2 = prev_bytes[1]
            by_lead = _gbk_table()[2]
            toneless = _syllable_kind(gloss) == "toneless"
            matching = []
            for b, c in by_lead.get(p2, ()):
                if b not in _LEADS:
                    continue
                rd = _readings(c)
                if gloss in rd or (toneless and gloss in {_to_normal(r) for r in rd}):
                    matching.append((b, c))
            if matching:
                x_set = [b for b, _ in matching]
                lost = "/".join(c for _, c in matching)
                notes.append(f"the lost character read '{gloss}' ({lost}), which fixes the lost byte")
            else:
                gloss_conflict = True
                notes.append(f"the stray reading '{gloss}' fits no candidate")

    window = fold[s:tokens_end]
    right_of_window = fold[tokens_end] if tokens_end < n else ""
    base_score = _text_score(window, left, right_of_window)
    if ctx is None:
        ctx = _run_context(fold)
    budget = ctx.budget
    bonus_for = _context_bonus_factory(ctx.quotes.open_before(s), ctx.script)

    # Readings are grouped by the text they leave in the window: a longer run that only re-reads
    # text which was already in step is the same reading, and the shortest run represents it.
    readings: dict[str, _Recovery] = {}
    tokens = fold[k:tokens_end]
    for j in range(1, len(tokens) + 1):
        following = fold[k + j :]
        mids = [_token_options(c, False, "") for c in tokens[: j - 1]]
        if any(not m for m in mids):
            break
        ends = _token_options(tokens[j - 1], True, following)
        if not ends:
            continue
        for combo in itertools.islice(itertools.product(*mids, ends), _MAX_COMBOS):
            slots: list[int] = [_UNK_LEAD]
            for opt in combo:
                slots.extend(opt[0])
            swallowed, missing, guessed = combo[-1][1], combo[-1][2], combo[-1][3]
            if budget.left <= 0:
                break
            budget.left -= 1
            decoded = _decode_slots(slots, x_set)
            if decoded is None:
                continue
            right = swallowed or following[:1]
            at_end = bool(_TAIL_RE.match(swallowed + following))
            recovered, score, margin = _viterbi(decoded, left, right, bonus_for(len(decoded), at_end))
            rest = fold[k + j : tokens_end]
            total = score + _text_score(swallowed + rest, recovered[-1:], right_of_window) - _pair_bonus(
                recovered[-1:], right
            )
            if missing:
                total -= 4.0  # a lost byte we cannot name makes this reading less likely
            key = "".join(_fold_fullwidth(c) for c in recovered + swallowed + rest)
            known = readings.get(key)
            rec = _Recovery(s, k + j, recovered + swallowed, total, total - base_score, margin,
                            any(_is_han(c) for c in recovered), list(notes), missing, swallowed, guessed)
            if known is None:
                readings[key] = rec
            else:  # keep the shortest run, and the best evidence for this reading
                keep = known if known.end <= rec.end else rec
                keep.score = max(known.score, rec.score)
                keep.gain = keep.score - base_score
                readings[key] = keep
    if not readings:
        return None
    ranked = sorted(readings.values(), key=lambda r: r.score, reverse=True)
    best = ranked[0]
    if len(ranked) > 1:
        best.margin = min(best.margin, best.score - ranked[1].score)
    if gloss_conflict:
        best.margin = min(best.margin, 0.0)
    return best


def _odd_marks(fold: str) -> list[bool]:
    """Which characters look like mojibake; pinyin glosses such as '(xù)' are not odd."""
    odd = [_is_odd(fold, i) for i in range(len(fold))]
    if "(" in fold or "（" in fold:
        for m in _ANNOT_RE.finditer(fold):
            for j in range(m.start(), m.end()):
                odd[j] = False
            # the letters around a gloss ('F(xiàn)acebook', '做B') are not lone either
            if m.end() < len(fold) and fold[m.end()].isascii():
                odd[m.end()] = False
            if m.start() > 0 and fold[m.start() - 1].isascii():
                odd[m.start() - 1] = False
    return odd


def _mojibake_pass(text: str) -> tuple[list[_Edit], list[_PendingFlag]]:
    fold = "".join(_fold_fullwidth(c) for c in text)
    n = len(text)
    edits: list[_Edit] = []
    flags: list[_PendingFlag] = []
    if not (
        any(c in "?\ufffd" for c in fold)
        or any(_is_odd(fold, i) for i in range(n))
        or any(0x40 <= ord(b) <= 0x7E and _is_han(a) for a, b in zip(fold, fold[1:]))
    ):
        return edits, flags
    odd = _odd_marks(fold)
    ctx = _run_context(fold)
    i = 0
    consumed = 0  # runs never overlap
    while i < n:
        c = fold[i]
        if c in "?\ufffd":
            k = i + 1
            gloss = None
            m = _GLOSS_REMNANT_RE.match(fold, k)
            if m and _syllable_kind(_normalize_syllable(m.group(1))):
                gloss = _normalize_syllable(m.group(1))
                k = m.end()
            rec = _recover_run(text, fold, i, k, None, gloss, n, ctx)
            evidence = _run_evidence(fold, odd, i, k, rec.end if rec else min(n, k + 6), gloss)
            # without other evidence a '?' between Han characters may be a question mark: then
            # only a reading far likelier than the text as it stands counts as a recovery
            between_han = i > 0 and _is_han(fold[i - 1])
            if rec and (
                (evidence and rec.gain >= _ACCEPT_GAIN) or (between_han and rec.gain >= _ACCEPT_GAIN_NO_MARK)
            ):
                _emit_recovery(text, rec, edits, flags)
                i = consumed = rec.end
                continue
            if evidence:
                end = _damaged_extent(fold, odd, k)
                what = f"; the lost character read '{gloss}'" if gloss else ""
                flags.append(_PendingFlag(i, end, "mojibake",
                                          f"unrecovered GBK mojibake '{text[i:end]}'{what}"))
                i = consumed = end
                continue
            i += 1
            continue
        if 0x40 <= ord(c) <= 0x7E and 0 < i < n - 1 and _is_han(fold[i - 1]):
            prev = _gbk2(text[i - 1])
            nxt = fold[i + 1]
            if prev and prev[1] == ord(c) and (_is_cjk(nxt) or nxt in ",.:;!?"):
                # a stray byte: the trail byte of the character before, read a second time
                note = (f"removed stray '{c}': it is the second byte of {text[i - 1]} "
                        f"(GBK {prev.hex(' ').upper()}) read again")
                edits.append(_Edit(i, i + 1, "", _Meta("mojibake", False, note)))
                i = consumed = i + 1
                continue
        if odd[i] and ord(c) >= 0x80:
            rec = _recover_without_marker(text, fold, odd, i, consumed, ctx)
            if rec is not None:
                _emit_recovery(text, rec, edits, flags)
                i = consumed = rec.end
                continue
            end = _damaged_extent(fold, odd, i)
            lo = max(consumed, i - 2)
            if sum(odd[lo:end]) >= 2 and any(odd[j] and not _is_han(fold[j]) for j in range(lo, end)):
                flags.append(_PendingFlag(i, end, "mojibake",
                                          f"possible GBK mojibake '{text[i:end]}' (could not recover)"))
                i = consumed = end
                continue
        i += 1
    return edits, flags


def _damaged_extent(fold: str, odd: list[bool], k: int) -> int:
    """End of a damaged stretch starting at k: through odd characters, up to a resync byte."""
    n = len(fold)
    j = k
    last_odd = k
    while j < n and j < k + _MAX_RUN_TOKENS:
        c = fold[j]
        if c in "\n\t ":
            break
        if odd[j]:
            last_odd = j + 1
            if ord(c) < 0x80 and c.isalpha():
                break  # a lone ASCII byte ends the shifted stretch
        elif j - last_odd >= 2:
            break
        j += 1
    return max(last_odd, k + 1) if k < n else n


def _run_evidence(fold: str, odd: list[bool], s: int, k: int, end: int, gloss: str | None) -> bool:
    """Does the '?' at s look like damage rather than a question mark?"""
    if gloss:
        return True  # '?shù)': a glossed character whose '(' went with a lost byte
    seg_end = max(end, k + 1)
    if any(c in "?\ufffd" for c in fold[s + 1 : seg_end]) and _TAG_REMNANT_RE.match(fold, seg_end):
        return True  # '?!?/span>': a second marker, then a tag that lost its '<'
    n_odd = sum(odd[s : min(len(fold), seg_end)])  # the marker itself counts
    return n_odd >= 3 or (n_odd >= 2 and (fold[s] == "\ufffd" or any(not _is_han(fold[j]) and odd[j]
                                                                     for j in range(k, min(len(fold), seg_end)))))


def _recover_without_marker(text: str, fold: str, odd: list[bool], i: int, consumed: int,
                            ctx: _RunContext) -> _Recovery | None:
    """A run with no '?' (no byte was lost): the first garbled character straddles the one before
    it, so its first byte equals that character's trail byte. Try such starts just before ``i``."""
    best: _Recovery | None = None
    for s in range(max(consumed, i - 4, 1), i + 1):
        cur = _gbk2(text[s])
        prev = _gbk2(text[s - 1])
        if cur is None or prev is None or cur[0] != prev[1]:
            continue
        rec = _recover_run(text, fold, s, s + 1, cur[1], None, len(text), ctx)
        if rec and rec.gain >= _ACCEPT_GAIN_NO_MARK and sum(odd[s : rec.end]) >= 2:
            if best is None or rec.gain > best.gain:
                best = rec
    if best:
        best.notes.insert(0, f"'{text[best.start]}' straddles the character before it (no byte lost)")
    return best


def _emit_recovery(text: str, rec: _Recovery, edits: list[_Edit], flags: list[_PendingFlag]) -> None:
    sure = not rec.has_han and rec.margin >= _SURE_MARGIN and not rec.missing_char and not rec.guessed
    shown = rec.replacement[: len(rec.replacement) - len(rec.swallowed)]
    note = [f"GBK mojibake '{text[rec.start:rec.end]}': its bytes re-encoded and read back in step "
            f"give '{shown}'"]
    if rec.swallowed and rec.guessed:
        note.append(f"the last '?' had swallowed one ASCII character, restored as '{rec.swallowed}' (a guess)")
    elif rec.swallowed:
        note.append(f"the last '?' had swallowed the '{rec.swallowed}' that follows it")
    note.extend(rec.notes)
    if rec.has_han:
        note.append("recovered words need an editor's confirmation")
    if rec.missing_char:
        note.append("a character swallowed by the damage could not be recovered")
    flag = ("mojibake", "a character swallowed by the damage is lost after this repaired run") if rec.missing_char else None
    edits.append(_Edit(rec.start, rec.end, rec.replacement, _Meta("mojibake", sure, "; ".join(note), flag)))


# --------------------------------------------------------------------------------------------
# Pass 3: HTML debris
# --------------------------------------------------------------------------------------------

_BLOCK_TAGS = {"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "section", "article", "hr", "ul", "ol", "table", "figure", "figcaption",
               "header", "footer", "pre", "dd", "dt", "dl", "center", "aside", "nav"}
_BARE_ENTITIES = ("rdquo|ldquo|rsquo|lsquo|nbsp|mdash|ndash|hellip|middot|laquo|raquo|bull|quot|amp|"
                  "lt|gt|apos|times|divide|deg|copy|reg|trade|yen|emsp|ensp|thinsp|zwj|zwnj|shy")
_HTML_RE = re.compile(
    rf"(?P<tag><\s*/?\s*(?P<tagname>{_HTML_TAG_NAMES})\b[^<>]{{0,300}}?>)"
    rf"|(?P<remnant>(?<![<A-Za-z0-9])/(?P<remname>{_HTML_TAG_NAMES})\s*>)"
    r"|(?P<entity>&(?:amp;)*(?P<ebody>#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};))"
    rf"|(?P<bare>(?<![&A-Za-z0-9#])(?P<bbody>(?:{_BARE_ENTITIES});|#[0-9]{{2,7}};|#[xX][0-9a-fA-F]{{2,6}};))",
    re.I,
)


def _decode_entity(body: str) -> str | None:
    if body.startswith("#"):
        try:
            cp = int(body[2:-1], 16) if body[1] in "xX" else int(body[1:-1])
        except ValueError:
            return None
        if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
            return None
    decoded = html.unescape("&" + body)
    return None if decoded == "&" + body else decoded


def _html_pass(text: str) -> list[_Edit]:
    if not any(c in text for c in "<>&;"):
        return []
    edits: list[_Edit] = []
    for m in _HTML_RE.finditer(text):
        s, e = m.span()
        if m.group("tag") or m.group("remnant"):
            name = (m.group("tagname") or m.group("remname")).lower()
            repl = _space_for(text, s, e) if name in _BLOCK_TAGS else ""
            what = "tag" if m.group("tag") else "tag remnant"
            edits.append(_Edit(s, e, repl, _Meta("html", True, f"removed HTML {what} '{m.group()}'")))
            continue
        body = m.group("ebody") or m.group("bbody")
        decoded = _decode_entity(body)
        if decoded is None:
            continue
        if decoded == "\u00a0":
            decoded = _space_for(text, s, e)
        note = f"decoded HTML entity '{m.group()}'" + (f" to '{decoded}'" if decoded else " (removed)")
        edits.append(_Edit(s, e, decoded, _Meta("html", True, note)))
    return edits


# --------------------------------------------------------------------------------------------
# Pass 4: pinyin glosses
# --------------------------------------------------------------------------------------------

_ANNOT_RE = re.compile(rf"[(（]([{_SYLLABLE_CLASS}]{{1,6}}[1-5]?)[)）]")


def _context_readings(text: str, pos: int) -> set[str]:
    """Contextual readings of the Han character before ``pos`` (on the text and on its t2s form)."""
    from pypinyin import Style, pinyin

    window = _ANNOT_RE.sub("", text[max(0, pos - 24) : pos])
    run = []
    for c in reversed(window):
        if not _is_han(c) or len(run) == 4:
            break
        run.append(c)
    ctx = "".join(reversed(run))
    out: set[str] = set()
    if not ctx:
        return out
    for form in {ctx, _t2s(ctx)}:
        try:
            py = pinyin(form, style=Style.TONE, errors="ignore")
        except Exception:  # pragma: no cover - pypinyin is robust; be defensive at import time
            continue
        if py and py[-1]:
            out.add(py[-1][0])
    return out


def _pinyin_pass(text: str) -> tuple[list[_Edit], list[_PendingFlag]]:
    edits: list[_Edit] = []
    flags: list[_PendingFlag] = []
    if "(" not in text and "（" not in text:
        return edits, flags
    for m in _ANNOT_RE.finditer(text):
        syl = _normalize_syllable(m.group(1))
        kind = _syllable_kind(syl)
        if kind is None:
            continue  # (model), (Apple): not pinyin
        has_tone = any(ch in _TONE_SET for ch in syl)
        gloss = m.group()
        prev = text[m.start() - 1] if m.start() else ""
        if prev and _is_han(prev):
            readings = set(_readings(prev)) | _context_readings(text, m.start())
            toneless_readings = {_to_normal(r) for r in readings}
            if syl in readings or (not has_tone and syl in toneless_readings):
                edits.append(_Edit(m.start(), m.end(), "",
                                   _Meta("pinyin", True, f"removed pinyin gloss {gloss} after {prev}")))
            elif has_tone and _to_normal(syl) in toneless_readings:
                known = "/".join(sorted(r for r in readings if _to_normal(r) == _to_normal(syl)))
                note = f"removed pinyin gloss {gloss} after {prev}; its tone differs from the reading {known}"
                edits.append(_Edit(m.start(), m.end(), "",
                                   _Meta("pinyin", False, note, ("tone-mismatch", note))))
            elif has_tone:
                flags.append(_PendingFlag(m.start(), m.end(), "unmatched-pinyin",
                                          f"pinyin-like {gloss} after {prev} is not a reading of {prev}; kept"))
        elif has_tone:
            after = text[m.end() : m.end() + 1]
            note = (f"a character may be missing here; its reading was {syl} "
                    f"(orphaned gloss {gloss} between '{prev}' and '{after}')")
            edits.append(_Edit(m.start(), m.end(), "",
                               _Meta("orphan-pinyin", False, f"removed orphaned pinyin gloss {gloss}",
                                     ("orphan-pinyin", note))))
    return edits, flags


# --------------------------------------------------------------------------------------------
# Pass 5: punctuation
# --------------------------------------------------------------------------------------------


def _neighbour(chars: list[str], i: int, step: int) -> str:
    """The neighbouring character, looking through quotation marks."""
    j = i + step
    skip = _CLOSE_QUOTES if step < 0 else _OPEN_QUOTES
    while 0 <= j < len(chars) and chars[j] in skip and chars[j] not in "\"'":
        j += step
    return chars[j] if 0 <= j < len(chars) else ""


def _ascii_alnum(c: str) -> bool:
    return bool(c) and c.isascii() and c.isalnum()


def _punctuation_pass(text: str, protected: list[tuple[int, int]]) -> list[_Edit]:
    if not any(c in _ASCII_TO_FULL for c in text):
        return []
    chars = list(text)
    blocked = set()
    for a, b in protected:
        blocked.update(range(a, b))

    # decide parentheses per matched pair
    paren_full: dict[int, bool] = {}
    stack: list[int] = []
    for i, c in enumerate(chars):
        if c == "(" and i not in blocked:
            stack.append(i)
        elif c == ")" and i not in blocked and stack:
            o = stack.pop()
            content = text[o + 1 : i]
            before = _neighbour(chars, o, -1)
            full = any(_is_han(x) for x in content) or _is_cjk(before)
            paren_full[o] = paren_full[i] = full

    converted: dict[int, str] = {}
    changed = True
    while changed:  # a mark converted on the right can decide one on its left ("0!:" -> "0！：")
        changed = False
        for i, c in enumerate(chars):
            if c not in _ASCII_TO_FULL or i in blocked:
                continue
            before = _neighbour(chars, i, -1)
            after = _neighbour(chars, i, 1)
            if i in paren_full:
                convert = paren_full[i]
            elif _ascii_alnum(before) and _ascii_alnum(after):
                convert = False  # inside a Latin or number run: 1,000  10:30
            else:
                convert = _is_cjk(before) or _is_cjk(after)
            if convert:
                chars[i] = converted[i] = _ASCII_TO_FULL[c]  # later decisions see it
                changed = True
    return [
        _Edit(i, i + 1, full, _Meta("punctuation", True, f"ASCII '{text[i]}' to full-width '{full}' in Chinese text"))
        for i, full in sorted(converted.items())
    ]


# --------------------------------------------------------------------------------------------
# Final scans: control characters and script suggestions
# --------------------------------------------------------------------------------------------


def _control_flags(text: str) -> list[_PendingFlag]:
    flags: list[_PendingFlag] = []
    i = 0
    while i < len(text):
        if _is_control(text[i]):
            j = i
            while j < len(text) and _is_control(text[j]):
                j += 1
            names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control')}" for c in text[i:j])
            flags.append(_PendingFlag(i, j, "control-char", f"invisible control character(s): {names}"))
            i = j
        else:
            i += 1
    return flags


# Variants Taiwan's standard accepts: never suggested.
_TW_ACCEPTED = {("布", "佈"), ("台", "臺"), ("占", "佔"), ("吃", "喫"), ("着", "著")}
_HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@functools.cache
def _in_big5(c: str) -> bool:
    try:
        c.encode("big5")
        return True
    except UnicodeEncodeError:
        return False


def _script_suggestions(text: str) -> list[ScriptSuggestion]:
    out: list[ScriptSuggestion] = []
    conv = _opencc("s2tw")
    for m in _HAN_RUN_RE.finditer(text):
        run = m.group()
        proposed = conv.convert(run)
        if proposed == run:
            continue
        if len(proposed) != len(run):
            proposed = "".join(conv.convert(c) if len(conv.convert(c)) == 1 else c for c in run)
        i = 0
        while i < len(run):
            if run[i] == proposed[i] or (run[i], proposed[i]) in _TW_ACCEPTED:
                i += 1
                continue
            # group neighbours of the same kind: simplified-only, or also valid traditional
            legit = _in_big5(run[i])
            j = i + 1
            while (j < len(run) and run[j] != proposed[j] and (run[j], proposed[j]) not in _TW_ACCEPTED
                   and _in_big5(run[j]) == legit):
                j += 1
            orig, prop = run[i:j], proposed[i:j]
            context = run[max(0, i - 2) : j + 2]
            if legit:
                what = "is also a valid traditional character" if len(orig) == 1 else "are also valid traditional characters"
                note = (f"'{orig}' {what}; in '{context}' OpenCC suggests "
                        f"'{prop}' (names and brands such as 阿里云 may be intentional)")
            else:
                note = f"simplified form '{orig}' in traditional text ('{context}'); traditional: '{prop}'"
            out.append(ScriptSuggestion(m.start() + i, m.start() + j, orig, prop, note))
            i = j
    return out


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

_MAX_ROUNDS = 6


def _run(text: str, passes, *, finals) -> CleanResult:
    pieces = [_Piece(text, text)] if text else []
    flags: list[_PendingFlag] = []
    for _ in range(_MAX_ROUNDS):
        changed = False
        for run_pass in passes:
            current = "".join(p.text for p in pieces)
            redetects = getattr(run_pass, "redetects", None)
            if redetects:  # the pass finds these afresh each round; drop stale ones
                flags = [f for f in flags if f.rule != redetects]
            edits, new_flags = run_pass(current, flags)
            pieces, effective = _apply(pieces, edits)
            flags = _map_flags(flags + new_flags, effective)
            changed = changed or bool(edits)
        if not changed:
            break

    assembled = _assemble(pieces)
    if assembled is None:
        # Cleaning would leave nothing for a change to stand on: keep the input as it is.
        return CleanResult(text, [], [Flag(0, len(text), "empty", "cleaning would remove everything; kept")]
                           if text else [], [])
    final_text, changes, piece_flags = assembled
    flags = flags + piece_flags + finals[0](final_text)
    out_flags: list[Flag] = []
    seen = set()
    for f in sorted(flags, key=lambda f: (f.start, f.end, f.rule)):
        s, e = max(0, min(f.start, len(final_text))), max(0, min(f.end, len(final_text)))
        if e <= s:  # the flagged text vanished: point at the character before (or the first)
            if not final_text:
                continue
            s = min(max(s - 1, 0), len(final_text) - 1)
            e = s + 1
        key = (s, e, f.rule)
        if key in seen:
            continue
        seen.add(key)
        out_flags.append(Flag(s, e, f.rule, f.note))
    suggestions = finals[1](final_text)
    return CleanResult(final_text, changes, out_flags, suggestions)


def clean_text(text: str, *, restore_punctuation: bool = True, traditional: bool = True) -> CleanResult:
    """Clean one paragraph or heading line (no newlines) and record every change."""

    def unicode_pass(t, flags):
        return _unicode_pass(t), []

    def mojibake_pass(t, flags):
        return _mojibake_pass(t)

    mojibake_pass.redetects = "mojibake"

    def html_pass(t, flags):
        return _html_pass(t), []

    def pinyin_pass(t, flags):
        return _pinyin_pass(t)

    pinyin_pass.redetects = "unmatched-pinyin"

    def punctuation_pass(t, flags):
        protected = [(f.start, f.end) for f in flags if f.rule == "mojibake"]
        return _punctuation_pass(t, protected), []

    passes = [unicode_pass, mojibake_pass, html_pass, pinyin_pass]
    if restore_punctuation:
        passes.append(punctuation_pass)
    finals = (_control_flags, _script_suggestions if traditional else (lambda t: []))
    return _run(text, passes, finals=finals)


def clean_name(text: str) -> CleanResult:
    """Clean a title, name or slug: NFC, and remove zero-width, bidi and control characters."""

    def unicode_pass(t, flags):
        edits = _unicode_pass(t, nbsp=False)
        removals = [
            _Edit(i, i + 1, "", _Meta("unicode", True, f"removed invisible U+{ord(c):04X} "
                                      f"{unicodedata.name(c, 'control character')}"))
            for i, c in enumerate(t) if _is_control(c)
        ]
        return _merge_edit_lists(edits, removals), []

    return _run(text, [unicode_pass], finals=(lambda t: [], lambda t: []))
