"""Reader search, query side: stories, quotes and entities together, Chinese-aware.

The index side is ``newsroom.text.search_tokens``: Han runs become overlapping bigrams, Latin words
and numbers stay whole, all folded to lower case and simplified script (so 阿里云 finds 阿里雲).
A query is folded the same way and split into terms (each Han run, each Latin word); every term
must occur, its tokens consecutive (a phrase), so a term matches exactly where its text occurs.

- PostgreSQL: ``to_tsvector('simple', search_tokens) @@ to_tsquery('simple', '(通义 <-> 义千) & …')``,
  the expression of the GIN indexes (migrations 0003 / 0002).
- SQLite (or a one-character Han term, which bigrams cannot index): a LIKE over the token text.

Ranking is the same on both databases: where the terms occur (a name or a headline first) and how
often, counted in the database over a bounded set of candidates.
"""

import functools
import math
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone

from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, IntegerField, Subquery, TextField, Value, When
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Cast, Concat, Length, Replace
from django.utils import timezone

from entities.models import Entity
from newsroom.db import Prepared, instance_from_row
from newsroom.text import TERM_RE, fold_for_search

from .entity_usage import StoryUsage
from .models import Article, Quote

MAX_QUERY_CHARS = 200      # the rest of a longer query is ignored
MAX_TERMS = 8
MAX_TERM_CHARS = 24        # a longer Han run is cut (23 bigrams are specific enough)
CANDIDATES = 100           # per kind: ranked results beyond these are not looked at (a reader pages 15 deep)
ENTITY_CANDIDATES = 300    # matching entities whose publicness is checked (likeliest first)
EARLY_ROWS = 3 * CANDIDATES  # SQLite: the newest matches read from the index (see candidates)
ORDER_ID = 1_000_000_000   # SQLite: a story's or quote's FTS5 rowid is <publication second> * ORDER_ID + id


@dataclass(frozen=True)
class Term:
    text: str              # folded text of the term ("通义千问", "qwen")
    tokens: tuple          # its index tokens ("通义", "义千", "千问")

    @property
    def pattern(self):
        """The term's tokens as they stand in a token text."""
        return " ".join(self.tokens)


@dataclass
class Query:
    raw: str
    terms: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.terms)

    @property
    def texts(self):
        return [t.text for t in self.terms]


def parse_query(raw):
    """Fold and split a reader's query into at most MAX_TERMS terms; punctuation only gives none."""
    raw = (raw or "")[:MAX_QUERY_CHARS]
    folded = fold_for_search(raw)
    terms, seen = [], set()
    for text in TERM_RE.findall(folded):
        text = text[:MAX_TERM_CHARS]
        if text in seen:
            continue
        seen.add(text)
        if text.isascii():
            tokens = (text,)
        elif len(text) == 1:
            tokens = (text,)
        else:
            tokens = tuple(text[i:i + 2] for i in range(len(text) - 1))
        terms.append(Term(text, tokens))
        if len(terms) == MAX_TERMS:
            break
    return Query(raw.strip(), terms)


def _tsquery(terms):
    """Each term as a phrase of its tokens (a Latin word as a prefix), ANDed.

    Checked against the stored ``search_vector`` (migration 0011): the positions are stored, so a
    phrase costs no recomputation. (tsvector keeps positions up to 16,383 and 256 per token: a story
    far longer than any we run could miss a phrase in its tail.)
    """
    parts = []
    for term in terms:
        if term.text.isascii():
            parts.append(term.text + ":*")
        else:
            parts.append("(" + " <-> ".join(term.tokens) + ")")
    return " & ".join(parts)


def _fts_match(terms):
    """The same query in FTS5's syntax: a quoted phrase per term, a Latin word as a prefix."""
    return " AND ".join('"' + " ".join(t.tokens) + '"' + ("*" if t.text.isascii() else "") for t in terms)


def fts_table(model):
    """The FTS5 table of ``model`` on SQLite (migration 0011), or None where SQLite has no FTS5."""
    if connection.vendor != "sqlite" or not _has_fts5():
        return None
    return f"{model._meta.db_table}_fts"


@functools.cache
def _has_fts5():
    """Whether this SQLite has FTS5 (then migration 0011 made the tables); asked once, of a memory
    database, so no page pays a query for it."""
    import sqlite3

    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.Error:
        return False
    return True


class VectorMatch(Expression):
    """``<the model's table>.search_vector @@ to_tsquery('simple', query)`` (PostgreSQL).

    The stored column is no model field (migration 0011): this names it through the alias the
    query gives the model's table, which changes when the query becomes a subquery.
    """

    conditional = True

    def __init__(self, tsquery, alias=None):
        super().__init__(output_field=BooleanField())
        self.tsquery, self.alias = tsquery, alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        column = f"{compiler.quote_name_unless_alias(self.alias)}.search_vector"
        return f"{column} @@ to_tsquery('simple', %s)", [self.tsquery]


def _padded():
    return Concat(Value(" "), F("search_tokens"), Value(" "), output_field=TextField())


def matching(qs, query, *, index=True):
    """Filter ``qs`` (a model with ``search_tokens``) to rows where every term of ``query`` occurs.

    A term occurs where its tokens are consecutive (a phrase), so it matches exactly where its
    folded text occurs; a Latin word matches as a prefix. ``index=False`` tests the token text
    itself (LIKE), for a few rows already chosen. A one-character Han term, which bigrams cannot
    index, is always a LIKE (narrowed by the other terms when there are any).
    """
    indexed = [t for t in query.terms if not (len(t.text) == 1 and not t.text.isascii())]
    single = [t for t in query.terms if t not in indexed]
    fts = fts_table(qs.model) if index else None
    if indexed and index and connection.vendor == "postgresql":
        qs = qs.filter(VectorMatch(_tsquery(indexed)))
    elif indexed and fts and qs.model is Entity:
        qs = qs.filter(pk__in=RawSQL(f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s', [_fts_match(indexed)]))
    elif indexed and fts:  # keyed in reading order: the newest matches, then stop
        qs = qs.filter(pk__in=RawSQL(
            f'SELECT rowid %% {ORDER_ID} FROM "{fts}" WHERE "{fts}" MATCH %s ORDER BY rowid DESC LIMIT {EARLY_ROWS}',
            [_fts_match(indexed)]))
    elif indexed:  # a few rows, or SQLite without FTS5
        qs = qs.annotate(padded_tokens=_padded())
        for term in indexed:
            qs = qs.filter(padded_tokens__contains=" " + term.pattern + ("" if term.text.isascii() else " "))
    for term in single:  # one Han character: any bigram containing it
        qs = qs.filter(search_tokens__contains=term.text)
    return qs


def candidates(qs, query, *order):
    """The newest CANDIDATES rows matching ``query``, ranked then by how often its terms occur.

    A common term (阿里 is in nine stories in ten) must not cost its whole posting list. PostgreSQL's
    planner walks the newest rows and tests their stored vectors, or reads the GIN index for a rare
    term, from the statistics of the stored column. SQLite's FTS5 tables of stories and quotes
    are keyed in reading order (migration 0011), so the index hands out the newest matches first
    and stops after a few (EARLY_ROWS; the public filter then applies to them).
    """
    newest = matching(qs, query).order_by(*order).values("pk")[:CANDIDATES]
    return (qs.model.objects.filter(pk__in=Subquery(newest))
            .annotate(n=Cast(occurrences(query), FloatField())))


class ByteLength(Length):
    """LENGTH in bytes on PostgreSQL (OCTET_LENGTH), where LENGTH walks a UTF-8 text to count its
    characters: counting occurrences in a hundred stories' token texts took 17 ms, 5 in bytes."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="OCTET_LENGTH", **extra_context)


def occurrences(query):
    """An expression counting how often the query's terms occur in ``search_tokens``: the length the
    text loses when they are taken out, over the length of one (in bytes on PostgreSQL)."""
    in_bytes = connection.vendor == "postgresql"
    total = Value(0, output_field=IntegerField())
    for term in query.terms:
        pattern = term.pattern
        size = len(pattern.encode()) if in_bytes else len(pattern)
        removed = ByteLength("search_tokens") - ByteLength(Replace("search_tokens", Value(pattern), Value("")))
        total = total + removed / max(size, 1)
    return total


ENTITY_FIELDS = ("id", "slug", "name", "kind", "description", "search_tokens")
_NAMED = "search_named"  # the matching entities, a common table expression the public test reads twice


def _public_among_named(now):
    among = RawSQL(f"SELECT pk FROM {_NAMED}", ())
    public = StoryUsage().public_entities(now, among=among)
    marked = Entity.objects.filter(pk__in=among, marked_public=True).values("pk").order_by()
    # A union, not "marked_public OR pk IN (public)", which PostgreSQL tests on every entity.
    either = public.order_by().union(marked)
    return Entity.objects.filter(pk__in=either).values(*ENTITY_FIELDS).order_by()


# The public test is a large expression (an EXISTS per tie to a story) that cost the ORM ~10 ms of
# Python to build, more than the rest of a search: built once per process (newsroom.db.Prepared).
_PUBLIC_AMONG = Prepared(_public_among_named, now=datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt_timezone.utc))


def public_among(named, now=None):
    """The public entities (``EntityQuerySet.public``: named in a public story, or marked public) among
    the pks QuerySet ``named`` selects, with the fields a hit shows. The matching entities are a common
    table expression (found once, not once per reference)."""
    named_sql, named_params = named.query.sql_with_params()
    rows = _PUBLIC_AMONG.run(now=now or timezone.now(), common=(_NAMED, named_sql, named_params))
    return [instance_from_row(Entity, row, ENTITY_FIELDS) for row in rows]


@dataclass
class Hit:
    kind: str              # "story" | "quote" | "entity"
    obj: object
    score: float


def _contains_all(text, query):
    folded = fold_for_search(text)
    return all(t.text in folded for t in query.terms)


def search(query, *, now=None):
    """Return ranked hits (stories, quotes, entities) for a parsed query, and whether any kind was cut.

    One query per kind, each over at most CANDIDATES rows, reading only the fields a result shows.
    """
    if not query:
        return [], False
    stories = list(
        candidates(Article.objects.public(now), query, "-published_at", "-id")
        .only("id", "slug", "title", "dek", "published_at", "edition")
        .order_by("-n", "-published_at", "-id"))
    quotes = list(
        candidates(Quote.objects.public(now).reviewed(), query, "-article__published_at", "-id")
        .select_related("article", "speaker")
        .only("id", "key", "exact", "role", "article__id", "article__slug", "article__title", "article__edition",
              "speaker__id", "speaker__slug", "speaker__name")
        .order_by("-n", "-article__published_at", "article_id", "block__position"))
    # Entities: the matching ones (names, aliases, descriptions), then which of them are public,
    # asked about those pks only (the public set of the whole knowledge base is never built).
    # The likeliest first (a name starting with the first term), so the bound on how many are
    # checked cuts the descriptions that merely mention it.
    first = query.terms[0]
    named = (matching(Entity.objects.all(), query)
             .annotate(by_name=Case(When(search_tokens__startswith=first.pattern, then=1), default=0))
             .order_by("-by_name", "name", "id").values("pk")[:ENTITY_CANDIDATES])
    entities = list(public_among(named, now))
    for entity in entities:  # counted here: at most ENTITY_CANDIDATES short token texts
        entity.n = sum(entity.search_tokens.count(term.pattern) for term in query.terms)
    entities.sort(key=lambda e: (-e.n, e.name))
    entities = entities[:CANDIDATES]
    cut = CANDIDATES in (len(stories), len(quotes), len(entities))

    hits = []
    raw_folded = "".join(query.texts)
    for entity in entities:
        name = fold_for_search(entity.name)
        exact = name.replace(" ", "") == raw_folded
        score = 6 if exact else 4 if _contains_all(entity.name, query) else 1 + 0.2 * math.log1p(entity.n)
        hits.append(Hit("entity", entity, score))
    for story in stories:
        score = 2 + 0.5 * math.log1p(story.n)
        if _contains_all(story.title, query):
            score += 2.5
        elif _contains_all(story.dek, query):
            score += 1
        hits.append(Hit("story", story, score))
    for quote in quotes:
        score = 1.5 + 0.3 * math.log1p(quote.n)
        if _contains_all(quote.exact, query):
            score += 0.5
        hits.append(Hit("quote", quote, score))
    order = {"entity": 0, "story": 1, "quote": 2}
    hits.sort(key=lambda h: (-h.score, order[h.kind]))
    return hits, cut
