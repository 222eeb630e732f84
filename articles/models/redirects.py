"""Old story URLs: a published story whose slug is renamed keeps answering at its old address (301)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .stories import Article


class StoryRedirectQuerySet(models.QuerySet):
    def live_story_for(self, slug, now=None):
        """The public live edition a retired ``slug`` now lives at, or None."""
        redirect = self.filter(old_slug=slug).only("article_id").first()
        if redirect is None:
            return None
        return Article.objects.public(now).filter(working_copy_id=redirect.article_id).exclude(slug=slug).first()


class StoryRedirect(models.Model):
    """``/stories/<old_slug>/`` answers 301 to the live edition of ``article`` (a working copy), as entity
    alias slugs do. Recorded when a publish changes a live story's slug (``services.copy_to_live``);
    consulted only when no public story has the slug, so a new story may take it over."""

    old_slug = models.SlugField(_("old slug"), max_length=100, unique=True)
    article = models.ForeignKey(Article, verbose_name=_("story"), on_delete=models.CASCADE,
                                related_name="old_slugs", help_text=_("The working copy."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StoryRedirectQuerySet.as_manager()

    class Meta:
        verbose_name = _("old story address")
        verbose_name_plural = _("old story addresses")

    def __str__(self):
        return f"/stories/{self.old_slug}/"

    @classmethod
    def record(cls, *, article, old_slug, new_slug):
        """Remember that working copy ``article`` was live at ``old_slug`` before ``new_slug``."""
        if old_slug and old_slug != new_slug:
            cls.objects.update_or_create(old_slug=old_slug, defaults={"article": article})
