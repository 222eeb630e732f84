"""Render reader text as safe HTML: a paragraph with its quotes, mentions and annotations, snippets.

Everything an editor or a source typed is escaped; only our own tags are emitted (``format_html``
builds each tag from escaped values). Spans nest as quote > mention > annotation; where two spans
of different levels cross, the inner one is split. Note references (links to an annotation's note)
are points, never placed inside a mention link (no link inside a link).
"""

import functools
import hashlib
import json
import math
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from entities.page_state import entity_card_scope
from newsroom.html import highlight
from newsroom.simplified import convert_response
from newsroom.text import HAN_RE, fold_with_index

from .checks import ROLE_PREFIXES  # one list of the prefixes that date a title
from .models import Block
from .page_state import story_scope

LEVELS = ("quote", "mention", "annotation")
LATIN_RUN_RE = re.compile(r"[A-Za-z][A-Za-z0-9.\-’' ]*[A-Za-z0-9]|[A-Za-z]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    level: str  # one of LEVELS
    obj: object


@dataclass(frozen=True)
class Marker:
    """HTML inserted at a position of the text (a note reference)."""

    pos: int
    html: str


def _open(span):
    obj = span.obj
    if span.level == "quote":
        return format_html('<q class="quote quote-{}" id="q-{}">', obj.kind, obj.key)
    if span.level == "mention":
        return format_html('<a class="mention mention-{}" href="{}">', obj.entity.kind, obj.entity.get_absolute_url())
    return format_html('<mark class="annotation annotation-{}" id="n-{}">', obj.kind, obj.key)


CLOSE = {"quote": "</q>", "mention": "</a>", "annotation": "</mark>"}


def _outside_links(pos, spans):
    """Move a marker at ``pos`` to the end of any mention link it would fall inside."""
    moved = True
    while moved:
        moved = False
        for s in spans:
            if s.level == "mention" and s.start < pos < s.end:
                pos, moved = s.end, True
    return pos


def render_text(text, spans, markers=()):
    """Return ``text`` as HTML with ``spans`` (a list of Span) marked up and ``markers`` inserted."""
    markers = sorted((Marker(_outside_links(m.pos, spans), m.html) for m in markers), key=lambda m: m.pos)
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans), *(m.pos for m in markers)})
    by_level = {level: sorted((s for s in spans if s.level == level), key=lambda s: (s.start, -s.end))
                for level in LEVELS}
    out, stack = [], []  # stack of open spans, outermost first

    def emit_markers(pos):
        out.extend(m.html for m in markers if m.pos == pos)

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
        emit_markers(a)
        for span in wanted[keep:]:
            out.append(_open(span))
            stack.append(span)
        out.append(mark_latin(text[a:b]))
    while stack:
        out.append(CLOSE[stack.pop().level])
    emit_markers(len(text))
    return mark_safe("".join(str(x) for x in out))  # every piece above is escaped or built by format_html


def mark_latin(text):
    """Escape ``text``, wrapping Latin-script runs inside Chinese text in ``<span lang="en">``."""
    if not HAN_RE.search(text):
        return escape(text)
    out, last = [], 0
    for m in LATIN_RUN_RE.finditer(text):
        run = m.group(0).strip()
        if len(run) < 2 or not any(c.isalpha() for c in run):
            continue
        out.append(escape(text[last:m.start()]))
        out.append(format_html('<span lang="en">{}</span>', m.group(0)))
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(str(x) for x in out))


# -- search folding and highlighted snippets --------------------------------------------------------

def find_terms(text, terms):
    """Return sorted, merged (start, end) spans of ``text`` where any folded term occurs."""
    if not text or not terms:
        return []
    folded, index = fold_with_index(text)
    found = []
    for term in terms:
        if not term:
            continue
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            found.append((index[start], index[end - 1] + 1))
            start = folded.find(term, end)
    found.sort()
    merged = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def snippet(text, terms, *, window=90):
    """A highlighted excerpt of ``text`` around the first occurrence of any folded term."""
    return highlight(text, find_terms(text, terms), window=window)


# -- notes: numbers, sic marks ----------------------------------------------------------------------

NOTE_LABELS = {"context": "註", "sic": "原文如此", "correction": "更正"}
SIC_MARK = "〔原文如此〕"  # the house sic style: bracketed, upright, set small (no fake italics on CJK)
SIC_LEAD_RE = re.compile(r"^原文如此[。，、；：]?")


def number_notes(annotations):
    """Give public notes (in reading order) what the reader sees: returns a list of
    (annotation, marker html, shown) where ``shown`` says whether its note is printed.

    Only what shows a number takes one: context notes are numbered 1, 2, 3… without gaps; a sic
    mark and a correction show their label instead. One note per distinct sic (the same words
    marked again): later occurrences carry the mark and refer back to the first one's note.
    """
    out, number, first_sic = [], 0, {}
    for note in annotations:
        note.label = NOTE_LABELS.get(note.kind, "註")
        note.number = None
        target, shown = note, True
        if note.kind == "context":
            number += 1
            note.number = number
            ref = format_html('<span class="visually-hidden">（{} </span>{}<span class="visually-hidden">）</span>',
                              note.label, number)
        elif note.kind == "sic":
            target = first_sic.setdefault(note.exact.strip(), note)
            shown = target is note
            note.shown_body = SIC_LEAD_RE.sub("", note.body)  # the mark already says it
            ref = SIC_MARK
        else:
            ref = format_html('<span class="visually-hidden">（註 </span>{}<span class="visually-hidden">）</span>',
                              note.label)
        out.append((note, Marker(note.end, format_html(
            '<a class="note-ref note-ref-{}" href="#note-{}" id="ref-{}" aria-describedby="note-{}">{}</a>',
            note.kind, target.key, note.key, target.key, ref)), shown))
    return out


def attribution_lines(quotes, block, previous=None):
    """The inline quotes of a paragraph that get an attribution line under it ("——周暢，…").

    Only where the paragraph does not already name the speaker (the quote's attribution is in
    this paragraph, or the speaker's name is in its text), and never again for a quote that
    follows one by the same speaker. ``previous`` is the quote read just before this paragraph's
    first one; returns (the quotes to attribute, the last quote read).
    """
    out = []
    for quote in quotes:
        named = quote.attribution_block_id == block.pk or (
            quote.speaker is not None and quote.speaker.name in block.text)
        repeated = previous is not None and quote.speaker_id is not None and previous.speaker_id == quote.speaker_id
        if (quote.speaker_id or quote.role) and not named and not repeated:
            out.append(quote)
        previous = quote
    return out, previous


def printed_role(quote):
    """The speaker's role as the story prints it: "時任阿里CEO" where the attribution dates it, so a
    past role never reads as a present title."""
    role = quote.role or ""
    said = quote.attribution_exact or ""
    for prefix in ROLE_PREFIXES:
        if role and prefix + role in said:
            return prefix + role
    return role




# -- the story page -----------------------------------------------------------------------------------

LATIN_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[.\-'][A-Za-z0-9]+)*")
HAN_PER_MINUTE = 400     # a common estimate for reading Chinese prose
WORDS_PER_MINUTE = 200   # Latin-script words inside it


def reading_minutes(texts):
    """Reading time for Chinese text: Han characters (not spaces) plus Latin words, at least 1 minute."""
    han = sum(len(HAN_RE.findall(t)) for t in texts)
    words = sum(len(LATIN_WORD_RE.findall(t)) for t in texts)
    return max(1, math.ceil(han / HAN_PER_MINUTE + words / WORDS_PER_MINUTE))


def is_block_quote(quote, block):
    """A paragraph that is a quote (set as a block quote) rather than a paragraph with a quote in it."""
    share = (quote.end - quote.start) / max(len(block.text), 1)
    introduced = quote.attribution_block_id is not None and quote.attribution_block_id != quote.block_id
    return share >= 0.9 or (introduced and share >= 0.5)


def story_parts(article):
    """Group a prefetched article's blocks by section and render each paragraph with its spans.

    Links the first mention of each entity per section (the lede counts as a section), numbers the
    public notes in reading order and places their references outside any link.
    """
    spans, markers, notes = {}, {}, {}
    blocks = {block.pk: block for block in article.blocks.all()}
    for anchored in (*article.quotes.all(), *article.mentions.all(), *article.public_annotations):
        anchored.block = blocks[anchored.block_id]
    for quote in article.quotes.all():
        spans.setdefault(quote.block_id, []).append(Span(quote.start, quote.end, "quote", quote))
    linked = set()
    for mention in article.mentions.all():
        scope = (mention.block.section_id, mention.entity_id)
        if scope in linked:
            continue
        linked.add(scope)
        spans.setdefault(mention.block_id, []).append(Span(mention.start, mention.end, "mention", mention))
    corrections = []
    for note, marker, shown in number_notes(article.public_annotations):
        spans.setdefault(note.block_id, []).append(Span(note.start, note.end, "annotation", note))
        markers.setdefault(note.block_id, []).append(marker)
        if note.kind == "correction":
            corrections.append(note)
        elif shown:
            notes.setdefault(note.block_id, []).append(note)
    quotes_by_block = {}
    for quote in article.quotes.all():
        quotes_by_block.setdefault(quote.block_id, []).append(quote)
    lede, by_section = [], {}
    paragraph_number, last_quote = 0, None
    for block in article.blocks.all():
        if block.kind == Block.Kind.FIGURE and not block.image:
            continue  # an empty figure slot is the newsroom's business, not the reader's
        if block.kind == Block.Kind.PARAGRAPH:
            paragraph_number += 1
            block.number = paragraph_number
            block.html = render_text(block.text, spans.get(block.pk, []), markers.get(block.pk, []))
        block.quote_list = quotes_by_block.get(block.pk, [])
        block.block_quote = next((q for q in block.quote_list if is_block_quote(q, block)), None)
        block.attribution_list, last_quote = attribution_lines(
            [q for q in block.quote_list if q is not block.block_quote], block, last_quote)
        if block.block_quote is not None:
            last_quote = block.block_quote
        block.notes = notes.get(block.pk, [])
        (lede if block.section_id is None else by_section.setdefault(block.section_id, [])).append(block)
    sections = list(article.sections.all())
    for section in sections:
        section.block_list = by_section.get(section.pk, [])
    for note in corrections:
        note.paragraph = note.block
    return lede, sections, corrections


def story_context(article):
    """The template context of the story page for a prefetched article (``for_story_page()``).

    Shared by the reader page and the editors' preview, so a preview is exactly what readers get.
    """
    lede, sections, corrections = story_parts(article)
    texts = [article.title, article.dek, *(b.text for b in article.blocks.all()),
             *(s.heading for s in sections)]
    entities = [se.entity for se in article.story_entities.all()]
    mentioned = OrderedDict()
    for mention in article.mentions.all():
        mentioned.setdefault(mention.entity_id, mention.entity)
    quoted = OrderedDict()
    for quote in article.quotes.all():
        if quote.speaker_id:
            quoted.setdefault(quote.speaker_id, quote.speaker)
    people = [e for e in quoted.values()] + [e for e in mentioned.values()
                                             if e.pk not in quoted and e.kind in ("person", "organization")]
    return {
        "article": article,
        "lede": lede,
        "sections": sections,
        "corrections": corrections,
        "quotes": list(article.quotes.all()),
        "entities": entities,
        "mentioned_entities": list(mentioned.values()),
        "people": people,
        "reading_minutes": reading_minutes(texts),
        "shown_at": article.published_at or article.publish_at,
        "modified_at": article.updated_at if article.updated_at and article.published_at
        and article.updated_at > article.published_at else None,
    }



def shown_entities(article):
    """Every entity a prefetched story page shows (its list, mentions, speakers, events, source)."""
    shown = [se.entity for se in article.story_entities.all()] + [m.entity for m in article.mentions.all()]
    shown += [e for q in article.quotes.all() for e in (q.speaker, q.event) if e is not None]
    return shown + ([article.source_entity] if article.source_entity else [])


def story_scopes(article):
    """The page scopes a prefetched story page shows: its story, and the row of every entity on it
    (not their roles or aliases, which it does not show)."""
    return sorted({story_scope(article.slug), *(entity_card_scope(e.slug) for e in shown_entities(article))})


# The site's origin in a page rendered without a request (at publish): pages carry absolute URLs
# (canonical, og:url, JSON-LD), which the page served replaces by the request's scheme and host.
RENDER_HOST = "render.newsroom.invalid"
RENDER_ORIGIN = f"http://{RENDER_HOST}"


class RenderRequest(HttpRequest):
    """A reader's GET of ``path`` from no particular host (its absolute URLs start with RENDER_ORIGIN)."""

    def __init__(self, path):
        super().__init__()
        self.method = "GET"
        self.path = self.path_info = path
        self.META = {"SERVER_NAME": RENDER_HOST, "SERVER_PORT": "80"}

    def get_host(self):
        return RENDER_HOST

    def _get_scheme(self):
        return "http"


def story_page(article, language):
    """The story page of a prefetched live edition (``for_story_page()``) in the script edition
    ``language``, exactly as readers get it (the edition's script and quotation marks), with its
    absolute URLs on RENDER_ORIGIN (``with_origin`` puts the request's in). The context is built in
    the edition's language too: the paragraphs' links carry its URL prefix."""
    with translation.override(language):
        request = RenderRequest(article.get_absolute_url())
        html = render_to_string("articles/article_detail.html", story_context(article), request=request)
        response = convert_response(HttpResponse(html), language)
    return response.content.decode(response.charset)


@functools.cache
def code_content_digest():
    """A digest of the contents (not the times) of the code, templates and translations that shape a
    page: the same on every server of a release, so their stored renders agree."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256(getattr(settings, "RELEASE", "").encode())
    folders = [("templates", "**/*.html"), ("locale", "**/*.mo"), ("articles", "**/*.py"), ("entities", "**/*.py"),
               ("newsroom", "**/*.py")]
    for folder, pattern in folders:
        for path in sorted((base / folder).glob(pattern)):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def render_code():
    """What a stored render was made by: the pages' code (by content: every server of a release
    agrees) and the settings the render reads (a render made by other code or settings is stale)."""
    marks = json.dumps(getattr(settings, "QUOTE_MARKS", {}), sort_keys=True)
    return hashlib.sha256(f"{code_content_digest()} {marks}".encode()).hexdigest()[:16]


def with_origin(html, request):
    """A stored page for ``request``: its absolute URLs on the request's scheme and host."""
    return html.replace(RENDER_ORIGIN, f"{request.scheme}://{request.get_host()}")
