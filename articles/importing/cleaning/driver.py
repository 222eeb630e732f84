"""The driver: run the passes over the piece table until nothing changes."""

from __future__ import annotations

import unicodedata

from .chars import _is_control
from .final_scans import _control_flags, _script_suggestions
from .markup import _html_pass
from .mojibake import _mojibake_pass
from .normalize import _merge_edit_lists, _unicode_pass
from .pieces import _apply, _assemble, _Edit, _map_flags, _Meta, _PendingFlag, _Piece
from .pinyin import _pinyin_pass
from .punctuation import _punctuation_pass
from .results import CleanResult, Flag


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


def clean_label(text: str) -> CleanResult:
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
