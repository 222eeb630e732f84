"""Mentions: every name or alias of a known entity in the text."""

from __future__ import annotations

from newsroom.text import fold_chars

from .names import _on_word_boundary, folded_name
from .results import Anchor, KnownEntity, MentionSuggestion


def suggest_mentions(paragraphs: list[str], known: list[KnownEntity]) -> list[MentionSuggestion]:
    """Every name or alias of a known entity, longest first, without overlaps."""
    by_first: dict[str, list[tuple[str, str]]] = {}
    seen = set()
    for entity in known:
        for name in entity.names:
            folded = folded_name(name)
            if folded and (folded, entity.key) not in seen:
                seen.add((folded, entity.key))
                by_first.setdefault(folded[0], []).append((folded, entity.key))
    for names in by_first.values():
        names.sort(key=lambda item: len(item[0]), reverse=True)

    mentions: list[MentionSuggestion] = []
    for block, text in enumerate(paragraphs):
        folded = fold_chars(text)
        candidates = []
        for start, char in enumerate(folded):
            for name, key in by_first.get(char, ()):
                end = start + len(name)
                if folded.startswith(name, start) and _on_word_boundary(folded, start, end):
                    candidates.append((start, end, key))
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken = [False] * len(folded)
        for start, end, key in candidates:
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                mentions.append(MentionSuggestion(Anchor(block, start, end, text[start:end]), key))
    return sorted(mentions, key=lambda m: (m.anchor.block, m.anchor.start))
