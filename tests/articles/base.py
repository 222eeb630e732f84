"""The base of the desk's test cases: the three roles' users, and what forms and denied requests need.

``DeskTestCase`` makes one user per role in ``setUpTestData`` (``self.users[role]``, and
``self.reporter``, ``self.editor``, ``self.checker``); ``login(role)`` logs one in. The helpers
below build the POST a change form sends and the snapshot a denied request must leave unchanged.
"""

import json

from django.test import TestCase
from django.utils import timezone

from articles.models import Article, Block, PreviewLink, Revision, Section, Transition
from articles.services import export_story
from tests.factories import ROLES, make_user, story_with_work  # noqa: F401 (re-exported for desk tests)


class DeskTestCase(TestCase):
    roles = ROLES

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.users = {role: make_user(role) for role in cls.roles}
        cls.reporter = cls.users.get("reporter")
        cls.editor = cls.users.get("editor")
        cls.checker = cls.users.get("fact-checker")

    def login(self, role):
        user = self.users[role] if isinstance(role, str) else role
        self.client.force_login(user)
        return user


def snapshot(article):
    """Everything a denied request must leave as it was."""
    article = Article.objects.filter(pk=article.pk).first()
    if article is None:
        return ("deleted",)
    return (export_story(article), article.version, article.status, Transition.objects.count(),
            Revision.objects.count(), PreviewLink.objects.count(), Article.objects.live().count())


def change_form_data(article, **changes):
    """The POST a change form of ``article`` sends unchanged (with its version), plus ``changes``."""
    sections = list(Section.objects.filter(article=article).order_by("position"))
    blocks = list(Block.objects.filter(article=article).order_by("position"))
    data = {
        "title": article.title, "slug": article.slug, "dek": article.dek, "language": article.language,
        "bylines": json.dumps(article.bylines, ensure_ascii=False),
        "source_name": article.source_name, "source_entity": article.source_entity_id or "",
        "source_url": article.source_url, "source_published_on": article.source_published_on,
        "publish_at_0": "", "publish_at_1": "", "loaded_version": article.version,
        "sections-TOTAL_FORMS": len(sections), "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0, "sections-MAX_NUM_FORMS": 1000,
        "blocks-TOTAL_FORMS": len(blocks), "blocks-INITIAL_FORMS": len(blocks),
        "blocks-MIN_NUM_FORMS": 0, "blocks-MAX_NUM_FORMS": 1000,
    }
    if article.publish_at:
        local = timezone.localtime(article.publish_at)
        data["publish_at_0"], data["publish_at_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
    for i, s in enumerate(sections):
        data.update({f"sections-{i}-id": s.pk, f"sections-{i}-article": article.pk,
                     f"sections-{i}-position": s.position, f"sections-{i}-number": s.number,
                     f"sections-{i}-heading": s.heading})
    for i, b in enumerate(blocks):
        data.update({f"blocks-{i}-id": b.pk, f"blocks-{i}-article": article.pk, f"blocks-{i}-position": b.position,
                     f"blocks-{i}-key": b.key, f"blocks-{i}-kind": b.kind, f"blocks-{i}-section": b.section_id or "",
                     f"blocks-{i}-text": b.text, f"blocks-{i}-image": b.image, f"blocks-{i}-alt": b.alt,
                     f"blocks-{i}-caption": b.caption, f"blocks-{i}-credit": b.credit})
    data.update(changes)
    return data


def quote_form_data(quote, **changes):
    data = {"block": quote.block_id, "start": quote.start, "end": quote.end, "exact": quote.exact,
            "key": quote.key, "kind": quote.kind, "speaker": quote.speaker_id or "", "role": quote.role,
            "said_on": quote.said_on, "event": quote.event_id or "",
            "attribution_block": quote.attribution_block_id or "", "attribution_start": quote.attribution_start or "",
            "attribution_end": quote.attribution_end or "", "attribution_exact": quote.attribution_exact,
            "status": quote.status, "note": quote.note, "loaded_version": quote.version}
    if quote.attribution_start == 0:
        data["attribution_start"] = 0
    data.update(changes)
    return data
