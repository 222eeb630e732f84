"""Small HTML builders shared by both apps' reader pages. Everything given is escaped."""

import json

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from newsroom.text import NO_CONVERT_RE

JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data):
    """A JSON-LD <script>; ``<``, ``>`` and ``&`` are escaped so that no text can close the tag."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def highlight(text, spans, *, window=None, mark_class=""):
    """Escape ``text`` with ``spans`` ((start, end) pairs) in ``<mark>``; with ``window``, cut around the first."""
    prefix = suffix = ""
    if window and len(text) > window:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - window // 3, len(text) - window))
        end = start + window
        prefix, suffix = ("…" if start else ""), ("…" if end < len(text) else "")
        spans = [(max(s, start) - start, min(e, end) - start) for s, e in spans if e > start and s < end]
        text = text[start:end]
    opening = format_html('<mark class="{}">', mark_class) if mark_class else "<mark>"
    out, last = [prefix], 0
    for s, e in spans:
        out += [escape(text[last:s]), opening, escape(text[s:e]), "</mark>"]
        last = e
    out += [escape(text[last:]), suffix]
    return mark_safe("".join(str(x) for x in out))  # only escaped text and our own tags


def no_convert(text):
    """Escape ``text``; its -{…}- spans become ``<span data-no-convert>`` (markers dropped), which the
    simplified edition leaves as written."""
    out, last = [], 0
    for m in NO_CONVERT_RE.finditer(text or ""):
        out.append(escape(text[last:m.start()]))
        out.append(format_html('<span class="no-convert" data-no-convert>{}</span>', m.group(1)))
        last = m.end()
    out.append(escape((text or "")[last:]))
    return mark_safe("".join(str(x) for x in out))  # escaped above, or built by format_html
