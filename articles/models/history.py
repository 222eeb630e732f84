"""A story's history and the desk's bookkeeping: revisions, rejected suggestions, status changes, share links."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _



from .anchored import Quote
from .stories import Article, Status

class Revision(models.Model):
    """The whole story in the story format, taken at each save and publish (``data``).

    Stored as a full ``snapshot`` (a keyframe) or as a ``delta`` (an RFC 6902 JSON patch) from a
    keyframe of the same story, ``base``: a save that changes a paragraph stores that paragraph,
    not the 200 KB story again (``services.revision_create`` chooses). ``data`` is the whole
    document either way, rebuilt exactly from the keyframe and the patch.
    """

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, help_text=_("import, save, publish, unpublish, restore…"))
    snapshot = models.JSONField(_("data"), db_column="data", null=True, blank=True, editable=False,
                                help_text=_("The whole story (a keyframe); empty when the revision is a delta."))
    base = models.ForeignKey("self", verbose_name=_("base"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", editable=False,
                             help_text=_("The keyframe the delta applies to."))
    delta = models.JSONField(_("delta"), null=True, blank=True, editable=False,
                             help_text=_("JSON patch (RFC 6902) from the base's story to this one."))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ("article", "-number")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_revision_article_number"),
            models.CheckConstraint(
                condition=Q(snapshot__isnull=False, base__isnull=True, delta__isnull=True)
                | Q(snapshot__isnull=True, base__isnull=False, delta__isnull=False),
                name="revision_snapshot_or_delta"),
        ]

    def __str__(self):
        return f"{self.article} r{self.number} ({self.action})"

    @property
    def data(self):
        """The story-format document of this revision (a keyframe's snapshot, or its base patched)."""
        if "_data" not in self.__dict__:
            if self.base_id is None:
                self.__dict__["_data"] = self.snapshot
            else:
                import jsonpatch

                self.__dict__["_data"] = jsonpatch.apply_patch(self.base.data, self.delta)
        return self.__dict__["_data"]

    @data.setter
    def data(self, value):
        """Store ``value`` whole (``as_delta`` makes it a delta)."""
        self.__dict__["_data"] = value
        self.snapshot, self.base, self.delta = value, None, None

    def as_delta(self, base, patch):
        """Store this revision as ``patch`` from keyframe ``base`` (``data`` stays as it is)."""
        self.snapshot, self.base, self.delta = None, base, patch


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
