"""What a careful attacker and a clumsy editor found in the admin (issue 10: items 1, 2, 10, 11, 12, 13):
each test failed before its fix."""

import json

import pytest
from django.urls import reverse

from articles.importing.raw import RawOptions
from articles.importing.story import StoryFormatError
from articles.models import Annotation, Article, Block, Mention, Quote
from articles.services import article_publish, raw_import
from entities.models import Entity
from tests.articles.base import DeskTestCase, change_form_data, quote_form_data
from tests.factories import make_user, story_with_work


def mention_form_data(mention, **changes):
    data = {"block": mention.block_id, "start": mention.start, "end": mention.end, "exact": mention.exact,
            "key": mention.key, "entity": mention.entity_id, "status": mention.status,
            "loaded_version": mention.version}
    data.update(changes)
    return data


class TransitionsOnEveryWritePathTests(DeskTestCase):
    """Item 1: the admin's model pages follow the desk's steps (an editor confirms, a fact-checker verifies)."""

    def setUp(self):
        self.owner = make_user("reporter", username="owner")
        self.story = story_with_work(owner=self.owner)
        self.suggested = Quote.objects.get(article=self.story, key="q99")
        self.mention = Mention.objects.filter(article=self.story, status="suggested").get()

    def test_a_reporter_cannot_verify_or_confirm_in_their_own_draft(self):
        self.login(self.owner)
        url = reverse("admin:articles_quote_change", args=[self.suggested.pk])
        response = self.client.post(url, quote_form_data(self.suggested, status="verified"))
        assert response.status_code == 200 and "You may not change this quote" in response.content.decode()
        assert Quote.objects.get(pk=self.suggested.pk).status == "suggested"
        url = reverse("admin:articles_mention_change", args=[self.mention.pk])
        response = self.client.post(url, mention_form_data(self.mention, status="confirmed"))
        assert response.status_code == 200
        assert Mention.objects.get(pk=self.mention.pk).status == "suggested"

    def test_a_fact_checker_cannot_verify_a_suggestion(self):
        self.login("fact-checker")
        url = reverse("admin:articles_quote_change", args=[self.suggested.pk])
        response = self.client.post(url, quote_form_data(self.suggested, status="verified"))
        assert response.status_code == 200
        assert Quote.objects.get(pk=self.suggested.pk).status == "suggested"
        confirmed = Quote.objects.get(article=self.story, key="q1")
        Quote.objects.filter(pk=confirmed.pk).update(status="confirmed")
        confirmed.refresh_from_db()
        url = reverse("admin:articles_quote_change", args=[confirmed.pk])
        assert self.client.post(url, quote_form_data(confirmed, status="verified")).status_code == 302
        assert Quote.objects.get(pk=confirmed.pk).status == "verified"

    def test_an_editor_confirms_a_suggestion_there(self):
        self.login("editor")
        url = reverse("admin:articles_mention_change", args=[self.mention.pk])
        assert self.client.post(url, mention_form_data(self.mention, status="confirmed")).status_code == 302
        assert Mention.objects.get(pk=self.mention.pk).status == "confirmed"


class VersionRequiredTests(DeskTestCase):
    """Item 2: a form write without the version it was loaded at is refused; the forms render it."""

    def setUp(self):
        self.story = story_with_work()
        self.login("editor")

    def test_the_quote_form_renders_its_version_and_refuses_a_post_without_one(self):
        quote = Quote.objects.get(article=self.story, key="q1")
        url = reverse("admin:articles_quote_change", args=[quote.pk])
        page = self.client.get(url).content.decode()
        assert f'name="loaded_version" value="{quote.version}"' in page
        data = quote_form_data(quote, note="舊表單的筆記")
        del data["loaded_version"]
        response = self.client.post(url, data)
        assert response.status_code == 200 and "did not say which version" in response.content.decode()
        assert Quote.objects.get(pk=quote.pk).note == ""

    def test_the_annotation_form_refuses_a_stale_version(self):
        note = Annotation.objects.get(article=self.story, key="a1")
        url = reverse("admin:articles_annotation_change", args=[note.pk])
        data = {"block": note.block_id, "start": note.start, "end": note.end, "exact": note.exact, "key": note.key,
                "kind": note.kind, "body": "舊的", "public": "on", "status": note.status,
                "loaded_version": note.version}
        Annotation.objects.filter(pk=note.pk).update(body="desk 的新內容", version=note.version + 1)
        assert self.client.post(url, data).status_code == 200
        assert Annotation.objects.get(pk=note.pk).body == "desk 的新內容"

    def test_the_story_form_refuses_a_post_without_a_version(self):
        data = change_form_data(self.story, title="沒有版本")
        del data["loaded_version"]
        response = self.client.post(reverse("admin:articles_article_change", args=[self.story.pk]), data)
        assert response.status_code == 200
        assert Article.objects.get(pk=self.story.pk).title != "沒有版本"


class AdminInputTests(DeskTestCase):
    """Items 10 and 12: the admin accepts only what the importer accepts, and answers bad input with a form error."""

    def setUp(self):
        self.story = story_with_work()
        self.login("editor")
        self.url = reverse("admin:articles_article_change", args=[self.story.pk])

    def post(self, **changes):
        return self.client.post(self.url, change_form_data(Article.objects.get(pk=self.story.pk), **changes))

    def test_javascript_image_and_source_links_are_refused(self):
        # The change form no longer edits blocks (their images come through the importer, which
        # refuses such links): a POSTed image changes nothing. Its own links follow the same rule.
        figure = Block.objects.filter(article=self.story, kind="figure").order_by("position").first()
        assert self.post(**{"blocks-TOTAL_FORMS": 1, "blocks-INITIAL_FORMS": 1, "blocks-0-id": figure.pk,
                            "blocks-0-image": "javascript:alert(1)"}).status_code == 302
        assert Block.objects.get(pk=figure.pk).image == ""
        for bad in ("javascript:alert(1)", "ftp://example.org/x", "data:text/html,x"):
            response = self.post(source_url=bad)
            assert response.status_code == 200, bad
        assert Article.objects.get(pk=self.story.pk).source_url == ""
        assert self.post(source_url="https://example.org/a").status_code == 302

    def test_a_long_story_loads_small_and_saves(self):
        # 3 paragraphs added to the seed were enough for Django's 1,000-field limit before (400, typing lost).
        from tests.factories import story_doc
        from articles.services import story_import

        doc = story_doc(1, slug="long-story", status="draft")
        doc["article"]["lede"] += [{"id": f"x{i}", "type": "paragraph", "text": f"第{i}段。"} for i in range(120)]
        long = story_import(doc=doc).article
        url = reverse("admin:articles_article_change", args=[long.pk])
        page = self.client.get(url).content.decode()
        assert page.count("<input") + page.count("<textarea") < 60
        response = self.client.post(url, change_form_data(long, title="長篇改標題"))
        assert response.status_code == 302
        assert Article.objects.get(pk=long.pk).title == "長篇改標題"

    def test_malformed_bylines_are_a_form_error_not_a_500(self):
        for bylines in ("[1]", "5", '{"a": 1}'):
            response = self.post(bylines=bylines)
            assert response.status_code == 200, bylines
            assert "Bylines are a list of names" in response.content.decode()
        assert self.post(bylines=json.dumps(["王小明"])).status_code == 302
        assert Article.objects.get(pk=self.story.pk).bylines == ["王小明"]

    def test_impossible_dates_are_refused(self):
        assert self.post(source_published_on="2023-02-30").status_code == 200
        quote = Quote.objects.get(article=self.story, key="q1")
        response = self.client.post(reverse("admin:articles_quote_change", args=[quote.pk]),
                                    quote_form_data(quote, said_on="2023-02-30"))
        assert response.status_code == 200 and "not a day of the calendar" in response.content.decode()
        assert Quote.objects.get(pk=quote.pk).said_on == "2023-10"


class EntityAdminScopeTests(DeskTestCase):
    """Item 11: "Where it is used" shows a reporter only the stories they may open."""

    def test_a_reporter_does_not_see_another_reporters_draft_there(self):
        other = make_user("reporter", username="other")
        story_with_work(owner=other, title="別人的草稿CANARY")
        person = Entity.objects.get(slug="person-1")
        self.login("reporter")
        page = self.client.get(reverse("admin:entities_entity_change", args=[person.pk])).content.decode()
        assert 'id="entity-usage"' in page and "CANARY" not in page and "阿里是唯一一家" not in page
        self.login(other)
        page = self.client.get(reverse("admin:entities_entity_change", args=[person.pk])).content.decode()
        assert "CANARY" in page


class ClumsyEditorTests(DeskTestCase):
    """Item 13: a careless import or delete never loses a story."""

    def test_a_story_with_a_live_edition_cannot_be_deleted(self):
        story = story_with_work()
        article_publish(article=story)
        self.login("editor")
        url = reverse("admin:articles_article_delete", args=[story.pk])
        response = self.client.post(url, {"post": "yes"})
        assert response.status_code == 200
        assert any("unpublish it first" in str(p) for p in response.context["protected"])
        assert Article.objects.filter(pk=story.pk).exists()
        response = self.client.post(reverse("admin:articles_article_changelist"),
                                    {"action": "delete_selected", "_selected_action": [story.pk], "post": "yes"})
        assert Article.objects.filter(pk=story.pk).exists()

    def test_a_second_raw_file_with_the_same_headline_is_a_new_story(self):
        first = raw_import(text="同一個標題\n第一篇的第一段。\n第一篇的第二段。\n", options=RawOptions(title="同一個標題"))
        second = raw_import(text="同一個標題\n完全不同的另一段。\n還有一段別的。\n", options=RawOptions(title="同一個標題"))
        assert second.slug != first.slug and second.slug == f"{first.slug}-2"
        texts = set(Block.objects.filter(article=first.article).values_list("text", flat=True))
        assert "第一篇的第一段。" in texts

    def test_slug_onto_a_published_story_needs_replace(self):
        story = story_with_work(slug="published-one")
        article_publish(article=story)
        before = set(Block.objects.filter(article=story).values_list("text", flat=True))
        with pytest.raises(StoryFormatError) as info:
            raw_import(text="新標題\n一段新的文字。\n", options=RawOptions(title="新標題", slug="published-one"))
        assert "--replace" in str(info.value)
        assert set(Block.objects.filter(article=story).values_list("text", flat=True)) == before
        raw_import(text="新標題\n一段新的文字。\n", options=RawOptions(title="新標題", slug="published-one"),
                   replace=True)
        assert "一段新的文字。" in set(Block.objects.filter(article=story).values_list("text", flat=True))


class RenamedStoryTests(DeskTestCase):
    """Item 13: renaming a published story's slug keeps its old URL, as a 301 to the new one."""

    def test_the_old_url_redirects_once_the_rename_is_published(self):
        story = story_with_work(slug="old-name", status="published")
        self.login("editor")
        url = reverse("admin:articles_article_change", args=[story.pk])
        assert self.client.post(url, change_form_data(story, slug="new-name")).status_code == 302
        self.client.logout()
        assert self.client.get("/stories/old-name/").status_code == 200  # the live edition still has it
        article_publish(article=Article.objects.working().get(pk=story.pk))
        for prefix in ("", "/zh-hans"):
            response = self.client.get(f"{prefix}/stories/old-name/")
            assert response.status_code == 301, prefix
            assert response["Location"].endswith(f"{prefix}/stories/new-name/"), response["Location"]
            assert self.client.get(f"{prefix}/stories/new-name/").status_code == 200

    def test_renamed_twice_both_old_urls_lead_to_the_story_and_a_new_story_may_take_an_old_slug(self):
        story = story_with_work(slug="first-name", status="published")
        for slug in ("second-name", "third-name"):
            Article.objects.working().filter(pk=story.pk).update(slug=slug)
            article_publish(article=Article.objects.working().get(pk=story.pk))
        for old in ("first-name", "second-name"):
            response = self.client.get(f"/stories/{old}/")
            assert response.status_code == 301 and response["Location"].endswith("/stories/third-name/"), old
        story_with_work(slug="first-name", status="published", title="另一篇")
        assert self.client.get("/stories/first-name/").status_code == 200

    def test_an_unpublished_story_leaves_no_redirect(self):
        story = story_with_work(slug="gone-name", status="published")
        Article.objects.working().filter(pk=story.pk).update(slug="later-name")
        article_publish(article=Article.objects.working().get(pk=story.pk))
        self.login("editor")
        self.client.post(reverse("admin:articles_article_transition", args=[story.pk]),
                         {"action": "unpublish", "version": Article.objects.get(pk=story.pk).version,
                          "confirm": "yes"})
        self.client.logout()
        assert not Article.objects.live().filter(working_copy=story).exists()
        assert self.client.get("/stories/gone-name/").status_code == 404


BIDI = "\u202e"


class BidiControlTests(DeskTestCase):
    """Item 13: bidi controls are stripped from names and titles, and flagged in paragraphs and descriptions."""

    def bidi_doc(self):
        from tests.factories import story_doc

        doc = story_doc(1, slug="bidi-story")
        doc["article"]["lede"][0]["text"] = f"前面{BIDI}後面" + doc["article"]["lede"][0]["text"]
        doc["entities"].append({"id": "bidi-entity", "kind": "organization", "name": "某公司",
                                "description": f"描述\u2066藏\u2069了。"})
        return doc

    def test_an_import_flags_them_in_paragraphs_and_descriptions(self):
        from articles.services import publish_gate, story_import

        article = story_import(doc=self.bidi_doc()).article
        flags = Annotation.objects.filter(article=article, kind="flag", status="open", key__startswith="bidi-")
        assert {f.key for f in flags} == {"bidi-p0-2", "bidi-entity-bidi-entity"}
        p0 = flags.get(key="bidi-p0-2")
        assert p0.exact == BIDI and "U+202E" in p0.body and not p0.public
        assert Block.objects.get(article=article, key="p0").text.startswith(f"前面{BIDI}後面")  # kept, not changed
        assert publish_gate(article).blocking  # an open flag: the publish gate asks about it
        assert story_import(doc=self.bidi_doc()).action == "unchanged"  # the same file again adds nothing

    def test_an_import_flags_them_in_headings_and_figure_text_on_the_nearest_paragraph(self):
        from articles.services import story_import
        from tests.factories import story_doc

        doc = story_doc(2, slug="bidi-headings")
        section = doc["article"]["sections"][1]
        section["heading"] = f"標題{BIDI}反了"
        figure = next(b for b in section["blocks"] if b["type"] == "figure")
        figure["caption"] = f"圖說\u2067藏\u2069"
        first = next(b for b in section["blocks"] if b["type"] == "paragraph")
        article = story_import(doc=doc).article
        flags = Annotation.objects.filter(article=article, kind="flag", status="open", key__startswith="bidi-")
        assert {f.key for f in flags} == {"bidi-heading-1", f"bidi-{figure['id']}-caption"}
        assert {f.block.key for f in flags} == {first["id"]}  # the section's own first paragraph
        assert "section 02" in flags.get(key="bidi-heading-1").body
        assert "U+2067" in flags.get(key=f"bidi-{figure['id']}-caption").body
        assert story_import(doc=doc).action == "unchanged"  # fixed keys: the same file adds nothing

    def test_the_entity_admin_warns_when_a_description_has_them(self):
        from tests.security.test_concurrency import form_data

        entity = Entity.objects.create(kind="organization", name="某公司", slug="some-org")
        self.login("editor")
        url = reverse("admin:entities_entity_change", args=[entity.pk])
        data = form_data(self.client.get(url).content.decode())
        data["description"] = [f"描述{BIDI}反了。"]
        response = self.client.post(url, data, follow=True)
        assert "bidirectional control characters" in response.content.decode()
        data = form_data(self.client.get(url).content.decode())
        data["description"] = ["乾淨的描述。"]
        response = self.client.post(url, data, follow=True)
        assert "bidirectional control characters" not in response.content.decode()
