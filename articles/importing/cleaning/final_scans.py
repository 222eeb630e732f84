"""Final scans of the cleaned text: control characters and script suggestions."""

from __future__ import annotations

import re
import unicodedata

from newsroom.text import HAN_CLASS, converter

from .chars import _in_big5, _is_control
from .pieces import _PendingFlag
from .results import ScriptSuggestion


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
_HAN_RUN_RE = re.compile(f"[{HAN_CLASS}]+")


# A work's title in its brackets (《…》, 〈…〉) is printed as published: never suggested a conversion.
_QUOTED_TITLE_RE = re.compile(r"《[^《》]*》|〈[^〈〉]*〉")


def _script_suggestions(text: str) -> list[ScriptSuggestion]:
    protected = [(m.start(), m.end()) for m in _QUOTED_TITLE_RE.finditer(text)]
    return [s for s in _all_script_suggestions(text)
            if not any(a <= s.start and s.end <= b for a, b in protected)]


def _all_script_suggestions(text: str) -> list[ScriptSuggestion]:
    out: list[ScriptSuggestion] = []
    conv = converter("s2tw")
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
