"""Issue 11 item 6: smaller things an editor hits (no-op transitions, diff dates, demo URL, admin index, help texts)."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from articles.diff import diff_stories
from articles.models import Article, Transition
from articles.services import article_transition, export_story, revision_create
from tests.factories import make_story, make_user, story_with_work


class NoOpTransitionTests(TestCase):
    """Publishing a story that is already published updates its live edition but logs no 已發布 → 已發布 step."""

    def setUp(self):
        self.editor = make_user("editor")
        self.story = make_story(status="draft")

    def steps(self):
        return list(Transition.objects.filter(article=self.story).order_by("created_at", "id")
                    .values_list("from_status", "to_status"))

    def test_republishing_a_published_story_logs_nothing(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True)
        assert self.steps() == [("draft", "published")]
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True)
        self.story.refresh_from_db()
        assert self.story.status == "published"
        assert self.steps() == [("draft", "published")]

    def test_a_noop_step_with_a_note_is_kept(self):
        # An editor's note (an override reason) on a re-publish must not be lost from the history.
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True)
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, note="fixed a typo")
        assert self.steps() == [("draft", "published"), ("published", "published")]
        assert Transition.objects.filter(article=self.story).order_by("-id").first().note == "fixed a typo"


class RevisionDiffDateTests(TestCase):
    """The revision diff shows a changed timestamp as a date in the active language, not as ISO text."""

    def setUp(self):
        self.editor = make_user("editor")
        self.story = story_with_work()  # revision 1: published_at 2023-11-08T09:00:00+08:00
        later = datetime(2024, 2, 3, 14, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
        Article.objects.filter(pk=self.story.pk).update(published_at=later)
        revision_create(article=self.story, action="save")

    def test_the_diff_page_shows_localized_dates(self):
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_revision_diff", args=[self.story.pk])
        page = self.client.get(url + "?a=1&b=current").content.decode()
        assert "2023-11-08T09:00" not in page and "2024-02-03T14:05" not in page
        # The tests' editor language is English (tests/conftest.py); the whole date is replaced.
        assert "<del>Nov. 8, 2023, 9 a.m.</del><ins>Feb. 3, 2024, 2:05 p.m.</ins>" in page

    def test_the_dates_follow_the_active_language(self):
        self.story.refresh_from_db()
        doc = export_story(self.story)
        old = {**doc, "article": {**doc["article"], "published_at": "2023-11-08T09:00:00+08:00"}}
        with translation.override("zh-hant"):
            fields = {c["field"]: (c["old"], c["new"]) for c in diff_stories(old, doc)["fields"]}
        assert fields["published at"] == ("2023年11月8日 09:00", "2024年2月3日 14:05")


class LoadDemoUrlTests(TestCase):
    """``load_demo`` prints the admin address of the server it was given (``make run`` passes HOST and PORT)."""

    def run_demo(self, *args):
        out = StringIO()
        with self.settings(DEBUG=True):
            call_command("load_demo", "--no-raw", *args, stdout=out)
        return out.getvalue()

    def test_the_given_url_is_printed(self):
        text = self.run_demo("--url", "http://0.0.0.0:8123/")
        assert "Admin: http://0.0.0.0:8123/admin/" in text and ":8000" not in text

    def test_the_default_is_the_make_default(self):
        assert "Admin: http://127.0.0.1:8000/admin/" in self.run_demo()

    def test_a_url_without_a_host_is_refused_with_a_clear_message(self):
        with self.assertRaisesMessage(CommandError, "--url '8123': give the server's address as http://HOST:PORT."):
            self.run_demo("--url", "8123")
        assert not Article.objects.exists()  # refused before importing anything


class AdminIndexLinksTests(TestCase):
    """The admin index leads to the desk (the stories list) and to the review queue."""

    def test_desk_roles_see_both_links(self):
        changelist, queue = reverse("admin:articles_article_changelist"), reverse("admin:articles_article_review")
        for role in ("editor", "reporter", "fact-checker"):
            self.client.force_login(make_user(role))
            page = self.client.get(reverse("admin:index")).content.decode()
            assert 'id="desk-links"' in page, role
            assert f'href="{changelist}">Stories: open one in the desk</a>' in page
            assert f'href="{queue}">Review queue</a>' in page
            assert self.client.get(queue).status_code == 200  # the link leads somewhere they may go

    def test_staff_without_a_desk_role_see_no_links(self):
        self.client.force_login(make_user(None))
        page = self.client.get(reverse("admin:index")).content.decode()
        assert 'id="desk-links"' not in page


class HelpTextTests(TestCase):
    """The admin renders help texts as HTML: a help text must not hold angle brackets that vanish there."""

    def test_slug_help_texts_show_whole_in_the_forms(self):
        self.client.force_login(make_user("editor"))
        story = make_story(status="draft")
        page = self.client.get(reverse("admin:articles_article_change", args=[story.pk])).content.decode()
        assert "The last part of the story's URL, as in /stories/alibaba-ai-2023/." in page
        page = self.client.get(reverse("admin:entities_entity_add")).content.decode()
        assert "The entity's id, the last part of its page's URL, as in /entities/alibaba/." in page

    def test_no_model_help_text_has_angle_brackets(self):
        from django.apps import apps

        for model in apps.get_models():
            for field in model._meta.get_fields():
                text = str(getattr(field, "help_text", "") or "")
                assert "<" not in text and ">" not in text, f"{model.__name__}.{field.name}: {text!r}"
