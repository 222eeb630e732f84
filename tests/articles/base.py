"""The base of the desk's test cases: the three roles' users, and what forms and denied requests need.

``DeskTestCase`` makes one user per role in ``setUpTestData`` (``self.users[role]``, and
``self.reporter``, ``self.editor``, ``self.checker``); ``login(role)`` logs one in. The helpers
below build the POST a change form sends and the snapshot a denied request must leave unchanged.
"""

import json

from django.test import TestCase
from django.utils import timezone

from articles.models import Article, PreviewLink, Revision, Transition
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
    """The POST a change form of ``article`` sends unchanged (with its version), plus ``changes``.

    The form holds the story's fields only (its text is edited in the desk).
    """
    data = {
        "title": article.title, "slug": article.slug, "dek": article.dek, "language": article.language,
        "bylines": json.dumps(article.bylines, ensure_ascii=False),
        "source_name": article.source_name, "source_entity": article.source_entity_id or "",
        "source_url": article.source_url, "source_published_on": article.source_published_on,
        "publish_at_0": "", "publish_at_1": "", "loaded_version": article.version,
    }
    if article.publish_at:
        local = timezone.localtime(article.publish_at)
        data["publish_at_0"], data["publish_at_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
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
