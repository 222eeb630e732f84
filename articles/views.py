"""The public reader site: home, story page, quote index, search, robots.txt.

Every public view reads through ``Article.objects.public()`` (or ``.public()`` of quotes, mentions
and entities) and is wrapped in ``public_page``: one snapshot, ETag/Last-Modified, a page cache
invalidated by publishing, and the simplified edition.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.functional import cached_property
from django_filters.views import FilterView

from entities.models import Alias, Entity
from newsroom.db import after_snapshot, snapshot
from newsroom.public_pages import depends_on, generations, page_rows, public_page, read_rows

from . import search as reader_search
from .filters import QuoteFilter
from .models import Article, Block, Quote, Section, StoryRedirect, StoryRender
from .page_state import story_scope
from .rendering import (  # noqa: F401  (story_context, reading_minutes: the desk's preview and tests use them here)
    find_terms, highlight, reading_minutes, shown_entities, snippet, render_code, story_context, story_page, story_scopes,
    with_origin,
)

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


@public_page(scopes=(), snapshot=False)
def story_detail(request, slug):
    """The story page: its stored render (two queries, no transaction), or rendered now and stored.

    A render is stored at publish (``services.article_publish``); one missing (an edition published
    before renders were stored, or imported as published) or stale (an entity it shows was edited
    since, or the code changed) is rendered here, in one read snapshot, and stored after it.

    The stored render needs no snapshot: it is served only if the page state read after it still
    has the generations it was rendered from (generations only grow: nothing it shows changed since,
    and an unpublication bumps the story's scope), and the response carries that state.
    """
    language = translation.get_language()
    stored = StoryRender.objects.for_page(slug, language)
    if stored is not None:
        rows = read_rows(stored.scopes)
        if stored.code == render_code() and generations(stored.scopes, rows) == stored.state:
            return stored_page(request, stored.html, stored.scopes, rows)
    with snapshot():
        try:
            article = get_object_or_404(Article.objects.public().for_story_page(), slug=slug)
        except Http404:  # a renamed story keeps its old URL (models/redirects.py)
            moved = StoryRedirect.objects.live_story_for(slug)
            if moved is None:
                raise
            depends_on(request, story_scope(slug), story_scope(moved.slug))
            return redirect(moved, permanent=True)
        html, scopes = story_page(article, language), story_scopes(article)
        rows = read_rows(scopes)
    state, code = generations(scopes, rows), render_code()
    after_snapshot(request, lambda: StoryRender.objects.store(article, language, html, scopes, state, code))
    return stored_page(request, html, scopes, rows)


def stored_page(request, html, scopes, rows):
    depends_on(request, *scopes)
    page_rows(request, scopes, rows)
    response = HttpResponse(with_origin(html, request))
    response.script_converted = True  # stored in the edition's script
    return response


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


