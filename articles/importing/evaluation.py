"""Score an imported story document against an editor's reading of the same text (pure, no database).

The development set (``tests/data/realworld/``) pairs each raw excerpt ``NN-name.txt`` with
``NN-name.json``: the title, bylines and section headings an editor would give it (``null`` where
the reading is ambiguous: not scored), its direct quotes and indirect statements with speakers,
the scare-quoted terms, and the repairs (garbled -> clean, with a few characters of clean context
before and after). Items with ``"ambiguous"`` are left out of every figure.

How things are matched (texts compared after ``fold_chars``, NFKC per character and dropping
everything but letters and digits):

- a suggested quote *matches* a gold direct quote when either text contains the other and the
  shorter is at least half the longer (or, for quotes of 20 characters or more, when they agree in
  90% of their characters: the same words with a little damage left unrepaired under a flag), a gold indirect statement when it contains the statement
  (its anchor runs to the end of the sentence) or half of it; its speaker is *right* when the
  speaker's name equals the gold one (or one of its spellings, when the text prints two);
- a suggestion matching no gold quote (ambiguous ones included) is *not speech*; one whose text
  is a scare-quoted term (or the term and at most two more characters) is a *scare quote taken
  for speech*;
- a repair is located by its context in the imported text: *exact* when the text between the
  contexts is the clean text, *wrong* when it is neither clean nor garbled, *flagged* when still
  garbled under an open flag or repair annotation, else *missed*.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from newsroom.text import fold_chars

# figure -> True when higher is better (the ratchet checks each one in its direction)
FIGURES = {
    "direct_quotes_right": True,
    "direct_quotes_total": None,
    "direct_recall": True,
    "suggestion_precision": True,
    "indirect_right": True,
    "indirect_total": None,
    "indirect_recall": True,
    "wrong_speakers": False,
    "scare_quotes_as_speech": False,
    "not_speech": False,
    "repairs_total": None,
    "repairs_exact": True,
    "repairs_flagged": None,
    "repairs_missed": False,
    "repairs_wrong": False,
    "repairs_exact_rate": True,
    "repairs_made_or_flagged_rate": True,
    "damage_left_unflagged": False,
    "structure_checks": None,
    "structure_right": True,
    "structure_rate": True,
}


def norm(text):
    """Letters and digits only, folded to simplified script and half width, for comparisons."""
    out = []
    for char in fold_chars(text or ""):
        char = unicodedata.normalize("NFKC", char).lower()
        out.append("".join(c for c in char if c.isalnum()))
    return "".join(out)


def _width_fold(text):
    """Half-width forms, one character for one (positions are kept)."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def texts_match(suggested, gold, kind="direct"):
    """Whether a suggested quote's text stands for a gold quote's (see the module docstring)."""
    s, g = norm(suggested), norm(gold)
    if not s or not g:
        return False
    if s in g:
        return len(s) * 2 >= len(g)
    # an indirect statement's anchor runs to the end of its sentence: it may hold more than the gold
    if g in s and (kind != "direct" or len(g) * 2 >= len(s)):
        return True
    # the same long quote, but for a few characters of damage left in the text under a flag
    return min(len(s), len(g)) >= 20 and SequenceMatcher(None, s, g, autojunk=False).ratio() >= 0.9


@dataclass
class FileScore:
    name: str
    counts: dict = field(default_factory=dict)
    misses: list = field(default_factory=list)

    def add(self, key, n=1):
        self.counts[key] = self.counts.get(key, 0) + n


def _blocks(doc):
    article = doc["article"]
    for block in article.get("lede", []):
        yield block
    for section in article.get("sections", []):
        yield from section.get("blocks", [])


def score_story(name, doc, gold):
    """Compare one imported story document with its gold reading; returns a :class:`FileScore`."""
    score = FileScore(name)
    article = doc["article"]
    names = {e["id"]: e["name"] for e in doc.get("entities", [])}
    suggestions = [(q, q["anchor"]["exact"], names.get(q["speaker"], q["speaker"])) for q in doc.get("quotes", [])]
    golds = gold.get("quotes", [])
    used = set()
    for g in golds:
        kind = "direct" if g["kind"] == "direct" else "indirect"
        # an ambiguous item only keeps the suggestions that stand for it from counting as not speech
        rule = "indirect" if g.get("ambiguous") else kind
        matching = [(i, sp) for i, (_, text, sp) in enumerate(suggestions) if texts_match(text, g["text"], rule)]
        used.update(i for i, _ in matching)
        if g.get("ambiguous"):
            continue
        score.add(f"{kind}_total")
        speakers = g["speaker"] if isinstance(g["speaker"], list) else [g["speaker"]]  # one person, two spellings
        right = [i for i, sp in matching if norm(sp) in {norm(n) for n in speakers}]
        if right:
            score.add(f"{kind}_right")
            continue
        if matching:
            score.add("wrong_speakers")
            score.misses.append(f"{name}: {kind} quote given to {matching[0][1]} (not {g['speaker']}): {g['text']}")
        else:
            score.misses.append(f"{name}: {kind} quote by {g['speaker']} not found: {g['text']}")
    scare = [norm(t) for t in gold.get("scare_quotes", [])]
    for i, (q, text, speaker) in enumerate(suggestions):
        if i in used:
            score.add("suggestions_true")
            continue
        score.add("not_speech")
        n = norm(text)
        if any(t and (n == t or (t in n and len(n) <= len(t) + 2)) for t in scare):
            score.add("scare_quotes_as_speech")
            score.misses.append(f"{name}: scare quote taken for speech ({speaker}): {text}")
        else:
            score.misses.append(f"{name}: suggested quote is not speech ({speaker}): {text}")
    _score_repairs(score, name, doc, gold.get("repairs", []))
    _score_structure(score, name, article, gold)
    return score


def _score_repairs(score, name, doc, repairs):
    blocks = [b for b in _blocks(doc) if b.get("type") == "paragraph"]
    texts = [doc["article"].get("title") or ""] + [s.get("heading") or "" for s in doc["article"].get("sections", [])]
    open_spans = {}
    for a in doc.get("annotations", []):
        if a.get("status") == "open" and a["kind"] in ("flag", "repair"):
            open_spans.setdefault(a["anchor"]["block"], []).append((a["anchor"]["start"], a["anchor"]["end"]))
    for r in repairs:
        score.add("repairs_total")
        outcome = None
        for key, text in [(b["id"], b["text"]) for b in blocks] + [(None, t) for t in texts]:
            outcome = _locate(text, r, open_spans.get(key, []))
            if outcome:
                break
        if outcome is None and any(norm(r["before"] + r["clean"] + r["after"]) in norm(b)
                                   for b in doc["article"].get("bylines") or []):
            outcome = "exact"  # damage in a credit line, repaired in the byline
        outcome = outcome or "missed"
        score.add(f"repairs_{outcome}")
        if outcome in ("missed", "wrong", "flagged"):
            if outcome == "missed" and r.get("kind") in ("pinyin", "mojibake"):
                score.add("damage_left_unflagged")
            score.misses.append(f"{name}: repair {outcome}: {r['garbled']!r} -> {r['clean']!r}")


def _locate(text, repair, spans):
    """'exact' / 'wrong' / 'flagged' / 'missed' for a repair in this text, or None if its context is not here.

    An empty ``before`` (``after``) context means the start (end) of the paragraph."""
    folded = _width_fold(text).strip()
    before, after = _width_fold(repair["before"]), _width_fold(repair["after"])
    clean, garbled = _width_fold(repair["clean"]), _width_fold(repair["garbled"])
    offset = len(_width_fold(text)) - len(_width_fold(text).lstrip())

    def find(middle):
        needle = before + middle + after
        if not before and not after:
            return 0 if folded == middle else -1
        if not before:
            return 0 if folded.startswith(needle) else -1
        if not after:
            return len(folded) - len(needle) if folded.endswith(needle) else -1
        return folded.find(needle)

    if find(clean) >= 0:
        return "exact"
    start = find(garbled)
    if start >= 0:
        s, e = offset + start + len(before), offset + start + len(before) + len(garbled)
        return "flagged" if any(a < e and b > s for a, b in spans) else "missed"
    i = folded.find(before) if before else 0
    while i >= 0:
        rest = folded[i + len(before):]
        j = rest.find(after) if after else len(rest)
        if j >= 0 and j <= len(garbled) + 4 and (after or len(rest) <= len(garbled) + 4):
            return "wrong"
        if not before:
            break
        i = folded.find(before, i + 1)
    return None


def _score_structure(score, name, article, gold):
    got_bylines = [norm(b) for b in article.get("bylines") or []]

    def same_title(expected):
        return norm(article.get("title") or "") == norm(expected)

    def same_bylines(expected):  # every expected name credited, and no credit without one
        want = [norm(b) for b in expected]
        return all(any(w in g for g in got_bylines) for w in want) and all(any(w in g for w in want) for g in got_bylines)

    def same_sections(expected):
        return [norm(s.get("heading") or "") for s in article.get("sections", [])] == [norm(s) for s in expected]

    for field, right, got in (("title", same_title, article.get("title")),
                              ("bylines", same_bylines, article.get("bylines")),
                              ("sections", same_sections, [s.get("heading") for s in article.get("sections", [])])):
        expected = gold.get(field)
        if expected is None:
            continue  # ambiguous: not scored
        score.add("structure_checks")
        if right(expected):
            score.add("structure_right")
        else:
            score.misses.append(f"{name}: {field} {got!r}, expected {expected!r}")


def summarize(scores):
    """The figures of a run: counts and rates over every file."""
    total = {}
    for s in scores:
        for k, v in s.counts.items():
            total[k] = total.get(k, 0) + v
    c = lambda k: total.get(k, 0)  # noqa: E731

    def rate(num, den):
        return round(num / den, 3) if den else 1.0

    repairs = c("repairs_total")
    return {
        "direct_quotes_right": c("direct_right"),
        "direct_quotes_total": c("direct_total"),
        "direct_recall": rate(c("direct_right"), c("direct_total")),
        "suggestion_precision": rate(c("suggestions_true"), c("suggestions_true") + c("not_speech")),
        "indirect_right": c("indirect_right"),
        "indirect_total": c("indirect_total"),
        "indirect_recall": rate(c("indirect_right"), c("indirect_total")),
        "wrong_speakers": c("wrong_speakers"),
        "scare_quotes_as_speech": c("scare_quotes_as_speech"),
        "not_speech": c("not_speech"),
        "repairs_total": repairs,
        "repairs_exact": c("repairs_exact"),
        "repairs_flagged": c("repairs_flagged"),
        "repairs_missed": c("repairs_missed"),
        "repairs_wrong": c("repairs_wrong"),
        "repairs_exact_rate": rate(c("repairs_exact"), repairs),
        "repairs_made_or_flagged_rate": rate(c("repairs_exact") + c("repairs_flagged") + c("repairs_wrong"), repairs),
        "damage_left_unflagged": c("damage_left_unflagged"),
        "structure_checks": c("structure_checks"),
        "structure_right": c("structure_right"),
        "structure_rate": rate(c("structure_right"), c("structure_checks")),
    }


def regressions(figures, recorded):
    """The figures that fell below (or, for counts of errors, rose above) the recorded ones."""
    out = []
    for key, higher_is_better in FIGURES.items():
        if higher_is_better is None or key not in recorded or key not in figures:
            continue
        now, then = figures[key], recorded[key]
        if (higher_is_better and now < then) or (not higher_is_better and now > then):
            out.append(f"{key}: {now} (recorded {then})")
    return out


def table(figures):
    """The figures as the lines of a plain-text table."""
    f = figures
    rows = [
        ("direct quotes, right speaker", f"{f['direct_quotes_right']}/{f['direct_quotes_total']} ({f['direct_recall']:.0%})"),
        ("suggested quotes that are speech", f"{f['suggestion_precision']:.0%} ({f['not_speech']} not speech)"),
        ("indirect statements, right speaker", f"{f['indirect_right']}/{f['indirect_total']} ({f['indirect_recall']:.0%})"),
        ("quotes given to a wrong speaker", f"{f['wrong_speakers']}"),
        ("scare quotes taken for speech", f"{f['scare_quotes_as_speech']}"),
        ("repairs exact", f"{f['repairs_exact']}/{f['repairs_total']} ({f['repairs_exact_rate']:.0%})"),
        ("repairs flagged / missed / wrong", f"{f['repairs_flagged']} / {f['repairs_missed']} / {f['repairs_wrong']}"),
        ("repairs made or flagged", f"{f['repairs_made_or_flagged_rate']:.0%}"),
        ("pinyin or mojibake left unflagged", f"{f['damage_left_unflagged']}"),
        ("title / bylines / sections right", f"{f['structure_right']}/{f['structure_checks']} ({f['structure_rate']:.0%})"),
    ]
    width = max(len(label) for label, _ in rows)
    return [f"{label:<{width}}  {value}" for label, value in rows]
