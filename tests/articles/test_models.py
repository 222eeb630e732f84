"""Named constraints reject bad rows (on SQLite and PostgreSQL), and anchors are checked on save."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import translation

from articles.models import Annotation, Article, Block, Edition, Mention, Quote, Section
from entities.models import Alias, Entity, Relation, Role
from tests.factories import make_entity, make_story


def assert_violates(name, create):
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        create()
    # PostgreSQL names every constraint; SQLite names CHECK constraints but lists columns for UNIQUE.
    message = str(info.value)
    is_unique = name.startswith("unique") or name == "slug"
    assert name in message or (is_unique and "UNIQUE constraint failed" in message), message


class ArticleConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = Article.objects.create(title="標題", slug="a-story")

    def test_unique_slug_per_edition(self):
        assert_violates("unique_article_slug_edition", lambda: Article.objects.create(title="另一篇", slug="a-story"))

    def test_status_valid(self):
        assert_violates("article_status_valid",
                        lambda: Article.objects.create(title="x", slug="x", status="bogus"))

    def test_edition_valid(self):
        assert_violates("article_edition_valid",
                        lambda: Article.objects.create(title="x", slug="x", edition="other"))

    def test_live_edition_needs_a_working_copy(self):
        assert_violates("article_live_has_working_copy",
                        lambda: Article.objects.create(title="x", slug="x", edition=Edition.LIVE))

    def test_title_not_empty_on_a_live_edition(self):
        working = Article.objects.create(title="", slug="empty")  # a draft may wait for its headline
        assert str(working)
        assert_violates("article_title_not_empty", lambda: Article.objects.bulk_create(
            [Article(title="", slug="empty", edition=Edition.LIVE, working_copy=working)]))

    def test_source_date_shape(self):
        assert_violates("article_source_published_on_partial_date",
                        lambda: Article.objects.create(title="x", slug="x", source_published_on="2023-1"))

    def test_unique_section_number(self):
        Section.objects.create(article=self.article, number="01", heading="一")
        assert_violates("unique_section_article_number",
                        lambda: Section.objects.create(article=self.article, number="01", heading="二"))

    def test_section_number_two_digits(self):
        assert_violates("section_number_two_digits",
                        lambda: Section.objects.create(article=self.article, number="1", heading="一"))
        assert_violates("section_number_two_digits",
                        lambda: Section.objects.create(article=self.article, number="00", heading="一"))

    def test_unique_block_key(self):
        Block.objects.create(article=self.article, key="p1", text="一段。")
        assert_violates("unique_block_article_key",
                        lambda: Block.objects.create(article=self.article, key="p1", text="又一段。", position=2))

    def test_block_kind_valid(self):
        assert_violates("block_kind_valid",
                        lambda: Block.objects.create(article=self.article, key="x1", kind="video", text="x"))

    def test_paragraph_has_text(self):
        assert_violates("block_paragraph_has_text",
                        lambda: Block.objects.create(article=self.article, key="p9", kind="paragraph", text=""))

    def test_chinese_title_gets_a_non_empty_slug(self):
        article = Article.objects.create(title="大模型之戰")
        assert article.slug == "da-mo-xing-zhi-zhan"
        again = Article.objects.create(title="大模型之戰")
        assert again.slug == "da-mo-xing-zhi-zhan-2"


class AnchorConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_story(1)
        cls.block = cls.article.blocks.get(key="p1")
        cls.speaker = Entity.objects.get(slug="person-1")

    def setUp(self):
        # The messages are matched as written (the English msgids), outside any request.
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def quote(self, **kwargs):
        kwargs.setdefault("block", self.block)
        kwargs.setdefault("start", 0)
        kwargs.setdefault("end", 4)
        kwargs.setdefault("exact", self.block.text[kwargs["start"]:kwargs["end"]])
        kwargs.setdefault("key", "qx")
        return Quote(speaker=self.speaker, **kwargs)

    def test_start_before_end(self):
        # bulk_create skips save(): the database constraint is the last line of defence.
        assert_violates("quote_start_before_end", lambda: Quote.objects.bulk_create(
            [self.quote(start=3, end=3, exact="x", article=self.article)]))

    def test_quote_kind_and_status_valid(self):
        assert_violates("quote_kind_valid", lambda: Quote.objects.bulk_create(
            [self.quote(kind="rumour", article=self.article)]))
        assert_violates("quote_status_valid", lambda: Quote.objects.bulk_create(
            [self.quote(status="maybe", article=self.article)]))

    def test_unique_quote_key(self):
        assert_violates("unique_quote_article_key", lambda: self.quote(key="q1").save())

    def test_mention_and_annotation_constraints(self):
        entity = Entity.objects.get(slug="alibaba")
        assert_violates("mention_status_valid", lambda: Mention.objects.bulk_create([Mention(
            article=self.article, block=self.block, start=0, end=1, exact="講", entity=entity, status="odd")]))
        assert_violates("annotation_kind_valid", lambda: Annotation.objects.bulk_create([Annotation(
            article=self.article, block=self.block, start=0, end=1, exact="講", kind="gossip", key="z1")]))
        assert_violates("annotation_status_valid", lambda: Annotation.objects.bulk_create([Annotation(
            article=self.article, block=self.block, start=0, end=1, exact="講", kind="note", key="z2",
            status="pending")]))

    def test_exact_must_match_on_save(self):
        with pytest.raises(ValidationError, match="does not match block p1"):
            self.quote(exact="不是這些字").save()
        assert not Quote.objects.filter(key="qx").exists()

    def test_span_outside_the_paragraph_rejected(self):
        with pytest.raises(ValidationError, match="outside paragraph p1"):
            self.quote(start=0, end=999, exact="x").save()

    def test_attribution_checked_on_save(self):
        quote = self.quote()
        quote.attribution_block, quote.attribution_start, quote.attribution_end = self.block, 0, 2
        quote.attribution_exact = "錯字"
        with pytest.raises(ValidationError, match="attribution"):
            quote.save()

    def test_admin_form_path_reports_anchor_errors(self):
        quote = self.quote(exact="別的")
        with pytest.raises(ValidationError):
            quote.full_clean()

    def test_key_is_filled_in(self):
        quote = self.quote(key="")
        quote.save()
        assert quote.key == "q2"


class EntityConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.person = make_entity()
        cls.org = make_entity(kind="organization", name="阿里巴巴", slug="alibaba")

    def test_unique_slug(self):
        assert_violates("slug", lambda: Entity.objects.create(kind="person", name="x", slug="alibaba"))

    def test_kind_valid(self):
        assert_violates("entity_kind_valid", lambda: Entity.objects.create(kind="robot", name="x", slug="x"))

    def test_unique_alias(self):
        Alias.objects.create(entity=self.org, text="阿里")
        assert_violates("unique_alias_entity_text", lambda: Alias.objects.create(entity=self.org, text="阿里"))

    def test_unique_alias_slug_when_set(self):
        Alias.objects.create(entity=self.org, text="Alibaba", slug="ali")
        Alias.objects.create(entity=self.org, text="阿里巴巴集團")  # empty slugs don't clash
        Alias.objects.create(entity=self.person, text="Zhou")
        assert_violates("unique_alias_slug", lambda: Alias.objects.create(entity=self.person, text="Z", slug="ali"))

    def test_role_dates(self):
        assert_violates("role_start_before_end", lambda: Role.objects.create(
            person=self.person, title="CTO", organization=self.org, start="2023", end="2022"))
        assert_violates("role_start_partial_date", lambda: Role.objects.create(
            person=self.person, title="CTO", start="23"))

    def test_relation_rules(self):
        Relation.objects.create(subject=self.person, predicate="held_at", object=self.org)
        assert_violates("unique_relation_triple", lambda: Relation.objects.create(
            subject=self.person, predicate="held_at", object=self.org))
        assert_violates("relation_not_reflexive", lambda: Relation.objects.create(
            subject=self.org, predicate="part_of", object=self.org))
        assert_violates("relation_predicate_valid", lambda: Relation.objects.create(
            subject=self.org, predicate="likes", object=self.person))

    def test_role_was_held_on(self):
        role = Role(person=self.person, title="副院長", start="2020", end="2022-12")
        assert role.was_held_on("2022-09")
        assert not role.was_held_on("2023-10")
        assert role.was_held_on("")


class BlockEditTests(TestCase):
    """``Block.save`` fills its own columns only; ``block_save`` moves what is anchored on the paragraph."""

    def setUp(self):
        self.article = make_story(1)
        self.p0 = Block.objects.get(article=self.article, key="p0")
        self.p1 = Block.objects.get(article=self.article, key="p1")

    def test_plain_save_touches_no_other_row(self):
        before = list(Quote.objects.values_list("start", "end", "version"))
        self.p1.text = "今天，" + self.p1.text
        self.p1.save()
        assert list(Quote.objects.values_list("start", "end", "version")) == before

    def test_an_attribution_in_another_paragraph_follows_its_words(self):
        from articles.services import block_save

        # The quote sits in p1; its attribution (the speaker's name) is moved to the lede p0.
        quote = Quote.objects.get(article=self.article, key="q1")
        self.p0.text = "據講者1號表示，" + self.p0.text
        block_save(block=self.p0)
        quote.attribution_block, quote.attribution_start, quote.attribution_end = self.p0, 1, 5
        quote.attribution_exact = "講者1號"
        quote.save()
        quote.refresh_from_db()
        start = quote.start
        self.p0.refresh_from_db()
        self.p0.text = "二〇二三年，" + self.p0.text
        block_save(block=self.p0)
        quote.refresh_from_db()
        assert (quote.attribution_start, quote.attribution_end) == (7, 11)
        assert self.p0.text[quote.attribution_start:quote.attribution_end] == "講者1號"
        assert quote.block_id == self.p1.pk and quote.start == start  # its own span did not move


def test_relocate_anchor_finds_words_moved_to_the_nearest_other_block():
    from articles.importing.anchoring_docs import relocate_anchor

    texts = {"p0": "甲乙丙", "p1": "丁戊己", "p2": "庚辛壬阿里", "p3": "阿里在這裡也有"}
    anchor = {"block": "p1", "start": 0, "end": 2, "exact": "阿里"}
    moved, lost = relocate_anchor(anchor, texts)
    assert lost is None
    assert moved == {"block": "p2", "start": 3, "end": 5, "exact": "阿里"}  # p2 is nearer p1 than p3


def test_relocate_anchor_clamps_and_reports_vanished_words():
    from articles.importing.anchoring_docs import relocate_anchor

    moved, lost = relocate_anchor({"block": "p1", "start": 5, "end": 9, "exact": "不見了"}, {"p1": "短句"})
    assert lost == "不見了"
    assert moved == {"block": "p1", "start": 1, "end": 2, "exact": "句"}


def test_the_migration_chain_is_linear():
    """One leaf per app, and each articles migration depends on the one before (two share the number 0004)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert loader.detect_conflicts() == {}
    leaf = "0015_storyentity_entity_article_index"
    assert loader.graph.leaf_nodes("articles") == [("articles", leaf)]
    chain = [name for app, name in loader.graph.forwards_plan(("articles", leaf)) if app == "articles"]
    assert chain == ["0001_initial", "0002_rejected_suggestion", "0003_search_and_desk", "0004_desk_locking_roles",
                     "0004_desk_groups", "0005_i18n_verbose_names", "0006_article_title_empty_in_working_copy",
                     "0007_help_text_without_angle_brackets", "0008_suggestion_confidence", "0009_story_render",
                     "0010_story_redirect", "0011_search_index_tables", "0012_revision_deltas",
                     "0013_admin_list_indexes", "0014_quote_fts_trigger_lookup", leaf]
