"""Quotes: direct, indirect and fragment quotes with their speakers."""

from __future__ import annotations

import datetime
import re
from difflib import SequenceMatcher

from newsroom.text import HAN_CLASS, fold_chars

from .cues import _Cue, _SpeakerCues
from .dates import _find_dates
from .events import _find_events
from .index import KnownIndex
from .names import _Name, _Names, _PLURAL_HINT, _Speaker, _titled_names
from .paragraphs import _analyse, _Paragraph, _Quotation
from .results import Anchor, KnownEntity, QuoteSuggestion
from .vocabulary import _ENUMERATION, _FINAL_PUNCTUATION, _INDIRECT_CUE, _OPENERS


class _QuoteFinder(_SpeakerCues):
    def __init__(self, paragraphs, index, story_date, extra_persons=()):
        self.paragraphs = [_analyse(i, p) for i, p in enumerate(paragraphs)]
        self.names = _Names(index.speaker_layers, extra_persons)
        self.events = _find_events(self.paragraphs, index.is_event_name)
        self.dates = _find_dates([p.folded for p in self.paragraphs], paragraphs, story_date)
        self.results: dict[tuple[int, int, int], QuoteSuggestion] = {}

    # -- building suggestions ---------------------------------------------

    def said_on(self, cue_sentence, anchor_block, anchor_start, exclude_after=None) -> str | None:
        block, start, end = cue_sentence
        paragraph = self.paragraphs[block]
        inside = [q.inner for q in paragraph.quotations]
        limit = anchor_start if block == anchor_block else end
        if exclude_after is not None:
            limit = min(limit, exclude_after)
        candidates = [
            d for d in self.dates
            if d.anchor.block == block and start <= d.anchor.start < end
            and not any(a <= d.anchor.start < b for a, b in inside)
        ]
        before = [d for d in candidates if d.anchor.start < limit]
        if before:
            return before[-1].value
        after = [d for d in candidates if d.anchor.start >= limit and exclude_after is None]
        return after[0].value if after else None

    def event_for(self, cue_sentence) -> str | None:
        block, start, end = cue_sentence
        for event in self.events:
            if event.block == block and start <= event.position < end:
                if event.name is not None:
                    return event.name
                earlier = [
                    e for e in self.events
                    if e.name is not None and (e.block, e.position) < (event.block, event.position)
                ]
                return earlier[-1].name if earlier else None
        return None

    def suggest(self, block, start, end, kind, cue: _Cue, confidence, reason, exclude_after=None):
        paragraph = self.paragraphs[block]
        anchor = Anchor(block, start, end, paragraph.text[start:end])
        event = self.event_for(cue.sentence)
        said_on = self.said_on(cue.sentence, block, start, exclude_after)
        if said_on is None and event:
            year = re.search(r"(?:19|20)\d{2}", event)
            said_on = year.group(0) if year else None
        speaker = cue.speaker
        if speaker.via == "guess":
            confidence -= 0.1
        suggestion = QuoteSuggestion(
            anchor=anchor,
            kind=kind,
            speaker_name=speaker.name,
            speaker_key=speaker.key,
            speaker_kind=speaker.kind,
            role=speaker.role,
            role_is_past=speaker.role_is_past,
            attribution=speaker.span,
            said_on=said_on,
            event_name=event,
            confidence=round(max(0.05, min(1.0, confidence)), 2),
            reason=reason,
        )
        self.results[(block, start, end)] = suggestion
        return suggestion

    def run(self) -> list[QuoteSuggestion]:
        previous_unclosed: QuoteSuggestion | None = None
        for paragraph in self.paragraphs:
            intro = self.colon_intro(self.paragraphs[paragraph.index - 1]) if paragraph.index else None
            body_start = len(paragraph.text) - len(paragraph.text.lstrip(" \u3000—-–"))
            starts_with_quote = bool(paragraph.quotations) and paragraph.quotations[0].open == body_start
            last_attributed: tuple[_Quotation, QuoteSuggestion] | None = None
            continuing = previous_unclosed
            previous_unclosed = None

            for number, quotation in enumerate(paragraph.quotations):
                start, end = quotation.inner
                if end <= start:
                    continue
                opens_paragraph = number == 0 and starts_with_quote
                suggestion = self.quote(
                    paragraph,
                    quotation,
                    opens_paragraph,
                    intro if opens_paragraph else None,
                    last_attributed,
                    continuing if opens_paragraph else None,
                )
                if suggestion is not None:
                    last_attributed = (quotation, suggestion)
                    if not quotation.closed:
                        previous_unclosed = suggestion

            if intro is not None and not starts_with_quote:
                self.indirect_after_colon(paragraph, intro)
            self.indirect_in(paragraph)
        return sorted(self.results.values(), key=lambda s: (s.anchor.block, s.anchor.start))

    def attribute(self, paragraph, quotation, opens_paragraph, intro, last_attributed, continuing):
        """The strongest attribution cue of a quotation: (cue, confidence, reason) or None."""
        cue = self.cue_before(paragraph, quotation) or self.cue_after(paragraph, quotation)
        if cue is not None:
            return cue, 0.9, None
        if intro is not None:
            return intro, 0.85, None
        if last_attributed is not None:
            previous_quotation, previous = last_attributed
            between = paragraph.masked[previous_quotation.close + 1:quotation.open]
            if previous_quotation.closed and re.fullmatch(r"[\s，,、：:—]*", between):
                return (self._cue_from(previous, paragraph), 0.75,
                        f"continues the quote of {previous.speaker_name} before it")
        if continuing is not None:
            return (self._cue_from(continuing, paragraph), 0.7,
                    f"continues the quote of {continuing.speaker_name} from the paragraph before")
        cue = self.cue_earlier_in_sentence(paragraph, quotation)
        if cue is not None:
            return cue, 0.6, None
        cue = self.cue_reported_clause(paragraph, quotation)
        if cue is not None:
            return cue, 0.55, None
        cue = self.colon_subject(paragraph, quotation)
        if cue is not None:
            return cue, 0.6, None
        cue = self.speaker_earlier_in_paragraph(paragraph, quotation)
        if cue is not None:
            return cue, 0.55, None
        if opens_paragraph and self.is_quote_paragraph(paragraph, quotation):
            cue = self.single_person_before(paragraph)
            if cue is not None:
                return cue, 0.5, None
        return None

    def quote(self, paragraph, quotation, opens_paragraph, intro, last_attributed, continuing):
        start, end = quotation.inner
        attributed = self.attribute(paragraph, quotation, opens_paragraph, intro, last_attributed, continuing)
        earlier = self.repeated(paragraph.text[start:end], block=paragraph.index, position=start,
                                strict=attributed is None)
        if attributed is None:
            if earlier is None:
                return None  # a scare quote or a term
            return self.suggest(paragraph.index, start, end, "fragment", self._cue_from(earlier, paragraph), 0.6,
                                f"repeats part of {earlier.speaker_name}'s earlier quote")

        cue, confidence, reason = attributed
        if cue.speaker.via == "pronoun" and reason is None:
            confidence -= 0.15
            reason = f"pronoun refers to {cue.speaker.name} named before; {cue.how.format(name='the pronoun')}"
        reason = reason or cue.how.format(name=cue.speaker.name)
        kind = "direct"
        if earlier is not None and self._same_speaker(earlier, cue.speaker):
            kind = "fragment"
            reason += f"; repeats part of {earlier.speaker_name}'s earlier quote"
        return self.suggest(paragraph.index, start, end, kind, cue, confidence, reason)

    def _cue_from(self, suggestion: QuoteSuggestion, paragraph: _Paragraph) -> _Cue:
        speaker = _Speaker(suggestion.speaker_name, suggestion.speaker_key, suggestion.speaker_kind,
                           suggestion.attribution, suggestion.role, suggestion.role_is_past,
                           "name" if suggestion.speaker_key else "guess")
        block = suggestion.attribution.block if suggestion.attribution else paragraph.index
        start, end = self.paragraphs[block].sentence_at(suggestion.attribution.start if suggestion.attribution else 0)
        return _Cue(speaker, "", "", (block, start, end))

    @staticmethod
    def _same_speaker(suggestion: QuoteSuggestion, speaker: _Speaker) -> bool:
        if suggestion.speaker_key and speaker.key:
            return suggestion.speaker_key == speaker.key
        return fold_chars(suggestion.speaker_name) == fold_chars(speaker.name)

    def repeated(self, text: str, *, block: int, position: int, strict: bool) -> QuoteSuggestion | None:
        """An earlier direct quote that this quotation repeats, in large part."""
        words = _content(text)
        if len(words) < (8 if strict else 2):
            return None
        for earlier in sorted(self.results.values(), key=lambda s: (s.anchor.block, s.anchor.start), reverse=True):
            if earlier.kind == "indirect" or (earlier.anchor.block, earlier.anchor.start) >= (block, position):
                continue
            source = _content(earlier.anchor.exact)
            if len(source) <= len(words):
                continue
            match = SequenceMatcher(None, words, source, autojunk=False).find_longest_match(
                0, len(words), 0, len(source)
            )
            if match.size >= max(2, 0.8 * len(words)):
                return earlier
        return None

    @staticmethod
    def is_substantial(paragraph: _Paragraph, quotation: _Quotation) -> bool:
        """Long enough, or sentence-like enough, to be speech rather than a term."""
        start, end = quotation.inner
        inner = paragraph.text[start:end]
        return len(inner) >= 10 or any(c in inner for c in "，,。！？!?")

    def is_quote_paragraph(self, paragraph: _Paragraph, quotation: _Quotation) -> bool:
        covers = (quotation.close - quotation.open + 1) >= 0.6 * len(paragraph.text.strip())
        return covers and self.is_substantial(paragraph, quotation)

    def single_person_before(self, paragraph: _Paragraph) -> _Cue | None:
        if paragraph.index == 0:
            return None
        previous = self.paragraphs[paragraph.index - 1]
        mentions = [(start, end, entry) for start, end, entry in self.names.persons_in(previous.masked)]
        for start, end in _titled_names(previous.masked):
            if not any(a < end and start < b for a, b, _ in mentions):
                mentions.append((start, end, _Name(previous.masked[start:end], None, "person")))
        distinct = {entry.key or entry.folded for _, _, entry in mentions}
        if len(distinct) != 1 or _PLURAL_HINT.search(previous.masked):
            return None
        start, end, entry = max(mentions, key=lambda mention: mention[0])
        name = previous.text[start:end]
        speaker = _Speaker(name, entry.key, entry.kind, Anchor(previous.index, start, end, name),
                           via="name" if entry.key else "guess")
        speaker.role, speaker.role_is_past = self._role_before(previous, start)
        sentence = previous.sentence_at(start)
        return _Cue(speaker, "", f"quote paragraph after a paragraph naming only {name}",
                    (previous.index, *sentence))

    # -- indirect statements ----------------------------------------------

    def indirect_after_colon(self, paragraph: _Paragraph, intro: _Cue) -> None:
        text = paragraph.text
        start = len(text) - len(text.lstrip(" \u3000—-–"))
        body = paragraph.folded[start:]
        if paragraph.quotations and paragraph.quotations[0].open == start:
            return
        if _ENUMERATION.match(body) or len(body.strip()) < 6:
            return
        end = len(text.rstrip())
        while end > start and text[end - 1] in _FINAL_PUNCTUATION:
            end -= 1
        if end - start < 4:
            return
        self.suggest(paragraph.index, start, end, "indirect", intro, 0.6,
                     f"statement after the colon of paragraph {intro.sentence[0]}, "
                     f"where {intro.speaker.name} {intro.verb}")

    def indirect_in(self, paragraph: _Paragraph) -> None:
        for sentence_start, sentence_end in paragraph.sentences:
            sentence = paragraph.masked[sentence_start:sentence_end]
            for match in _INDIRECT_CUE.finditer(sentence):
                bare = match.group("bare") is not None
                group = "bare" if bare else "verb"
                verb_start = sentence_start + match.start(group)
                verb_end = sentence_start + match.end(group)
                clause_start = sentence_start + match.end()
                if not self.verb_allowed(paragraph.masked, verb_start, verb_end):
                    continue
                if clause_start >= sentence_end or paragraph.masked[clause_start] in _OPENERS + "—":
                    continue
                clause_end = sentence_end
                semicolon = re.search(r"[；;]", paragraph.masked[clause_start:sentence_end])
                if semicolon:  # "A表示，…；B表示，…": a semicolon ends A's clause
                    clause_end = clause_start + semicolon.start()
                while clause_end > clause_start and paragraph.text[clause_end - 1] in _FINAL_PUNCTUATION + "”」』":
                    clause_end -= 1
                if paragraph.masked[sentence_start:sentence_end].rstrip().endswith(("：", ":")):
                    continue  # it introduces what follows; colon_intro handles it
                if bare and (clause_end - clause_start < 8 or re.search(r"[，,]", paragraph.masked[clause_start:clause_start + 4])):
                    continue  # "表示感谢", "表示，…" : a bare verb needs a clause of its own
                for block, start, end in self.results:
                    # "回忆，…技术后，「全球首款…」。": the reported clause stops where his own words begin
                    if block == paragraph.index and clause_start < start - 1 and end >= clause_end:
                        clause_end = start - 1
                        while clause_end > clause_start and paragraph.text[clause_end - 1] in _FINAL_PUNCTUATION:
                            clause_end -= 1
                if clause_end - clause_start < 4 or any(
                    block == paragraph.index and start < clause_end and end > clause_start
                    and 2 * (min(end, clause_end) - max(start, clause_start)) >= clause_end - clause_start
                    for block, start, end in self.results
                ):
                    continue  # too short, or a direct quote already covers it (not a partial quotation in it)
                speaker = self.subject_before(paragraph, verb_start, sentence_start)
                if speaker is None:
                    continue
                verb = paragraph.text[verb_start:verb_end]
                cue = _Cue(speaker, verb, "", (paragraph.index, sentence_start, sentence_end))
                reason = f"reported without quotation marks after {speaker.name}{verb}"
                if speaker.via == "pronoun":
                    reason += f" (pronoun refers to {speaker.name})"
                self.suggest(paragraph.index, clause_start, clause_end, "indirect", cue,
                             0.65 if speaker.via != "pronoun" else 0.5, reason, exclude_after=verb_start)
                if not semicolon:
                    break  # one reported clause per sentence, unless a semicolon starts another


def _content(text: str) -> str:
    return "".join(c for c in fold_chars(text) if c.isalnum())


def suggest_quotes(
    paragraphs: list[str],
    *,
    known: list[KnownEntity] = (),
    story_date: datetime.date | None = None,
    index: KnownIndex | None = None,
) -> list[QuoteSuggestion]:
    """Suggest direct, indirect and fragment quotes with their speakers, in text order.

    ``index``: the known entities' ``KnownIndex`` built once for many files (else built from ``known``).
    """
    paragraphs = list(paragraphs)
    index = index if index is not None else KnownIndex(known)
    first = _QuoteFinder(paragraphs, index, story_date).run()
    discovered = {s.speaker_name for s in first if s.speaker_key is None and s.speaker_kind == "person"}
    # A transliterated name the text introduces after a title ("共同创办人保罗．格拉汉") is later
    # printed by its last part alone ("格拉汉日前指出"): that part is a person too.
    for text in paragraphs:
        folded = fold_chars(text)
        for start, end in _titled_names(folded):
            run = re.match(rf"[{HAN_CLASS}]{{1,6}}[·．・‧•]([{HAN_CLASS}]{{2,6}})", text[start:])
            if run:
                discovered.add(run.group(1))
            # A name printed once after a title ("董事长蔡衍明") is a person's name everywhere in the story.
            discovered.add(text[start:end])
    if not discovered:
        return first
    return _QuoteFinder(paragraphs, index, story_date, extra_persons=discovered).run()
