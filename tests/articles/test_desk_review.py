"""Bulk review (issue 11 item 2): all suggested mentions of one entity at once, from the desk (JSON)
and the review queue (grouped by kind or entity), through ``services.review`` — all or nothing,
one revision, the permission policy deciding."""

import json

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from articles.models import Annotation, Mention, Quote, RejectedSuggestion, Revision
from articles.services import StaleVersion, story_import
from articles.services.review import suggestions_review
from tests.factories import make_user, story_doc

JSON = {"content_type": "application/json"}


def story_with_suggestions(slug="triage", owner=None):
    """Six suggested mentions of person-1, two of person-2, a suggested quote and an open flag."""
    doc = story_doc(3, slug=slug, status="draft")
    texts = {b["id"]: b["text"] for s in doc["article"]["sections"] for b in s["blocks"] if b.get("text")}
    texts.update({b["id"]: b["text"] for b in doc["article"]["lede"]})
    for n, (key, text) in enumerate(sorted(texts.items())[:4]):
        for start in (0, 4):
            entity = "person-2" if n == 3 else "person-1"
            doc["mentions"].append({"entity": entity, "status": "suggested",
                                    "anchor": {"block": key, "start": start, "end": start + 2,
                                               "exact": text[start:start + 2]}})
    lede = doc["article"]["lede"][0]["text"]
    doc["quotes"].append({"id": "q99", "anchor": {"block": "p0", "start": 5, "end": 8, "exact": lede[5:8]},
                          "kind": "fragment", "speaker": "person-1", "status": "suggested"})
    doc["annotations"].append({"id": "flag-1", "anchor": {"block": "p0", "start": 0, "end": 4, "exact": lede[:4]},
                               "kind": "flag", "body": "亂碼", "public": False, "status": "open"})
    article = story_import(doc=doc).article
    if owner is not None:
        type(article).objects.filter(pk=article.pk).update(owner=owner)
        article.refresh_from_db()
    return article


def triples(qs, type_):
    return [(type_, o.pk, o.version) for o in qs]


class ReviewServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_suggestions()
        self.p1 = Mention.objects.filter(article=self.story, status="suggested", entity__slug="person-1")

    def test_accepts_all_of_one_entity_in_one_step_and_one_revision(self):
        assert self.p1.count() == 6
        revisions = Revision.objects.filter(article=self.story).count()
        items = triples(self.p1, "mention")
        # The same number whatever the count of items: lock, permissions, one select, one update, one revision.
        with self.assertNumQueries(21):
            done = suggestions_review(article=self.story, user=self.editor, op="accept", items=items)
        assert done == 6
        accepted = Mention.objects.filter(article=self.story, entity__slug="person-1")
        assert {(m.status, m.version, m.modified_by_id) for m in accepted} == {("confirmed", 2, self.editor.pk)}
        assert Mention.objects.filter(article=self.story, status="suggested").count() == 2  # person-2 untouched
        assert Revision.objects.filter(article=self.story).count() == revisions + 1
        assert Revision.objects.filter(article=self.story).latest("number").action == "accept"

    def test_reject_remembers_every_suggestion(self):
        items = triples(Mention.objects.filter(article=self.story, entity__slug="person-2"), "mention")
        assert suggestions_review(article=self.story, user=self.editor, op="reject", items=items) == 2
        assert not Mention.objects.filter(article=self.story, entity__slug="person-2").exists()
        assert RejectedSuggestion.objects.filter(article=self.story, entity_slug="person-2").count() >= 1

    def test_one_stale_item_and_nothing_is_written(self):
        items = triples(self.p1, "mention")
        first = self.p1.first()
        Mention.objects.filter(pk=first.pk).update(version=first.version + 1)
        with self.assertRaises(StaleVersion):
            suggestions_review(article=self.story, user=self.editor, op="accept", items=items)
        assert self.p1.count() == 6

    def test_permission_policy_decides(self):
        reporter = make_user("reporter")
        fact_checker = make_user("fact-checker")
        items = triples(self.p1, "mention")
        for user in (reporter, fact_checker):
            with self.assertRaises(PermissionDenied):
                suggestions_review(article=self.story, user=user, op="accept", items=items)
        assert self.p1.count() == 6

    def test_wrong_operation_for_a_kind_writes_nothing(self):
        flag = Annotation.objects.get(article=self.story, key="flag-1")
        items = triples(self.p1, "mention") + [("annotation", flag.pk, flag.version)]
        with self.assertRaises(Exception):
            suggestions_review(article=self.story, user=self.editor, op="accept", items=items)
        assert self.p1.count() == 6
        assert suggestions_review(article=self.story, user=self.editor, op="resolve",
                                  items=[("annotation", flag.pk, flag.version)]) == 1
        assert Annotation.objects.get(pk=flag.pk).status == "resolved"


class DeskBulkEndpointTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")
        cls.owner = make_user("reporter", username="owner")

    def setUp(self):
        self.story = story_with_suggestions(owner=self.owner)
        self.url = reverse("admin:articles_article_review")

    def post(self, **body):
        return self.client.post(self.url, json.dumps(body), **JSON)

    def body(self, slug="person-1", op="accept"):
        qs = Mention.objects.filter(article=self.story, status="suggested", entity__slug=slug)
        return {"story": self.story.pk, "op": op, "items": [list(t) for t in triples(qs, "mention")]}

    def test_editor_accepts_an_entity_from_the_desk(self):
        self.client.force_login(self.editor)
        response = self.post(**self.body())
        assert response.status_code == 200 and response.json()["done"] == 6
        assert "6" in response.json()["message"]
        assert not Mention.objects.filter(article=self.story, status="suggested", entity__slug="person-1").exists()

    def test_the_owner_reporter_is_refused(self):
        self.client.force_login(self.owner)
        response = self.post(**self.body())
        assert response.status_code == 403
        assert Mention.objects.filter(article=self.story, status="suggested").count() == 8

    def test_stale_and_malformed_requests(self):
        self.client.force_login(self.editor)
        body = self.body()
        body["items"][0][2] += 5
        response = self.post(**body)
        assert response.status_code == 409 and response.json()["stale"]
        for bad in ({"items": "all"}, {"items": [["mention", "1", 1]]}, {"op": "delete"}, {"story": "x"}):
            response = self.post(**{**self.body(), **bad})
            assert response.status_code == 400, bad
            assert response.json()["error"].split(":")[0] in bad
        assert Mention.objects.filter(article=self.story, status="suggested").count() == 8


class QueueGroupingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_suggestions()
        self.client.force_login(self.editor)
        self.url = reverse("admin:articles_article_review")

    def test_grouped_by_entity_with_counts_and_one_action_per_entity(self):
        page = self.client.get(self.url, {"group": "entity"}).content.decode()
        assert 'id="desk-entity-groups"' in page
        row = page.split('data-entity="person-1"')[1].split("</tr>")[0]
        assert '<span class="desk-count">7</span>' in row  # six mentions and the quote it speaks
        value = row.split('name="group" value="')[1].split('"')[0]
        assert len(value.split()) == 7
        response = self.client.post(self.url, {"op": "accept", "group": value}, follow=True)
        assert "7" in response.content.decode()
        assert not Mention.objects.filter(entity__slug="person-1", status="suggested").exists()
        assert Quote.objects.get(article=self.story, key="q99").status == "confirmed"

    def test_grouped_by_kind_and_select_all_and_actions_on_top(self):
        page = self.client.get(self.url, {"group": "kind"}).content.decode()
        headers = [h.split("</th>")[0] for h in page.split('scope="colgroup">')[1:]]
        assert headers == ["quote", "mention", "flag"]
        assert 'id="desk-queue-all"' in page and "queue.js" in page
        table = page.index('id="desk-queue"')
        assert page.index('value="accept"', page.index('id="desk-queue-form"')) < table
