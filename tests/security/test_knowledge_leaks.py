"""The knowledge base does not leak unpublished work (issue 10 item 4).

An entity named in a live story is public unless its only ties to live stories are machine
suggestions (pending or rejected): then a live story must confirm a mention or quote. What a draft
import says about an entity that already exists (a new description, alias, role) waits until that
story is published, or until an editor accepts it.
"""

from django.test import TestCase

from articles.models import Article
from articles.services import article_publish, story_import, story_knowledge_accept
from entities.models import Entity
from tests.factories import story_doc

KB_CANARY = "KBCANARY8"


def knowledge_draft(status="draft", slug="kb-draft-story"):
    """A story whose entities say new things about alibaba and person-1, which already exist."""
    doc = story_doc(1, slug=slug, status=status, title="草稿帶來的知識")
    alibaba, person = doc["entities"][0], doc["entities"][1]
    alibaba["description"] = f"描述{KB_CANARY}"
    alibaba["aliases"].append({"text": f"阿里{KB_CANARY}", "lang": "zh-Hant"})
    alibaba["url"] = f"https://example.org/{KB_CANARY.lower()}"
    person["roles"].append({"title": f"職稱{KB_CANARY}", "organization": "alibaba", "start": "2024"})
    return doc


def rejected_speaker_story():
    """A published story naming a speaker only through a suggestion nobody confirmed."""
    doc = story_doc(1, slug="kb-suggested-story", title="有未確認講者的報導")
    doc["entities"].append({"id": "kbcanary8-suggested", "kind": "person", "name": f"講者{KB_CANARY}",
                            "description": f"描述{KB_CANARY}"})
    text = doc["article"]["lede"][0]["text"]
    doc["quotes"].append({"id": "qs", "anchor": {"block": "p0", "start": 0, "end": 4, "exact": text[:4]},
                          "kind": "fragment", "speaker": "kbcanary8-suggested", "status": "suggested"})
    doc["mentions"].append({"entity": "kbcanary8-suggested", "anchor": {"block": "p0", "start": 0, "end": 4,
                                                                        "exact": text[:4]},
                            "status": "suggested"})
    return doc


def plant_knowledge_canaries():
    """Used by the leak crawl too: alibaba and person-1 must already be public (a published story)."""
    story_import(doc=knowledge_draft())
    story_import(doc=rejected_speaker_story())


class KnowledgeLeakTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        story_import(doc=story_doc(1, slug="public-story", title="公開的報導"))
        plant_knowledge_canaries()

    def pages(self):
        urls = ["/", "/entities/", "/entities/alibaba/", "/entities/person-1/", "/sitemap.xml", "/quotes/",
                "/stories/public-story/", "/stories/kb-suggested-story/", "/search/?q=KBCANARY", "/search/?q=阿里",
                "/entities/?text=KBCANARY", "/entities/alibaba/feed.rss", "/feeds/stories.rss"]
        return {url: self.client.get(url) for url in urls + ["/zh-hans" + u for u in urls if u != "/sitemap.xml"]}

    def assert_no_canary(self):
        for url, response in self.pages().items():
            assert response.status_code == 200, url
            text = response.content.decode()
            assert KB_CANARY not in text and KB_CANARY.lower() not in text, f"{KB_CANARY} leaked on {url}"

    def test_a_draft_import_changes_nothing_readers_see(self):
        self.assert_no_canary()
        alibaba = Entity.objects.get(slug="alibaba")
        assert alibaba.description == "中國的科技公司。" and not alibaba.url
        assert not alibaba.aliases.filter(text__contains=KB_CANARY).exists()

    def test_a_suggested_speaker_has_no_public_page(self):
        for prefix in ("", "/zh-hans"):
            assert self.client.get(f"{prefix}/entities/kbcanary8-suggested/").status_code == 404
            assert self.client.get(f"{prefix}/entities/kbcanary8-suggested/feed.rss").status_code == 404
        assert not Entity.objects.public().filter(slug="kbcanary8-suggested").exists()

    def test_the_same_draft_imported_again_changes_nothing(self):
        assert story_import(doc=knowledge_draft()).action == "unchanged"

    def test_the_knowledge_shows_once_the_story_is_published(self):
        article_publish(article=Article.objects.working().get(slug="kb-draft-story"))
        alibaba = self.client.get("/entities/alibaba/").content.decode()
        assert f"描述{KB_CANARY}" in alibaba and f"阿里{KB_CANARY}" in alibaba
        assert f"職稱{KB_CANARY}" in self.client.get("/entities/person-1/").content.decode()

    def test_an_editor_can_accept_the_knowledge_before_publishing(self):
        draft = Article.objects.working().get(slug="kb-draft-story")
        story_knowledge_accept(article=draft)
        assert Entity.objects.get(slug="alibaba").description == f"描述{KB_CANARY}"
        assert self.client.get("/stories/kb-draft-story/").status_code == 404  # the story itself stays a draft

    def test_a_published_import_updates_the_knowledge_at_once(self):
        story_import(doc=knowledge_draft(status="published", slug="kb-live-story"))
        assert f"描述{KB_CANARY}" in self.client.get("/entities/alibaba/").content.decode()

    def test_a_rejected_suggestion_gives_no_page(self):
        from articles.models import Quote
        from articles.services import suggestion_reject

        story = Article.objects.working().get(slug="kb-suggested-story")
        quote = Quote.objects.get(article=story, key="qs")
        suggestion_reject(article=story, model=Quote, pk=quote.pk, expected_version=quote.version)
        from articles.models import Mention

        mention = Mention.objects.get(article=story, entity__slug="kbcanary8-suggested")
        suggestion_reject(article=story, model=Mention, pk=mention.pk, expected_version=mention.version)
        article_publish(article=Article.objects.working().get(slug="kb-suggested-story"))
        assert self.client.get("/entities/kbcanary8-suggested/").status_code == 404
        assert "kbcanary8-suggested" not in self.client.get("/sitemap.xml").content.decode()

    def test_confirming_the_speaker_makes_the_page_public(self):
        doc = rejected_speaker_story()
        doc["quotes"][-1]["status"] = "verified"
        story_import(doc=doc)
        assert self.client.get("/entities/kbcanary8-suggested/").status_code == 200


class EditorPathsTests(TestCase):
    """The editor's ways into the public knowledge base: accepting a draft's knowledge from the story
    list, and marking an entity public (issue 10 item 4)."""

    @classmethod
    def setUpTestData(cls):
        from tests.factories import make_user

        story_import(doc=story_doc(1, slug="public-story", title="公開的報導"))
        cls.owner = make_user("reporter", username="owner")
        plant_knowledge_canaries()
        cls.draft = Article.objects.working().get(slug="kb-draft-story")
        cls.draft.owner = cls.owner
        cls.draft.save(update_fields=["owner"])
        cls.editor = make_user("editor")
        cls.checker = make_user("fact-checker")

    def accept(self, user):
        from django.urls import reverse

        self.client.force_login(user)
        return self.client.post(reverse("admin:articles_article_changelist"),
                                {"action": "accept_knowledge", "_selected_action": [self.draft.pk]})

    def test_an_editor_accepts_a_drafts_knowledge_from_the_story_list(self):
        response = self.accept(self.editor)
        assert response.status_code == 302
        assert f"描述{KB_CANARY}" in self.client.get("/entities/alibaba/").content.decode()
        assert self.draft.revisions.filter(action="accept_knowledge").exists()
        assert self.client.get("/stories/kb-draft-story/").status_code == 404

    def test_the_owner_and_the_fact_checker_cannot_accept_it(self):
        for user in (self.owner, self.checker):
            response = self.accept(user)
            assert response.status_code in (200, 302, 403), response.status_code
            assert Entity.objects.get(slug="alibaba").description == "中國的科技公司。", user
            assert not self.draft.revisions.filter(action="accept_knowledge").exists()

    def test_the_service_refuses_a_person_who_may_not(self):
        from django.core.exceptions import PermissionDenied

        for user in (self.owner, self.checker):
            try:
                story_knowledge_accept(article=self.draft, user=user)
            except PermissionDenied:
                pass
            else:
                raise AssertionError(f"{user} accepted a draft's knowledge")
        assert Entity.objects.get(slug="alibaba").description == "中國的科技公司。"

    def test_an_entity_no_story_confirms_is_public_once_an_editor_marks_it(self):
        from django.urls import reverse

        from tests.security.test_concurrency import form_data

        lone = Entity.objects.create(kind="organization", name=f"孤立{KB_CANARY}", slug="kb-lone")
        assert self.client.get("/entities/kb-lone/").status_code == 404
        assert "kb-lone" not in self.client.get("/sitemap.xml").content.decode()
        self.client.force_login(self.editor)
        url = reverse("admin:entities_entity_change", args=[lone.pk])
        data = form_data(self.client.get(url).content.decode())
        data["marked_public"] = ["on"]
        assert self.client.post(url, data).status_code == 302
        self.client.logout()
        assert self.client.get("/entities/kb-lone/").status_code == 200
        assert "kb-lone" in self.client.get("/sitemap.xml").content.decode()
        assert Entity.objects.public().filter(slug="kb-lone").exists()
