"""The suggester's results: known entities, anchors, quote, mention and date suggestions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownEntity:
    key: str  # slug
    kind: str  # person | organization | product | event | place | concept | publication
    names: tuple[str, ...]  # canonical name + aliases


@dataclass
class Anchor:
    block: int  # index into the paragraphs list
    start: int
    end: int
    exact: str


@dataclass
class QuoteSuggestion:
    anchor: Anchor
    kind: str  # "direct" | "indirect" | "fragment"
    speaker_name: str
    speaker_key: str | None
    speaker_kind: str  # "person" | "organization"
    role: str | None
    role_is_past: bool
    attribution: Anchor | None
    said_on: str | None
    event_name: str | None
    confidence: float
    reason: str


@dataclass
class MentionSuggestion:
    anchor: Anchor
    entity_key: str


@dataclass
class DateMention:
    anchor: Anchor
    value: str  # "2023", "2023-04", "2023-04-11"
