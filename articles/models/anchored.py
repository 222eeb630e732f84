"""What editors anchor on a paragraph's words: quotes, entity mentions and annotations."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from entities.models import Entity, partial_date_check, partial_date_field, validate_slug_id
from newsroom.text import nfc, search_tokens


from .stories import PUBLIC_NOTE_KINDS, PUBLIC_QUOTE_STATUSES, Article, Block, public_q
class AnchoredQuerySet(models.QuerySet):
    def public(self, now=None):
        """Only what sits in stories readers may see now (a join: the planner may walk the stories
        in reading order and stop early, where ``article__in=<public stories>`` lists them all)."""
        return self.filter(public_q("article__", now))

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


def confidence_field():
    """How sure the importer was of a suggestion, 0..1 (see ``importing.raw._suggestions``); null when a person made it."""
    return models.FloatField(_("confidence"), null=True, blank=True, editable=False,
                             validators=[MinValueValidator(0), MaxValueValidator(1)],
                             help_text=_("How sure the importer was, from 0 to 1; empty when a person made it."))


def confidence_check(name):
    return models.CheckConstraint(condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                                  name=name)


class QuoteKind(models.TextChoices):
    DIRECT = "direct", _("direct")
    INDIRECT = "indirect", _("indirect")
    FRAGMENT = "fragment", _("fragment")


class QuoteStatus(models.TextChoices):
    SUGGESTED = "suggested", _("suggested")
    CONFIRMED = "confirmed", _("confirmed")
    VERIFIED = "verified", _("verified")
    DISPUTED = "disputed", _("disputed")


def quote_tokens(exact, speaker_name, role):
    """A quote's search tokens: bigrams of its words, its speaker's name and the role as printed."""
    return search_tokens(exact, speaker_name, role)


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
    confidence = confidence_field()
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
            confidence_check("quote_confidence_0_to_1"),
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
        return quote_tokens(self.exact, self.speaker.name if self.speaker else "", self.role)

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
    confidence = confidence_field()

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        ordering = ("article", "block__position", "start")
        constraints = [
            *Anchored.Meta.constraints,
            models.UniqueConstraint(fields=["article", "key"], name="unique_mention_article_key"),
            models.CheckConstraint(condition=Q(status__in=MentionStatus.values), name="mention_status_valid"),
            confidence_check("mention_confidence_0_to_1"),
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

