"""The cleaner's results: changes (repairs), flags, script suggestions, and ``rebuild``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """One change the cleaner made; stored by the importer as a ``repair`` annotation."""

    start: int  # span in the cleaned text (code points), end exclusive, end > start
    end: int
    original: str  # the text as received for that span
    replacement: str  # == cleaned_text[start:end]
    rule: str  # "pinyin" | "orphan-pinyin" | "html" | "mojibake" | "punctuation" | "unicode"
    sure: bool  # True: applied and resolved; False: applied as a proposal, open for an editor
    note: str  # one line for the editor


@dataclass(frozen=True)
class Flag:
    """Damage left in place, or something an editor must look at (an open ``flag`` annotation)."""

    start: int
    end: int
    rule: str  # "orphan-pinyin" | "mojibake" | "control-char" | "tone-mismatch" | "unmatched-pinyin"
    #            | "empty" (cleaning would have removed everything: the text was kept as received)
    note: str


@dataclass(frozen=True)
class ScriptSuggestion:
    """Simplified characters inside traditional text: suggested, never applied."""

    start: int
    end: int
    text: str
    proposed: str
    note: str


@dataclass
class CleanResult:
    text: str
    changes: list[Change] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    suggestions: list[ScriptSuggestion] = field(default_factory=list)

    def rebuild(self) -> str:
        """The exact input, from the cleaned text and the changes."""
        return rebuild(self.text, self.changes)


def rebuild(text: str, changes: list[Change]) -> str:
    """Undo ``changes`` on ``text``: give back the text as received."""
    out: list[str] = []
    pos = 0
    for ch in sorted(changes, key=lambda c: c.start):
        if ch.start < pos or text[ch.start : ch.end] != ch.replacement:
            raise ValueError(f"change {ch!r} does not fit the text")
        out.append(text[pos : ch.start])
        out.append(ch.original)
        pos = ch.end
    out.append(text[pos:])
    return "".join(out)
