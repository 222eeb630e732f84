"""Stories: articles in a lede and numbered sections of blocks, and what editors anchor on them.

Every story has one *working* Article (what the admin edits) and, once published, one *live*
Article beside it, copied through the story format (see ``services.article_publish``). Readers
only ever see live editions (``Article.objects.public()``).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from entities.models import Entity, partial_date_check, partial_date_field, validate_slug_id
from newsroom.text import clean_name, nfc, search_tokens, slug_for

from .importing.story import free_key



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


class ArticleQuerySet(models.QuerySet):
    def working(self):
        """Working copies: what editors see and change."""
        return self.filter(edition=Edition.WORKING)

    def live(self):
        """Live editions, whatever their status."""
        return self.filter(edition=Edition.LIVE)

    def public(self, now=None):
        """Live editions readers may see: published (or scheduled) and past their publish_at."""
        now = now or timezone.now()
        due = Q(publish_at__isnull=True) | Q(publish_at__lte=now)
        return self.live().filter(
            (Q(status=Status.PUBLISHED) & due) | Q(status=Status.SCHEDULED, publish_at__lte=now)
        )

    def for_desk(self):
        """Everything the annotation view shows: all quotes, mentions and annotations, not only public ones."""
        anchored = ("block", "block__section")
        return self.select_related("owner", "modified_by").prefetch_related(
            Prefetch("sections", Section.objects.order_by("position")),
            Prefetch("blocks", Block.objects.order_by("position")),
            Prefetch("quotes", Quote.objects.select_related(*anchored, "speaker", "event", "modified_by")
                     .order_by("block__position", "start")),
            Prefetch("mentions", Mention.objects.select_related(*anchored, "entity", "modified_by")
                     .order_by("block__position", "start")),
            Prefetch("annotations", Annotation.objects.select_related(*anchored, "modified_by")
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
        """Everything the story page shows, in a fixed number of queries."""
        anchored = ("block", "block__section")
        return self.select_related("source_entity").prefetch_related(
            Prefetch("sections", Section.objects.order_by("position")),
            Prefetch("story_entities", StoryEntity.objects.select_related("entity").order_by("id")),
            Prefetch("blocks", Block.objects.order_by("position")),
            Prefetch(
                "quotes",
                Quote.objects.filter(status__in=PUBLIC_QUOTE_STATUSES)
                .select_related(*anchored, "speaker", "event", "attribution_block")
                .order_by("block__position", "start"),
            ),
            Prefetch(
                "mentions",
                Mention.objects.filter(status=Mention.Status.CONFIRMED).select_related(*anchored, "entity")
                .order_by("block__position", "start"),
            ),
            Prefetch(
                "annotations",
                Annotation.objects.filter(public=True, kind__in=PUBLIC_NOTE_KINDS).select_related(*anchored)
                .annotate(made_at=Coalesce(Subquery(
                    Annotation.objects.filter(article=OuterRef("article__working_copy"), key=OuterRef("key"))
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
    slug = models.SlugField(_("slug"), max_length=100, validators=[validate_slug_id], help_text=_("The story's URL: /stories/<slug>/."))
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
        for model in (Block, Quote, Mention, Annotation):
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


class AnchoredQuerySet(models.QuerySet):
    def public(self, now=None):
        """Only what sits in stories readers may see now."""
        return self.filter(article__in=Article.objects.public(now))

    def reviewed(self):
        """Only what an editor confirmed: readers never see a machine suggestion."""
        if self.model is Quote:
            return self.filter(status__in=PUBLIC_QUOTE_STATUSES)
        if self.model is Mention:
            return self.filter(status=Mention.Status.CONFIRMED)
        return self.filter(public=True, kind__in=PUBLIC_NOTE_KINDS)

    def for_quote_index(self):
        """Public quotes with their speaker, story and passage, newest story first (quote index)."""
        return (self.public().reviewed()
                .select_related("article", "block", "block__section", "speaker", "event")
                .order_by("-article__published_at", "article_id", "block__position", "start"))

    def open_for_review(self):
        """What waits for an editor: suggested quotes and mentions, open flags and repairs."""
        if self.model is Annotation:
            return self.filter(status=Annotation.Status.OPEN, kind__in=(Annotation.Kind.FLAG, Annotation.Kind.REPAIR))
        return self.filter(status="suggested")

    def for_review_queue(self):
        """Open work with the story, passage and entity the review queue shows, in reading order."""
        related = ["article", "block", "block__section", "modified_by"]
        if self.model is Quote:
            related.append("speaker")
        elif self.model is Mention:
            related.append("entity")
        return self.open_for_review().select_related(*related).order_by("article_id", "block__position", "start")

    def for_entity_page(self):
        """Quotes or mentions with the story, passage and people an entity page shows."""
        related = ["article", "block", "block__section"]
        if self.model is Quote:
            related += ["speaker", "event"]
        elif self.model is Mention:
            related += ["entity"]
        return self.select_related(*related).order_by("-article__publish_at", "article_id", "block__position", "start")


class Anchored(models.Model):
    """Fields and rules shared by everything anchored to a span of a paragraph."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="%(class)ss", editable=False)
    block = models.ForeignKey(Block, verbose_name=_("block"), on_delete=models.CASCADE, related_name="%(class)ss")
    start = models.PositiveIntegerField(_("start"), help_text=_("First character (Unicode code points)."))
    end = models.PositiveIntegerField(_("end"), help_text=_("One past the last character."))
    exact = models.TextField(_("exact words"), help_text=_("The anchored words; must equal the paragraph's text between start and end."))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False,
                                          help_text=_("Optimistic-locking counter of this one anchored object."))
    modified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("modified by"), on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", editable=False, help_text=_("Who changed it last."))
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    objects = AnchoredQuerySet.as_manager()
    key_prefix = "x"

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="%(class)s_start_before_end"),
            models.CheckConstraint(condition=~Q(exact=""), name="%(class)s_exact_not_empty"),
        ]

    def clean(self):
        super().clean()
        if self.block_id is not None:  # a form whose block did not validate reports that instead
            self.check_anchor()

    def save(self, *args, **kwargs):
        self.exact = nfc(self.exact)
        self.article_id = self.block.article_id
        if not self.key:
            self.key = self.block.article.next_key(self.key_prefix)
        self.check_anchor()
        if not self._state.adding:
            # Every change to a saved row makes copies of it loaded earlier stale (desk endpoints
            # and admin forms compare this counter); see services.anchored_lock.
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", "modified_at"}
        super().save(*args, **kwargs)

    def check_anchor(self):
        """Raise ValidationError unless ``exact`` is the block's text between start and end."""
        check_span(self.block, self.start, self.end, self.exact, what=_("anchor"))

def check_span(block, start, end, exact, *, what):
    if block.kind != Block.Kind.PARAGRAPH:
        raise ValidationError(gettext("The %(what)s points at %(key)s, which is not a paragraph.") % {"what": what, "key": block.key})
    if start is None or end is None or not (0 <= start < end <= len(block.text)):
        raise ValidationError(gettext("The %(what)s %(start)s–%(end)s is outside paragraph %(key)s (%(n)d characters).") % {
            "what": what, "start": start, "end": end, "key": block.key, "n": len(block.text)})
    if block.text[start:end] != exact:
        raise ValidationError(gettext("The %(what)s's exact text does not match block %(key)s at %(start)s–%(end)s.") % {
            "what": what, "key": block.key, "start": start, "end": end})


class QuoteKind(models.TextChoices):
    DIRECT = "direct", _("direct")
    INDIRECT = "indirect", _("indirect")
    FRAGMENT = "fragment", _("fragment")


class QuoteStatus(models.TextChoices):
    SUGGESTED = "suggested", _("suggested")
    CONFIRMED = "confirmed", _("confirmed")
    VERIFIED = "verified", _("verified")
    DISPUTED = "disputed", _("disputed")


class Quote(Anchored):
    Kind = QuoteKind
    Status = QuoteStatus

    key = models.SlugField(_("key"), max_length=100, blank=True, validators=[validate_slug_id],
                           help_text=_("Stable id within the story (q1, q2…); filled in when left empty."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.DIRECT)
    speaker = models.ForeignKey(Entity, verbose_name=_("speaker"), on_delete=models.PROTECT, null=True, blank=True, related_name="quotes")
    role = models.CharField(_("role"), max_length=200, blank=True, default="", help_text=_("The speaker's title as printed here."))
    said_on = partial_date_field(verbose_name=_("said on"))
    event = models.ForeignKey(Entity, verbose_name=_("event"), on_delete=models.PROTECT, null=True, blank=True, related_name="event_quotes")
    attribution_block = models.ForeignKey(
        Block, verbose_name=_("attribution block"), on_delete=models.SET_NULL, null=True, blank=True, related_name="attributed_quotes",
        help_text=_("Where the text names the speaker; may be an earlier paragraph."),
    )
    attribution_start = models.PositiveIntegerField(_("attribution start"), null=True, blank=True)
    attribution_end = models.PositiveIntegerField(_("attribution end"), null=True, blank=True)
    attribution_exact = models.TextField(_("attribution exact"), blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SUGGESTED)
    note = models.TextField(_("note"), blank=True, default="")
    search_tokens = models.TextField(_("search tokens"), blank=True, default="", editable=False,
                                     help_text=_("Derived: bigram tokens of the quote and its speaker."))

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ("article", "block__position", "start")
        constraints = [
            *Anchored.Meta.constraints,
            models.UniqueConstraint(fields=["article", "key"], name="unique_quote_article_key"),
            models.CheckConstraint(condition=Q(kind__in=QuoteKind.values), name="quote_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=QuoteStatus.values), name="quote_status_valid"),
            models.CheckConstraint(
                condition=Q(attribution_block__isnull=True)
                | Q(attribution_start__lt=F("attribution_end"), attribution_start__isnull=False),
                name="quote_attribution_span_valid",
            ),
            partial_date_check("said_on", "quote_said_on_partial_date"),
        ]
        permissions = [("verify_quote", "Can mark quotes verified or disputed")]

    key_prefix = "q"

    def __str__(self):
        return f"{self.speaker or '?'}: “{self.exact[:40]}”"

    def save(self, *args, **kwargs):
        self.attribution_exact = nfc(self.attribution_exact)
        self.search_tokens = self.tokens()
        if self.attribution_block_id:
            check_span(self.attribution_block, self.attribution_start, self.attribution_end,
                       self.attribution_exact, what=_("attribution"))
        super().save(*args, **kwargs)

    def tokens(self):
        return search_tokens(self.exact, self.speaker.name if self.speaker else "", self.role)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#q-{self.key}"


class MentionStatus(models.TextChoices):
    SUGGESTED = "suggested", _("suggested")
    CONFIRMED = "confirmed", _("confirmed")


class Mention(Anchored):
    Status = MentionStatus

    key = models.SlugField(_("key"), max_length=100, blank=True, validators=[validate_slug_id],
                           help_text=_("Stable id within the story; filled in when left empty."))
    entity = models.ForeignKey(Entity, verbose_name=_("entity"), on_delete=models.PROTECT, related_name="mentions")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SUGGESTED)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        ordering = ("article", "block__position", "start")
        constraints = [
            *Anchored.Meta.constraints,
            models.UniqueConstraint(fields=["article", "key"], name="unique_mention_article_key"),
            models.CheckConstraint(condition=Q(status__in=MentionStatus.values), name="mention_status_valid"),
        ]

    key_prefix = "m"

    def __str__(self):
        return f"{self.entity} @ {self.block.key}:{self.start}"


class AnnotationKind(models.TextChoices):
    NOTE = "note", _("note (internal)")
    CONTEXT = "context", _("context (public)")
    SIC = "sic", _("sic (public)")
    CORRECTION = "correction", _("correction (public)")
    REPAIR = "repair", _("repair (importer)")
    FLAG = "flag", _("flag (needs an editor)")


class AnnotationStatus(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("resolved")


class Annotation(Anchored):
    Kind = AnnotationKind
    Status = AnnotationStatus

    key = models.SlugField(_("key"), max_length=100, blank=True, validators=[validate_slug_id],
                           help_text=_("Stable id within the story; filled in when left empty."))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    body = models.TextField(_("body"), blank=True, default="")
    public = models.BooleanField(_("public"), default=False, help_text=_("Shown to readers (context, sic, correction)."))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    original = models.TextField(_("original"), null=True, blank=True, help_text=_("For a repair: the text as it arrived."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        ordering = ("article", "block__position", "start")
        constraints = [
            *Anchored.Meta.constraints,
            models.UniqueConstraint(fields=["article", "key"], name="unique_annotation_article_key"),
            models.CheckConstraint(condition=Q(kind__in=AnnotationKind.values), name="annotation_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=AnnotationStatus.values), name="annotation_status_valid"),
        ]

    key_prefix = "a"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.exact[:30]}"

    def save(self, *args, **kwargs):
        self.body = nfc(self.body)
        super().save(*args, **kwargs)


# The kinds of annotation an editor writes; the others (repair, flag) are the importer's marks.
NOTE_KINDS = (Annotation.Kind.NOTE, Annotation.Kind.CONTEXT, Annotation.Kind.SIC, Annotation.Kind.CORRECTION)


class Revision(models.Model):
    """A snapshot of the whole story in the story format, taken at each save and publish."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, help_text=_("import, save, publish, unpublish, restore…"))
    data = models.JSONField(_("data"))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ("article", "-number")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_revision_article_number"),
        ]

    def __str__(self):
        return f"{self.article} r{self.number} ({self.action})"


class SuggestionKind(models.TextChoices):
    QUOTE = "quote", _("quote")
    MENTION = "mention", _("mention")


class RejectedSuggestion(models.Model):
    """A suggestion an editor rejected; re-imports of the story do not suggest it again."""

    Kind = SuggestionKind

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="rejected_suggestions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    exact = models.TextField(_("exact words"))
    entity_slug = models.CharField(_("entity slug"), max_length=100, help_text=_("The speaker or entity it proposed."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("rejected suggestion")
        verbose_name_plural = _("rejected suggestions")
        ordering = ("article", "-created_at")
        constraints = [
            models.UniqueConstraint(fields=["article", "kind", "exact", "entity_slug"],
                                    name="unique_rejectedsuggestion"),
            models.CheckConstraint(condition=Q(kind__in=SuggestionKind.values), name="rejectedsuggestion_kind_valid"),
        ]

    def __str__(self):
        return f"rejected {self.kind}: {self.exact[:30]} ({self.entity_slug})"

    @classmethod
    def record(cls, obj, user=None):
        """Remember that the suggested quote or mention ``obj`` was rejected."""
        kind, entity = ("quote", obj.speaker) if isinstance(obj, Quote) else ("mention", obj.entity)
        cls.objects.get_or_create(article=obj.article, kind=kind, exact=obj.exact,
                                  entity_slug=entity.slug if entity else "", defaults={"user": user})


class Transition(models.Model):
    """A workflow step of a story: who moved it from which status to which, and when."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="transitions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True)
    from_status = models.CharField(_("from status"), max_length=20, choices=Status)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status)
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ("article", "-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(from_status__in=Status.values) & Q(to_status__in=Status.values),
                                   name="transition_status_valid"),
        ]

    def __str__(self):
        return f"{self.article}: {self.from_status} → {self.to_status}"


class PreviewLink(models.Model):
    """A signed, expiring, revocable link that shows one unpublished story to someone without an account."""

    # The lifetime of a link unless its maker chooses another (services.preview_link_create).
    DEFAULT_DAYS = 7
    SALT = "articles.preview-link"

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="preview_links")
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")
        ordering = ("article", "-created_at")

    def __str__(self):
        return f"preview of {self.article} until {self.expires_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        # A 256-bit random token and the default lifetime unless given.
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        if self.expires_at is None:
            self.expires_at = (self.created_at or timezone.now()) + timedelta(days=self.DEFAULT_DAYS)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The share URL: the token signed together with its story's id."""
        return reverse("admin:articles_article_shared", args=[self.article_id, self.signed_token()])

    def signed_token(self):
        """The signed token that goes into the share URL (the signature binds it to its story)."""
        return signing.Signer(salt=self.SALT).sign(f"{self.article_id}.{self.token}")

    def is_valid(self, now=None):
        """Return True if the link may still be used."""
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at
