"""RSS and Atom feeds of the latest public stories (parsed with feedparser in tests)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed

from .models import Article

FEED_SIZE = 20


def feed_language():
    return "zh-Hans" if translation.get_language() == "zh-hans" else "zh-Hant"


class LatestStoriesFeed(Feed):
    title = "Newsroom：最新報導"
    description = "Newsroom 最新發布的專題報導。"

    def link(self):
        return reverse("articles:home")

    @property
    def language(self):
        return feed_language()

    def items(self):
        return Article.objects.for_listing()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.dek

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # The working copy's id is stable across republications (the live edition is a new row each time).
        return f"newsroom:story:{item.working_copy_id or item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at or item.publish_at

    def item_updateddate(self, item):
        return item.updated_at or item.published_at or item.publish_at

    def item_author_name(self, item):
        return "、".join(item.bylines) or None


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = Atom1Feed
    subtitle = LatestStoriesFeed.description
