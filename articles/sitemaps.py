"""/sitemap.xml: public stories and entity pages, in both scripts, lastmod from the last publication."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from entities.models import Entity
from newsroom.locale import READER_EDITIONS

from .models import Article


class I18nSitemap(Sitemap):
    i18n = True
    languages = READER_EDITIONS  # not settings.LANGUAGES: English is an editors' language, not an edition
    alternates = True
    x_default = True


class StorySitemap(I18nSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.for_sitemap()

    def lastmod(self, item):
        return item.lastmod


class EntitySitemap(I18nSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        public = Article.objects.public()
        return Entity.objects.public().annotate(lastmod=Max(
            Coalesce("stories__updated_at", "stories__published_at", "stories__publish_at"),
            filter=Q(stories__in=public))).order_by("slug")

    def lastmod(self, item):
        return item.lastmod


class PageSitemap(I18nSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["articles:home", "entities:list", "articles:quotes"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"stories": StorySitemap, "entities": EntitySitemap, "pages": PageSitemap}
