from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from tests.factories import make_story


def query_count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


class StoryPageTests(TestCase):
    def test_story_page_shows_sections_quotes_and_mentions(self):
        make_story(2)
        html = self.client.get("/stories/test-story/").content.decode()
        assert 'id="s01"' in html and 'id="s02"' in html
        assert '<q class="quote quote-direct" id="q-q1"' in html
        assert 'href="/entities/person-1/"' in html
        assert 'href="/entities/alibaba/"' in html

    def test_drafts_answer_404(self):
        make_story(1, status="draft")
        assert self.client.get("/stories/test-story/").status_code == 404
        assert self.client.get("/entities/person-1/").status_code == 404

    def test_in_review_and_archived_answer_404(self):
        for status in ("in_review", "archived"):
            make_story(1, status=status, slug=f"s-{status.replace('_', '-')}")
            assert self.client.get(f"/stories/s-{status.replace('_', '-')}/").status_code == 404

    def test_missing_story_answers_404(self):
        assert self.client.get("/stories/no-such-story/").status_code == 404

    def test_editor_text_is_escaped(self):
        make_story(1, marker="<script>alert(1)</script>")
        html = self.client.get("/stories/test-story/").content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html


class QueryCountTests(TestCase):
    def test_story_page_queries_do_not_grow(self):
        make_story(1, slug="one")
        make_story(3, slug="three")
        assert query_count(self.client, "/stories/one/") == query_count(self.client, "/stories/three/")

    def test_entity_page_queries_do_not_grow(self):
        make_story(1, slug="one")
        first = query_count(self.client, "/entities/alibaba/")
        make_story(3, slug="three")
        assert query_count(self.client, "/entities/alibaba/") == first
