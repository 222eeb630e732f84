"""Pass 2: find GBK mojibake runs, recover them, or flag them."""

from __future__ import annotations

import functools
import itertools
import re

from newsroom.text import HAN_CLASS, is_han

from .chars import (
    _ANNOT_RE, _fold_fullwidth, _gbk2, _gbk_table, _GLOSS_REMNANT_RE, _is_cjk, _normalize_syllable,
    _readings, _syllable_kind, _TAG_REMNANT_RE, _TAIL_RE, _to_normal,
)
from .gbk_decode import (
    _ACCEPT_GAIN, _ACCEPT_GAIN_NO_MARK, _context_bonus_factory, _decode_slots, _LEADS, _MAX_COMBOS,
    _MAX_RUN_TOKENS, _MAX_UNKNOWN_TOKENS, _Recovery, _run_context, _RunContext, _SURE_MARGIN,
    _token_options, _UNK_DROPPED, _UNK_LEAD, _viterbi, _DROP_PENALTY,
)
from .pieces import _Edit, _Meta, _PendingFlag
from .scoring import _is_odd, _pair_bonus, _text_score


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
            for variant, dropped_at in _slot_variants(slots, combo):
                if budget.left <= 0:
                    break
                budget.left -= 1
                decoded = _decode_slots(variant, x_set)
                if decoded is None:
                    continue
                right = swallowed or following[:1]
                at_end = bool(_TAIL_RE.match(swallowed + following))
                recovered, score, margin = _viterbi(decoded, left, right, bonus_for(len(decoded), at_end), ctx.echo)
                rest = fold[k + j : tokens_end]
                total = score + _text_score(swallowed + rest, recovered[-1:], right_of_window) - _pair_bonus(
                    recovered[-1:], right
                )
                if missing:
                    total -= 4.0  # a lost byte we cannot name makes this reading less likely
                rec_notes = list(notes)
                if dropped_at is not None:
                    total -= _DROP_PENALTY
                    rec_notes.append(f"this reading assumes an undecodable pair vanished after '{tokens[dropped_at]}'")
                key = "".join(_fold_fullwidth(c) for c in recovered + swallowed + rest)
                known = readings.get(key)
                rec = _Recovery(s, k + j, recovered + swallowed, total, total - base_score, margin,
                                any(is_han(c) for c in recovered), rec_notes, missing, swallowed, guessed)
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
        best.runner_up = ranked[1].replacement
    if gloss_conflict:
        best.margin = min(best.margin, 0.0)
    return best


def _slot_variants(slots: list[int], combo) -> list[tuple[list[int], int | None]]:
    """The run's byte slots as read, and the same slots with a vanished pair between two garbled
    characters (one variant per place): a decoder that drops an undecodable pair instead of
    writing '?' makes the shifted text lose a byte of each of two real characters without a mark
    ('。“十四五”' read one byte late gives '笆', an undecodable AE CB, then '奈'). The vanished pair
    is only ever an alternative that must be beaten, or that beats the plain reading clearly."""
    out: list[tuple[list[int], int | None]] = [(slots, None)]
    offsets = [1]
    for opt in combo:
        offsets.append(offsets[-1] + len(opt[0]))
    for t in range(len(combo) - 1):
        here, nxt = combo[t][0], combo[t + 1][0]
        # the garbled character's trail byte is a real lead byte; the next token's first byte a trail
        if len(here) == 2 and here[1] >= 0x81 and nxt and nxt[0] >= 0x40:
            cut = offsets[t + 1]
            out.append((slots[:cut] + [_UNK_DROPPED, _UNK_LEAD] + slots[cut:], t))
            # two vanished pairs in a row (a character between two user-defined rows)
            out.append((slots[:cut] + [_UNK_DROPPED, _UNK_LEAD, _UNK_DROPPED, _UNK_LEAD] + slots[cut:], t))
    return out


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


# A Han character followed by a character in the GBK trail-byte range 0x40-0x7E.
_HAN_THEN_BYTE = re.compile(f"[{HAN_CLASS}][\x40-\x7e]")
# The ASCII characters ``_is_odd`` may call odd (letters and the trail symbols; '?' is tested first).
_ASCII_CANDIDATE = re.compile(r"[A-Za-z@\[\\\]^_`{|}~]")


@functools.lru_cache(maxsize=None)
def _odd_char(c: str) -> bool:
    """``_is_odd`` of a non-ASCII character: it depends on the character alone."""
    return _is_odd(c, 0)


def _any_odd(fold: str) -> bool:
    """``any(_is_odd(fold, i) for i in range(len(fold)))``, without a call per character: each
    distinct non-ASCII character is judged once, ASCII ones only where they may be odd."""
    return any(_odd_char(c) for c in set(fold) if c >= "\x80") or any(
        _is_odd(fold, m.start()) for m in _ASCII_CANDIDATE.finditer(fold))


def _mojibake_pass(text: str) -> tuple[list[_Edit], list[_PendingFlag]]:
    fold = "".join(_fold_fullwidth(c) for c in text)
    n = len(text)
    edits: list[_Edit] = []
    flags: list[_PendingFlag] = []
    if not ("?" in fold or "\ufffd" in fold or _any_odd(fold) or _HAN_THEN_BYTE.search(fold)):
        return edits, flags
    odd = _odd_marks(fold)
    ctx = _run_context(fold)
    i = 0
    consumed = 0  # runs never overlap
    indent = _LOST_INDENT.match(fold)
    if indent:
        # Full-width indent spaces (U+3000, two bytes each) read back one '?' per byte.
        edits.append(_Edit(0, indent.end(1), "", _Meta(
            "mojibake", True, f"removed '{text[:indent.end(1)]}' at the start of the paragraph: a lost "
            "full-width indent (U+3000, two bytes read back as '??' each)")))
        i = consumed = indent.end(1)
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
            between_han = i > 0 and is_han(fold[i - 1])
            if rec and (
                (evidence and rec.gain >= _ACCEPT_GAIN) or (between_han and rec.gain >= _ACCEPT_GAIN_NO_MARK)
            ):
                _emit_recovery(text, rec, edits, flags, pinned=gloss is not None)
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
        if 0x40 <= ord(c) <= 0x7E and 0 < i < n - 1 and is_han(fold[i - 1]):
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
            if sum(odd[lo:end]) >= 2 and any(odd[j] and not is_han(fold[j]) for j in range(lo, end)):
                flags.append(_PendingFlag(i, end, "mojibake",
                                          f"possible GBK mojibake '{text[i:end]}' (could not recover)"))
                i = consumed = end
                continue
        i += 1
    return edits, flags


# A recovery with Han words whose lost byte no gloss pins must win by this much over the next reading.
_WORDS_MARGIN = 3.5
# '??' pairs at the start of a paragraph, before Chinese text: a lost full-width indent
_LOST_INDENT = re.compile(rf"((?:\?\?)+)(?=[{HAN_CLASS}“「0-9A-Za-z])")


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
    return n_odd >= 3 or (n_odd >= 2 and (fold[s] == "\ufffd" or any(not is_han(fold[j]) and odd[j]
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


def _runner_up(rec: _Recovery) -> str:
    return f" ('{rec.runner_up}')" if rec.runner_up and rec.runner_up != rec.replacement else ""


def _emit_recovery(text: str, rec: _Recovery, edits: list[_Edit], flags: list[_PendingFlag],
                   pinned: bool = False) -> None:
    sure = not rec.has_han and rec.margin >= _SURE_MARGIN and not rec.missing_char and not rec.guessed
    shown = rec.replacement[: len(rec.replacement) - len(rec.swallowed)]
    if rec.has_han and not pinned and rec.margin < _WORDS_MARGIN:
        # Words that do not clearly beat the next reading would read wrong more often than not:
        # leave the run as received and flag it, naming the best reading.
        flags.append(_PendingFlag(rec.start, rec.end, "mojibake", (
            f"unrecovered GBK mojibake '{text[rec.start:rec.end]}': the likeliest reading '{shown}' "
            f"is not clearly better than the next{_runner_up(rec)} (margin {rec.margin:.1f}); left as received")))
        return
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
