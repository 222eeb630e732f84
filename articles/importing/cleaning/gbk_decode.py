"""Pass 2, decoding: byte slots of a GBK run read one byte out of step, and the Viterbi search."""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

from newsroom.text import is_han, simplified_char

from .chars import _common_sets, _gbk2, _gbk_table, _in_big5, _TAG_REMNANT_RE, _TAIL_RE
from .scoring import _char_logp, _pair_bonus, _QUOTE_BALANCE


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
_UNK_DROPPED = -3  # the first byte of a pair the damaging decoder dropped without a trace (see _DROP_LEADS)
_LEADS = range(0x81, 0xFF)


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
    runner_up: str = ""  # the next likeliest reading, named in a flag when the margin is too thin


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
        elif a >= 0 and b == _UNK_DROPPED:
            cands = [c for trail, c in by_lead.get(a, ()) if trail in _DROP_LEADS]
            if not cands:
                return None
            out.append(cands)
        elif a >= 0:
            cands = [c for trail, c in by_lead.get(a, ()) if b != _UNK_HIGH or trail >= 0x80]
            if not cands:
                return None
            out.append(cands)
        elif b == _UNK_DROPPED:
            # a whole character between two vanished pairs: only its trail is constrained
            out.append(_likeliest_dropped_trail_chars())
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


@functools.cache
def _drop_leads() -> frozenset[int]:
    """Lead bytes whose pairs mostly decode to nothing (GBK's user-defined rows AA-AF and F8-FE, and
    the sparse symbol rows): a decoder that drops undecodable pairs (errors='ignore') can make a
    straddling pair that starts with one of these vanish, taking a byte of two real characters."""
    by_lead = _gbk_table()[2]
    return frozenset(a for a in _LEADS if sum(1 for trail, _ in by_lead.get(a, ()) if trail >= 0xA1) < 0x10)


_DROP_LEADS = _drop_leads()


@functools.cache
def _likeliest_dropped_trail_chars() -> list[str]:
    by_code = _gbk_table()[0]
    chars = [c for code, c in by_code.items() if (code & 0xFF) in _DROP_LEADS]
    return sorted(chars, key=_char_logp, reverse=True)[:_MAX_CANDIDATES]
# log-weight of the reading that assumes such a vanished pair (it is rarer than a visible '?')
_DROP_PENALTY = 3.0


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


# a pair of Han characters that the paragraph prints elsewhere (a cache model: damage often hits
# a term the text repeats, '進入“十四五”。“十四五”靠什麼發展')
_ECHO_BONUS = 3.0


def _viterbi(slots: list[list[str]], left: str, right: str, bonus,
             echo: frozenset[str] = frozenset()) -> tuple[str, float, float]:
    """Best string over candidate slots; also the smallest per-slot margin of that best path."""
    slots = _prune(slots, left, right)

    def pair(a: str, b: str) -> float:
        return _pair_bonus(a, b) + (_ECHO_BONUS if a + b in echo else 0.0)

    # layers of {char: (score, backpointer char)}
    layers: list[dict[str, tuple[float, str | None]]] = []
    prev_layer: dict[str, tuple[float, str | None]] = {left: (0.0, None)}
    for idx, cands in enumerate(slots):
        layer: dict[str, tuple[float, str | None]] = {}
        for c in cands:
            base = _char_logp(c) + bonus(idx, c)
            best = None
            for pc, (ps, _) in prev_layer.items():
                s = ps + base + pair(pc, c)
                if best is None or s > best[0]:
                    best = (s, pc)
            layer[c] = best
        layers.append(layer)
        prev_layer = layer
    final = {c: s + pair(c, right) for c, (s, _) in prev_layer.items()}
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
            return _char_logp(c) + bonus(idx, c) + pair(p, c) + pair(c, nx)

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
        if is_han(c) and simplified_char(c) != c:
            if c in big5_l1:
                trad += 1
            elif not _in_big5(c):
                simp += 1
        elif is_han(c) and not _in_big5(c):
            simp += 1
    if trad > 2 * simp:
        return "traditional"
    if simp > 2 * trad:
        return "simplified"
    return None


@functools.cache
def _script_penalty(c: str, script: str | None) -> float:
    """A free choice should agree with the paragraph's script (a soft preference only)."""
    if script is None or not is_han(c):
        return 0.0
    if script == "traditional":
        return _SCRIPT_MISMATCH if not _in_big5(c) else 0.0
    return _SCRIPT_MISMATCH if simplified_char(c) != c else 0.0


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
    echo: frozenset[str] = frozenset()  # Han pairs the paragraph prints (see _ECHO_BONUS)


def _run_context(fold: str) -> _RunContext:
    echo = frozenset(a + b for a, b in zip(fold, fold[1:]) if is_han(a) and is_han(b))
    return _RunContext(_script_of(fold), _QuoteCounter(fold), _Budget(_SEARCH_BUDGET + 2 * len(fold)), echo)
