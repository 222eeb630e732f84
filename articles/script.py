"""Simplified characters left in a Traditional text: what OpenCC ``s2tw`` would change (pure, no model).

A scraper's conversion leaves 阿里云, 于, 后, 并 in Traditional text, where readers read them as typos.
``traditional_changes`` finds them with OpenCC ``s2tw`` at phrase level (never ``s2twp``, which rewrites
vocabulary: 用戶 -> 使用者), so 于 in a surname or 后 in 皇后 stay as they are, and skips:

- the variant pairs Taiwan accepts both ways (宣布/宣佈, 台/臺, 占/佔, 吃/喫, 周/週): the author's choice;
- protected spans the caller passes (names, no-convert spans: text that talks about characters);
- quoted titles 《…》〈…〉 and -{…}- no-convert markup, found here.

Nothing is rewritten here: callers turn each change into a ``repair`` annotation with the original.
"""

import re
from dataclasses import dataclass

from newsroom.text import converter, no_convert_spans

# (as written, what s2tw writes): both are accepted Traditional usage in Taiwan; leave the author's.
ACCEPTED_VARIANTS = frozenset({("布", "佈"), ("台", "臺"), ("占", "佔"), ("吃", "喫"), ("周", "週")})
TITLE_RE = re.compile(r"《[^《》]*》|〈[^〈〉]*〉")
# Convert a long text in pieces cut after sentence punctuation: a phrase that changes length then
# only costs its own sentence (s2tw keeps lengths in practice; this is the guard).
SENTENCE_RE = re.compile(r"[^。！？；\n]*[。！？；\n]?")


@dataclass(frozen=True)
class Change:
    start: int
    end: int
    original: str
    replacement: str


def quoted_titles(text):
    """Spans of 《book》 and 〈article〉 titles: a title is cited as published."""
    return [(m.start(), m.end()) for m in TITLE_RE.finditer(text or "")]


def traditional_changes(text, protected=()):
    """The runs of ``text`` that s2tw would change, outside ``protected`` (start, end) spans, quoted
    titles and accepted variants, as a list of Change in text order (adjacent characters merged)."""
    if not text:
        return []
    blocked = [False] * len(text)
    for start, end in [*protected, *quoted_titles(text), *no_convert_spans(text)]:
        for i in range(max(start, 0), min(end, len(text))):
            blocked[i] = True
    convert = converter("s2tw").convert
    changed = []  # (index, original char, new char)
    for m in SENTENCE_RE.finditer(text):
        piece = m.group(0)
        if not piece:
            continue
        new = convert(piece)
        if len(new) != len(piece):
            continue  # a length-changing phrase: leave this sentence to an editor rather than guess
        for offset, (a, b) in enumerate(zip(piece, new)):
            i = m.start() + offset
            if a != b and not blocked[i] and (a, b) not in ACCEPTED_VARIANTS:
                changed.append((i, a, b))
    out = []
    for i, a, b in changed:
        if out and out[-1].end == i:
            last = out[-1]
            out[-1] = Change(last.start, i + 1, last.original + a, last.replacement + b)
        else:
            out.append(Change(i, i + 1, a, b))
    return out


def apply_changes(text, changes):
    """``text`` with ``changes`` (from ``traditional_changes``) applied; lengths never change."""
    chars = list(text)
    for change in changes:
        assert text[change.start:change.end] == change.original, change
        chars[change.start:change.end] = change.replacement
    return "".join(chars)


def to_edition_script(text, protected=()):
    """``text`` as the Traditional edition prints it (the changes applied)."""
    return apply_changes(text, traditional_changes(text, protected))
