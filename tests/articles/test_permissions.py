"""Permissions by role, on the server, for every desk path: a role × view × method matrix.

Each denied cell asserts the status and that nothing changed (RP1–RP4, DL12 in
../shared/notes/reliability.md). The shared helpers live in ``tests/factories.py`` and
``tests/articles/base.py`` (still importable from here for older test modules).
"""

import json

from django.test import TestCase
from django.urls import reverse

from articles.models import Annotation, Article, Block, Quote, Revision
from articles.services import revision_create
from entities.models import Entity
from tests.articles.base import change_form_data, quote_form_data, snapshot  # noqa: F401 (re-exported)
from tests.factories import ROLES, make_user, story_with_work  # noqa: F401 (re-exported)


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = {role: make_user(role) for role in ROLES}
        cls.users["owner"] = make_user("reporter", username="owner")
        cls.users["nobody"] = make_user(None, username="nobody")
        cls.users["inactive"] = make_user("editor", username="inactive", is_active=False)
        cls.story = story_with_work(owner=cls.users["owner"])
        revision_create(article=cls.story, action="save")

    def urls(self):
        a = self.story
        q = Quote.objects.get(article=a, key="q1")
        flag = Annotation.objects.get(article=a, key="flag-1")
        admin = "admin:articles_article_"
        return {
            "changelist": reverse(admin + "changelist"),
            "change": reverse(admin + "change", args=[a.pk]),
            "history": reverse(admin + "history", args=[a.pk]),
            "delete": reverse(admin + "delete", args=[a.pk]),
            "desk": reverse(admin + "desk", args=[a.pk]),
            "desk_data": reverse(admin + "desk_data", args=[a.pk]),
            "annotate": reverse(admin + "annotate", args=[a.pk]),
            "quote_save": reverse(admin + "annotation_op", args=[a.pk, "quote", q.pk, "save"]),
            "quote_verify": reverse(admin + "annotation_op", args=[a.pk, "quote", q.pk, "verify"]),
            "flag_resolve": reverse(admin + "annotation_op", args=[a.pk, "annotation", flag.pk, "resolve"]),
            "transition": reverse(admin + "transition", args=[a.pk]),
            "revisions": reverse(admin + "revisions", args=[a.pk]),
            "diff": reverse(admin + "revision_diff", args=[a.pk]) + "?a=1&b=current",
            "restore": reverse(admin + "revision_restore", args=[a.pk, 1]),
            "preview": reverse(admin + "preview", args=[a.pk]),
            "share": reverse(admin + "preview_links", args=[a.pk]),
            "review": reverse(admin + "review"),
            "publish_page": reverse(admin + "publish", args=[a.pk]),
            "publish_gate": reverse(admin + "publish_gate", args=[a.pk]),
            "quote_change": reverse("admin:articles_quote_change", args=[q.pk]),
            "revision_admin": reverse("admin:articles_revision_changelist"),
            "users": reverse("admin:auth_user_changelist"),
            "groups": reverse("admin:auth_group_changelist"),
        }

    # Expected status of GET for each role. 200 = allowed; 302 = sent to login or away (object hidden);
    # 403 = refused.
    GET_MATRIX = {
        #                 anon  nobody reporter owner editor fact-checker inactive
        "changelist":    (302, 403, 200, 200, 200, 200, 302),
        "change":        (302, 403, 302, 200, 200, 200, 302),
        "history":       (302, 302, 302, 200, 200, 200, 302),
        "delete":        (302, 403, 403, 403, 200, 403, 302),
        "desk":          (302, 403, 403, 200, 200, 200, 302),
        "desk_data":     (302, 403, 403, 200, 200, 200, 302),
        "revisions":     (302, 403, 403, 200, 200, 200, 302),
        "diff":          (302, 403, 403, 200, 200, 200, 302),
        "preview":       (302, 403, 403, 200, 200, 200, 302),
        "review":        (302, 403, 200, 200, 200, 200, 302),
        "publish_page":  (302, 403, 403, 403, 200, 403, 302),
        "publish_gate":  (302, 403, 403, 403, 200, 403, 302),
        "quote_change":  (302, 403, 302, 200, 200, 200, 302),
        "revision_admin": (302, 403, 200, 200, 200, 200, 302),
        "users":         (302, 403, 403, 403, 403, 403, 302),
        "groups":        (302, 403, 403, 403, 403, 403, 302),
    }
    WHO = ("anon", "nobody", "reporter", "owner", "editor", "fact-checker", "inactive")

    def login(self, who):
        self.client.logout()
        if who == "inactive":
            self.client.force_login(self.users["inactive"])
        elif who != "anon":
            self.client.force_login(self.users[who])

    def test_every_desk_url_has_a_row(self):
        # A new admin URL of the desk without a row in a matrix fails this test (RP1).
        from django.contrib import admin

        names = {p.name for p in admin.site._registry[Article].get_urls() if p.name}
        desk = {n.removeprefix("articles_article_") for n in names}
        covered = {"add", "changelist", "change", "history", "delete", "autocomplete", "shared", "entities",
                   "desk", "desk_data", "annotate", "annotation_op", "transition", "revisions", "revision_diff",
                   "revision_restore", "preview", "preview_links", "preview_link_revoke", "review", "publish",
                   "publish_gate"}
        assert desk <= covered, desk - covered
        assert set(self.GET_MATRIX) | set(self.POST_MATRIX) >= set(self.urls()) - {"diff", "transition"}

    def test_get_matrix(self):
        urls = self.urls()
        failures = []
        for name, statuses in self.GET_MATRIX.items():
            for who, expected in zip(self.WHO, statuses):
                self.login(who)
                response = self.client.get(urls[name])
                if response.status_code != expected:
                    failures.append(f"{name} as {who}: {response.status_code} != {expected}")
        assert not failures, "\n".join(failures)

    # POST: which roles succeed; every other role must get the listed status and change nothing.
    POST_MATRIX = {
        # name: (allowed roles, status of a denied anon / nobody / reporter / fact-checker / inactive)
        "change": ({"owner", "editor"}, {"anon": 302, "nobody": 403, "reporter": 302, "fact-checker": 403}),
        "delete": ({"editor"}, {"anon": 302, "nobody": 403, "reporter": 403, "owner": 403, "fact-checker": 403}),
        "annotate": ({"owner", "editor"}, {"anon": 302, "nobody": 403, "reporter": 403, "fact-checker": 403}),
        "quote_save": ({"owner", "editor"}, {"anon": 302, "nobody": 403, "reporter": 403, "fact-checker": 403}),
        "quote_verify": ({"fact-checker"}, {"anon": 302, "nobody": 403, "reporter": 403, "owner": 403,
                                            "editor": 403}),
        "flag_resolve": ({"owner", "editor"}, {"anon": 302, "nobody": 403, "reporter": 403, "fact-checker": 403}),
        "publish": ({"editor"}, {"anon": 302, "nobody": 403, "reporter": 403, "owner": 403, "fact-checker": 403}),
        "publish_page": ({"editor"}, {"anon": 302, "nobody": 403, "reporter": 403, "owner": 403,
                                      "fact-checker": 403}),
        "submit": ({"owner", "editor"}, {"anon": 302, "nobody": 403, "reporter": 403, "fact-checker": 403}),
        "restore": ({"owner", "editor"}, {"anon": 302, "nobody": 403, "reporter": 403, "fact-checker": 403}),
        "share": ({"owner", "editor"}, {"anon": 302, "nobody": 403, "reporter": 403, "fact-checker": 403}),
        "review": ({"editor"}, {"anon": 302, "nobody": 403, "reporter": 302, "owner": 302, "fact-checker": 302}),
        # The fact-checker has no story actions at all: the changelist just shows again.
        "action_publish": ({"editor"}, {"anon": 302, "nobody": 403, "reporter": 302, "owner": 302,
                                        "fact-checker": 200}),
        # The fact-checker may save the form (status and note only; see test_fact_checker_changes_only_status).
        "quote_admin": ({"owner", "editor", "fact-checker"}, {"anon": 302, "nobody": 403, "reporter": 302}),
    }

    def post(self, name):
        """Send the write ``name`` with valid, current data, as a real page would."""
        a = Article.objects.get(pk=self.story.pk)
        urls = self.urls()
        q = Quote.objects.get(article=a, key="q1")
        flag = Annotation.objects.get(article=a, key="flag-1")
        p1 = Block.objects.get(article=a, key="p1")
        as_json = {"content_type": "application/json"}
        if name == "change":
            data = change_form_data(a, title="改過的標題")
            return self.client.post(urls["change"], data)
        if name == "delete":
            return self.client.post(urls["delete"], {"post": "yes"})
        if name == "annotate":
            body = {"type": "quote", "block": "p1", "start": 0, "end": 4, "exact": p1.text[:4], "kind": "indirect",
                    "speaker": Entity.objects.get(slug="person-1").pk}
            return self.client.post(urls["annotate"], json.dumps(body), **as_json)
        if name == "quote_save":
            body = {"version": q.version, "role": "新角色", "kind": q.kind, "speaker": q.speaker_id}
            return self.client.post(urls["quote_save"], json.dumps(body), **as_json)
        if name == "quote_verify":
            return self.client.post(urls["quote_verify"], json.dumps({"version": q.version}), **as_json)
        if name == "flag_resolve":
            return self.client.post(urls["flag_resolve"], json.dumps({"version": flag.version}), **as_json)
        if name in ("publish", "submit"):
            # The story has an open flag: publishing it needs an editor's logged reason (the publish gate).
            return self.client.post(urls["transition"], {"action": name, "version": a.version, "confirm": "yes",
                                                         "override_reason": "checked by hand"})
        if name == "publish_page":
            return self.client.post(urls["publish_page"], {"version": a.version, "confirm": "yes",
                                                           "override_reason": "checked by hand"})
        if name == "restore":
            return self.client.post(urls["restore"], {"version": a.version})
        if name == "share":
            return self.client.post(urls["share"], {"days": 7})
        if name == "review":
            sq = Quote.objects.get(article=a, key="q99")
            return self.client.post(urls["review"], {"op": "accept", "item": f"quote:{sq.pk}:{sq.version}"})
        if name == "action_publish":
            return self.client.post(urls["changelist"], {"action": "publish", "_selected_action": [a.pk],
                                                         "confirm": "yes", f"version_{a.pk}": a.version,
                                                         "confirm_issues": "yes", "override_reason": "checked"})
        if name == "quote_admin":
            return self.client.post(urls["quote_change"], quote_form_data(q, role="改了"))
        raise AssertionError(name)

    def test_post_matrix(self):
        from django.db import transaction

        failures = []
        for name, (allowed, denied) in self.POST_MATRIX.items():
            for who in self.WHO:
                with transaction.atomic():
                    self.login(who)
                    before = snapshot(self.story)
                    response = self.post(name)
                    after = snapshot(self.story)
                    if who in allowed:
                        if response.status_code >= 400 or after == before:
                            failures.append(f"{name} as {who}: {response.status_code}, changed={after != before}")
                    else:
                        expected = denied.get(who, 302)
                        if response.status_code != expected or after != before:
                            failures.append(f"{name} as {who}: {response.status_code} (expected {expected}), "
                                            f"changed={after != before}")
                    transaction.set_rollback(True)
        assert not failures, "\n".join(failures)


class ListingTests(TestCase):
    def test_changelist_and_search_hide_another_reporters_stories(self):
        owner = make_user("reporter", username="owner")
        story_with_work(owner=owner, title="甲的草稿DRAFTCANARY")
        self.client.force_login(make_user("reporter", username="other"))
        url = reverse("admin:articles_article_changelist")
        for query in ("", "?q=DRAFTCANARY"):
            assert "甲的草稿" not in self.client.get(url + query).content.decode()
        review = self.client.get(reverse("admin:articles_article_review")).content.decode()
        assert "甲的草稿" not in review
        self.client.force_login(owner)
        assert "DRAFTCANARY" in self.client.get(url + "?q=DRAFTCANARY").content.decode()


class RevocationTests(TestCase):
    """RP5: taking a role away applies at the next request of the same session."""

    def test_removed_from_the_group_means_denied_next_request(self):
        from django.contrib.auth.models import Group

        owner = make_user("reporter", username="owner")
        story = story_with_work(owner=owner)
        self.client.force_login(owner)
        url = reverse("admin:articles_article_desk", args=[story.pk])
        assert self.client.get(url).status_code == 200
        owner.groups.remove(Group.objects.get(name="reporter"))
        assert self.client.get(url).status_code == 403
        owner.is_active = False
        owner.save()
        assert self.client.get(url).status_code == 302  # the session no longer authenticates

    def test_crafted_status_in_the_change_form_is_ignored(self):
        # RP2a: status and publication times are not form fields for anyone; only workflow actions set them.
        owner = make_user("reporter", username="owner")
        story = story_with_work(owner=owner)
        self.client.force_login(owner)
        scheduled = story.publish_at
        data = change_form_data(story, status="published", published_at="2020-01-01 00:00",
                                publish_at_0="2020-01-01", publish_at_1="00:00:00", owner="", version=99)
        assert self.client.post(reverse("admin:articles_article_change", args=[story.pk]), data).status_code == 302
        story.refresh_from_db()
        assert (story.status, story.publish_at, story.owner, story.version) == ("draft", scheduled, owner, 2)
        assert not Article.objects.live().exists()


class AddStoryTests(TestCase):
    def test_reporter_creates_a_story_they_own_as_a_draft(self):
        reporter = make_user("reporter")
        self.client.force_login(reporter)
        url = reverse("admin:articles_article_add")
        assert self.client.get(url).status_code == 200
        data = {"title": "新稿", "slug": "xin-gao", "dek": "", "language": "zh-Hant", "bylines": "[]",
                "source_name": "", "source_entity": "", "source_url": "", "source_published_on": "",
                "status": "published",
                "sections-TOTAL_FORMS": 0, "sections-INITIAL_FORMS": 0, "blocks-TOTAL_FORMS": 0,
                "blocks-INITIAL_FORMS": 0}
        assert self.client.post(url, data).status_code == 302
        story = Article.objects.get(slug="xin-gao")
        assert (story.owner, story.status, story.edition) == (reporter, "draft", "working")
        assert Revision.objects.get(article=story).action == "create"
        # ...and another reporter cannot see it.
        self.client.force_login(make_user("reporter", username="other"))
        assert self.client.get(reverse("admin:articles_article_change", args=[story.pk])).status_code == 302

    def test_fact_checker_cannot_add_stories(self):
        self.client.force_login(make_user("fact-checker"))
        assert self.client.get(reverse("admin:articles_article_add")).status_code == 403
