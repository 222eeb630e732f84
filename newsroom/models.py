"""The page cache's validators: one row per scope of what public pages show (newsroom.public_pages).

A scope is a name an app chooses ("site", "story:<slug>", "entity:<slug>"); writes bump the
scopes they change, in their own transaction, and a cached page is served while the scopes it
was rendered from are unchanged. The row "schedule" keeps the coming publication times of
scheduled stories (readers see those without any write).
"""

from django.db import models


class PageScope(models.Model):
    scope = models.CharField(max_length=250, primary_key=True)
    generation = models.BigIntegerField(default=0)
    modified_at = models.DateTimeField(null=True, blank=True)
    due = models.JSONField(default=list, blank=True, help_text="Coming publication times (ISO 8601), sorted.")

    def __str__(self):
        return f"{self.scope} #{self.generation}"
