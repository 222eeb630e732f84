"""Pass 5: ASCII punctuation to full width in Chinese text."""

from __future__ import annotations

from newsroom.text import is_han

from .chars import _ASCII_TO_FULL, _CLOSE_QUOTES, _is_cjk, _OPEN_QUOTES
from .pieces import _Edit, _Meta


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
            full = any(is_han(x) for x in content) or _is_cjk(before)
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
