"""Paragraph analysis: quotations, the masked text and sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsroom.text import fold_chars

from .vocabulary import _CLOSE_TO_OPEN, _MASK, _OPEN_TO_CLOSE, _SENTENCE_ENDS


@dataclass
class _Quotation:
    open: int  # index of the opening mark
    close: int  # index of the closing mark, or len(text) when never closed
    closed: bool

    @property
    def inner(self) -> tuple[int, int]:
        return self.open + 1, self.close


@dataclass
class _Paragraph:
    index: int
    text: str
    folded: str
    masked: str
    quotations: list[_Quotation]
    sentences: list[tuple[int, int]]

    def sentence_at(self, position: int) -> tuple[int, int]:
        for start, end in self.sentences:
            if start <= position < end:
                return start, end
        return (self.sentences[-1] if self.sentences else (0, len(self.text)))


def _find_quotations(text: str) -> list[_Quotation]:
    quotations = _scan_quotations(text, lost_closers=False)
    if quotations and not quotations[-1].closed and _LOST_CLOSER.search(text, quotations[-1].open):
        # An opening mark is never closed, and a sentence ends before a space after it: in text run
        # together from several lines ("笑答：“我觉得…很高了! 又有港记问…") the closing mark was lost
        # there, so each opened quotation ends at the first such sentence end.
        return _scan_quotations(text, lost_closers=True)
    return quotations


_LOST_CLOSER = re.compile(r"[。！？!?]\s+")


def _scan_quotations(text: str, lost_closers: bool) -> list[_Quotation]:
    quotations: list[_Quotation] = []
    stack: list[tuple[str, int]] = []
    for i, char in enumerate(text):
        if lost_closers and stack and char.isspace() and i and text[i - 1] in "。！？!?":
            quotations.append(_Quotation(stack[0][1], i, False))
            stack.clear()
            continue
        if char in _OPEN_TO_CLOSE:
            stack.append((char, i))
        elif char in _CLOSE_TO_OPEN:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == _CLOSE_TO_OPEN[char]:
                    if k == 0:
                        quotations.append(_Quotation(stack[0][1], i, True))
                    del stack[k:]
                    break
    if stack:
        quotations.append(_Quotation(stack[0][1], len(text), False))
    if not quotations and text.count('"') >= 2 and text.count('"') % 2 == 0:
        marks = [i for i, c in enumerate(text) if c == '"']
        quotations = [_Quotation(a, b, True) for a, b in zip(marks[::2], marks[1::2])]
    return sorted(quotations, key=lambda q: q.open)


def _split_sentences(masked: str) -> list[tuple[int, int]]:
    sentences, start, i = [], 0, 0
    while i < len(masked):
        if masked[i] in _SENTENCE_ENDS:
            while i + 1 < len(masked) and (masked[i + 1] in _SENTENCE_ENDS or masked[i + 1] in "”」』"):
                i += 1
            sentences.append((start, i + 1))
            start = i + 1
        i += 1
    if start < len(masked):
        sentences.append((start, len(masked)))
    return sentences


def _analyse(index: int, text: str) -> _Paragraph:
    folded = fold_chars(text)
    quotations = _find_quotations(text)
    masked = list(folded)
    for q in quotations:
        start, end = q.inner
        masked[start:end] = _MASK * (end - start)
    masked_text = "".join(masked)
    return _Paragraph(index, text, folded, masked_text, quotations, _split_sentences(masked_text))
