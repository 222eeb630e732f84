"""Names: known entities, unknown person names, roles before a name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsroom.text import HAN_CLASS, fold_chars, is_han

from .paragraphs import _Paragraph
from .results import Anchor
from .vocabulary import (
    _ACRONYM_TITLE, _ADVERBIAL_TAILS, _COMPOUND_SURNAMES, _CONNECTOR_ENDINGS, _is_word_char,
    _NOT_IN_GIVEN_NAME, _NOT_NAMES, _PAST_ROLE_MARKERS, _ROLE_LEADING_NOISE, _SURNAMES,
    _SPEECH_VERB_RE, _TITLE_SUFFIXES,
)


@dataclass(frozen=True)
class _Name:
    folded: str
    key: str | None
    kind: str


@dataclass
class _Speaker:
    name: str  # as printed
    key: str | None
    kind: str
    span: Anchor  # where the text names the speaker
    role: str | None = None
    role_is_past: bool = False
    via: str = "name"  # "name" | "pronoun" | "guess"


def folded_name(name: str) -> str:
    """A known entity's name as matched (folded, stripped): asked once per name when a ``KnownIndex``
    is built (no cache: one of every name of 20,000 entities would be memory held for nothing)."""
    return fold_chars(name.strip())


class _SpeakerNames:
    """One list's speaker names ({folded: _Name}, in the list's order): looked up by the suffix of
    a clause (one dictionary question per name length) and, for persons, by their first character."""

    def __init__(self, by_folded: dict[str, _Name]):
        self.by_folded = by_folded
        self.lengths = sorted({len(name) for name in by_folded if name}, reverse=True)
        # Persons longest first, the list's order among names of one length (``rank``).
        self.persons_by_first: dict[str, list[str]] = {}
        self.rank: dict[str, int] = {}
        for i, name in enumerate(sorted((n for n in by_folded if n), key=len, reverse=True)):
            self.rank[name] = i
            if by_folded[name].kind == "person":
                self.persons_by_first.setdefault(name[:1], []).append(name)


class _Names:
    """Speaker names: known persons and organizations, plus names found on the way.

    ``known``: the ``KnownEntity`` list, or the speaker layers of a ``KnownIndex`` (built once for many
    files). A name belongs to its first holder, layer after layer, then to ``extra_persons``.
    """

    def __init__(self, known, extra_persons=()):
        if isinstance(known, list) and known and isinstance(known[0], _SpeakerNames):
            layers = list(known)
        else:
            by_folded: dict[str, _Name] = {}
            for entity in known:
                if entity.kind not in ("person", "organization"):
                    continue
                for name in entity.names:
                    folded = folded_name(name)
                    if len(folded) >= 2 and folded not in by_folded:
                        by_folded[folded] = _Name(folded, entity.key, entity.kind)
            layers = [_SpeakerNames(by_folded)]
        extra: dict[str, _Name] = {}

        def add(folded):
            if not any(folded in layer.by_folded for layer in layers):
                extra.setdefault(folded, _Name(folded, None, "person"))

        for name in extra_persons:
            folded = fold_chars(name)
            add(folded)
            # A Latin "First Last" name is later often referred to by its last word.
            if re.fullmatch(r"[A-Z][a-z]+(?:[ ·.][A-Z][a-z]+)+", folded):
                add(re.split(r"[ ·.]", folded)[-1])
        if extra:
            layers.append(_SpeakerNames(extra))
        self.layers = layers
        self.lengths = sorted({n for layer in layers for n in layer.lengths}, reverse=True)

    def get(self, folded: str) -> _Name | None:
        for layer in self.layers:
            name = layer.by_folded.get(folded)
            if name is not None:
                return name
        return None

    def ending(self, region: str) -> _Name | None:
        """The longest known name that ends ``region`` on a word boundary."""
        size = len(region)
        for length in self.lengths:
            if length > size:
                continue
            entry = self.get(region[size - length:])
            if entry is None:
                continue
            before = region[size - length - 1] if size > length else ""
            if _is_word_char(entry.folded[0]) and before and _is_word_char(before):
                continue
            return entry
        return None

    def persons_in(self, folded: str) -> list[tuple[int, int, _Name]]:
        """Non-overlapping occurrences of person names, in text order."""
        found = []
        taken = [False] * len(folded)
        chars = set(folded)
        candidates = []
        for i, layer in enumerate(self.layers):
            for char in chars:
                for name in layer.persons_by_first.get(char, ()):
                    if name in folded:
                        candidates.append((-len(name), i, layer.rank[name], name, layer.by_folded[name]))
        for _length, _layer, _rank, name, entry in sorted(candidates):
            start = folded.find(name)
            while start != -1:
                end = start + len(name)
                if not any(taken[start:end]) and _on_word_boundary(folded, start, end):
                    found.append((start, end, entry))
                    taken[start:end] = [True] * (end - start)
                start = folded.find(name, start + 1)
        return sorted(found, key=lambda item: item[0])


def _on_word_boundary(text: str, start: int, end: int) -> bool:
    if _is_word_char(text[start]) and start > 0:
        before = text[start - 1]
        if _is_word_char(before) or (before in "-." and start > 1 and _is_word_char(text[start - 2])):
            return False
    if _is_word_char(text[end - 1]) and end < len(text):
        after = text[end]
        if _is_word_char(after) or (after in "-." and end + 1 < len(text) and _is_word_char(text[end + 1])):
            return False
    return True


def _ends_with_title(text: str) -> bool:
    return bool(_ACRONYM_TITLE.search(text)) or text.endswith(tuple(_TITLE_SUFFIXES))


def _good_name_boundary(prefix: str) -> bool:
    if not prefix:
        return True
    last = prefix[-1]
    return (
        not is_han(last)
        or last == "的"
        or _ends_with_title(prefix)
        or prefix.endswith(_CONNECTOR_ENDINGS)
    )


def _guess_person(region: str) -> int | None:
    """Length of an unknown person's name ending ``region``, or None.

    A Han name is 2-3 characters (4 with a compound surname) starting with a
    surname.  Among the lengths that fit, the one whose preceding text ends on
    a word boundary wins (nothing, punctuation, 的, a title, a connector); a
    name glued to a company name ("蔚来李斌", "腾讯马化腾") is accepted when only
    one length starts with a surname at all.
    """
    latin = re.search(r"(?:^|[^A-Za-z])([A-Z][a-z]+(?:[ ·.][A-Z][a-z]+)+)$", region)
    if latin:
        return len(latin.group(1))
    transliterated = re.search(rf"[{HAN_CLASS}]{{1,6}}[·．・‧•][{HAN_CLASS}]{{1,6}}$", region)
    if transliterated:
        name = transliterated.group(0)
        for title in _TITLE_SUFFIXES:  # "共同创办人约翰．史密斯": the title is not part of the name
            if len(title) > 1 and title in name[:-2]:
                name = name[name.rindex(title) + len(title):]
        return len(name)
    titled = _titled_tail(region)
    if titled:
        return titled
    fitting = [length for length in (4, 3, 2) if _is_name_shape(region, length)]
    for length in fitting:
        if _good_name_boundary(region[:-length]):
            return length
    if len(fitting) == 1 and len(region) > fitting[0] and not _TITLED_NAME.search(region[:-fitting[0]]):
        return fitting[0]  # glued to a company name ("蔚来李斌"), unless a titled name came before it
    return None


def _titled_tail(region: str) -> int | None:
    """Length of a name of 2-4 Han characters printed right after a title at the end of ``region``:
    the title tells a transliterated name with no surname ("执行长基辛格", "CEO库克") from words."""
    match = _TITLED_TAIL.search(region)
    if not match:
        return None
    name = match.group("name")
    if name in _NOT_NAMES or name in _AFTER_TITLE_NOUNS or any(c in _NOT_IN_GIVEN_NAME for c in name) \
            or _ends_with_title(name) or re.search(_SPEECH_VERB_RE, name):  # "高管透露" is no name
        return None
    return len(name)


def _is_name_shape(region: str, length: int) -> bool:
    """Whether the last ``length`` characters could be a Han personal name."""
    if len(region) < length:
        return False
    candidate = region[-length:]
    if not all(is_han(c) for c in candidate) or candidate in _NOT_NAMES:
        return False
    if candidate[:2] in _COMPOUND_SURNAMES:
        surname = 2
    elif candidate[0] in _SURNAMES:
        surname = 1
    else:
        return False
    given = candidate[surname:]
    if len(given) == 2 and given[0] == "和" and given[1] not in _SURNAMES and given[1] not in _NOT_IN_GIVEN_NAME:
        # 和 names people (徐和谊, 张和平) as often as it joins two ("王和李"): only before a
        # character that is no surname, after a word boundary (nothing, punctuation, a title)
        return _good_name_boundary(region[:-length])
    return 1 <= len(given) <= 2 and not any(c in _NOT_IN_GIVEN_NAME for c in given)


_PLURAL_HINT = re.compile(r"两人|二人|三人|双方|他们|她们|他俩|两位|几位|众人")
# Titles a name follows. One-character titles (长, 总, 官) are left out ("总统府" is not 总 + a name);
# the common ...长 and ...官 titles are listed whole.
_NAME_TITLES = sorted({*(t for t in _TITLE_SUFFIXES if len(t) > 1),
                       "理事长", "执行长", "营运长", "财务长", "技术长", "创新长", "院长", "社长", "市长", "县长",
                       "校长", "行长", "局长", "会长", "秘书长", "处长", "所长", "首长", "执行官", "首席执行官"},
                      key=len, reverse=True)
_TITLED_NAME = re.compile(
    "(?:" + "|".join(re.escape(t) for t in _NAME_TITLES) + r"|[A-Z]{2,5})"
    rf"(?P<name>[{HAN_CLASS}]{{2,3}})"
)


# Nouns that follow a title without being a name ("副总裁级别").
_AFTER_TITLE_NOUNS = {"级别", "职位", "身份", "一职", "人选", "团队", "职务", "任期", "办公室", "候选人"}
_TITLED_TAIL = re.compile(
    "(?:" + "|".join(re.escape(t) for t in _NAME_TITLES) + r"|[A-Z]{2,5})"
    rf"(?P<name>[{HAN_CLASS}]{{2,4}})$"
)


def _titled_names(folded: str) -> list[tuple[int, int]]:
    """Spans of unknown names printed right after a title ("董事长刘扬伟")."""
    spans = []
    for match in _TITLED_NAME.finditer(folded):
        start = match.start("name")
        for length in (3, 2):
            candidate = folded[start:start + length]
            if len(candidate) == length and _guess_person(candidate) == length:
                spans.append((start, start + length))
                break
        else:
            # a transliterated name ("执行长库克也在…"): the run of 2-4 characters up to a word
            # that cannot be part of a name
            for length in (4, 3, 2):
                following = folded[start + length:start + length + 1]
                # what follows must end a name: a function word, a bracketed gloss, a dot, the end
                if (_titled_tail(folded[:start + length]) == length
                        and (not following or following in _NOT_IN_GIVEN_NAME or following in "（(·．・‧•"
                             or following.isascii())):
                    spans.append((start, start + length))
                    break
    return spans


def _strip_adverbials(region: str, names: _Names) -> str:
    changed = True
    while changed and region:
        changed = False
        if names.ending(region):
            break
        for pattern in _ADVERBIAL_TAILS:
            match = pattern.search(region)
            if match and match.start() >= 1 and match.end() == len(region):
                start = match.start()
                if region.endswith("地"):
                    # "蔡衍明很认真地": the longest adverb that leaves a name before it ("明很认真地" does not)
                    # (a known name first, else the commonest length of a Han name, three)
                    cuts = range(max(1, len(region) - 6), len(region) - 2)
                    start = next((s for s in cuts if names.ending(region[:s])),
                                 next((s for s in cuts if _guess_person(region[:s]) == 3), start))
                region = region[:start].rstrip()
                changed = True
                break
    return region


def _role(paragraph: _Paragraph, start: int, end: int) -> tuple[str | None, bool]:
    """The title printed in folded[start:end] before a name, and whether it is past."""
    folded = paragraph.folded[start:end]
    cut = max((m.end() for m in re.finditer(r"在[^，,]*?(?:上|时|中|期间)", folded)), default=0)
    start += cut
    folded = folded[cut:]
    while folded.endswith(("的", " ")):
        folded, end = folded[:-1], end - 1
    changed = True
    while changed:
        changed = False
        for noise in _ROLE_LEADING_NOISE:
            if folded.startswith(noise) and not folded.startswith(_PAST_ROLE_MARKERS[:2]):
                folded, start, changed = folded[len(noise):], start + len(noise), True
                break
    is_past = False
    for marker in _PAST_ROLE_MARKERS:
        if folded.startswith(marker) and len(folded) > len(marker) + 1:
            folded, start, is_past = folded[len(marker):], start + len(marker), True
            break
    folded = folded.strip()
    if not folded or not _ends_with_title(folded) or len(folded) > 30:
        return None, False
    text = paragraph.text[start:end].strip()
    return text, is_past
