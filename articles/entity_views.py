"""The entity page: what the knowledge base says of an entity, with the public stories, quotes and
passages that name it. It lives here, not in ``entities``, because ``entities`` knows no story; the
entity-only parts (roles, members, relations, the index) come from ``entities.views``.
"""

import functools
from datetime import datetime
from datetime import timezone as dt_timezone

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _

from entities.models import ENTITY_CARD, Entity
from entities.page_state import entity_scope, entity_stories_scope
from entities.views import entity_knowledge, entity_page_knowledge
from newsroom.db import Prepared, instance_from_row
from newsroom.html import highlight
from newsroom.public_pages import depends_on, public_page

from .models import Article, Block, Mention, Quote, Section, StoryEntity

PASSAGE_WINDOW = 110
STORIES_PER_PAGE = 20  # an entity named in every story lists them by page, with their quotes and passages


def role_held_then(quote, roles):
    """The role as printed with the quote; else the speaker's role that covers the quote's date."""
    if quote.role:
        return quote.role
    if not quote.said_on:
        return ""
    held = [r for r in roles if r.was_held_on(quote.said_on)]
    return held[0].title if len(held) == 1 else ""


def timeline(entity, roles, relations, quotes, stories):
    """Dated events of an entity: roles and relations starting or ending, quotes, stories naming it."""
    items = []
    for role in roles:
        org = role.organization
        if role.start:
            items.append((role.start, "role", format_html("出任{}", role.title), org))
        if role.end:
            items.append((role.end, "role", format_html("卸任{}", role.title), org))
    for label, other, rel in relations:
        if rel.start:
            items.append((rel.start, "relation", format_html("{}：", label), other))
        if rel.end:
            items.append((rel.end, "relation", format_html("{}（結束）：", label), other))
    for quote in quotes:
        if quote.said_on:
            items.append((quote.said_on, "quote", format_html("說：“{}”", _short(quote.exact, 28)), quote))
    for story in stories:
        when = story.published_at or story.publish_at
        if when:
            items.append((when.date().isoformat(), "story", format_html("報導：{}", story.title), story))
    items.sort(key=lambda item: item[0])
    return [{"date": d, "kind": k, "label": label, "target": t} for d, k, label, t in items]


def passage_html(url, text, key, section, spans):
    """One passage of a story naming the entity: a link to its paragraph, the mentions marked.

    Built here, not by an included template: a page of the hottest entity lists hundreds.
    """
    where = _("Section %(number)s") % {"number": section} if section is not None else _("Lede")
    return format_html('<li><a class="passage" href="{}#{}"><span class="where">{}</span><span class="passage-text">{}</span>'
                       "</a></li>\n", url, key, where,
                       highlight(text, spans, window=PASSAGE_WINDOW, mark_class="mention-mark"))


def _short(text, n):
    return text if len(text) <= n else text[: n - 1] + "…"


class LookaheadPaginator(Paginator):
    """Pages of a long list counted only a few pages ahead of the one shown.

    Counting the stories of an entity named in nearly every story reads all of them (90,000 rows at
    100,000 stories); the page needs to know only whether there are more. The count reads at most
    LOOKAHEAD pages past the current one; beyond it the page says "of N+" (``pages_more``).
    """

    LOOKAHEAD = 5

    def __init__(self, object_list, per_page, number, counted=None):
        """``counted``: the stories already counted up to ``limit(number, per_page) + 1`` (the entity
        page counts them in its knowledge query); None: count them here (one query)."""
        super().__init__(object_list, per_page)
        self.requested = number
        self.counted = counted

    @classmethod
    def limit(cls, number, per_page):
        """How many rows the count of page ``number`` looks at (one more says there are more)."""
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        return (number + cls.LOOKAHEAD) * per_page

    @cached_property
    def count(self):
        limit = self.limit(self.requested, self.per_page)
        counted = self.counted
        if counted is None:
            counted = self.object_list.order_by()[:limit + 1].count()
        self.more = counted > limit
        return min(counted, limit)

    @cached_property
    def num_pages(self):
        pages = super().num_pages
        return AtLeast(pages) if self.count and self.more else pages


class AtLeast(int):
    """A page count known only from below: shown as "12+"."""

    def __str__(self):
        return f"{int(self)}+"


class PageOf:
    """What a paginator slices when a page is read by a prepared query: ``fetch(offset, limit)``."""

    def __init__(self, fetch):
        self.fetch = fetch

    def __getitem__(self, bounds):
        start = bounds.start or 0
        return self.fetch(start, bounds.stop - start) if bounds.stop > start else []


# The page's queries, built by the ORM once per process (newsroom.db.Prepared): building and
# compiling them took more Python than PostgreSQL takes to run them. Stand-ins occur nowhere else.
_ENTITY = -918273601
_NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt_timezone.utc)
_ON_PAGE = tuple(range(-918273602, -918273602 - STORIES_PER_PAGE, -1))
STORY_FIELDS = ("id", "slug", "title", "publish_at", "published_at")
_STORIES_JOINED = Prepared(lambda entity, now: (
    Article.objects.public(now).filter(story_entities__entity=entity)
    .order_by("-published_at", "-id").values(*STORY_FIELDS)), paged=True, entity=_ENTITY, now=_NOW)
_STORIES_WALKED = Prepared(lambda entity, now: (
    Article.objects.public(now).filter(Exists(StoryEntity.objects.filter(article=OuterRef("pk"), entity=entity)))
    .order_by("-published_at", "-id").values(*STORY_FIELDS)), paged=True, entity=_ENTITY, now=_NOW)
# What the page shows of a quote, its story, paragraph, section, speaker and event.
QUOTE_FIELDS = ("id", "article_id", "block_id", "key", "exact", "kind", "role", "said_on", "speaker_id", "event_id",
                "attribution_exact", "status")
_RELATED = {"article": (Article, ("id", "slug", "title")), "block": (Block, ("id", "section_id")),
            "block__section": (Section, ("id", "number")), "speaker": (Entity, ENTITY_CARD),
            "event": (Entity, ENTITY_CARD)}
_QUOTES = Prepared(lambda entity, now, on_page: (
    Quote.objects.public(now).reviewed().filter(article__in=on_page).filter(Q(speaker=entity) | Q(event=entity))
    .order_by(*Quote.objects.for_entity_page().query.order_by)
    .values(*QUOTE_FIELDS, *(f"{name}__{field}" for name, (_, fields) in _RELATED.items() for field in fields))),
    entity=_ENTITY, now=_NOW, on_page=_ON_PAGE)
# Read through the stories of the page (mention_article_entity), not the entity's index: the hottest
# entity has a mention in nearly every paragraph (the +0 keeps planners off that index). Plain rows,
# not model instances: a page of the hottest entity has hundreds of passages.
_MENTIONS = Prepared(lambda entity, now, on_page: (
    Mention.objects.public(now).reviewed().filter(article__in=on_page)
    .alias(named=F("entity_id") + 0).filter(named=entity)
    .order_by("article_id", "block__position", "start")
    .values("article_id", "block_id", "start", "end", "block__text", "block__key", "block__section__number")),
    entity=_ENTITY, now=_NOW, on_page=_ON_PAGE)


def _quote(row):
    """A quote of a prepared row, with its story, paragraph, section, speaker and event (``_RELATED``)."""
    quote = instance_from_row(Quote, row, QUOTE_FIELDS)
    related = {name: instance_from_row(model, row, fields, prefix=f"{name}__") for name, (model, fields) in _RELATED.items()}
    quote.article, quote.block, quote.speaker, quote.event = (related[n] for n in ("article", "block", "speaker", "event"))
    quote.block.section = related["block__section"]
    return quote


@public_page(params=("page",), scopes=())
def entity_detail(request, slug):
    number = request.GET.get("page")
    # One query: the entity (by slug or alias), its aliases, roles and relations, which of the
    # entities they name are public, and its public stories counted a few pages ahead.
    known = entity_page_knowledge(slug, stories_up_to=LookaheadPaginator.limit(number, STORIES_PER_PAGE) + 1)
    if known is None or known.entity.pk not in known.public:
        # An entity named only in unpublished stories has no public page.
        raise Http404(_("No such entity."))
    entity = known.entity
    depends_on(request, entity_scope(entity.slug), entity_stories_scope(entity.slug))
    if known.is_alias:
        return redirect(entity, permanent=True)
    roles, members, relations = entity_knowledge(entity, known.public, known.links)
    now = timezone.now()
    paginator = LookaheadPaginator(None, STORIES_PER_PAGE, number, counted=known.stories_counted)
    paginator.count  # noqa: B018 (counted in the knowledge query: no query here)
    # Named in more stories than the count looked at: walk the newest stories and test each (the
    # unique story-entity index) until the page is full, rather than sort all of them.
    listing = _STORIES_WALKED if paginator.more else _STORIES_JOINED
    paginator.object_list = PageOf(lambda offset, limit: [
        instance_from_row(Article, row, STORY_FIELDS) for row in listing.run(entity=entity.pk, now=now, limit=limit, offset=offset)])
    page = paginator.get_page(number)
    stories = list(page.object_list)
    # Quotes and passages of the stories on this page (a fixed number of queries, bounded rows).
    on_page = [story.pk for story in stories]
    on_page_padded = (on_page + on_page[-1:] * STORIES_PER_PAGE)[:STORIES_PER_PAGE]
    said = [_quote(row) for row in _QUOTES.run(entity=entity.pk, now=now, on_page=on_page_padded)] if on_page else []
    quotes = [q for q in said if q.speaker_id == entity.pk]
    for quote in quotes:
        quote.role_then = role_held_then(quote, roles)
    event_quotes = [q for q in said if q.event_id == entity.pk]
    mentions = _MENTIONS.run(entity=entity.pk, now=now, on_page=on_page_padded) if on_page else []
    passages = {}
    for m in mentions:
        passage = passages.setdefault((m["article_id"], m["block_id"]),
                                      (m["block__text"], m["block__key"], m["block__section__number"], []))
        passage[3].append((m["start"], m["end"]))
    by_story = {}
    for (article_id, _block), passage in passages.items():
        by_story.setdefault(article_id, []).append(passage)
    for story in stories:
        url = story.get_absolute_url()
        # Reversed once: the page links each story from its heading, passages, timeline and JSON-LD.
        story.get_absolute_url = functools.partial(str, url)
        story.passages = [passage_html(url, *passage) for passage in by_story.get(story.pk, [])]
    # Stories listed here change this entity's scope when they are published; other entities shown
    # (roles, members, relations, speakers) have their own.
    shown = [r.organization for r in roles] + [m.person for m in members] + [other for _, other, _ in relations]
    shown += [e for q in quotes + event_quotes for e in (q.speaker, q.event)]
    depends_on(request, *(entity_scope(e.slug) for e in shown if e is not None))
    # Roles and relations naming an entity without a public page are left out until a publication
    # names it (its stories' scope) or an editor marks it public (its own).
    hidden = known.hidden_slugs()
    depends_on(request, *(entity_scope(s) for s in hidden), *(entity_stories_scope(s) for s in hidden))
    return render(request, "entities/entity_detail.html", {
        "entity": entity,
        "aliases": known.aliases,
        "roles": roles,
        "members": members,
        "relations": relations,
        "quotes": quotes,
        "event_quotes": event_quotes,
        "stories": stories,
        "page_obj": page,
        "timeline": timeline(entity, roles, relations, quotes, stories),
    })
