"""Speakers and attribution cues: who says a quotation, found before, after or around it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsroom.text import fold_chars

from .names import _ends_with_title, _guess_person, _role, _Speaker, _strip_adverbials, _titled_names
from .paragraphs import _Paragraph, _Quotation
from .results import Anchor
from .vocabulary import (
    _CLAUSE_BOUNDARIES, _INDIRECT_CUE, _MASK, _PLURAL_PRONOUN, _POST_CUE, _PRE_CUE, _PREDICATE_MARKERS,
    _PRONOUNS, _SPEECH_VERB_RE, _STATEMENT_CUE, _TELL_CUE, _TERM_AFTER, _TERM_BEFORE, _VERB_NOT_AFTER,
    _VERB_NOT_BEFORE,
)


# A bracketed gloss after a name: "库克（Tim Cook）", "季辛格(Pat Gelsinger)"
_TRAILING_GLOSS = re.compile(r"\s*[（(][^()（）" + _MASK + r"]{1,40}[)）]$")


# A subject that is a person but no name: "有分析师", "一位业内人士", "不少网友"
_ANONYMOUS_SUBJECT = re.compile(r"^(?:有|一位|一名|一些|多位|多名|不少|许多|部分|有些|某些|某位)")


def _clause_start(masked: str, position: int, floor: int) -> int:
    """Start of the clause ending at ``position``. A quotation glued into the clause after a Han
    character (``白华在“…峰会”上表示``) names a thing inside it and does not end it."""
    start = position
    while start > floor:
        char = masked[start - 1]
        if char in "”」" and start >= 2 and masked[start - 2] == _MASK:
            opener = start - 2
            while opener > floor and masked[opener] == _MASK:
                opener -= 1
            if masked[opener] in "“「" and opener > floor and "\u4e00" <= masked[opener - 1] <= "\u9fff":
                start = opener
                continue
        if char in _CLAUSE_BOUNDARIES:
            break
        start -= 1
    return start


@dataclass
class _Cue:
    speaker: _Speaker
    verb: str  # as printed
    how: str  # reason template, "{name}" stands for the speaker
    sentence: tuple[int, int, int]  # block, start, end of the sentence with the attribution


class _SpeakerCues:
    """Finding speakers and attribution cues; the base of the quote finder (needs
    ``self.paragraphs`` and ``self.names``)."""

    # -- speakers ----------------------------------------------------------

    def speaker_in(self, paragraph: _Paragraph, start: int, end: int) -> _Speaker | None:
        """The speaker ending the region masked[start:end] (adverbials allowed after it)."""
        region = paragraph.masked[start:end]
        stripped = region.rstrip()
        previous = None
        while stripped != previous:  # "唐唯实(Carlos Tavares)周二": adverbials, then the bracketed gloss
            previous = stripped
            stripped = _strip_adverbials(stripped, self.names)
            stripped = _TRAILING_GLOSS.sub("", stripped)  # "库克（Tim Cook）": the name is before it
        if not stripped:
            return None
        name_end = start + len(stripped)
        if _PLURAL_PRONOUN.search(stripped):
            return None
        if stripped.endswith(_PRONOUNS) and not stripped.endswith("其他"):
            return self.antecedent(paragraph.index, name_end - 1)
        known = self.names.ending(stripped)
        if known:
            # A name found by this module's own first pass (no key) is still a guess.
            length, key, kind = len(known.folded), known.key, known.kind
            via = "name" if key else "guess"
        else:
            length = _guess_person(stripped)
            if length is None:
                return None
            key, kind, via = None, "person", "guess"
        name_start = name_end - length
        role, is_past = _role(paragraph, start, name_start)
        name = paragraph.text[name_start:name_end]
        return _Speaker(name, key, kind, Anchor(paragraph.index, name_start, name_end, name), role, is_past, via)

    def antecedent(self, block: int, position: int) -> _Speaker | None:
        """The person named last before (block, position), looking back up to three paragraphs."""
        for b in range(block, max(-1, block - 4), -1):
            candidate = self.paragraphs[b]
            limit = position if b == block else len(candidate.masked)
            persons = self.names.persons_in(candidate.masked[:limit])
            # an unknown name printed after a title ("CEO冯思翰博士") is a person too
            titled = [(s, e, None) for s, e in _titled_names(candidate.folded[:limit])
                      if not any(ps < e and s < pe for ps, pe, _ in persons)]
            persons = sorted(persons + titled, key=lambda item: item[0])
            if persons:
                start, end, entry = persons[-1]
                name = candidate.text[start:end]
                key, kind = (entry.key, entry.kind) if entry else (None, "person")
                speaker = _Speaker(name, key, kind, Anchor(b, start, end, name), via="pronoun")
                role, is_past = self._role_before(candidate, start)
                speaker.role, speaker.role_is_past = role, is_past
                return speaker
        return None

    def _role_before(self, paragraph: _Paragraph, name_start: int) -> tuple[str | None, bool]:
        clause_start = name_start
        while clause_start > 0 and paragraph.masked[clause_start - 1] not in _CLAUSE_BOUNDARIES:
            clause_start -= 1
        return _role(paragraph, clause_start, name_start)

    def subject_before(self, paragraph: _Paragraph, verb_start: int, sentence_start: int) -> _Speaker | None:
        """The speaker of a verb at verb_start: in its clause, else at the end of the clause before."""
        clause_start = _clause_start(paragraph.masked, verb_start, sentence_start)
        speaker = self.speaker_in(paragraph, clause_start, verb_start)
        if speaker is not None:
            return speaker
        rest = _strip_adverbials(paragraph.masked[clause_start:verb_start].strip(), self.names)
        if rest:
            if _ANONYMOUS_SUBJECT.match(rest) or _ends_with_title(rest):
                return None  # "有分析师受访时说": the clause names its own speaker, and no name
            # "魏哲家受邀出席表示": the clause's subject opens the sentence, before what he did.
            return self.sentence_subject(paragraph, sentence_start, verb_start)
        # "作为…的周靖人，明确了…": the subject closes the previous clause.
        previous_end = clause_start - 1
        if previous_end <= sentence_start or paragraph.masked[previous_end] not in "，,":
            return self.sentence_subject(paragraph, sentence_start, verb_start)
        previous_start = previous_end
        while previous_start > sentence_start and paragraph.masked[previous_start - 1] not in _CLAUSE_BOUNDARIES:
            previous_start -= 1
        return (self.speaker_in(paragraph, previous_start, previous_end)
                or self.sentence_subject(paragraph, sentence_start, verb_start))

    def sentence_subject(self, paragraph: _Paragraph, sentence_start: int, verb_start: int) -> _Speaker | None:
        """The one person the sentence names before the verb ("小米总裁卢伟冰昨看完发布会，清晨发文表示",
        "董事长魏哲家受邀出席表示"): known persons and names after a title (not inside brackets, where
        datelines and photo credits stand), else a surname name opening the sentence."""
        semicolon = max(paragraph.masked.rfind("；", sentence_start, verb_start),
                        paragraph.masked.rfind(";", sentence_start, verb_start))
        if semicolon >= 0:  # "…未提及马云；有分析师…说": a semicolon closes the earlier clause's subject
            sentence_start = semicolon + 1
        masked = paragraph.masked[sentence_start:verb_start]
        if not masked.strip():
            return None
        bracketed = [(m.start(), m.end()) for m in re.finditer(r"[（(〔【][^()（）〔〕【】]*[)）〕】]", masked)]
        persons = [(s, e) for s, e, entry in self.names.persons_in(masked) if entry.kind == "person"]
        persons += [(s, e) for s, e in _titled_names(paragraph.folded[sentence_start:verb_start])
                    if not any(ps < e and s < pe for ps, pe in persons)]
        persons = [(s, e) for s, e in sorted(persons) if not any(bs <= s and e <= be for bs, be in bracketed)]
        distinct = {fold_chars(paragraph.text[sentence_start + s:sentence_start + e]) for s, e in persons}
        if len(distinct) > 1:
            return None  # two people before the verb: do not guess which one speaks
        if persons:
            found = persons[0]
        else:
            lead = masked.lstrip()
            offset = len(masked) - len(lead)
            found = None
            for length in (3, 2):
                if _guess_person(lead[:length]) == length and (len(lead) == length or not _guess_person(lead[:length + 1])):
                    found = (offset, offset + length)
                    break
            if found is None:
                return None
        name_start, name_end = sentence_start + found[0], sentence_start + found[1]
        name = paragraph.text[name_start:name_end]
        known = self.names.ending(paragraph.masked[sentence_start:name_end])
        key, kind = (known.key, known.kind) if known and known.key else (None, "person")
        role, is_past = _role(paragraph, sentence_start, name_start)
        return _Speaker(name, key, kind, Anchor(paragraph.index, name_start, name_end, name), role, is_past,
                        "name" if key else "guess")

    def colon_subject(self, paragraph: _Paragraph, quotation: _Quotation) -> _Cue | None:
        """"周鸿祎……金句频出：“……”": the one person who opens a sentence that a colon ends speaks."""
        sentence_start, sentence_end = paragraph.sentence_at(quotation.open)
        colon = re.search(r"[：:]\s*$", paragraph.masked[sentence_start:quotation.open])
        if not colon or not self.is_substantial(paragraph, quotation):
            return None
        speaker = self.sentence_subject(paragraph, sentence_start, sentence_start + colon.start())
        if speaker is None:
            return None
        return _Cue(speaker, "：", "{name} opens the sentence that the colon before the quote ends",
                    (paragraph.index, sentence_start, sentence_end))

    def speaker_earlier_in_paragraph(self, paragraph: _Paragraph, quotation: _Quotation) -> _Cue | None:
        """A quotation that opens its sentence after sentences reporting one person's words."""
        sentence_start, sentence_end = paragraph.sentence_at(quotation.open)
        if not quotation.closed or paragraph.masked[sentence_start:quotation.open].strip():
            return None
        if not self.is_substantial(paragraph, quotation):
            return None
        speakers = {}
        for start, end in paragraph.sentences:
            if start >= sentence_start:
                break
            sentence = paragraph.masked[start:end]
            for match in re.finditer(_SPEECH_VERB_RE, sentence):
                verb_start = start + match.start()
                if not self.verb_allowed(paragraph.masked, verb_start, start + match.end()):
                    continue
                speaker = self.subject_before(paragraph, verb_start, start)
                if speaker is not None:
                    speakers.setdefault(fold_chars(speaker.name), (speaker, match.group(0), (start, end)))
        if len(speakers) != 1:
            return None
        speaker, verb, (start, end) = next(iter(speakers.values()))
        return _Cue(speaker, verb, "{name} is the one speaker of the sentences before it in the paragraph",
                    (paragraph.index, start, end))

    # -- cues --------------------------------------------------------------

    def verb_allowed(self, folded: str, start: int, end: int) -> bool:
        verb = folded[start:end]
        base = "说" if verb.startswith("说") else verb
        if verb.startswith(("称", "笑称")):
            base = "称"
        if folded[max(0, start - 1):start] == "被":
            return False
        for before in _VERB_NOT_AFTER.get(base, ()):
            if folded[:start].endswith(before):
                return False
        for after in _VERB_NOT_BEFORE.get(base, ()):
            if folded[end:].startswith(after):
                return False
        return True

    def cue_before(self, paragraph: _Paragraph, quotation: _Quotation) -> _Cue | None:
        sentence_start, sentence_end = paragraph.sentence_at(quotation.open)
        lead = paragraph.masked[sentence_start:quotation.open]
        match = _PRE_CUE.search(lead) or _TELL_CUE.search(lead)
        if not match:
            return None
        verb_start, verb_end = sentence_start + match.start("verb"), sentence_start + match.end("verb")
        if not self.verb_allowed(paragraph.masked, verb_start, verb_end):
            return None
        speaker = self.subject_before(paragraph, verb_start, sentence_start)
        if speaker is None:
            return None
        verb = paragraph.text[verb_start:verb_end]
        return _Cue(speaker, verb, f"speech verb {verb} after {{name}}",
                    (paragraph.index, sentence_start, sentence_end))

    def cue_earlier_in_sentence(self, paragraph: _Paragraph, quotation: _Quotation) -> _Cue | None:
        """A speaker and speech verb earlier in the sentence that a substantial quote ends.

        "谭待宣布豆包降价，“把价格打下来……”": the verb is not next to the quotation,
        so the cue is weaker; a short term in mid-sentence never qualifies.
        """
        sentence_start, sentence_end = paragraph.sentence_at(quotation.open)
        if not quotation.closed or not self.is_substantial(paragraph, quotation):
            return None
        if paragraph.masked[quotation.close + 1:sentence_end].strip("。！？!?…；;，, "):
            return None
        lead_end = quotation.open
        while lead_end > sentence_start and paragraph.masked[lead_end - 1] in "，,：: —":
            lead_end -= 1
        lead = paragraph.masked[sentence_start:lead_end]
        if _MASK in lead:
            return None  # an earlier quotation sits between: too far to tell
        for match in reversed(list(re.finditer(_SPEECH_VERB_RE, lead))):
            verb_start, verb_end = sentence_start + match.start(), sentence_start + match.end()
            if not self.verb_allowed(paragraph.masked, verb_start, verb_end):
                continue
            speaker = self.subject_before(paragraph, verb_start, sentence_start)
            if speaker is not None:
                verb = paragraph.text[verb_start:verb_end]
                return _Cue(speaker, verb, f"{{name}} {verb} earlier in the sentence the quote ends",
                            (paragraph.index, sentence_start, sentence_end))
        return None

    def cue_reported_clause(self, paragraph: _Paragraph, quotation: _Quotation) -> _Cue | None:
        """A partial quotation inside the clause a named speaker reports ("余承东说，这个销售情况
        「远超过预期」，因此…", "基辛格表示，全球现在仍「处在AI的起点…」"): his words, when they
        read as words (a predicate, not a term: see ``_PREDICATE_MARKERS``) and nothing names them
        as a term (``称为“…”``, ``“…”的``)."""
        if not quotation.closed:
            return None
        start, end = quotation.inner
        inner = paragraph.folded[start:end]
        if len(inner.strip()) < 4 or not _PREDICATE_MARKERS.search(inner):
            return None
        sentence_start, sentence_end = paragraph.sentence_at(quotation.open)
        lead = paragraph.masked[sentence_start:quotation.open]
        if _TERM_BEFORE.search(lead) or _TERM_AFTER.match(paragraph.masked[quotation.close + 1:]):
            return None
        for match in reversed(list(_INDIRECT_CUE.finditer(lead))):
            if match.group("bare") is not None:
                continue  # "表示感谢“…”": only a verb with its comma opens a reported clause
            verb_start, verb_end = sentence_start + match.start("verb"), sentence_start + match.end("verb")
            if _MASK in paragraph.masked[verb_end:quotation.open]:
                return None  # another quotation stands between: too far to tell
            if not self.verb_allowed(paragraph.masked, verb_start, verb_end):
                continue
            speaker = self.subject_before(paragraph, verb_start, sentence_start)
            if speaker is None:
                return None
            verb = paragraph.text[verb_start:verb_end]
            return _Cue(speaker, verb, f"a partial quotation in the clause {{name}} reports with {verb}",
                        (paragraph.index, sentence_start, sentence_end))
        return None

    def cue_after(self, paragraph: _Paragraph, quotation: _Quotation) -> _Cue | None:
        if not quotation.closed:
            return None
        sentence_start, sentence_end = paragraph.sentence_at(quotation.open)
        after_start = quotation.close + 1
        tail = paragraph.masked[after_start:max(sentence_end, after_start)]
        match = _POST_CUE.match(tail)
        if not match:
            return None
        verb_start = after_start + match.start("verb")
        verb_end = after_start + match.end("verb")
        if not paragraph.masked[verb_start:verb_end].startswith("给") and not self.verb_allowed(
            paragraph.masked, verb_start, verb_end
        ):
            return None
        subject_start = after_start + match.start("subject")
        speaker = self.speaker_in(paragraph, subject_start, verb_start)
        if speaker is None:
            return None
        # The speaker must open the subject: nothing but a role may stand before the name.
        if speaker.via != "pronoun" and speaker.span.block == paragraph.index:
            before = paragraph.folded[subject_start:speaker.span.start].strip()
            if before and speaker.role is None:
                return None
        verb = paragraph.text[verb_start:verb_end]
        return _Cue(speaker, verb, f"{{name}} named after the quote with {verb}",
                    (paragraph.index, sentence_start, sentence_end))

    def colon_intro(self, paragraph: _Paragraph) -> _Cue | None:
        """A paragraph ending in a colon whose last clause has a speaker and a statement verb."""
        text = paragraph.masked.rstrip()
        if not text.endswith(("：", ":")):
            return None
        end = len(text) - 1
        sentence_start, _ = paragraph.sentence_at(max(0, end - 1))
        clause_start = end
        while clause_start > sentence_start and paragraph.masked[clause_start - 1] not in "，,；;。！？!?：:":
            clause_start -= 1
        clause = paragraph.masked[clause_start:end]
        for match in _STATEMENT_CUE.finditer(clause):
            verb_start, verb_end = clause_start + match.start("verb"), clause_start + match.end("verb")
            if not self.verb_allowed(paragraph.masked, verb_start, verb_end):
                continue
            speaker = self.subject_before(paragraph, verb_start, sentence_start)
            if speaker is not None:
                verb = paragraph.text[verb_start:verb_end]
                return _Cue(speaker, verb,
                            f"paragraph {paragraph.index} names {{name}} with {verb} and ends with a colon",
                            (paragraph.index, sentence_start, len(paragraph.text)))
        return None
