"""Events: 在X上/期间/现场 where X ends like an event."""

from __future__ import annotations

from dataclasses import dataclass

from .paragraphs import _Paragraph
from .vocabulary import (
    _DEMONSTRATIVES, _EVENT_CONTEXT, _EVENT_SUFFIXES, _GENERIC_EVENTS, _LATIN_EVENT,
    _LEADING_DATE_WORDS, _NOT_EVENTS,
)


@dataclass
class _Event:
    block: int
    position: int
    name: str | None  # None: a demonstrative ("这场发布会") to resolve


def _find_events(paragraphs: list[_Paragraph], is_event_name) -> list[_Event]:
    """``is_event_name(folded)``: whether a known event has that (folded) name or alias."""
    events = []
    for paragraph in paragraphs:
        for match in _EVENT_CONTEXT.finditer(paragraph.masked):
            start, end = match.span("event")
            candidate = paragraph.masked[start:end]
            last_de = candidate.rfind("的")
            if last_de >= 0:
                start += last_de + 1
                candidate = candidate[last_de + 1:]
            lead = _LEADING_DATE_WORDS.match(candidate)
            if lead and lead.end() < len(candidate):
                start += lead.end()
                candidate = candidate[lead.end():]
            candidate = candidate.strip()
            if candidate in _GENERIC_EVENTS or (
                candidate.startswith(_DEMONSTRATIVES) and candidate.endswith(_EVENT_SUFFIXES)
            ):
                events.append(_Event(paragraph.index, start, None))
            elif (
                candidate.endswith(_EVENT_SUFFIXES)
                or (len(candidate) >= 3 and candidate.endswith("会") and not candidate.endswith(_NOT_EVENTS))
                or _LATIN_EVENT.match(candidate)
                or is_event_name(candidate)
            ):
                name = paragraph.text[start:start + len(candidate)]
                events.append(_Event(paragraph.index, start, name))
    return events
