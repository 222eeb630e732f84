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

import math
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, FloatField, IntegerField, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat, Length, Replace

from entities.models import Entity
from newsroom.text import TERM_RE, fold_for_search

from .models import Article, Quote

MAX_QUERY_CHARS = 200      # the rest of a longer query is ignored
MAX_TERMS = 8
MAX_TERM_CHARS = 24        # a longer Han run is cut (23 bigrams are specific enough)
CANDIDATES = 300           # per kind: ranked results beyond these are not looked at


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
    """Every token of every term, ANDed: the GIN index answers this exactly, without a recheck.

    (A phrase query, ``<->``, would make PostgreSQL recompute the tsvector of every candidate row to
    check positions; the phrase is checked with a LIKE over the token text instead, far cheaper.)
    """
    parts = []
    for term in terms:
        for token in term.tokens:
            parts.append(token + (":*" if term.text.isascii() else ""))
    return " & ".join(dict.fromkeys(parts))


def _padded():
    return Concat(Value(" "), F("search_tokens"), Value(" "), output_field=TextField())


def matching(qs, query):
    """Filter ``qs`` (a model with ``search_tokens``) to rows where every term of ``query`` occurs."""
    indexed = [t for t in query.terms if not (len(t.text) == 1 and not t.text.isascii())]
    single = [t for t in query.terms if t not in indexed]
    if indexed and connection.vendor == "postgresql":
        qs = qs.annotate(search_vector=SearchVector("search_tokens", config="simple")).filter(
            search_vector=SearchQuery(_tsquery(indexed), search_type="raw", config="simple"))
    phrases = [t for t in indexed if len(t.tokens) > 1 or connection.vendor != "postgresql"]
    if phrases:
        qs = qs.annotate(padded_tokens=_padded())
        for term in phrases:
            # Token boundaries: a Latin word matches as a prefix, a bigram phrase exactly.
            qs = qs.filter(padded_tokens__contains=" " + term.pattern + ("" if term.text.isascii() else " "))
    for term in single:  # one Han character: any bigram containing it
        qs = qs.filter(search_tokens__contains=term.text)
    return qs


def candidates(qs, query, *order):
    """The newest CANDIDATES rows matching ``query``, ranked then by how often its terms occur."""
    newest = matching(qs, query).order_by(*order).values("pk")[:CANDIDATES]
    return (qs.model.objects.filter(pk__in=Subquery(newest))
            .annotate(n=Cast(occurrences(query), FloatField())))


def occurrences(query):
    """An expression counting how often the query's terms occur in ``search_tokens``."""
    total = Value(0, output_field=IntegerField())
    for term in query.terms:
        pattern = term.pattern
        total = total + (Length("search_tokens") - Length(Replace("search_tokens", Value(pattern), Value("")))) / max(
            len(pattern), 1)
    return total


@dataclass
class Hit:
    kind: str              # "story" | "quote" | "entity"
    obj: object
    score: float


def _contains_all(text, query):
    folded = fold_for_search(text)
    return all(t.text in folded for t in query.terms)


def search(query, *, now=None):
    """Return ranked hits (stories, quotes, entities) for a parsed query, and whether any kind was cut."""
    if not query:
        return [], False
    stories = list(
        candidates(Article.objects.public(now), query, "-published_at", "-id")
        .only("id", "slug", "title", "dek", "published_at", "publish_at", "updated_at", "created_at",
              "working_copy_id", "language")
        .order_by("-n", "-published_at", "-id"))
    quotes = list(
        candidates(Quote.objects.public(now).reviewed(), query, "-article__published_at", "-id")
        .select_related("article", "speaker", "block")
        .order_by("-n", "-article__published_at", "article_id", "block__position"))
    entities = list(candidates(Entity.objects.public(now), query, "name", "id").order_by("-n", "name"))
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
