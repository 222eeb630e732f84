"""The desk page, its data endpoint and the change form read a story in a fixed number of queries,
however long it is (issue 11 item 7; timings are measured in bench/, not here)."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_user, story_with_work


class PageQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")
        cls.short = story_with_work(slug="short", n=1)
        cls.long = story_with_work(slug="long", n=8)

    def setUp(self):
        self.client.force_login(self.editor)

    def queries(self, name, article):
        url = reverse(name, args=[article.pk])
        self.client.get(url)  # the session and caches warm
        with CaptureQueriesContext(connection) as captured:
            assert self.client.get(url).status_code == 200
        return len(captured)

    def test_the_desk_and_the_change_form_do_not_grow_with_the_story(self):
        for name, expected in (("admin:articles_article_desk", 18), ("admin:articles_article_desk_data", 17),
                               ("admin:articles_article_change", 13)):
            with self.subTest(name):
                assert self.queries(name, self.short) == self.queries(name, self.long) == expected

    def test_each_desk_item_carries_its_prefetched_block(self):
        from articles.desk.serializers import desk_items
        from articles.models import Article

        article = Article.objects.for_desk().get(pk=self.long.pk)
        with self.assertNumQueries(0):
            items = desk_items(article)
            keys = [o.block.key for o in items]
        assert len(items) > 8 and len(keys) == len(items)
        assert [(o.block.position, o.start) for o in items] == sorted((o.block.position, o.start) for o in items)
