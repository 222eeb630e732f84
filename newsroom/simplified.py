"""The editions' text: public pages under /zh-hans/ converted from traditional script, and both
editions' quotation marks set in the house style.

OpenCC t2s, phrase level, text only: never tags, attribute names, URLs or scripts (JSON-LD is converted
value by value). Quotation marks follow ``settings.QUOTE_MARKS`` per edition (「」『』 for zh-Hant, “”‘’
for zh-Hans by default), set when a page is served: the stored text keeps what the author typed and
its anchors never move (one mark for one mark). ``public_page`` converts the pages it renders;
``SimplifiedScriptMiddleware`` converts the other HTML responses under /zh-hans/ (404, 500 pages).
"""

import json
import re

from django.conf import settings
from django.utils import translation

from newsroom.html import JSON_SCRIPT_ESCAPES
from newsroom.text import to_simplified

SIMPLIFIED = "zh-hans"

TOKEN_RE = re.compile(
    r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|<[^>]*>", re.S | re.I)
TAG_NAME_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9:-]*)")
# Attributes whose values are words for readers; everything else (href, src, id, class, datetime,
# lang, hreflang, data-*) is left exactly as it is.
TEXT_ATTR_RE = re.compile(r'(\s(?:alt|title|aria-label|placeholder|label|content)=")([^"]*)(")')
URLISH_RE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|/|#|\?)", re.I)
# Text inside these flows on across the tag ("<a>乾</a>隆" is one phrase); other tags end a phrase.
NO_CONVERT_ATTR_RE = re.compile(r"^<span\b[^>]*\sdata-no-convert[\s=>]", re.I)
INLINE_TAGS = {"a", "abbr", "b", "bdi", "cite", "code", "data", "em", "i", "mark", "q", "s", "small", "span",
               "strong", "sub", "sup", "time", "u", "wbr"}
SEPARATOR = "\ue000"
JSON_LD_URL_KEYS = {"url", "sameAs", "mainEntityOfPage", "image", "logo", "inLanguage", "datePublished",
                    "dateModified", "startDate", "endDate"}


QUOTE_MARK_RE = re.compile(r"[“”‘’「」『』]")
LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def house_quotes(text, marks):
    """``text`` with its quotation marks (“”‘’ or 「」『』) set as ``marks``: four characters, the
    opening and closing double marks, then the single (inner) ones. Lengths never change."""
    if not text or not marks:
        return text
    table = {"“": marks[0], "「": marks[0], "”": marks[1], "」": marks[1],
             "‘": marks[2], "『": marks[2], "’": marks[3], "』": marks[3]}

    def mark(m):
        i = m.start()
        if m.group() == "’" and 0 < i < len(text) - 1 and text[i - 1] in LATIN and text[i + 1] in LATIN:
            return "’"  # between two Latin letters (Alibaba’s, don’t): an apostrophe
        return table[m.group()]

    return QUOTE_MARK_RE.sub(mark, text)


# Where marks are never set in the house style on a page: no-convert spans and URL attributes.
HOUSE_SKIP_RE = re.compile(r"<span\b[^>]*\sdata-no-convert(?=[\s=>])[^>]*>.*?</span>|\s(?:href|src|cite)=\"[^\"]*\"",
                           re.S | re.I)


def house_quotes_html(html, marks):
    """``house_quotes`` over a whole HTML (or XML) page: its text, reader attributes and JSON-LD (quotation
    marks are never markup), but not no-convert spans or URLs. One pass, for the traditional edition."""
    out, last = [], 0
    for m in HOUSE_SKIP_RE.finditer(html):
        out += [house_quotes(html[last:m.start()], marks), m.group(0)]
        last = m.end()
    out.append(house_quotes(html[last:], marks))
    return "".join(out)


def edition_converter(language):
    """The text conversion of an edition's pages (script, then quotation marks), or None."""
    marks = getattr(settings, "QUOTE_MARKS", {}).get(language)
    if language == SIMPLIFIED:
        return (lambda text: house_quotes(to_simplified(text), marks)) if marks else to_simplified
    return (lambda text: house_quotes(text, marks)) if marks else None


def convert_text_chunks(chunks, convert=to_simplified):
    """Convert a list of chunks (each a list of strings read as one run of text) to simplified script.

    One OpenCC call for the whole page; a chunk is converted as one string so phrases across inline
    tags convert as phrases, then cut back into its pieces (t2s keeps lengths; if a phrase did not,
    that chunk's pieces are converted one by one).
    """
    converted = convert(SEPARATOR.join("".join(chunk) for chunk in chunks)).split(SEPARATOR)
    if len(converted) != len(chunks):
        return [[convert(piece) for piece in chunk] for chunk in chunks]
    out = []
    for chunk, text in zip(chunks, converted):
        if len(text) != sum(len(p) for p in chunk):
            out.append([convert(piece) for piece in chunk])
            continue
        pieces, pos = [], 0
        for piece in chunk:
            pieces.append(text[pos:pos + len(piece)])
            pos += len(piece)
        out.append(pieces)
    return out


def html_to_simplified(html):
    """``convert_html`` to simplified script (t2s only)."""
    return convert_html(html, to_simplified)


def convert_html(html, convert):
    """Convert the words of an HTML (or XML) document to simplified script, leaving markup, URLs and
    identifiers untouched; JSON-LD scripts are converted value by value (URLs kept). The text of a
    ``<span data-no-convert>`` (text that talks about characters) is kept as written."""
    parts = []          # literal strings, or [chunk index, piece index] slots to fill
    chunks = [[]]
    pos = 0
    verbatim = False    # inside a no-convert span (it holds text only: its </span> ends it)

    def text_slot(text):
        if text:
            chunks[-1].append(text)
            parts.append((len(chunks) - 1, len(chunks[-1]) - 1))

    def end_chunk():
        if chunks[-1]:
            chunks.append([])

    for m in TOKEN_RE.finditer(html):
        token = m.group(0)
        if verbatim:
            parts.append(html[pos:m.start()])
            verbatim = not token.lower().startswith("</span")
        else:
            text_slot(html[pos:m.start()])
        pos = m.end()
        if NO_CONVERT_ATTR_RE.search(token):
            end_chunk()
            verbatim = True
        if token.startswith("<!--"):
            parts.append(token)
            continue
        if m.group(1):  # script or style
            end_chunk()
            parts.append(_convert_script(token, convert))
            continue
        name = TAG_NAME_RE.match(token)
        if not name or name.group(1).lower() not in INLINE_TAGS:
            end_chunk()
        attr_parts, last = [], 0
        for a in TEXT_ATTR_RE.finditer(token):
            value = a.group(2)
            attr_parts.append(token[last:a.start(2)])
            if value and not URLISH_RE.match(value):
                attr_parts.append(("attr", value))
            else:
                attr_parts.append(value)
            last = a.end(2)
        attr_parts.append(token[last:])
        for piece in attr_parts:
            if isinstance(piece, tuple):
                end_chunk()
                text_slot(piece[1])
                end_chunk()
            else:
                parts.append(piece)
    text_slot(html[pos:])
    converted = convert_text_chunks(chunks, convert)
    return "".join(p if isinstance(p, str) else converted[p[0]][p[1]] for p in parts)


def _convert_script(token, convert):
    match = re.match(r"(<script\b[^>]*>)(.*?)(</script\s*>)$", token, re.S | re.I)
    if not match or "application/ld+json" not in match.group(1):
        return token
    try:
        data = json.loads(match.group(2))
    except ValueError:
        return token
    text = json.dumps(_convert_json(data, convert), ensure_ascii=False, separators=(",", ":")).translate(JSON_SCRIPT_ESCAPES)
    return match.group(1) + text + match.group(3)


def _convert_json(value, convert, key=None):
    if isinstance(value, dict):
        return {k: (v if k.startswith("@") and k != "@graph" else _convert_json(v, convert, k))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_convert_json(v, convert, key) for v in value]
    if isinstance(value, str) and key not in JSON_LD_URL_KEYS and not URLISH_RE.match(value):
        return convert(value)
    return value


def convert_response(response, language=SIMPLIFIED):
    """Convert an HTML or XML response's body to the edition of ``language`` (script and quotation
    marks), once."""
    if getattr(response, "script_converted", False) or getattr(response, "streaming", False):
        return response
    content_type = response.get("Content-Type", "")
    convert = edition_converter(language)
    if convert is None or not any(t in content_type for t in ("html", "xml")):
        return response
    charset = response.charset or "utf-8"
    marks = getattr(settings, "QUOTE_MARKS", {}).get(language)
    if language == SIMPLIFIED:
        text = convert_html(response.content.decode(charset), convert)
    else:  # quotation marks only: no tokenizing needed (~10× faster than convert_html)
        text = house_quotes_html(response.content.decode(charset), marks)
    response.content = text.encode(charset)
    response.script_converted = True
    return response


class SimplifiedScriptMiddleware:
    """Convert HTML pages served under /zh-hans/ that no public view converted (404 and error pages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (translation.get_language() == SIMPLIFIED and not getattr(response, "from_page_cache", False)
                and response.status_code != 304):
            convert_response(response)
        return response
