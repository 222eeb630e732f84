"""The annotation view and its JSON endpoints, the review queue, roles, and escaping in the admin."""

import json
from io import StringIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Annotation, Article, Block, Mention, Quote, RejectedSuggestion, Revision
from articles.services import article_transition, block_save
from entities.models import Entity

from tests.factories import make_user, story_doc, story_with_work

JSON = {"content_type": "application/json"}
XSS = '</script><script>alert(1)</script>"><img src=x onerror=alert(1)>'
EXT_B = "𠀋𠀌"  # two CJK Extension B characters: two code points, four UTF-16 units


def create(client, article, **body):
    return client.post(reverse("admin:articles_article_annotate", args=[article.pk]), json.dumps(body), **JSON)


def op(client, obj, type_, name, **body):
    url = reverse("admin:articles_article_annotation_op", args=[obj.article_id, type_, obj.pk, name])
    return client.post(url, json.dumps(body), **JSON)


class DeskPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work()
        self.client.force_login(self.editor)
        self.url = reverse("admin:articles_article_desk", args=[self.story.pk])

    def test_shows_the_text_with_every_annotation_and_a_legend(self):
        response = self.client.get(self.url)
        assert response.status_code == 200
        page = response.content.decode()
        for key in ("p0", "p1", "p2", "p3"):
            assert f'data-block="{key}"' in page
        assert 'class="desk-legend"' in page and "hl-quote" in page and "hl-flag" in page
        data = json.loads(page.split('<script id="desk-data" type="application/json">')[1].split("</script>")[0])
        # Every quote, mention and annotation of the story is in the desk's data, once, and no other.
        expected = sorted([("quote", k) for k in Quote.objects.filter(article=self.story).values_list("key", flat=True)]
                          + [("mention", k) for k in Mention.objects.filter(article=self.story)
                             .values_list("key", flat=True)]
                          + [("annotation", k) for k in Annotation.objects.filter(article=self.story)
                             .values_list("key", flat=True)])
        assert sorted((i["type"], i["key"]) for i in data["items"]) == expected
        assert len(expected) == 3 * 3 + 3  # story_with_work(3): 3 of each kind, plus a suggestion of each
        kinds = {(i["type"], i["status"]) for i in data["items"]}
        assert {("quote", "verified"), ("quote", "suggested"), ("mention", "suggested"),
                ("annotation", "open")} <= kinds
        assert data["perms"]["add_quote"] and data["perms"]["review"] and not data["perms"]["verify"]
        assert {i["code"] for i in data["issues"]} >= {"flag", "suggestion"}
        assert "desk.js" in page and "desk.css" in page

    def test_editor_text_is_escaped_in_the_page_and_its_data(self):
        Block.objects.filter(article=self.story, key="p1").update(text="講者" + XSS)
        Article.objects.filter(pk=self.story.pk).update(title="標題" + XSS)
        Annotation.objects.filter(article=self.story, key="a1").update(body=XSS)
        page = self.client.get(self.url).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        data = page.split('<script id="desk-data" type="application/json">')[1].split("</script>")[0]
        assert XSS in json.loads(data)["blocks"][1]["text"] or XSS in json.dumps(json.loads(data), ensure_ascii=False)

    def test_query_count_does_not_grow_with_the_story(self):
        def count(n, slug):
            story = story_with_work(slug=slug, n=n)
            with CaptureQueriesContext(connection) as ctx:
                assert self.client.get(reverse("admin:articles_article_desk", args=[story.pk])).status_code == 200
            return len(ctx)

        assert count(1, "one") == count(4, "four")

    def test_desk_data_endpoint(self):
        response = self.client.get(reverse("admin:articles_article_desk_data", args=[self.story.pk]))
        assert response.status_code == 200 and response.json()["ok"]
        assert self.client.post(reverse("admin:articles_article_desk_data", args=[self.story.pk])).status_code == 405


class AnnotationEndpointTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")
        cls.checker = make_user("fact-checker")

    def setUp(self):
        self.story = story_with_work()
        self.client.force_login(self.editor)
        self.p1 = Block.objects.get(article=self.story, key="p1")

    def test_editor_makes_a_confirmed_quote_with_a_speaker(self):
        speaker = Entity.objects.get(slug="person-1")
        response = create(self.client, self.story, type="quote", block="p1", start=0, end=4,
                          exact=self.p1.text[:4], kind="indirect", speaker=speaker.pk, role="阿里CTO1",
                          said_on="2023-10")
        assert response.status_code == 201, response.content
        item = response.json()["item"]
        quote = Quote.objects.get(pk=item["id"])
        assert (quote.speaker, quote.kind, quote.status, quote.role, quote.said_on) == (
            speaker, "indirect", "confirmed", "阿里CTO1", "2023-10")
        assert quote.modified_by == self.editor and item["version"] == 1
        assert Revision.objects.filter(article=self.story, action="annotate").count() == 1

    def test_new_speaker_is_created_with_the_quote(self):
        response = create(self.client, self.story, type="quote", block="p1", start=0, end=4, exact=self.p1.text[:4],
                          speaker_new={"name": "張勇", "kind": "person"})
        assert response.status_code == 201
        assert Quote.objects.get(pk=response.json()["item"]["id"]).speaker.name == "張勇"
        # The same name again picks the existing entity instead of a duplicate.
        create(self.client, self.story, type="quote", block="p2", start=0, end=4,
               exact=Block.objects.get(article=self.story, key="p2").text[:4],
               speaker_new={"name": "張勇", "kind": "person"})
        assert Entity.objects.filter(name="張勇").count() == 1

    def test_mention_and_note(self):
        alibaba = Entity.objects.get(slug="alibaba")
        start = self.p1.text.index("大模型")
        response = create(self.client, self.story, type="mention", block="p1", start=start, end=start + 3,
                          exact="大模型", entity=alibaba.pk)
        assert response.status_code == 201
        assert Mention.objects.get(pk=response.json()["item"]["id"]).entity == alibaba
        response = create(self.client, self.story, type="annotation", block="p1", start=start, end=start + 3,
                          exact="大模型", kind="correction", body="原文誤植")
        note = Annotation.objects.get(pk=response.json()["item"]["id"])
        assert (note.kind, note.public, note.body) == ("correction", True, "原文誤植")
        response = create(self.client, self.story, type="annotation", block="p1", start=0, end=2,
                          exact=self.p1.text[:2], kind="note", body="內部")
        assert Annotation.objects.get(pk=response.json()["item"]["id"]).public is False

    def test_offsets_are_code_points_after_extension_b_characters(self):
        self.p1.text = EXT_B + "阿里雲說要開源。"
        block_save(block=self.p1)
        start = len(EXT_B) + 2  # Python counts code points: 2 + 2
        response = create(self.client, self.story, type="annotation", block="p1", start=start, end=start + 1,
                          exact="雲", kind="sic", body="原文如此")
        assert response.status_code == 201
        # The UTF-16 offsets a naive JavaScript selection would send are refused, never stored shifted.
        utf16 = len(EXT_B.encode("utf-16-le")) // 2 + 2
        response = create(self.client, self.story, type="annotation", block="p1", start=utf16, end=utf16 + 1,
                          exact="雲", kind="sic", body="shifted")
        assert response.status_code == 400
        assert not Annotation.objects.filter(body="shifted").exists()

    def test_server_validates_every_anchor(self):
        bad = [
            {"block": "p1", "start": 0, "end": 4, "exact": "不對的字"},
            {"block": "p1", "start": 5, "end": 2, "exact": "x"},
            {"block": "p1", "start": 0, "end": 9999, "exact": "x"},
            {"block": "f1", "start": 0, "end": 1, "exact": "x"},
            {"block": "nope", "start": 0, "end": 1, "exact": "x"},
            {"block": "p1", "start": "a", "end": 1, "exact": "x"},
            {"block": "p1", "start": 0, "end": 1},
        ]
        before = Annotation.objects.count()
        for anchor in bad:
            response = create(self.client, self.story, type="annotation", kind="note", body="x", **anchor)
            assert response.status_code == 400, anchor
            assert response.json()["error"]
        assert Annotation.objects.count() == before

    def test_field_validation(self):
        base = {"type": "quote", "block": "p1", "start": 0, "end": 4, "exact": self.p1.text[:4]}
        for extra in ({"said_on": "2023-13"}, {"kind": "shout"}, {"speaker": Entity.objects.get(slug="alibaba").pk,
                                                                   "event": Entity.objects.get(slug="person-1").pk},
                      {"speaker": 99999}, {"role": "x" * 201}):
            assert create(self.client, self.story, **base, **extra).status_code == 400, extra
        assert create(self.client, self.story, type="annotation", block="p1", start=0, end=4,
                      exact=self.p1.text[:4], kind="note", public=True).status_code == 400
        assert create(self.client, self.story, type="annotation", block="p1", start=0, end=4,
                      exact=self.p1.text[:4], kind="flag").status_code == 400
        assert create(self.client, self.story, type="nothing").status_code == 400
        response = self.client.post(reverse("admin:articles_article_annotate", args=[self.story.pk]), "{not json",
                                    **JSON)
        assert response.status_code == 400

    def test_edit_and_delete(self):
        q1 = Quote.objects.get(article=self.story, key="q1")
        response = op(self.client, q1, "quote", "save", version=q1.version, kind="fragment", speaker=q1.speaker_id,
                      role="阿里CTO1")
        assert response.status_code == 200
        q1.refresh_from_db()
        assert q1.kind == "fragment" and q1.version == 2 and q1.status == "verified"
        # Other words or another speaker: the fact-check has to be done again.
        response = op(self.client, q1, "quote", "save", version=q1.version, kind="fragment",
                      speaker=Entity.objects.get(slug="person-2").pk)
        q1.refresh_from_db()
        assert q1.status == "confirmed"
        assert op(self.client, q1, "quote", "delete", version=q1.version).status_code == 200
        assert not Quote.objects.filter(pk=q1.pk).exists()

    def test_accept_and_reject_suggestions(self):
        q99 = Quote.objects.get(article=self.story, key="q99")
        mention = Mention.objects.get(article=self.story, status="suggested")
        assert op(self.client, q99, "quote", "accept", version=q99.version).status_code == 200
        assert Quote.objects.get(pk=q99.pk).status == "confirmed"
        assert op(self.client, mention, "mention", "reject", version=mention.version).status_code == 200
        assert not Mention.objects.filter(pk=mention.pk).exists()
        rejected = RejectedSuggestion.objects.get(article=self.story)
        assert (rejected.kind, rejected.exact, rejected.entity_slug, rejected.user) == (
            "mention", mention.exact, "person-1", self.editor)
        # Accepting what is no longer a suggestion is refused.
        q99.refresh_from_db()
        assert op(self.client, q99, "quote", "accept", version=q99.version).status_code == 400

    def test_rejected_suggestions_are_not_suggested_again_on_reimport(self):
        from articles.importing.raw import RawOptions
        from articles.services import raw_import

        text = "大模型之年\n周靖人說，“阿里是唯一一家主動宣布大模型開源的大公司。”\n01\n第一節\n他還說：“開源很重要。”\n"
        Entity.objects.create(kind="person", name="周靖人", slug="zhou-jingren")
        options = RawOptions(slug="raw-story", title="大模型之年", source_name="鋅產業")
        article = raw_import(text=text, options=options).article
        suggested = Quote.objects.filter(article=article, status="suggested").first()
        assert suggested is not None
        op(self.client, suggested, "quote", "reject", version=suggested.version)
        raw_import(text=text, options=options)
        assert not Quote.objects.filter(article=article, exact=suggested.exact, status="suggested").exists()

    def test_resolve_a_flag_and_reopen_it(self):
        flag = Annotation.objects.get(article=self.story, key="flag-1")
        assert op(self.client, flag, "annotation", "resolve", version=flag.version).status_code == 200
        flag.refresh_from_db()
        assert flag.status == "resolved"
        assert op(self.client, flag, "annotation", "reopen", version=flag.version).status_code == 200

    def test_fact_checker_verifies_quotes_and_adds_notes_but_nothing_else(self):
        self.client.force_login(self.checker)
        q1 = Quote.objects.get(article=self.story, key="q1")
        assert op(self.client, q1, "quote", "dispute", version=q1.version).status_code == 200
        assert Quote.objects.get(pk=q1.pk).status == "disputed"
        assert create(self.client, self.story, type="annotation", block="p1", start=0, end=2,
                      exact=self.p1.text[:2], kind="note", body="查無出處").status_code == 201
        q1.refresh_from_db()
        assert op(self.client, q1, "quote", "save", version=q1.version, role="x").status_code == 403
        assert create(self.client, self.story, type="quote", block="p1", start=0, end=2,
                      exact=self.p1.text[:2]).status_code == 403
        q99 = Quote.objects.get(article=self.story, key="q99")
        assert op(self.client, q99, "quote", "accept", version=q99.version).status_code == 403
        flag = Annotation.objects.get(article=self.story, key="flag-1")
        assert op(self.client, flag, "annotation", "resolve", version=flag.version).status_code == 403
        assert op(self.client, q99, "quote", "verify", version=q99.version).status_code == 400  # confirm first

    def test_reporter_marks_are_suggestions(self):
        reporter = make_user("reporter")
        Article.objects.filter(pk=self.story.pk).update(owner=reporter)
        self.client.force_login(reporter)
        response = create(self.client, self.story, type="quote", block="p1", start=0, end=4, exact=self.p1.text[:4],
                          speaker=Entity.objects.get(slug="person-1").pk)
        assert response.status_code == 201 and response.json()["item"]["status"] == "suggested"
        q99 = Quote.objects.get(article=self.story, key="q99")
        assert op(self.client, q99, "quote", "accept", version=q99.version).status_code == 403

    def test_objects_of_another_story_are_not_reachable(self):
        other = story_with_work(slug="other")
        q1 = Quote.objects.get(article=other, key="q1")
        url = reverse("admin:articles_article_annotation_op", args=[self.story.pk, "quote", q1.pk, "save"])
        response = self.client.post(url, json.dumps({"version": q1.version, "role": "x"}), **JSON)
        assert response.status_code == 404
        assert Quote.objects.get(pk=q1.pk).role != "x"

    def test_live_editions_cannot_be_annotated(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        live = Article.objects.live().get(working_copy=self.story)
        block = Block.objects.get(article=live, key="p1")
        response = create(self.client, live, type="annotation", block="p1", start=0, end=2, exact=block.text[:2],
                          kind="note")
        assert response.status_code == 404

    def test_endpoints_need_csrf_and_post(self):
        csrf_client = Client(enforce_csrf_checks=True)
        csrf_client.force_login(self.editor)
        response = create(csrf_client, self.story, type="annotation", block="p1", start=0, end=2,
                          exact=self.p1.text[:2], kind="note", body="csrf")
        assert response.status_code == 403
        assert not Annotation.objects.filter(body="csrf").exists()
        q1 = Quote.objects.get(article=self.story, key="q1")
        url = reverse("admin:articles_article_annotation_op", args=[self.story.pk, "quote", q1.pk, "delete"])
        assert self.client.get(url).status_code == 405
        assert Quote.objects.filter(pk=q1.pk).exists()

    def test_entity_lookup_finds_aliases_and_filters_kinds(self):
        url = reverse("admin:articles_article_entities")
        results = self.client.get(url, {"q": "Alibaba"}).json()["results"]
        assert [e["slug"] for e in results] == ["alibaba"]
        results = self.client.get(url, {"q": "講者", "kind": ["person", "organization"]}).json()["results"]
        assert {e["kind"] for e in results} == {"person"} and results[0]["roles"]
        nobody = make_user(None, username="nobody")
        self.client.force_login(nobody)
        assert self.client.get(url, {"q": "a"}).status_code == 403


class ReviewQueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.one = story_with_work(slug="one")
        self.two = story_with_work(slug="two", title="第二篇")
        self.client.force_login(self.editor)
        self.url = reverse("admin:articles_article_review")

    def items(self, response):
        return [line.split('value="')[1].split('"')[0] for line in response.content.decode().splitlines()
                if 'name="item"' in line]

    def test_lists_open_suggestions_and_flags_across_stories(self):
        values = self.items(self.client.get(self.url))
        assert len(values) == 6  # per story: a suggested quote, a suggested mention, an open flag
        assert len(self.items(self.client.get(self.url, {"story": self.two.pk}))) == 3
        assert len(self.items(self.client.get(self.url, {"kind": "flag"}))) == 2

    def test_bulk_accept_reject_and_resolve(self):
        suggested = Quote.objects.filter(status="suggested", article__edition="working")
        quotes = [f"quote:{q.pk}:{q.version}" for q in suggested]
        self.client.post(self.url, {"op": "accept", "item": quotes})
        assert not Quote.objects.filter(status="suggested").exists()
        mentions = [f"mention:{m.pk}:{m.version}" for m in Mention.objects.filter(status="suggested")]
        self.client.post(self.url, {"op": "reject", "item": mentions})
        assert not Mention.objects.filter(status="suggested").exists()
        assert RejectedSuggestion.objects.count() == 2
        flags = [f"annotation:{a.pk}:{a.version}" for a in Annotation.objects.filter(kind="flag")]
        self.client.post(self.url, {"op": "resolve", "item": flags})
        assert not Annotation.objects.filter(kind="flag", status="open").exists()
        assert self.items(self.client.get(self.url)) == []

    def test_wrong_operation_for_the_kind_is_refused(self):
        flag = Annotation.objects.filter(kind="flag").first()
        response = self.client.post(self.url, {"op": "accept", "item": [f"annotation:{flag.pk}:{flag.version}"]},
                                    follow=True)
        assert "Not done" in response.content.decode()
        assert Annotation.objects.get(pk=flag.pk).status == "open"

    def test_reporters_see_only_their_stories_and_cannot_accept(self):
        reporter = make_user("reporter")
        Article.objects.filter(pk=self.one.pk).update(owner=reporter)
        self.client.force_login(reporter)
        page = self.client.get(self.url).content.decode()
        assert "第二篇" not in page
        q = Quote.objects.get(article=self.one, key="q99")
        self.client.post(self.url, {"op": "accept", "item": [f"quote:{q.pk}:{q.version}"]})
        assert Quote.objects.get(pk=q.pk).status == "suggested"
        q2 = Quote.objects.get(article=self.two, key="q99")
        self.client.post(self.url, {"op": "accept", "item": [f"quote:{q2.pk}:{q2.version}"]})
        assert Quote.objects.get(pk=q2.pk).status == "suggested"

    def test_query_count_does_not_grow_with_the_queue(self):
        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert self.client.get(self.url).status_code == 200
            return len(ctx)

        few = count()
        story_with_work(slug="three")
        story_with_work(slug="four")
        assert count() == few

    def test_queue_escapes_editor_text(self):
        Annotation.objects.filter(kind="flag").update(body=XSS)
        page = self.client.get(self.url).content.decode()
        assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


class AdminEscapingTests(TestCase):
    """XS2: what low-privilege users type never becomes markup in a higher-privilege user's admin."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def test_messages_changelist_and_forms_escape_the_title(self):
        story = story_with_work(title=XSS)
        self.client.force_login(self.editor)
        pages = [
            self.client.get(reverse("admin:articles_article_changelist")),
            self.client.get(reverse("admin:articles_article_change", args=[story.pk])),
            self.client.get(reverse("admin:articles_article_revisions", args=[story.pk])),
            self.client.post(reverse("admin:articles_article_transition", args=[story.pk]),
                             {"action": "submit", "version": story.version}, follow=True),
            self.client.post(reverse("admin:articles_article_changelist"),
                             {"action": "archive", "_selected_action": [story.pk]}),
            self.client.post(reverse("admin:articles_article_preview_links", args=[story.pk]), follow=True),
        ]
        for response in pages:
            page = response.content.decode()
            assert "<script>alert(1)" not in page and "<img src=x" not in page, response.request["PATH_INFO"]


class RoleSetupTests(TestCase):
    def test_migrate_creates_the_groups_as_setup_roles_defines_them(self):
        from articles.management.commands.setup_roles import ROLES

        for name, perms in ROLES.items():
            group = Group.objects.get(name=name)
            got = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
            assert got == set(perms), name

    def test_setup_roles_is_idempotent(self):
        call_command("setup_roles", verbosity=0)
        first = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
        call_command("setup_roles", verbosity=0)
        second = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
        assert first == second and set(first) == {"reporter", "editor", "fact-checker"}
        assert "publish_article" in first["editor"] and "publish_article" not in first["reporter"]
        assert "verify_quote" in first["fact-checker"] and "change_quote" not in first["fact-checker"]
        assert "merge_entity" in first["editor"]
        assert not any(p.startswith(("add_user", "change_user", "change_group")) for p in first["editor"])

    def test_load_demo_creates_a_login_per_role(self):
        with self.settings(DEBUG=True):
            for _ in range(2):
                out = StringIO()
                call_command("load_demo", stdout=out)
        text = out.getvalue()
        for login in ("editor / newsroom-demo", "reporter / newsroom-demo", "factchecker / newsroom-demo"):
            assert login in text
        users = {u.username: u for u in get_user_model().objects.all()}
        assert users["editor"].is_superuser and users["editor"].check_password("newsroom-demo")
        assert users["reporter"].groups.filter(name="reporter").exists()
        assert users["factchecker"].groups.filter(name="fact-checker").exists()
        # django-axes needs the request to throttle by address (a login without one is refused).
        assert Client().login(request=RequestFactory().post("/admin/login/"), username="editor",
                              password="newsroom-demo")


class QuoteAdminTests(TestCase):
    def test_fact_checker_changes_only_status_and_note(self):
        from tests.articles.base import quote_form_data

        checker = make_user("fact-checker")
        story = story_with_work()
        q1 = Quote.objects.get(article=story, key="q1")
        self.client.force_login(checker)
        url = reverse("admin:articles_quote_change", args=[q1.pk])
        response = self.client.post(url, quote_form_data(q1, role="偷改", status="disputed", note="出處不明"))
        assert response.status_code == 302
        q1.refresh_from_db()
        assert (q1.status, q1.note, q1.role) == ("disputed", "出處不明", "阿里CTO1")
        response = self.client.post(url, quote_form_data(q1, status="confirmed"))
        assert response.status_code == 200
        assert Quote.objects.get(pk=q1.pk).status == "disputed"

    def test_add_form_refuses_blocks_of_live_editions_and_of_other_peoples_stories(self):
        editor = make_user("editor")
        story = story_with_work()
        article_transition(article=story, action="publish", user=editor, confirm=True, override_reason="checked by hand")
        live_block = Block.objects.get(article__working_copy=story, key="p1")
        self.client.force_login(editor)
        response = self.client.post(reverse("admin:articles_quote_add"), {
            "block": live_block.pk, "start": 0, "end": 2, "exact": live_block.text[:2], "kind": "direct",
            "status": "confirmed", "loaded_version": ""})
        assert response.status_code == 200
        assert not Quote.objects.filter(block=live_block, start=0, end=2).exists()


def test_story_doc_helper_is_valid():
    # The helpers above build on the shared factory; keep them honest.
    assert story_doc(1)["format"] == "newsroom.story/1"


class LoadDemoTests(TestCase):
    """``make run`` runs load_demo at every start: it must never undo what editors published (issue 11)."""

    def test_a_published_quote_survives_a_second_load_demo(self):
        from articles.services import anchored_create, article_publish
        from tests.factories import Buffer

        call_command("load_demo", "--no-users", "--no-raw", stdout=Buffer())
        story = Article.objects.working().get(slug="alibaba-tongyi-qianwen-2023")
        editor = make_user("editor")
        block = Block.objects.filter(article=story, kind="paragraph").order_by("position").first()
        speaker = Entity.objects.filter(kind="person").order_by("pk").first()
        quote = anchored_create(article=story, model=Quote, user=editor, block_key=block.key, start=0, end=2,
                                exact=block.text[:2], fields={"kind": "fragment", "speaker": speaker,
                                                              "status": "confirmed"})
        article_publish(article=story, user=editor)
        out = Buffer()
        call_command("load_demo", "--no-users", "--no-raw", stdout=out)
        assert "kept alibaba-tongyi-qianwen-2023" in out.text
        assert Quote.objects.filter(pk=quote.pk).exists()
        live = Article.objects.live().get(working_copy=story)
        assert Quote.objects.filter(article=live, key=quote.key, exact=quote.exact).exists()

        # --reset replaces it on purpose; the story's history keeps the editor's version.
        call_command("load_demo", "--no-users", "--no-raw", "--reset", stdout=Buffer())
        assert not Quote.objects.filter(article=story, key=quote.key, exact=quote.exact).exists()
        assert any(q["anchor"]["exact"] == quote.exact and q["id"] == quote.key
                   for r in Revision.objects.filter(article=story) for q in r.data["quotes"])
