"""A feed per entity: the public stories that name it."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import translation

from .models import Entity

FEED_SIZE = 20


class EntityStoriesFeed(Feed):
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

    @property
    def language(self):
        return "zh-Hans" if translation.get_language() == "zh-hans" else "zh-Hant"

    def items(self, obj):
        return obj.stories.public().order_by("-published_at", "-id")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.dek

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"newsroom:story:{item.working_copy_id or item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at or item.publish_at

    def item_updateddate(self, item):
        return item.updated_at or item.published_at or item.publish_at
