from django.test import TestCase

from entities.models import Alias, Entity
from tests.factories import make_story


class EntityPageTests(TestCase):
    def test_entity_page_lists_quotes_and_passages(self):
        make_story(2)
        html = self.client.get("/entities/person-1/").content.decode()
        assert "阿里是唯一一家主動宣布大模型開源的大公司" in html
        assert "/stories/test-story/#q-q1" in html
        html = self.client.get("/entities/alibaba/").content.decode()
        assert "/stories/test-story/#p1" in html

    def test_alias_url_redirects_permanently(self):
        make_story(1)
        Alias.objects.create(entity=Entity.objects.get(slug="alibaba"), text="阿里巴巴集團", slug="alibaba-group")
        response = self.client.get("/entities/alibaba-group/")
        assert response.status_code == 301 and response["Location"] == "/entities/alibaba/"

    def test_entity_only_in_drafts_has_no_page(self):
        make_story(1, status="draft")
        assert self.client.get("/entities/alibaba/").status_code == 404

    def test_quotes_from_unpublished_stories_are_not_shown(self):
        make_story(1, slug="live-one")
        make_story(1, slug="draft-one", status="draft", marker="DRAFTCANARY")
        html = self.client.get("/entities/person-1/").content.decode()
        assert "DRAFTCANARY" not in html
