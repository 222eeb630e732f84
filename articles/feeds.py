"""RSS and Atom feeds of the latest public stories, and per entity (parsed with feedparser in tests)."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from entities.models import Entity
from entities.page_state import entity_scope, entity_stories_scope
from newsroom.public_pages import depends_on
from newsroom.templatetags.newsroom import bcp47
from newsroom.text import strip_no_convert

from .models import Article

FEED_SIZE = 20


class StoryFeed(Feed):
    """What every feed of stories shares (items are live Articles)."""

    item_guid_is_permalink = False

    @property
    def language(self):
        return bcp47()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.dek

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # The working copy's id is stable across republications (the live edition is a new row each time).
        return f"newsroom:story:{item.working_copy_id or item.pk}"

    def item_pubdate(self, item):
        return item.published_at or item.publish_at

    def item_updateddate(self, item):
        return item.updated_at or item.published_at or item.publish_at

    def item_author_name(self, item):
        return "、".join(item.bylines) or None


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
            raise Http404(_("No such entity."))
        depends_on(request, entity_scope(entity.slug), entity_stories_scope(entity.slug))
        return entity

    def title(self, obj):
        return f"Newsroom：{obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return strip_no_convert(obj.description) or f"提及{obj.name}的報導。"

    def items(self, obj):
        return obj.stories.public().order_by("-published_at", "-id")[:FEED_SIZE]
