"""RSS and Atom feeds of the latest public stories (parsed with feedparser in tests)."""

from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from newsroom.feeds import FEED_SIZE, StoryFeed

from .models import Article


class LatestStoriesFeed(StoryFeed):
    title = "Newsroom：最新報導"
    description = "Newsroom 最新發布的專題報導。"

    def link(self):
        return reverse("articles:home")

    def items(self):
        return Article.objects.for_listing()[:FEED_SIZE]


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = Atom1Feed
    subtitle = LatestStoriesFeed.description
