"""The pre-publish checklist grouped by kind (issue 11 item 5): on the raw seed draft it ran to ~220
lines; now one folded group per kind, with its count and a link to its first item, on the desk, the
change form and the publish gate."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from articles.checks import article_checks
from articles.desk.checklist import OPEN_UP_TO, issue_groups
from articles.management.commands.load_demo import RAW_SLUG
from articles.models import Article
from tests.factories import make_user


def groups_in(page, list_id):
    """[(kind, count, open, first link, number of items)] of the grouped list ``list_id`` in ``page``."""
    part = page.split(f'id="{list_id}"')[1].split("</div>")[0]
    out = []
    for chunk in part.split('<details class="desk-issue-group" data-kind="')[1:]:
        kind = chunk.split('"')[0]
        head = chunk.split(">")[0]
        count = int(chunk.split('<span class="desk-count">')[1].split("<")[0])
        link = chunk.split('class="desk-issue-first" href="')[1].split('"')[0]
        out.append((kind, count, " open" in head, link, chunk.count("<li ")))
    return out


class ChecklistTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")
        call_command("load_demo", "--no-users", verbosity=0, stdout=StringIO())
        cls.article = Article.objects.working().get(slug=RAW_SLUG)

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_raw_seeds_checklist_is_a_few_folded_groups_with_counts(self):
        issues = article_checks(self.article)
        assert len(issues) > 200
        page = self.client.get(reverse("admin:articles_article_desk", args=[self.article.pk])).content.decode()
        groups = groups_in(page, "desk-issues")
        assert len(groups) <= 8, groups
        assert sum(count for _k, count, *_ in groups) == len(issues)
        assert all(items == count for _k, count, _o, _l, items in groups)  # every issue is still there
        by_kind = {kind: (count, is_open) for kind, count, is_open, *_ in groups}
        assert by_kind["suggestion:mention"][0] > 150 and not by_kind["suggestion:mention"][1]  # folded
        assert all(is_open == (count <= OPEN_UP_TO) for count, is_open in by_kind.values())
        kinds = [kind for kind, *_ in groups]
        assert kinds.index("flag") < kinds.index("suggestion:quote") < kinds.index("suggestion:mention")

    def test_each_group_links_to_its_first_item(self):
        issues = article_checks(self.article)
        desk = reverse("admin:articles_article_desk", args=[self.article.pk])
        groups = {g["kind"]: g for g in issue_groups(issues, self.article)}
        first_mention = next(i for i in issues if i.code == "suggestion" and i.target.startswith("m"))
        assert groups["suggestion:mention"]["url"] == f"{desk}#open-{first_mention.target}"
        first_quote = next(i for i in issues if i.code == "suggestion" and i.target.startswith("q"))
        assert groups["suggestion:quote"]["url"] == f"{desk}#open-{first_quote.target}"
        if "dek" in groups:
            assert groups["dek"]["url"] == reverse("admin:articles_article_change", args=[self.article.pk])

    def test_the_change_form_and_the_publish_gate_group_the_same_way(self):
        change = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk])).content.decode()
        assert groups_in(change, "desk-issues")
        gate = self.client.get(reverse("admin:articles_article_publish", args=[self.article.pk])).content.decode()
        blocking, warnings = groups_in(gate, "publish-blocking"), groups_in(gate, "publish-warnings")
        assert {k for k, *_ in blocking} <= {"headline", "flag", "repair", "speaker", "alt"}
        assert "suggestion:mention" in {k for k, *_ in warnings}

    def test_the_desk_has_the_labels_to_redraw_it(self):
        page = self.client.get(reverse("admin:articles_article_desk", args=[self.article.pk])).content.decode()
        assert '"issue_kind_suggestion:mention": "Suggested mentions nobody confirmed or rejected"' in page
        assert f'"change": "{reverse("admin:articles_article_change", args=[self.article.pk])}"' in page
