"""Issue 11 item 6: smaller things an editor hits (no-op transitions, diff dates, demo URL, admin index, help texts)."""

from django.test import TestCase

from articles.models import Transition
from articles.services import article_transition
from tests.factories import make_story, make_user


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
