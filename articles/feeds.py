"""RSS and Atom feeds of the latest public stories, and per entity (parsed with feedparser in tests)."""

from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from entities.models import Entity
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


class EntityStoriesFeed(StoryFeed):
    """A feed per entity: the public stories that name it."""

    def get_object(self, request, slug):
        entity = Entity.objects.public().filter(slug=slug).first()
        if entity is None:
            raise Http404("No such entity.")
        return entity

    def title(self, obj):
        return f"Newsroom：{obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or f"提及{obj.name}的報導。"

    def items(self, obj):
        return obj.stories.public().order_by("-published_at", "-id")[:FEED_SIZE]
