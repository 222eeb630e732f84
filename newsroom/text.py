"""Text helpers shared by both apps and the importer: the one definition of each.

Chinese text is the author's data: we store NFC (never NFKC, which flattens full-width
punctuation) and change nothing else silently.

- Han characters: ``HAN_CLASS`` (the body of a regex character class), ``HAN_RE``, ``is_han``.
- Control characters: ``CONTROL_CHARS`` (zero-width and bidi), ``strip_controls``, ``clean_name``.
- Script conversion: ``converter(config)`` (one OpenCC converter per config and process),
  ``to_simplified``, ``simplified_char``.
- Folding, three kinds for three jobs:
  ``fold_for_search`` (NFKC, lower case, simplified: what search tokens and queries compare),
  ``fold_with_index`` (the same, with the position in the original of each folded character:
  highlighting), ``fold_chars`` (simplified and ASCII digits, one character for one: the
  importer's patterns match at the original's offsets).
- Slugs and search tokens; the BCP 47 tag of an edition.

Imports no Django model (the importer and the format code use it).
"""

import functools
import re
import unicodedata

from django.utils.text import slugify

# Zero-width and bidi controls (Trojan Source, CVE-2021-42574) that must not reach titles,
# names or slugs; in body text they are flagged for an editor instead.
CONTROL_CHARS = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

# Han ideographs: CJK Unified Ideographs, Extension A, compatibility ideographs, the supplementary
# planes' extensions B-G, and 〇 (U+3007, the ideographic zero of 二〇二三).
HAN_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_RE = re.compile(f"[{HAN_CLASS}]")


def is_han(char):
    """True when ``char`` (one character) is a Han ideograph."""
    return bool(char) and HAN_RE.match(char) is not None


def nfc(text):
    """Return ``text`` in Unicode normalisation form C (None and '' pass through)."""
    return unicodedata.normalize("NFC", text) if text else text


def strip_controls(text):
    """Remove zero-width and bidi control characters."""
    return "".join(ch for ch in text if ch not in CONTROL_CHARS)


def clean_name(text):
    """NFC, control characters removed, surrounding whitespace stripped: for titles and names.

    (The importer's ``cleaning.clean_label`` does the same and records each change.)
    """
    return nfc(strip_controls(text or "")).strip()


@functools.cache
def converter(config):
    """The OpenCC converter for ``config`` ("t2s", "s2tw" ...), built once per process."""
    import opencc  # native OpenCC; constructing a converter costs ~10 ms, so build each once

    return opencc.OpenCC(config)


def to_simplified(text):
    """Fold traditional script to simplified (OpenCC t2s), for search and matching only."""
    return converter("t2s").convert(text) if text else text


@functools.lru_cache(maxsize=65536)
def simplified_char(char):
    """The simplified form of one character, or the character itself when t2s would change its length."""
    simple = to_simplified(char)
    return simple if len(simple) == 1 else char


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class _FoldTable(dict):
    """Code point -> ``fold(character)``, filled the first time ``str.translate`` asks for a character
    (bounded by the characters there are; a text is folded at C speed, not a call per character)."""

    def __init__(self, fold):
        super().__init__()
        self.fold = fold

    def __missing__(self, code):
        folded = self[code] = self.fold(chr(code))
        return folded


_FOLD_TABLE = _FoldTable(lambda char: simplified_char(char).translate(_FULLWIDTH_DIGITS))
# Each character NFKC'd and lower-cased on its own (never empty): search's width and case folding.
_SEARCH_FOLD_TABLE = _FoldTable(lambda char: unicodedata.normalize("NFKC", char).lower())


def fold_chars(text):
    """Fold to simplified characters and ASCII digits, one character for one (offsets are kept)."""
    return text.translate(_FOLD_TABLE)


def fold_for_search(text):
    """Fold case, width (NFKC, for search only) and script (to simplified), as search compares text."""
    return to_simplified(unicodedata.normalize("NFKC", text or "").lower())


def fold_with_index(text):
    """Return (folded, index): ``text`` folded like ``fold_for_search`` and ``index[i]``, the position
    in ``text`` of folded[i]."""
    folded = text.translate(_SEARCH_FOLD_TABLE)
    # No character folds to nothing, so where the length is kept each one folded to one and the index
    # is the identity (nearly every text: fullwidth punctuation folds to one character); several
    # times faster on a page of search snippets than a call per character.
    if len(folded) == len(text):
        return _simplified_same_length(folded), range(len(text))
    chars, index = [], []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch).lower():
            chars.append(out)
            index.append(i)
    return _simplified_same_length("".join(chars)), index


def _simplified_same_length(folded):
    simplified = to_simplified(folded)
    if len(simplified) != len(folded):  # a phrase changed length: convert character by character
        simplified = "".join(simplified_char(c) for c in folded)
    return simplified


def bcp47(language_code):
    """The BCP 47 tag of the edition served in the Django language ``language_code``."""
    return "zh-Hans" if language_code == "zh-hans" else "zh-Hant"


def ascii_slug(text, max_length=80):
    """Return an ASCII slug: Han characters become toneless pinyin syllables ('大模型' -> 'da-mo-xing')."""
    from pypinyin import lazy_pinyin

    text = clean_name(text)
    parts = []
    for chunk in lazy_pinyin(text, errors=lambda s: [s]):
        parts.append(chunk)
    slug = slugify(" ".join(parts))
    return slug[:max_length].strip("-")


def slug_for(text, *, taken=lambda slug: False, fallback="story", max_length=80):
    """Return a non-empty ASCII slug for ``text`` that ``taken`` does not report as used."""
    base = ascii_slug(text, max_length=max_length) or fallback
    slug, n = base, 2
    while taken(slug):
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
        n += 1
    return slug


# A search term: a Han run, or a Latin word or number (on folded text).
TERM_RE = re.compile(f"[{HAN_CLASS}]+|[0-9a-z]+")


def search_tokens(*texts):
    """Index terms for Chinese-aware search: Han runs as overlapping bigrams, Latin words and numbers
    as themselves, after ``fold_for_search``.

    '通義千問2.0' -> '通义 义千 千问 2 0'. Stored text is never rewritten; only these tokens are.
    """
    out = []
    for text in texts:
        if not text:
            continue
        # -{…}- no-convert spans are indexed as written: their characters are the subject, not words
        # to fold (the markers themselves are punctuation and never become tokens).
        kept = " ".join(m.group(1) for m in NO_CONVERT_RE.finditer(text))
        folded = fold_for_search(NO_CONVERT_RE.sub(" ", text))
        folded += " " + unicodedata.normalize("NFKC", kept).lower()
        for term in TERM_RE.findall(folded):
            if term[0].isascii():
                out.append(term)
            else:
                out += [term] if len(term) == 1 else [term[i:i + 2] for i in range(len(term) - 1)]
    return " ".join(out)


# A no-convert span in a free-text field (a note's body, an entity's description): MediaWiki's
# language-converter markup -{…}-, for text that talks about characters (“并”（並）). Readers see the
# words without the markers; neither the simplified edition nor the s2tw repairs touch them.
NO_CONVERT_RE = re.compile(r"-\{(.+?)\}-", re.S)


def no_convert_spans(text):
    """Spans of -{…}- markup (markers included) in ``text``."""
    return [(m.start(), m.end()) for m in NO_CONVERT_RE.finditer(text or "")]


def strip_no_convert(text):
    """``text`` without -{ }- markers: for plain-text outputs (meta tags, JSON-LD, feeds)."""
    return NO_CONVERT_RE.sub(r"\1", text) if text else text


OPENERS, CLOSERS = "“‘「『（(《〈【", "”’」』）)》〉】"


def first_sentence(text):
    """The first sentence of ``text`` (up to its 。！？ outside quotes and brackets), never cut mid-way:
    for the short descriptions of entity cards."""
    depth = 0
    for i, ch in enumerate(text or ""):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(depth - 1, 0)
        elif ch in "。！？" and depth == 0:
            return text[:i + 1]
    return text or ""
