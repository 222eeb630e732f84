"""The workflow: draft → in review → published / scheduled → archived, back to draft with changes
requested; every transition logged and shown; draft and live kept apart; checks before publishing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from articles.checks import article_checks
from articles.diff import content_digest
from articles.models import Annotation, Article, Block, Quote, Revision, Transition
from articles.services import (
    ChecksNotConfirmed,
    DeskError,
    StaleVersion,
    allowed_actions,
    article_transition,
    articles_publish_due,
    export_story,
    story_import,
    revision_create,
)
from entities.models import Role
from tests.articles.base import change_form_data
from tests.factories import make_story, make_user, story_with_work


def transition(client, article, action, **extra):
    article.refresh_from_db()
    data = {"action": action, "version": article.version, **extra}
    return client.post(reverse("admin:articles_article_transition", args=[article.pk]), data)


class TransitionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reporter = make_user("reporter")
        cls.editor = make_user("editor")
        cls.checker = make_user("fact-checker")

    def setUp(self):
        self.story = story_with_work(owner=self.reporter)

    def log(self):
        return list(Transition.objects.filter(article=self.story).order_by("created_at", "id")
                    .values_list("from_status", "to_status", "user__username"))

    def test_reporter_submits_their_draft_for_review(self):
        self.client.force_login(self.reporter)
        response = transition(self.client, self.story, "submit", note="ready")
        assert response.status_code == 302
        self.story.refresh_from_db()
        assert self.story.status == "in_review"
        assert self.log() == [("draft", "in_review", "reporter")]
        assert Transition.objects.get(article=self.story).note == "ready"
        assert Revision.objects.filter(article=self.story, action="submit").exists()

    def test_reporter_cannot_edit_a_story_once_submitted(self):
        article_transition(article=self.story, action="submit", user=self.reporter)
        self.client.force_login(self.reporter)
        response = self.client.post(reverse("admin:articles_article_change", args=[self.story.pk]),
                                    change_form_data(self.story, title="偷改"))
        assert response.status_code == 403
        assert Article.objects.get(pk=self.story.pk).title != "偷改"

    def test_editor_requests_changes_back_to_draft_with_a_note(self):
        article_transition(article=self.story, action="submit", user=self.reporter)
        self.client.force_login(self.editor)
        transition(self.client, self.story, "request_changes", note="補上講者的職稱")
        self.story.refresh_from_db()
        assert self.story.status == "draft"
        t = Transition.objects.filter(article=self.story).order_by("-id").first()
        assert (t.from_status, t.to_status, t.user, t.note) == ("in_review", "draft", self.editor, "補上講者的職稱")
        # Shown on the story: the desk and the change form list it.
        for url in ("admin:articles_article_desk", "admin:articles_article_change"):
            page = self.client.get(reverse(url, args=[self.story.pk])).content.decode()
            assert "補上講者的職稱" in page and "desk-transitions" in page

    def test_editor_publishes_from_review_and_readers_see_it(self):
        article_transition(article=self.story, action="submit", user=self.reporter)
        self.client.force_login(self.editor)
        response = transition(self.client, self.story, "publish", confirm="yes", override_reason="checked by hand")
        assert response.status_code == 302
        self.story.refresh_from_db()
        assert self.story.status == "published"
        assert Article.objects.live().filter(working_copy=self.story).exists()
        assert self.log() == [("draft", "in_review", "reporter"), ("in_review", "published", "editor")]
        self.client.logout()
        assert self.client.get(f"/stories/{self.story.slug}/").status_code == 200

    def test_publishing_over_open_issues_asks_for_confirmation(self):
        self.client.force_login(self.editor)
        response = transition(self.client, self.story, "publish")
        # The open flag blocks: the desk's button leads to the publish gate's page.
        assert response.status_code == 302
        page = self.client.get(response["Location"]).content.decode()
        assert 'id="publish-blocking"' in page and "flag-1" in page and "q99" in page
        self.story.refresh_from_db()
        assert self.story.status == "draft" and not Transition.objects.exists()
        assert not Article.objects.live().exists()
        response = transition(self.client, self.story, "publish", confirm="yes", override_reason="checked by hand")
        self.story.refresh_from_db()
        assert self.story.status == "published"

    def test_service_refuses_publishing_over_issues_without_confirmation(self):
        from articles.services import PublishBlocked

        with pytest.raises(PublishBlocked) as exc:
            article_transition(article=self.story, action="publish", user=self.editor)
        assert {i.code for i in exc.value.gate.blocking} == {"flag"}
        assert {i.code for i in exc.value.gate.warnings} >= {"suggestion"}
        Annotation.objects.filter(article=self.story, key="flag-1").update(status="resolved")
        with pytest.raises(ChecksNotConfirmed) as exc:
            article_transition(article=self.story, action="publish", user=self.editor)
        assert {i.code for i in exc.value.issues} >= {"suggestion"}
        assert Article.objects.get(pk=self.story.pk).status == "draft"

    def test_publish_with_a_future_time_schedules(self):
        self.client.force_login(self.editor)
        when = timezone.localtime(timezone.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        transition(self.client, self.story, "publish", confirm="yes", override_reason="checked by hand", publish_at=when)
        self.story.refresh_from_db()
        assert self.story.status == "scheduled"
        assert self.log() == [("draft", "scheduled", "editor")]
        self.client.logout()
        assert self.client.get(f"/stories/{self.story.slug}/").status_code == 404
        assert Article.objects.public(now=timezone.now() + timedelta(hours=3)).filter(
            working_copy=self.story).exists()

    def test_publish_scheduled_command_stamps_and_logs_due_stories(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand",
                           publish_at=timezone.now() + timedelta(minutes=5))
        out = StringIO()
        call_command("publish_scheduled", stdout=out)
        assert "0 scheduled stories stamped" in out.getvalue()
        # Readers see it at its time whether or not the command ran.
        later = timezone.now() + timedelta(minutes=10)
        assert Article.objects.public(now=later).filter(working_copy=self.story).exists()
        call_command("publish_scheduled", "--dry-run", stdout=StringIO())
        assert Article.objects.get(pk=self.story.pk).status == "scheduled"
        done = articles_publish_due(now=later)
        assert [a.pk for a in done] == [self.story.pk]
        self.story.refresh_from_db()
        live = Article.objects.live().get(working_copy=self.story)
        assert self.story.status == live.status == "published"
        assert self.story.updated_at == self.story.publish_at  # published_at keeps the first publication
        t = Transition.objects.filter(article=self.story).order_by("-id").first()
        assert (t.from_status, t.to_status, t.user) == ("scheduled", "published", None)
        assert "publish_scheduled" in t.note
        assert articles_publish_due(now=later) == []  # idempotent
        assert not self.story.has_unpublished_changes()

    def test_unpublish_takes_it_off_the_site(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        self.client.force_login(self.editor)
        transition(self.client, self.story, "unpublish")
        self.story.refresh_from_db()
        assert self.story.status == "draft" and not Article.objects.live().exists()
        assert self.log()[-1] == ("published", "draft", "editor")
        self.client.logout()
        assert self.client.get(f"/stories/{self.story.slug}/").status_code == 404

    def test_archive_and_back_to_draft(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        article_transition(article=self.story, action="archive", user=self.editor)
        self.story.refresh_from_db()
        assert self.story.status == "archived" and not Article.objects.live().exists()
        article_transition(article=self.story, action="unarchive", user=self.editor)
        self.story.refresh_from_db()
        assert self.story.status == "draft"
        assert [t[:2] for t in self.log()] == [("draft", "published"), ("published", "archived"),
                                               ("archived", "draft")]
        assert Revision.objects.filter(article=self.story, action__in=["archive", "unarchive"]).count() == 2

    def test_impossible_transitions_are_refused_and_change_nothing(self):
        for action in ("unpublish", "unarchive", "request_changes"):
            assert action not in allowed_actions(self.story, self.editor)
            with pytest.raises((DeskError, PermissionDenied)):
                article_transition(article=self.story, action=action, user=self.editor)
        with pytest.raises(DeskError):
            article_transition(article=self.story, action="request_changes")  # system user: status rule only
        assert Article.objects.get(pk=self.story.pk).status == "draft" and not Transition.objects.exists()

    def test_who_may_take_which_action(self):
        assert allowed_actions(self.story, self.reporter) == ["submit"]
        assert set(allowed_actions(self.story, self.editor)) == {"submit", "publish", "archive"}
        assert allowed_actions(self.story, self.checker) == []
        other = make_user("reporter", username="other")
        assert allowed_actions(self.story, other) == []

    def test_stale_transition_is_refused(self):
        self.client.force_login(self.editor)
        stale = self.story.version
        article_transition(article=self.story, action="submit", user=self.reporter)
        response = self.client.post(reverse("admin:articles_article_transition", args=[self.story.pk]),
                                    {"action": "archive", "version": stale}, follow=True)
        assert "was changed by reporter" in response.content.decode()
        assert Article.objects.get(pk=self.story.pk).status == "in_review"

    def test_publish_action_asks_first_and_blocking_checks_need_a_reason(self):
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_changelist")
        response = self.client.post(url, {"action": "publish", "_selected_action": [self.story.pk]})
        page = response.content.decode()
        assert response.status_code == 200 and "flag-1" in page and 'name="override_reason"' in page
        assert Article.objects.get(pk=self.story.pk).status == "draft"
        self.client.post(url, {"action": "publish", "_selected_action": [self.story.pk], "confirm_issues": "yes"})
        assert Article.objects.get(pk=self.story.pk).status == "draft"  # the open flag blocks
        self.client.post(url, {"action": "publish", "_selected_action": [self.story.pk], "confirm_issues": "yes",
                               "override_reason": "The flag is a false alarm."})
        assert Article.objects.get(pk=self.story.pk).status == "published"
        note = Transition.objects.get(article=self.story, to_status="published").note
        assert note.startswith("Override: The flag is a false alarm.") and "flag" in note

    def test_publish_action_on_a_clean_story_confirms_with_what_changes_then_publishes(self):
        clean = make_story(1, slug="clean", status="draft")
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_changelist")
        response = self.client.post(url, {"action": "publish", "_selected_action": [clean.pk]})
        assert response.status_code == 200 and "First publication" in response.content.decode()
        assert Article.objects.get(pk=clean.pk).status == "draft"
        response = self.client.post(url, {"action": "publish", "_selected_action": [clean.pk], "confirm_issues": "yes"})
        assert response.status_code == 302
        assert Article.objects.get(pk=clean.pk).status == "published"
        assert Transition.objects.get(article=clean).user == self.editor

    def test_transition_by_get_changes_nothing(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:articles_article_transition", args=[self.story.pk]),
                                   {"action": "publish", "version": self.story.version, "confirm": "yes"})
        assert response.status_code == 302
        assert Article.objects.get(pk=self.story.pk).status == "draft"


class DraftLiveTests(TestCase):
    """Editing a published story changes nothing readers see until an editor publishes the changes."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = make_story(2, status="draft")
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        self.story.refresh_from_db()
        self.client.force_login(self.editor)

    def reader(self):
        from django.core.cache import cache

        cache.clear()
        self.client.logout()
        page = self.client.get(f"/stories/{self.story.slug}/").content.decode()
        self.client.force_login(self.editor)
        return page

    def test_change_form_edit_is_not_live_until_published(self):
        before = self.reader()
        assert "desk-unpublished" not in self.client.get(
            reverse("admin:articles_article_desk", args=[self.story.pk])).content.decode()
        response = self.client.post(reverse("admin:articles_article_change", args=[self.story.pk]),
                                    change_form_data(self.story, title="改過的標題"))
        assert response.status_code == 302
        assert self.reader() == before
        assert "改過的標題" not in before
        self.story.refresh_from_db()
        assert self.story.status == "published" and self.story.has_unpublished_changes()
        for url in ("admin:articles_article_desk", "admin:articles_article_change"):
            assert "Unpublished changes" in self.client.get(reverse(url, args=[self.story.pk])).content.decode()
        changelist = self.client.get(reverse("admin:articles_article_changelist") + "?unpublished=yes")
        assert "改過的標題" in changelist.content.decode()
        transition(self.client, self.story, "publish", confirm="yes", override_reason="checked by hand")
        assert "改過的標題" in self.reader()
        self.story.refresh_from_db()
        assert not self.story.has_unpublished_changes()
        changelist = self.client.get(reverse("admin:articles_article_changelist") + "?unpublished=yes")
        assert "改過的標題" not in changelist.content.decode()

    def test_annotation_edit_is_not_live_until_published(self):
        import json

        before = self.reader()
        p1 = Block.objects.get(article=self.story, key="p1")
        start = p1.text.index("大模型")
        response = self.client.post(
            reverse("admin:articles_article_annotate", args=[self.story.pk]),
            json.dumps({"type": "annotation", "kind": "context", "body": "公開的註解ZZZ", "block": "p1",
                        "start": start, "end": start + 3, "exact": "大模型"}), content_type="application/json")
        assert response.status_code == 201
        assert self.reader() == before
        assert Article.objects.get(pk=self.story.pk).has_unpublished_changes()
        transition(self.client, self.story, "publish", confirm="yes", override_reason="checked by hand")
        assert "公開的註解ZZZ" in self.reader()

    def test_unpublished_changes_marker_reads_the_stored_digests(self):
        # The model compares the digests stored at the last revision and at publishing (no export):
        # every write path of the app records a revision, which stores the working copy's digest.
        story = Article.objects.get(pk=self.story.pk)
        assert story.content_digest == Article.objects.live().get(working_copy=story).content_digest
        with self.assertNumQueries(1):
            assert not story.has_unpublished_changes()
        Quote.objects.filter(article=story, key="q1").update(role="改")
        revision_create(article=story, action="save")
        assert story.has_unpublished_changes()
        assert story.content_digest == content_digest(export_story(story))


class CheckTests(TestCase):
    """Each pre-publish check, on a story that otherwise passes them all."""

    def setUp(self):
        self.story = make_story(2, status="draft")

    def codes(self):
        return [i.code for i in article_checks(self.story)]

    def test_a_clean_story_has_no_issues(self):
        assert self.codes() == []

    def test_quote_without_speaker(self):
        Quote.objects.filter(article=self.story, key="q1").update(speaker=None)
        assert self.codes() == ["speaker"]

    def test_role_that_is_not_the_speakers(self):
        Quote.objects.filter(article=self.story, key="q1").update(role="騰訊CEO")
        assert self.codes() == ["role"]
        assert "騰訊CEO" in article_checks(self.story)[0].message

    def test_role_not_held_on_the_quotes_date(self):
        Role.objects.filter(person__slug="person-1").update(start="2019", end="2021")
        Quote.objects.filter(article=self.story, key="q1").update(said_on="2023-10")
        assert self.codes() == ["role_date"]
        Quote.objects.filter(article=self.story, key="q1").update(said_on="2020")
        assert self.codes() == []

    def test_then_title_matches_the_role(self):
        # 時任 = "then": the printed title names the role; the date decides.
        Role.objects.filter(person__slug="person-1").update(start="2019", end="2023")
        Quote.objects.filter(article=self.story, key="q1").update(role="時任阿里CTO1", said_on="2022")
        assert self.codes() == []

    def test_open_flags_and_suggestions(self):
        Quote.objects.filter(article=self.story, key="q2").update(status="suggested")
        block = Block.objects.get(article=self.story, key="p0")
        Annotation.objects.create(block=block, start=0, end=4, exact=block.text[:4], kind="flag", body="?")
        assert sorted(self.codes()) == ["flag", "suggestion"]

    def test_figure_without_alt_and_missing_dek(self):
        Block.objects.filter(article=self.story, key="f1").update(alt="")
        Article.objects.filter(pk=self.story.pk).update(dek="")
        self.story.refresh_from_db()
        assert sorted(self.codes()) == ["alt", "dek"]

    def test_missing_headline(self):
        self.story.title = "   "
        assert self.codes() == ["headline"]

    def test_issues_are_shown_on_the_story(self):
        editor = make_user("editor")
        Quote.objects.filter(article=self.story, key="q1").update(speaker=None)
        self.client.force_login(editor)
        page = self.client.get(reverse("admin:articles_article_desk", args=[self.story.pk])).content.decode()
        assert 'data-code="speaker"' in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
class PublishRaceTests(TransactionTestCase):
    """CE4: two editors publish at the same instant; exactly one transition, one live edition."""

    def test_two_publishes_of_one_version(self):
        import threading

        from django.db import connections

        editor = make_user("editor")
        story = make_story(1, status="draft")
        version = story.version
        barrier = threading.Barrier(2)
        outcomes = []

        def publish():
            try:
                barrier.wait()
                article_transition(article=Article.objects.get(pk=story.pk), action="publish", user=editor,
                                   expected_version=version, confirm=True)
                outcomes.append("ok")
            except StaleVersion:
                outcomes.append("stale")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=publish) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["ok", "stale"]
        assert Transition.objects.filter(article=story).count() == 1
        assert Article.objects.live().filter(working_copy=story).count() == 1
        assert Revision.objects.filter(article=story, action="publish").count() == 1


class PublishNowTests(TestCase):
    def test_publish_with_an_empty_time_publishes_a_scheduled_story_now(self):
        editor = make_user("editor")
        story = make_story(1, status="draft")
        article_transition(article=story, action="publish", user=editor, confirm=True, override_reason="checked by hand",
                           publish_at=timezone.now() + timedelta(days=1))
        self.client.force_login(editor)
        page = self.client.get(reverse("admin:articles_article_desk", args=[story.pk])).content.decode()
        assert 'name="publish_at" aria-label' in page and 'value="' in page.split('name="publish_at"')[1][:200]
        transition(self.client, story, "publish", confirm="yes", override_reason="checked by hand", publish_at="")
        story.refresh_from_db()
        assert story.status == "published" and story.publish_at <= timezone.now()
        assert self.client.get(f"/stories/{story.slug}/").status_code == 200


class PublishGateTests(TestCase):
    """One gate for every publish path: blocking checks, warnings, an editor's logged override (issue 11)."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work()  # an open flag (blocking), a suggested quote and mention (warnings)

    def test_the_gate_sorts_blocking_checks_from_warnings(self):
        from articles.services import publish_gate

        Quote.objects.filter(article=self.story, key="q2").update(speaker=None)
        Block.objects.filter(article=self.story, key="f1").update(alt="", image="/media/a.jpg")
        Block.objects.filter(article=self.story, key="f2").update(alt="")
        gate = publish_gate(self.story)
        assert {i.code for i in gate.blocking} == {"flag", "speaker", "alt"}
        assert [i.target for i in gate.blocking if i.code == "alt"] == ["f1", "f2"]
        assert {i.code for i in gate.warnings} == {"suggestion"}
        assert gate.changes[0].startswith("First publication: readers will find")
        self.story.title = " "  # the database refuses an empty one; a form could still send blanks
        assert "headline" in {i.code for i in publish_gate(self.story).blocking}

    def test_blocking_checks_stop_everyone_but_an_editor_with_a_reason(self):
        from articles.services import PublishBlocked

        with pytest.raises(PublishBlocked):
            article_transition(article=self.story, action="publish", user=self.editor, confirm=True)
        with pytest.raises(PublishBlocked):  # a blank reason is no reason
            article_transition(article=self.story, action="publish", user=self.editor, confirm=True,
                               override_reason="   ")
        with pytest.raises(PublishBlocked):  # the system never overrides
            article_transition(article=self.story, action="publish", confirm=True, override_reason="script")
        assert Article.objects.get(pk=self.story.pk).status == "draft"
        article_transition(article=self.story, action="publish", user=self.editor, override_reason="旗標已查核")
        step = Transition.objects.get(article=self.story, to_status="published")
        assert step.user == self.editor and step.note == "Override: 旗標已查核 (blocking: flag)"
        assert Revision.objects.filter(article=self.story, action="publish").exists()

    def test_warnings_alone_need_a_confirmation(self):
        Annotation.objects.filter(article=self.story, key="flag-1").update(status="resolved")
        with pytest.raises(ChecksNotConfirmed):
            article_transition(article=self.story, action="publish", user=self.editor)
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True)
        assert Transition.objects.get(article=self.story, to_status="published").note == ""

    def test_the_publish_page_shows_the_gate_and_logs_an_override(self):
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_publish", args=[self.story.pk])
        page = self.client.get(url).content.decode()
        assert 'id="publish-blocking"' in page and "flag-1" in page and "First publication" in page
        response = self.client.post(url, {"version": self.story.version, "confirm": "yes"})
        assert response.status_code == 409 and Article.objects.get(pk=self.story.pk).status == "draft"
        response = self.client.post(url, {"version": self.story.version, "confirm": "yes",
                                          "override_reason": "Checked the mojibake by hand."})
        assert response.status_code == 302
        assert Article.objects.get(pk=self.story.pk).status == "published"
        assert "Checked the mojibake by hand." in Transition.objects.get(article=self.story).note

    def test_the_gate_endpoint_for_the_desk(self):
        self.client.force_login(self.editor)
        data = self.client.get(reverse("admin:articles_article_publish_gate", args=[self.story.pk])).json()
        assert data["ok"] and not data["passes"] and data["can_override"]
        assert [i["code"] for i in data["blocking"]] == ["flag"]
        assert data["publish_url"] == reverse("admin:articles_article_publish", args=[self.story.pk])
        self.client.force_login(make_user("reporter", username="rep"))
        response = self.client.get(reverse("admin:articles_article_publish_gate", args=[self.story.pk]))
        assert response.status_code == 403
        assert self.client.get(reverse("admin:articles_article_publish", args=[self.story.pk])).status_code == 403

    def test_the_desk_button_sends_a_blocked_story_to_the_gate_page(self):
        self.client.force_login(self.editor)
        response = transition(self.client, self.story, "publish", confirm="yes")
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:articles_article_publish", args=[self.story.pk])
        assert Article.objects.get(pk=self.story.pk).status == "draft"

    def test_scheduled_publishing_holds_a_story_nobody_cleared(self):
        from tests.factories import story_doc

        doc = story_doc(1, slug="scheduled-flagged", status="scheduled")
        doc["article"]["publish_at"] = "2020-01-01T09:00:00+08:00"
        text = doc["article"]["lede"][0]["text"]
        doc["annotations"].append({"id": "flag-9", "anchor": {"block": "p0", "start": 0, "end": 2,
                                                              "exact": text[:2]},
                                   "kind": "flag", "body": "亂碼", "public": False, "status": "open"})
        story = story_import(doc=doc).article
        assert Article.objects.live().filter(working_copy=story).exists()
        out, err = StringIO(), StringIO()
        call_command("publish_scheduled", stdout=out, stderr=err)
        assert "held scheduled-flagged" in err.getvalue()
        story.refresh_from_db()
        assert story.status == "draft" and not Article.objects.live().filter(working_copy=story).exists()
        assert Transition.objects.get(article=story).note.startswith("Held by the publish gate")
