"""Text helpers shared by both apps: NFC, control characters, slugs, script folding.

Chinese text is the author's data: we store NFC (never NFKC, which flattens full-width
punctuation) and change nothing else silently.
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
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def nfc(text):
    """Return ``text`` in Unicode normalisation form C (None and '' pass through)."""
    return unicodedata.normalize("NFC", text) if text else text


def strip_controls(text):
    """Remove zero-width and bidi control characters."""
    return "".join(ch for ch in text if ch not in CONTROL_CHARS)


def clean_name(text):
    """NFC, control characters removed, surrounding whitespace stripped: for titles and names."""
    return nfc(strip_controls(text or "")).strip()


@functools.cache
def _converter(config):
    import opencc  # native OpenCC; constructing a converter costs ~10 ms, so build each once

    return opencc.OpenCC(config)


def to_simplified(text):
    """Fold traditional script to simplified (OpenCC t2s), for search and matching only."""
    return _converter("t2s").convert(text) if text else text


def to_traditional(text):
    """Convert simplified script to traditional (OpenCC s2t)."""
    return _converter("s2t").convert(text) if text else text


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


TOKEN_RE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([0-9a-z]+)")


def search_tokens(*texts):
    """Index terms for Chinese-aware search: Han runs as overlapping bigrams, Latin words and numbers
    as themselves, after folding case, width (NFKC, for search only) and script (to simplified).

    '通義千問2.0' -> '通义 义千 千问 2 0'. Stored text is never rewritten; only these tokens are.
    """
    out = []
    for text in texts:
        if not text:
            continue
        # -{…}- no-convert spans are indexed as written: their characters are the subject, not words
        # to fold (the markers themselves are punctuation and never become tokens).
        kept = " ".join(m.group(1) for m in NO_CONVERT_RE.finditer(text))
        folded = to_simplified(unicodedata.normalize("NFKC", NO_CONVERT_RE.sub(" ", text)).lower())
        folded += " " + unicodedata.normalize("NFKC", kept).lower()
        for han, word in TOKEN_RE.findall(folded):
            if han:
                out += [han] if len(han) == 1 else [han[i:i + 2] for i in range(len(han) - 1)]
            else:
                out.append(word)
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
