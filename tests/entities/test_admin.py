"""The knowledge base in the admin: inline aliases, roles and relations, where an entity is used, and
merging two entities (everything moves, the old slug redirects, the merge is logged)."""

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from articles.importing.story import validate_story
from articles.models import Article, Mention, Quote, StoryEntity
from articles.services import article_transition, export_story
from entities.models import Alias, Entity, Relation, Role
from entities.services import entity_merge
from tests.factories import make_user, story_with_work


class EntityAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor")

    def setUp(self):
        self.story = story_with_work()
        self.person = Entity.objects.get(slug="person-1")
        self.client.force_login(self.editor)

    def test_change_form_edits_aliases_roles_and_relations_inline(self):
        page = self.client.get(reverse("admin:entities_entity_change", args=[self.person.pk])).content.decode()
        for prefix in ("aliases-TOTAL_FORMS", "roles-TOTAL_FORMS", "relations_out-TOTAL_FORMS"):
            assert prefix in page

    def test_change_form_shows_where_the_entity_is_used(self):
        page = self.client.get(reverse("admin:entities_entity_change", args=[self.person.pk])).content.decode()
        assert 'id="entity-usage"' in page
        assert self.story.title in page
        assert "阿里是唯一一家主動宣布大模型開源的大公司" in page  # the quote by it
        alibaba = Entity.objects.get(slug="alibaba")
        page = self.client.get(reverse("admin:entities_entity_change", args=[alibaba.pk])).content.decode()
        assert "Mentions (" in page and "«阿里»" in page

    def test_quotes_by_it_counts_only_accepted_quotes(self):
        # Issue 11 item 6: the suggested quote q99 was counted (and listed) as a quote by it.
        assert set(Quote.objects.filter(article=self.story, speaker=self.person).values_list("key", "status")) == {
            ("q1", "verified"), ("q99", "suggested")}
        page = self.client.get(reverse("admin:entities_entity_change", args=[self.person.pk])).content.decode()
        usage = page.split('id="entity-usage"')[1].split("</fieldset>")[0]
        accepted = usage.split("<h3>Quotes by it (")[1].split("</ul>")[0]
        assert accepted.startswith("1)") and "q1 in" in accepted and "q99" not in accepted
        pending = usage.split("<h3>Quotes by it not accepted (suggested or disputed) (")[1].split("</ul>")[0]
        assert pending.startswith("1)") and "q99 in" in pending and "suggested" in pending
        mentions = usage.split("<h3>Mentions (")[1].split("</ul>")[0]
        assert "p1 in" not in mentions  # its suggested mention is listed apart
        assert "p1 in" in usage.split("<h3>Suggested mentions (not accepted) (")[1].split("</ul>")[0]

    def test_merge_needs_the_merge_permission(self):
        for role in ("reporter", "fact-checker"):
            self.client.force_login(make_user(role, username=role.replace("-", "") + "x"))
            url = reverse("admin:entities_entity_merge", args=[self.person.pk])
            assert self.client.get(url).status_code == 403
            target = Entity.objects.get(slug="person-2")
            assert self.client.post(url, {"target": target.pk, "confirm": "yes"}).status_code == 403
            assert Entity.objects.filter(pk=self.person.pk).exists()

    def test_merge_through_the_admin_moves_everything_and_logs_it(self):
        target = Entity.objects.create(kind="person", name="講者一號", slug="speaker-one")
        Role.objects.create(person=target, title="董事")
        url = reverse("admin:entities_entity_merge", args=[self.person.pk])
        assert self.client.get(url).status_code == 200
        confirm = self.client.post(url, {"target": target.pk})
        assert confirm.status_code == 200 and 'id="merge-confirm"' in confirm.content.decode()
        assert Entity.objects.filter(pk=self.person.pk).exists()  # not before the confirmation
        response = self.client.post(url, {"target": target.pk, "confirm": "yes"})
        assert response.status_code == 302
        assert not Entity.objects.filter(slug="person-1").exists()
        assert Quote.objects.filter(speaker=target, article=self.story).count() == 2  # q1 and the suggestion
        assert Mention.objects.filter(entity=target).exists()
        assert set(target.roles.values_list("title", flat=True)) == {"董事", "阿里CTO1"}
        alias = Alias.objects.get(entity=target, slug="person-1")
        assert alias.text == "講者1號"
        entries = LogEntry.objects.filter(user=self.editor).order_by("id")
        assert [e.action_flag for e in entries] == [DELETION, CHANGE]
        assert "Merged 講者1號 (person-1)" in entries.last().change_message

    def test_old_slug_redirects_to_the_merged_entity(self):
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        target = Entity.objects.create(kind="person", name="講者一號", slug="speaker-one")
        entity_merge(source=self.person, target=target, user=self.editor)
        cache.clear()
        self.client.logout()
        response = self.client.get("/entities/person-1/")
        assert response.status_code == 301 and response["Location"].endswith("/entities/speaker-one/")
        assert self.client.get("/entities/speaker-one/").status_code == 200


class EntityMergeServiceTests(TestCase):
    def setUp(self):
        self.story = story_with_work()
        self.editor = make_user("editor")
        article_transition(article=self.story, action="publish", user=self.editor, confirm=True, override_reason="checked by hand")
        self.source = Entity.objects.get(slug="person-1")
        self.target = Entity.objects.get(slug="person-2")

    def test_live_editions_move_too_and_stories_still_export(self):
        entity_merge(source=self.source, target=self.target)
        for article in Article.objects.all():
            validate_story(export_story(article))  # no dangling entity anywhere
        live = Article.objects.live().get(working_copy=self.story)
        assert Quote.objects.get(article=live, key="q1").speaker == self.target
        # Both were listed with the story: the duplicate listing is dropped, not doubled.
        assert StoryEntity.objects.filter(article=self.story, entity=self.target).count() == 1

    def test_quote_search_tokens_follow_the_new_speaker_name(self):
        entity_merge(source=self.source, target=self.target)
        q1 = Quote.objects.get(article=self.story, key="q1")
        assert q1.search_tokens == q1.tokens()

    def test_aliases_relations_and_roles(self):
        Alias.objects.create(entity=self.source, text="一號", slug="yi-hao")
        Alias.objects.create(entity=self.target, text="一號")
        org = Entity.objects.get(slug="alibaba")
        Relation.objects.create(subject=self.source, predicate="founded_by", object=org)
        Relation.objects.create(subject=self.target, predicate="founded_by", object=org)
        Relation.objects.create(subject=org, predicate="founded_by", object=self.source)
        result = entity_merge(source=self.source, target=self.target)
        assert Alias.objects.get(slug="yi-hao").entity == self.target
        assert Relation.objects.filter(subject=self.target, predicate="founded_by", object=org).count() == 1
        assert Relation.objects.filter(subject=org, object=self.target).exists()
        assert result.dropped["relations"] == 1 and "relations" in result.summary()

    def test_a_relation_between_the_two_is_dropped(self):
        Relation.objects.create(subject=self.source, predicate="competes_with", object=self.target)
        entity_merge(source=self.source, target=self.target)
        assert not Relation.objects.filter(subject=self.target, object=self.target).exists()

    def test_merging_into_itself_is_refused(self):
        with self.assertRaises(ValidationError):
            entity_merge(source=self.source, target=self.source)
        assert Entity.objects.filter(pk=self.source.pk).exists()


class MergeActionTests(TestCase):
    def test_changelist_action_leads_to_the_confirmation_and_keeps_the_more_used(self):
        story_with_work()
        editor = make_user("editor")
        self.client.force_login(editor)
        used = Entity.objects.get(slug="person-1")
        spare = Entity.objects.create(kind="person", name="講者1號（重複）", slug="person-1-dup")
        response = self.client.post(reverse("admin:entities_entity_changelist"), {
            "action": "merge_selected", "_selected_action": [used.pk, spare.pk]})
        assert response.status_code == 302
        page = self.client.get(response["Location"])
        assert page.status_code == 200 and 'id="merge-confirm"' in page.content.decode()
        assert f'value="{used.pk}"' in page.content.decode()  # the one kept
        self.client.post(response["Location"].split("?")[0], {"target": used.pk, "confirm": "yes"})
        assert not Entity.objects.filter(pk=spare.pk).exists()

    def test_action_needs_exactly_two(self):
        story_with_work()
        self.client.force_login(make_user("editor"))
        one = Entity.objects.get(slug="person-1")
        response = self.client.post(reverse("admin:entities_entity_changelist"), {
            "action": "merge_selected", "_selected_action": [one.pk]}, follow=True)
        assert "exactly two" in response.content.decode()

    def test_action_is_not_offered_without_the_permission(self):
        self.client.force_login(make_user("reporter"))
        page = self.client.get(reverse("admin:entities_entity_changelist")).content.decode()
        assert "merge_selected" not in page
