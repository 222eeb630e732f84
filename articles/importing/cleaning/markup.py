"""Pass 3: HTML debris (tags, tag remnants, entities with or without '&')."""

from __future__ import annotations

import html
import re

from .chars import _HTML_TAG_NAMES
from .normalize import _space_for
from .pieces import _Edit, _Meta


_BLOCK_TAGS = {"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "section", "article", "hr", "ul", "ol", "table", "figure", "figcaption",
               "header", "footer", "pre", "dd", "dt", "dl", "center", "aside", "nav"}
_BARE_ENTITIES = ("rdquo|ldquo|rsquo|lsquo|nbsp|mdash|ndash|hellip|middot|laquo|raquo|bull|quot|amp|"
                  "lt|gt|apos|times|divide|deg|copy|reg|trade|yen|emsp|ensp|thinsp|zwj|zwnj|shy")
_HTML_RE = re.compile(
    rf"(?P<tag><\s*/?\s*(?P<tagname>{_HTML_TAG_NAMES})\b[^<>]{{0,300}}?>)"
    rf"|(?P<remnant>(?<![<A-Za-z0-9])/(?P<remname>{_HTML_TAG_NAMES})\s*>)"
    r"|(?P<entity>&(?:amp;)*(?P<ebody>#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};))"
    rf"|(?P<bare>(?<![&A-Za-z0-9#])(?P<bbody>(?:{_BARE_ENTITIES});|#[0-9]{{2,7}};|#[xX][0-9a-fA-F]{{2,6}};))",
    re.I,
)


def _decode_entity(body: str) -> str | None:
    if body.startswith("#"):
        try:
            cp = int(body[2:-1], 16) if body[1] in "xX" else int(body[1:-1])
        except ValueError:
            return None
        if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
            return None
    decoded = html.unescape("&" + body)
    return None if decoded == "&" + body else decoded


def _html_pass(text: str) -> list[_Edit]:
    if not any(c in text for c in "<>&;"):
        return []
    edits: list[_Edit] = []
    for m in _HTML_RE.finditer(text):
        s, e = m.span()
        if m.group("tag") or m.group("remnant"):
            name = (m.group("tagname") or m.group("remname")).lower()
            repl = _space_for(text, s, e) if name in _BLOCK_TAGS else ""
            what = "tag" if m.group("tag") else "tag remnant"
            edits.append(_Edit(s, e, repl, _Meta("html", True, f"removed HTML {what} '{m.group()}'")))
            continue
        body = m.group("ebody") or m.group("bbody")
        decoded = _decode_entity(body)
        if decoded is None:
            continue
        if decoded == "\u00a0":
            decoded = _space_for(text, s, e)
        note = f"decoded HTML entity '{m.group()}'" + (f" to '{decoded}'" if decoded else " (removed)")
        edits.append(_Edit(s, e, decoded, _Meta("html", True, note)))
    return edits
