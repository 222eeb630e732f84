"""Render a paragraph's text with its anchored quotes, mentions and annotations as safe HTML.

Everything an editor or a source typed is escaped; only our own tags are emitted. Spans nest as
quote > mention > annotation; where two spans of different levels cross, the inner one is split.
"""

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

LEVELS = ("quote", "mention", "annotation")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    level: str  # one of LEVELS
    obj: object


def _open(span):
    obj = span.obj
    if span.level == "quote":
        return format_html('<q class="quote quote-{}" id="q-{}" data-speaker="{}">', obj.kind, obj.key,
                           obj.speaker.name if obj.speaker else "")
    if span.level == "mention":
        return format_html('<a class="mention mention-{}" href="{}">', obj.entity.kind, obj.entity.get_absolute_url())
    return format_html('<mark class="annotation annotation-{}" id="n-{}" tabindex="0" aria-describedby="nb-{}">',
                       obj.kind, obj.key, obj.key)


CLOSE = {"quote": "</q>", "mention": "</a>", "annotation": "</mark>"}


def render_text(text, spans):
    """Return ``text`` as HTML with ``spans`` (a list of Span) marked up."""
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    by_level = {level: sorted((s for s in spans if s.level == level), key=lambda s: (s.start, -s.end))
                for level in LEVELS}
    out, stack = [], []  # stack of open spans, outermost first
    for a, b in zip(bounds, bounds[1:]):
        wanted = []
        for level in LEVELS:
            active = next((s for s in by_level[level] if s.start <= a and b <= s.end), None)
            if active is not None:
                wanted.append(active)
        # Close from the innermost until the open stack is a prefix of what this segment wants.
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep] is wanted[keep]:
            keep += 1
        while len(stack) > keep:
            out.append(CLOSE[stack.pop().level])
        for span in wanted[keep:]:
            out.append(_open(span))
            stack.append(span)
        out.append(escape(text[a:b]))
    while stack:
        out.append(CLOSE[stack.pop().level])
    return mark_safe("".join(str(x) for x in out))  # every piece above is escaped or built by format_html
