"""Pass 1: Unicode normalisation (NFC, no-break spaces)."""

from __future__ import annotations

import unicodedata

from .chars import _is_cjk
from .pieces import _Edit, _Meta


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
