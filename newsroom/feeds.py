"""What every feed of stories shares, whichever app lists the stories (items are live Articles)."""

from django.contrib.syndication.views import Feed
from django.utils import translation

from newsroom.text import bcp47

FEED_SIZE = 20


class StoryFeed(Feed):
    item_guid_is_permalink = False

    @property
    def language(self):
        return bcp47(translation.get_language())

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
