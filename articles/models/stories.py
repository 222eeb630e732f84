"""Stories: articles in a lede and numbered sections of blocks (see the package docstring).

Quote, Mention and Annotation live in ``.anchored``, which imports this module; the page QuerySets
below reach them through the app registry (``_anchored``), not an import, so the arrow points one way.
"""


from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from entities.models import Entity, partial_date_check, partial_date_field, validate_slug_id
from newsroom.text import clean_name, nfc, slug_for

from ..importing.story import free_key


def _anchored(name):
    """The model ``name`` of ``.anchored`` (Quote, Mention, Annotation), from the app registry."""
    return apps.get_model("articles", name)



class Edition(models.TextChoices):
    WORKING = "working", _("working copy")
    LIVE = "live", _("live")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    SCHEDULED = "scheduled", _("scheduled")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")


PUBLIC_QUOTE_STATUSES = ("confirmed", "verified")
PUBLIC_NOTE_KINDS = ("context", "sic", "correction")


def public_q(prefix="", now=None):
    """The condition of ``ArticleQuerySet.public()`` on the article ``prefix`` names ("article__"):
    a join, where ``article__in=Article.objects.public()`` would list every public story first."""
    now = now or timezone.now()

    def q(**lookups):
        return Q(**{prefix + name: value for name, value in lookups.items()})

    due = q(publish_at__isnull=True) | q(publish_at__lte=now)
    return q(edition=Edition.LIVE) & ((q(status=Status.PUBLISHED) & due) | q(status=Status.SCHEDULED, publish_at__lte=now))


class ArticleQuerySet(models.QuerySet):
    def working(self):
        """Working copies: what editors see and change."""
        return self.filter(edition=Edition.WORKING)

    def live(self):
        """Live editions, whatever their status."""
        return self.filter(edition=Edition.LIVE)

    def public(self, now=None):
        """Live editions readers may see: published (or scheduled) and past their publish_at."""
        return self.filter(public_q(now=now))

    def for_desk(self):
        """Everything the annotation view shows: all quotes, mentions and annotations, not only public ones.

        The anchored rows do not join their block: the blocks are prefetched once and the desk
        (``desk.serializers.desk_items``) hands each row its block, instead of building a block and
        a section object for each of a long story's ~800 rows (issue 11 item 7)."""
        return self.select_related("owner", "modified_by").prefetch_related(
            Prefetch("sections", Section.objects.order_by("position")),
            Prefetch("blocks", Block.objects.order_by("position")),
            Prefetch("quotes", _anchored("Quote").objects.select_related("speaker", "event", "modified_by")
                     .order_by("block__position", "start")),
            Prefetch("mentions", _anchored("Mention").objects.select_related("entity", "modified_by")
                     .order_by("block__position", "start")),
            Prefetch("annotations", _anchored("Annotation").objects.select_related("modified_by")
                     .order_by("block__position", "start")),
        )

    def for_listing(self):
        """Public stories, newest first, with what a list of stories shows (home, feeds)."""
        return (self.public().annotate(section_count=Count("sections", distinct=True),
                                       shown_at=Coalesce("published_at", "publish_at", "created_at"))
                .order_by("-shown_at", "-id"))

    def for_sitemap(self):
        """Public stories with the time of their last publication."""
        return self.public().annotate(
            lastmod=Coalesce("updated_at", "published_at", "publish_at", "created_at")).order_by("-lastmod", "-id")

    def for_story_page(self):
        """Everything the story page shows, in a fixed number of queries (the anchored rows' blocks
        are the prefetched ones: ``rendering.story_parts`` attaches them, no join builds copies)."""
        return self.select_related("source_entity").prefetch_related(
            Prefetch("sections", Section.objects.order_by("position")),
            Prefetch("story_entities", StoryEntity.objects.select_related("entity").order_by("id")),
            Prefetch("blocks", Block.objects.order_by("position")),
            Prefetch(
                "quotes",
                _anchored("Quote").objects.filter(status__in=PUBLIC_QUOTE_STATUSES)
                .select_related("speaker", "event").order_by("block__position", "start"),
            ),
            Prefetch(
                "mentions",
                _anchored("Mention").objects.filter(status=_anchored("Mention").Status.CONFIRMED).select_related("entity")
                .order_by("block__position", "start"),
            ),
            Prefetch(
                "annotations",
                _anchored("Annotation").objects.filter(public=True, kind__in=PUBLIC_NOTE_KINDS)
                .annotate(made_at=Coalesce(Subquery(
                    _anchored("Annotation").objects.filter(article=OuterRef("article__working_copy"), key=OuterRef("key"))
                    .values("created_at")[:1]), "created_at"))
                .order_by("block__position", "start"),
                to_attr="public_annotations",
            ),
        )


class Article(models.Model):
    edition = models.CharField(_("edition"), max_length=10, choices=Edition, default=Edition.WORKING, editable=False)
    working_copy = models.OneToOneField(
        "self", verbose_name=_("working copy"), on_delete=models.CASCADE, null=True, blank=True, related_name="live_edition", editable=False,
        help_text=_("For a live edition: the working copy it was published from."),
    )
    slug = models.SlugField(_("slug"), max_length=100, validators=[validate_slug_id], help_text=_("The last part of the story's URL, as in /stories/alibaba-ai-2023/."))
    title = models.CharField(_("title"), max_length=300, help_text=_("The headline, in the story's language."))
    dek = models.TextField(_("dek"), blank=True, default="", help_text=_("One or two sentences under the headline."))
    language = models.CharField(_("language"), max_length=20, default="zh-Hant", help_text=_("BCP 47 tag, e.g. zh-Hant."))
    bylines = models.JSONField(_("bylines"), default=list, blank=True, help_text=_("Credits as printed, one per item."))
    source_name = models.CharField(_("source name"), max_length=200, blank=True, default="", help_text=_("The outlet that first ran it."))
    source_entity = models.ForeignKey(
        Entity, verbose_name=_("source entity"), on_delete=models.PROTECT, null=True, blank=True, related_name="sourced_articles"
    )
    source_url = models.URLField(_("source URL"), max_length=500, blank=True, default="")
    source_published_on = partial_date_field(verbose_name=_("source published on"))
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True, help_text=_("When readers may see it (scheduling)."))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, help_text=_("First publication."))
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True, help_text=_("Last publication of changes."))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False, help_text=_("Optimistic-locking counter."))
    modified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("modified by"), on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", editable=False, help_text=_("Who saved it last."))
    search_tokens = models.TextField(_("search tokens"), blank=True, default="", editable=False,
                                     help_text=_("Derived (live editions): bigram tokens of the whole story."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_articles", editable=False,
                              help_text=_("The reporter who created the story; reporters edit only their own drafts."))
    content_digest = models.CharField(_("content digest"),
        max_length=64, blank=True, default="", editable=False,
        help_text=_("Derived: digest of the story-format content at the last revision (working copy) or at "
                  "publishing (live edition); they differ when a story has unpublished changes."))
    entities = models.ManyToManyField(Entity, verbose_name=_("entities"), through="StoryEntity", related_name="stories", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ("-publish_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["slug", "edition"], name="unique_article_slug_edition"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="article_status_valid"),
            models.CheckConstraint(condition=Q(edition__in=Edition.values), name="article_edition_valid"),
            models.CheckConstraint(
                condition=Q(edition=Edition.WORKING, working_copy__isnull=True)
                | Q(edition=Edition.LIVE, working_copy__isnull=False),
                name="article_live_has_working_copy",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            # A working copy may wait for its headline (a raw draft without one); the publish gate
            # blocks it, and a live edition always has one.
            models.CheckConstraint(condition=~Q(title="") | Q(edition="working"), name="article_title_not_empty"),
            partial_date_check("source_published_on", "article_source_published_on_partial_date"),
        ]
        permissions = [
            ("change_any_article", "Can edit every story, not only one's own drafts"),
            ("view_any_article", "Can see every story in the desk"),
            ("publish_article", "Can publish, schedule, unpublish and archive stories"),
        ]

    def __str__(self):
        title = self.title or gettext("(untitled)")
        return title if self.edition == Edition.WORKING else f"{title} (live)"

    def save(self, *args, **kwargs):
        self.title = clean_name(self.title)
        self.dek = nfc(self.dek)
        self.bylines = [clean_name(b) for b in self.bylines or []]
        if not self.slug:
            self.slug = slug_for(
                self.title,
                taken=lambda s: Article.objects.filter(slug=s, edition=self.edition).exclude(pk=self.pk).exists(),
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", args=[self.slug])

    def is_public(self, now=None):
        """Return True if readers may see this edition now."""
        now = now or timezone.now()
        if self.edition != Edition.LIVE:
            return False
        if self.status == Status.PUBLISHED:
            return self.publish_at is None or self.publish_at <= now
        return self.status == Status.SCHEDULED and self.publish_at is not None and self.publish_at <= now

    def live_digest(self):
        """The content digest of this working copy's live edition, or None when it has none."""
        return Article.objects.live().filter(working_copy=self).values_list("content_digest", flat=True).first()

    def is_live_current(self):
        """Return True if this working copy has a live edition with the same content."""
        live = self.live_digest()
        return live is not None and live == self.content_digest

    def has_unpublished_changes(self):
        """Return True if this working copy has a live edition whose content differs from it.

        Both digests are stored: the working copy's at each revision, the live edition's at publishing.
        """
        live = self.live_digest()
        return live is not None and live != self.content_digest

    def next_key(self, prefix):
        """Return an unused key ``<prefix><n>`` among this story's blocks, quotes, mentions and annotations."""
        used = set()
        for model in (Block, _anchored("Quote"), _anchored("Mention"), _anchored("Annotation")):
            used.update(model.objects.filter(article=self, key__startswith=prefix).values_list("key", flat=True))
        return free_key(prefix, used)


class StoryEntity(models.Model):
    """An entity listed with a story (the story format's ``entities``), in the file's order."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="story_entities")
    entity = models.ForeignKey(Entity, verbose_name=_("entity"), on_delete=models.PROTECT, related_name="story_entities")

    class Meta:
        verbose_name = _("story entity")
        verbose_name_plural = _("story entities")
        ordering = ("article", "id")
        constraints = [models.UniqueConstraint(fields=["article", "entity"], name="unique_storyentity_article_entity")]
        # An entity's stories by index only: the entity page counts a hot entity's first pages without
        # reading the rest (StoryUsage.stories_counted).
        indexes = [models.Index(fields=["entity", "article"], name="storyentity_entity_article")]

    def __str__(self):
        return f"{self.article} – {self.entity}"


class Section(models.Model):
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(_("number"), max_length=2, help_text=_("Two digits, 01–99, rising by one."))
    heading = models.CharField(_("heading"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ("article", "position")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_section_article_number"),
            models.CheckConstraint(
                condition=Q(Exact(Length("number"), 2), number__gte="01", number__lte="99"),
                name="section_number_two_digits",
            ),
            models.CheckConstraint(condition=~Q(heading=""), name="section_heading_not_empty"),
        ]

    def __str__(self):
        return f"{self.number} {self.heading}"

    def save(self, *args, **kwargs):
        self.heading = clean_name(self.heading)
        super().save(*args, **kwargs)

    @property
    def anchor(self):
        return f"s{self.number}"


class BlockKind(models.TextChoices):
    PARAGRAPH = "paragraph", _("paragraph")
    FIGURE = "figure", _("figure")


class Block(models.Model):
    Kind = BlockKind

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="blocks")
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, null=True, blank=True, related_name="blocks",
        help_text=_("Empty for the lede."),
    )
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Reading order within the story."))
    key = models.SlugField(_("key"), max_length=100, validators=[validate_slug_id], help_text=_("Stable id (p1, f1…)."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.PARAGRAPH)
    text = models.TextField(_("text"), blank=True, default="")
    image = models.CharField(_("image"), max_length=500, blank=True, default="", help_text=_("Path or URL; empty slot if blank."))
    alt = models.CharField(_("alt text"), max_length=500, blank=True, default="")
    caption = models.TextField(_("caption"), blank=True, default="")
    credit = models.CharField(_("credit"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ("article", "position")
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="unique_block_article_key"),
            models.CheckConstraint(condition=Q(kind__in=BlockKind.values), name="block_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="paragraph", text=""), name="block_paragraph_has_text"),
        ]

    def __str__(self):
        return f"{self.key}: {self.text[:30]}" if self.text else self.key

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_text = instance.__dict__.get("text")
        return instance

    def clean(self):
        if self.section_id and self.article_id and self.section.article_id != self.article_id:
            raise ValidationError({"section": _("The section belongs to another story.")})

    def save(self, *args, **kwargs):
        # Derived columns of this row only; anchors follow an edited paragraph through
        # services.block_save (which reads ``_loaded_text``, the text as loaded).
        self.text = nfc(self.text)
        self.alt, self.caption, self.credit = nfc(self.alt), nfc(self.caption), nfc(self.credit)
        super().save(*args, **kwargs)




class StoryRenderQuerySet(models.QuerySet):
    def for_page(self, slug, language):
        """The stored render of public story ``slug`` in ``language`` (one query), or None."""
        return self.filter(language=language, article__in=Article.objects.public().filter(slug=slug).values("pk")).only(
            "html", "scopes", "state", "code").first()

    def store(self, article, language, html, scopes, state, code):
        """Store (or replace) the render of live edition ``article`` in ``language``."""
        # One upsert: two requests storing the same render at once do not fail.
        self.bulk_create([StoryRender(article=article, language=language, html=html, scopes=scopes, state=state,
                                      code=code)],
                         update_conflicts=True, unique_fields=["article", "language"],
                         update_fields=["html", "scopes", "state", "code", "rendered_at"])


class StoryRender(models.Model):
    """A live edition's story page, rendered once (at publish, or at the first request for an edition
    published before renders were stored), per script edition: the page as readers get it, with the
    site's origin left as a placeholder (``articles.rendering.RENDER_ORIGIN``).

    Valid while the page scopes it shows keep the generations in ``state`` (an entity edit bumps the
    scopes of the stories showing it) and the code that rendered it is the code serving it (``code``).
    Derived data: deleted with its edition, rebuilt whenever it is missing or stale.
    """

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="renders")
    language = models.CharField(_("language"), max_length=10, help_text=_("The script edition (zh-hant, zh-hans)."))
    html = models.TextField(_("HTML"))
    scopes = models.JSONField(_("page scopes"), default=list)
    state = models.JSONField(_("scope generations"), default=list)
    code = models.CharField(_("code digest"), max_length=32)
    rendered_at = models.DateTimeField(_("rendered at"), auto_now=True)

    objects = StoryRenderQuerySet.as_manager()

    class Meta:
        verbose_name = _("story render")
        verbose_name_plural = _("story renders")
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="unique_storyrender_article_language")]

    def __str__(self):
        return f"{self.article} [{self.language}]"
