"""The piece table: verbatim input and replacements that remember what they replaced."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .results import Change


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
