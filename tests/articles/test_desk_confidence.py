"""Accept (or reject) all suggestions at or above a confidence (issue 11 item 2): the importer's
confidence on quotes and mentions (model, story format both ways, raw importer), the service's rules
and its record in the history, the desk's JSON and the review queue with the count shown first."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from articles.importing.raw import RawOptions, mention_confidence, raw_to_doc
from articles.importing.story import StoryFormatError, validate_story
from articles.models import Mention, Quote, Revision
from articles.services import DeskError, export_story, story_import
from articles.services.review import confident_suggestions, suggestions_review
from tests.factories import make_user, story_doc

JSON = {"content_type": "application/json"}
# Confidences given to the suggestions of ``story_with_confidences`` (person-1's six mentions, in order).
MENTION_CONFIDENCES = [0.95, 0.95, 0.9, 0.7, 0.45, None]


def story_with_confidences(slug="sure"):
    """Six suggested mentions of person-1 (confidences above; the last a person's, with none), two
    confirmed mentions, and a suggested quote at 0.9."""
    doc = story_doc(3, slug=slug, status="draft")
    blocks = [b for s in doc["article"]["sections"] for b in s["blocks"] if b.get("text")]
    spans = [(b["id"], b["text"], start) for b in blocks[:4] for start in (0, 4)]
    for n, (key, text, start) in enumerate(spans):
        mention = {"entity": "person-1", "status": "suggested" if n < 6 else "confirmed",
                   "anchor": {"block": key, "start": start, "end": start + 2, "exact": text[start:start + 2]}}
        if n < 6 and MENTION_CONFIDENCES[n] is not None:
            mention["confidence"] = MENTION_CONFIDENCES[n]
        doc["mentions"].append(mention)
    lede = doc["article"]["lede"][0]["text"]
    doc["quotes"].append({"id": "q99", "anchor": {"block": "p0", "start": 5, "end": 8, "exact": lede[5:8]},
                          "kind": "fragment", "speaker": "person-1", "status": "suggested", "confidence": 0.9})
    return doc, story_import(doc=doc).article


def chosen(article, threshold):
    rows = [("quote", q) for q in Quote.objects.filter(article=article)]
    rows += [("mention", m) for m in Mention.objects.filter(article=article)]
    return [(t, o.pk, o.version) for t, o in confident_suggestions(rows, threshold)]


class ConfidenceFieldTests(TestCase):
    def test_the_format_carries_it_both_ways_and_a_persons_row_has_none(self):
        doc, article = story_with_confidences()
        exported = export_story(article)
        given = sorted(c for c in MENTION_CONFIDENCES if c is not None)
        assert sorted(m["confidence"] for m in exported["mentions"] if "confidence" in m) == given
        # A person's row: the key is omitted, not null, so files written before it round-trip byte for byte.
        assert all(m.get("confidence", "absent") != None for m in exported["mentions"])  # noqa: E711
        assert exported["quotes"][-1]["confidence"] == 0.9
        assert story_import(doc=exported).action == "unchanged"
        assert Mention.objects.filter(article=article, confidence__isnull=False).count() == len(given)

    def test_the_format_refuses_a_confidence_outside_0_to_1(self):
        doc = story_doc(1, slug="bad-confidence")
        doc["mentions"].append({"entity": "person-1", "status": "suggested", "confidence": 1.5,
                                "anchor": {"block": "p0", "start": 0, "end": 2,
                                           "exact": doc["article"]["lede"][0]["text"][:2]}})
        with pytest.raises(StoryFormatError, match="mentions"):
            validate_story(doc)

    def test_the_database_refuses_it_too(self):
        _doc, article = story_with_confidences()
        with pytest.raises(IntegrityError), transaction.atomic():
            Mention.objects.filter(article=article).update(confidence=-0.1)


class RawImporterConfidenceTests(TestCase):
    def test_the_scale(self):
        # The canonical name, long: high; another script: a little lower; an alias; short; ambiguous.
        assert mention_confidence("通義千問", ("通義千問",), 1) == 0.95
        assert mention_confidence("阿里云", ("阿里雲", "阿里云"), 1) == 0.85
        assert mention_confidence("阿里達摩院", ("達摩院", "阿里達摩院"), 1) == 0.7
        assert mention_confidence("百度", ("百度",), 1) == 0.7
        assert mention_confidence("阿里", ("阿里巴巴", "阿里"), 1) == 0.45
        assert mention_confidence("周靖人", ("周靖人",), 2) == 0.3

    def test_the_seed_gets_them_from_its_suggester_and_its_matches(self):
        seed = json.loads(open("articles/data/alibaba-ai-2023.story.json", encoding="utf-8").read())
        known = {e["id"]: e for e in seed["entities"]}
        text = open("articles/data/alibaba-ai-2023.zh-Hant.txt", encoding="utf-8").read()
        doc = validate_story(raw_to_doc(text, options=RawOptions(), known_entities=known))
        by_words = {}
        for m in doc["mentions"]:
            by_words.setdefault(m["anchor"]["exact"], set()).add(m["confidence"])
        assert by_words["阿里"] == {0.45}  # 阿里巴巴's short alias
        assert by_words["通義千問"] == {0.95} and by_words["ChatGPT"] == {0.95}
        assert all(0 < q["confidence"] <= 1 and f"confidence {q['confidence']:.2f}" in q["note"]
                   for q in doc["quotes"])


class ReviewByConfidenceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        _doc, self.story = story_with_confidences()

    def test_accepts_all_at_or_above_and_the_history_says_so(self):
        items = chosen(self.story, 0.9)
        assert len(items) == 4  # 0.95, 0.95, 0.9 (mentions) and the quote at 0.9; None never
        done = suggestions_review(article=self.story, user=self.editor, op="accept", items=items, min_confidence=0.9)
        assert done == 4
        assert sorted(Mention.objects.filter(article=self.story, status="suggested")
                      .values_list("confidence", flat=True), key=str) == sorted([0.7, 0.45, None], key=str)
        assert Quote.objects.get(article=self.story, key="q99").status == "confirmed"
        assert Revision.objects.filter(article=self.story).latest("number").action == "accept ≥0.90"

    def test_an_item_below_the_threshold_refuses_the_whole_step(self):
        low = Mention.objects.get(article=self.story, confidence=0.7)
        items = chosen(self.story, 0.9) + [("mention", low.pk, low.version)]
        with pytest.raises(DeskError, match="below the confidence 0.90"):
            suggestions_review(article=self.story, user=self.editor, op="accept", items=items, min_confidence=0.9)
        assert Mention.objects.filter(article=self.story, status="suggested").count() == 6

    def test_the_same_permission_policy(self):
        with pytest.raises(PermissionDenied):
            suggestions_review(article=self.story, user=make_user("reporter"), op="accept",
                               items=chosen(self.story, 0.5), min_confidence=0.5)
        assert Mention.objects.filter(article=self.story, status="suggested").count() == 6

    def test_reject_all_at_or_above(self):
        done = suggestions_review(article=self.story, user=self.editor, op="reject",
                                  items=chosen(self.story, 0.95), min_confidence=0.95)
        assert done == 2
        assert Revision.objects.filter(article=self.story).latest("number").action == "reject ≥0.95"


class DeskAndQueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        _doc, self.story = story_with_confidences()
        self.client.force_login(self.editor)
        self.url = reverse("admin:articles_article_review")

    def test_the_desk_knows_each_confidence_and_sends_the_threshold(self):
        page = self.client.get(reverse("admin:articles_article_desk", args=[self.story.pk])).content.decode()
        assert 'id="desk-confidence"' in page
        data = json.loads(page.split('id="desk-data" type="application/json">')[1].split("</script>")[0])
        assert sorted(i["confidence"] for i in data["items"] if i["type"] == "mention" and i["confidence"]) == \
            sorted(c for c in MENTION_CONFIDENCES if c is not None)
        body = {"story": self.story.pk, "op": "accept", "confidence": 0.9,
                "items": [list(t) for t in chosen(self.story, 0.9)]}
        response = self.client.post(self.url, json.dumps(body), **JSON)
        assert response.status_code == 200 and response.json()["done"] == 4
        for bad in (1.2, "x", True):
            response = self.client.post(self.url, json.dumps({**body, "confidence": bad}), **JSON)
            assert response.status_code == 400 and response.json()["error"].startswith("confidence"), bad

    def test_the_queue_counts_first_then_accepts_what_it_counted(self):
        page = self.client.get(self.url).content.decode()
        assert 'name="confidence"' in page and 'id="desk-confident"' not in page  # asked for nothing yet
        page = self.client.get(self.url, {"confidence": "0.9"}).content.decode()
        box = page.split('id="desk-confident"')[1].split("</section>")[0]
        assert '<span class="desk-count">4</span>' in box and "1 quote" in box and "3 mentions" in box
        assert "data-confirm=" in box and "Accept all 4" in box
        value = box.split('name="group" value="')[1].split('"')[0]
        threshold = box.split('name="confidence" value="')[1].split('"')[0]
        assert threshold == "0.90" and len(value.split()) == 4
        response = self.client.post(self.url, {"op": "accept", "group": value, "confidence": threshold}, follow=True)
        assert "Accepted 4 suggestions." in response.content.decode()
        assert Mention.objects.filter(article=self.story, status="suggested").count() == 3
        assert Revision.objects.filter(article=self.story).latest("number").action == "accept ≥0.90"

    def test_a_bad_threshold_is_named(self):
        page = self.client.get(self.url, {"confidence": "2"}).content.decode()
        assert "The confidence must be a number from 0 to 1." in page
        response = self.client.post(self.url, {"op": "accept", "group": " ".join(
            f"{t}:{pk}:{v}" for t, pk, v in chosen(self.story, 0.9)), "confidence": "abc"}, follow=True)
        assert "confidence" in response.content.decode()
        assert Mention.objects.filter(article=self.story, status="suggested").count() == 6
