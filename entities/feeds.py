"""A feed per entity: the public stories that name it."""

from django.http import Http404

from newsroom.feeds import FEED_SIZE, StoryFeed
from newsroom.text import strip_no_convert

from .models import Entity


class EntityStoriesFeed(StoryFeed):
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
        return strip_no_convert(obj.description) or f"提及{obj.name}的報導。"

    def items(self, obj):
        return obj.stories.public().order_by("-published_at", "-id")[:FEED_SIZE]
