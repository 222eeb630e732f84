"""The public reader site: home, story page, quote index, search, robots.txt.

Every public view reads through ``Article.objects.public()`` (or ``.public()`` of quotes, mentions
and entities) and is wrapped in ``public_page``: one snapshot, ETag/Last-Modified, a page cache
invalidated by publishing, and the simplified edition.
"""

import math
import re
from collections import OrderedDict

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.functional import cached_property
from django_filters.views import FilterView

from entities.models import Alias, Entity
from entities.page_state import entity_scope
from newsroom.public_pages import depends_on, public_page

from . import search as reader_search
from .filters import QuoteFilter
from .models import Article, Block, Quote, Section
from .page_state import story_scope
from .rendering import HAN_RE, Span, attribution_lines, find_terms, highlight, number_notes, render_text, snippet

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


@public_page(params=("page",))
def home(request):
    stories = Article.objects.for_listing()
    page = Paginator(stories, 20).get_page(request.GET.get("page"))
    texts = {story.pk: [story.title, story.dek] for story in page.object_list}
    for model, field in ((Block, "text"), (Section, "heading")):  # two queries for the page's reading times
        for article_id, text in model.objects.filter(article__in=list(texts)).values_list("article_id", field):
            texts[article_id].append(text)
    for story in page.object_list:
        story.reading_minutes = reading_minutes(texts[story.pk])
    return render(request, "articles/home.html", {
        "page_obj": page,
        "stories": page.object_list,
        "most_quoted": list(Entity.objects.most_quoted()),
    })


def shown_entities(article):
    """Every entity a prefetched story page shows (its list, mentions, speakers, events, source)."""
    shown = [se.entity for se in article.story_entities.all()] + [m.entity for m in article.mentions.all()]
    shown += [e for q in article.quotes.all() for e in (q.speaker, q.event) if e is not None]
    return shown + ([article.source_entity] if article.source_entity else [])


@public_page(scopes=())
def story_detail(request, slug):
    article = get_object_or_404(Article.objects.public().for_story_page(), slug=slug)
    depends_on(request, story_scope(slug), *(entity_scope(e.slug) for e in shown_entities(article)))
    return render(request, "articles/article_detail.html", story_context(article))


class QuoteListView(FilterView):
    """/quotes/: every public quote, filtered by speaker, story, kind and year."""

    filterset_class = QuoteFilter
    paginate_by = 30
    template_name = "articles/quote_filter.html"

    def get_queryset(self):
        return Quote.objects.for_quote_index()


quote_list = public_page(QuoteListView.as_view(), params=(*QuoteFilter.base_filters, "page"))


class SearchResults:
    """Search hits with highlighted snippets, paginated; the page's stories are read in one query."""

    per_page = 20

    def __init__(self, request):
        self.query = reader_search.parse_query(request.GET.get("q", ""))
        self.hits, self.cut = reader_search.search(self.query)
        self.page = Paginator(self.hits, self.per_page).get_page(request.GET.get("page"))
        self._snippets()

    @cached_property
    def counts(self):
        counts = {"story": 0, "quote": 0, "entity": 0}
        for hit in self.hits:
            counts[hit.kind] += 1
        return counts

    def _snippets(self):
        terms = self.query.texts
        hits = list(self.page.object_list)
        story_ids = [h.obj.pk for h in hits if h.kind == "story"]
        blocks = {}
        if story_ids:
            # Plain values, not rows: twenty stories are hundreds of paragraphs, most never shown.
            for article_id, key, text, number in (
                    Block.objects.filter(article_id__in=story_ids, kind=Block.Kind.PARAGRAPH)
                    .order_by("article_id", "position").values_list("article_id", "key", "text", "section__number")):
                blocks.setdefault(article_id, []).append((key, text, {"number": number} if number else None))
        entity_ids = [h.obj.pk for h in hits if h.kind == "entity"]
        aliases = {}
        if entity_ids:
            for entity_id, text in Alias.objects.filter(entity__in=entity_ids).order_by("id").values_list("entity_id", "text"):
                aliases.setdefault(entity_id, []).append(text)
        for hit in hits:
            obj = hit.obj
            if hit.kind == "story":
                hit.title_html = snippet(obj.title, terms, window=None)
                hit.snippet = None
                for key, text, section in blocks.get(obj.pk, []):
                    if find_terms(text, terms):
                        hit.snippet = snippet(text, terms)
                        hit.anchor = f"#{key}"
                        hit.section = section
                        break
                if hit.snippet is None:
                    hit.snippet = snippet(obj.dek or obj.title, terms)
                    hit.anchor = ""
                    hit.section = None
            elif hit.kind == "quote":
                hit.snippet = snippet(obj.exact, terms, window=160)
            else:
                hit.title_html = snippet(obj.name, terms, window=None)
                hit.aliases = [highlight(a, find_terms(a, terms)) for a in aliases.get(obj.pk, [])]
                hit.snippet = snippet(obj.description, terms, window=120) if obj.description else ""


@public_page(params=("q", "page"))
def search(request):
    results = SearchResults(request)
    return render(request, "articles/search.html", {
        "results": results,
        "query": results.query,
        "page_obj": results.page,
    })


@public_page(scopes=())
def robots_txt(request):
    return render(request, "robots.txt", {"sitemap_url": request.build_absolute_uri("/sitemap.xml")},
                  content_type="text/plain; charset=utf-8")


