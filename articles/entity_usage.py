"""What the knowledge base needs to know about stories, told from this side (see ``entities.usage``).

Registered in ``ArticlesConfig.ready()``: which entities are public (named, and not only suggested,
in a story readers may see now), how often each is quoted or mentioned, and where an entity is used,
for the entity admin, filtered by what the user may read (a reporter sees only their own stories there).
"""

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Exists, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from entities.models import Entity
from newsroom.db import CountUpTo

from . import permissions
from .models import PUBLIC_QUOTE_STATUSES, Article, Edition, Mention, Quote, RejectedSuggestion, StoryEntity
from .models.stories import public_q

# Every field of this app that names an entity (what a merge moves).
ENTITY_FIELDS = ((Quote, "speaker"), (Quote, "event"), (Mention, "entity"), (StoryEntity, "entity"),
                 (Article, "source_entity"))


def _count_public(model, field):
    """A subquery counting the reviewed rows of ``model`` in public stories for each entity."""
    rows = model.objects.public().reviewed().filter(**{field: models.OuterRef("pk")})
    counted = rows.order_by().values(field).annotate(n=models.Count("pk")).values("n")[:1]
    return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)


class StoryUsage:
    def public_entities(self, now=None, among=None):
        # Named in a story readers may see, unless the entity's only ties to such stories are
        # machine suggestions (pending, or rejected by an editor): a suggested speaker gets no page
        # until an editor confirms a quote or mention of it. Entities a story names as context
        # (a role's organisation, a product, an event) stay public with it.
        # ``among``: only these pks (a page asking about the entities it shows).
        # One EXISTS per tie, joined to the story (public_q) and correlated on the entity: each
        # stops at the first row it finds through the entity's index, so asking about a few
        # entities never lists every public story or every mention of a hot entity.
        on_story = public_q("article__", now)
        entity = models.OuterRef("pk")
        quotes = Quote.objects.filter(on_story).reviewed()
        mentions = Mention.objects.filter(on_story)
        confirmed = (Exists(mentions.reviewed().filter(entity=entity))
                     | Exists(quotes.filter(speaker=entity)) | Exists(quotes.filter(event=entity))
                     | Exists(Article.objects.public(now).filter(source_entity=entity)))
        suggested = (Exists(mentions.filter(status=Mention.Status.SUGGESTED, entity=entity))
                     | Exists(Quote.objects.filter(on_story, status=Quote.Status.SUGGESTED, speaker=entity))
                     | Q(slug__in=RejectedSuggestion.objects.filter(
                         article__in=Article.objects.public(now).values("working_copy")).values("entity_slug")))
        entities = Entity.objects.all() if among is None else Entity.objects.filter(pk__in=among)
        listed = Exists(StoryEntity.objects.filter(on_story, entity=entity))
        # (listed and confirmed) or (listed and not suggested): "confirmed" first, as it is found at
        # once for a named entity; and every EXISTS under an OR, which PostgreSQL keeps a correlated
        # probe per entity, where a top-level EXISTS may become a join over every story's entities.
        if connection.vendor == "postgresql":
            return entities.filter((listed & confirmed) | (listed & ~suggested)).values("pk")
        return entities.filter(listed).exclude(~confirmed & suggested).values("pk")

    def stories_counted(self, now=None, up_to=None):
        """An expression counting the public stories that list the entity (OuterRef "pk"), at most ``up_to``
        (through the entity's index: a page of an entity named in every story needs only to know
        whether there are more than a few pages)."""
        # article_id, not the row's pk: an index-only scan of (entity, article) that stops at ``up_to``
        # (the planner cannot see that the entity is a hot one, and chose a bitmap scan of the
        # entity's index reading all of its rows: 5 ms at 20,000 stories for the hottest).
        listed = StoryEntity.objects.filter(public_q("article__", now), entity=models.OuterRef("pk"))
        return CountUpTo(listed.order_by().values("article_id"), up_to)

    def public_counts(self):
        return {"quote_count": _count_public(Quote, "speaker"), "mention_count": _count_public(Mention, "entity")}

    def admin_counts(self):
        return {"quote_count": Count("quotes", distinct=True), "mention_count": Count("mentions", distinct=True)}

    def admin_usage(self, entity, user):
        """Where ``entity`` is used in the working copies ``user`` may open (never their live copies)."""
        stories = permissions.stories_visible_to(user)
        scope = {"article__in": stories, "article__edition": Edition.WORKING}
        all_quotes = list(entity.quotes.filter(**scope).select_related("article", "block")
                          .order_by("article_id", "id")[:200])
        events = list(entity.event_quotes.filter(**scope).select_related("article").order_by("article_id", "id")[:200])
        mentions = list(entity.mentions.filter(**scope).select_related("article", "block")
                        .order_by("article_id", "block__position", "start")[:500])
        listed = {}
        for row in [*all_quotes, *events, *mentions]:
            listed.setdefault(row.article_id, row.article)
        for se in entity.story_entities.filter(**scope).select_related("article"):
            listed.setdefault(se.article_id, se.article)
        for article in stories.filter(source_entity=entity):
            listed.setdefault(article.pk, article)

        def where(row):
            return reverse("admin:articles_article_desk", args=[row.article_id])

        def title(article, n=30):
            return article.title if len(article.title) <= n else article.title[:n - 1] + "…"

        def short(text, n=60):
            return text if len(text) <= n else text[:n - 1] + "…"

        # "Quotes by it" are the ones an editor accepted (confirmed or verified, as readers would see
        # them); suggestions and disputed quotes are listed apart, so the count says what it is.
        quotes = [q for q in all_quotes if q.status in PUBLIC_QUOTE_STATUSES]
        pending = [q for q in all_quotes if q.status not in PUBLIC_QUOTE_STATUSES]
        confirmed = [m for m in mentions if m.status == Mention.Status.CONFIRMED]
        suggested = [m for m in mentions if m.status != Mention.Status.CONFIRMED]

        def quote_row(q, status=False):
            text = f"{q.key} in «{title(q.article)}»: “{short(q.exact)}”" + (f" ({q.role})" if q.role else "")
            return {"text": f"{text} · {q.get_status_display()}" if status else text, "url": where(q)}

        def mention_row(m):
            return {"text": f"{m.block.key} in «{title(m.article)}»: «{m.exact}»", "url": where(m)}

        sections = [
            {"title": _("Stories"), "rows": [
                {"text": f"{a.title} ({a.get_status_display()})",
                 "url": reverse("admin:articles_article_change", args=[a.pk])} for a in listed.values()]},
            {"title": _("Quotes by it"), "rows": [quote_row(q) for q in quotes]},
        ]
        if pending:
            sections.append({"title": _("Quotes by it not accepted (suggested or disputed)"),
                             "rows": [quote_row(q, status=True) for q in pending]})
        if events:
            sections.append({"title": _("Quotes said at it"), "rows": [
                {"text": f"{q.key} in «{title(q.article)}»: “{short(q.exact)}”", "url": where(q)} for q in events]})
        sections.append({"title": _("Mentions"), "rows": [mention_row(m) for m in confirmed]})
        if suggested:
            sections.append({"title": _("Suggested mentions (not accepted)"), "rows": [mention_row(m) for m in suggested]})
        return sections

    def reassign(self, *, source, target):
        """Point every row naming ``source`` at ``target``, live editions included.

        Rows are saved one by one so their own save() keeps derived columns (a quote's search
        tokens hold its speaker's name); a row the target already has is dropped.
        """
        moved, dropped = {}, {}
        for model, name in ENTITY_FIELDS:
            label = f"{model._meta.verbose_name_plural} ({name})"
            for row in model._base_manager.filter(**{name: source}):
                setattr(row, name, target)
                try:
                    with transaction.atomic():
                        row.save()
                    moved[label] = moved.get(label, 0) + 1
                except IntegrityError:
                    model._base_manager.filter(pk=row.pk).delete()
                    dropped[label] = dropped.get(label, 0) + 1
        return moved, dropped


def public_among(pks, now=None):
    """The set of the pks among ``pks`` whose entities are public now (see ``public_entities``)."""
    pks = list(pks)
    if not pks:
        return set()
    return set(StoryUsage().public_entities(now, among=pks).values_list("pk", flat=True))
