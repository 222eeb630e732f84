"""Pass 4: pinyin glosses after Han characters, and orphaned glosses."""

from __future__ import annotations

from newsroom.text import is_han, to_simplified

from .chars import _ANNOT_RE, _normalize_syllable, _readings, _syllable_kind, _to_normal, _TONE_SET
from .pieces import _Edit, _Meta, _PendingFlag


def _context_readings(text: str, pos: int) -> set[str]:
    """Contextual readings of the Han character before ``pos`` (on the text and on its t2s form)."""
    from pypinyin import Style, pinyin

    window = _ANNOT_RE.sub("", text[max(0, pos - 24) : pos])
    run = []
    for c in reversed(window):
        if not is_han(c) or len(run) == 4:
            break
        run.append(c)
    ctx = "".join(reversed(run))
    out: set[str] = set()
    if not ctx:
        return out
    for form in {ctx, to_simplified(ctx)}:
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
        if prev and is_han(prev):
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
