"""newsroom.db.Prepared: a query the ORM builds once, run with new values in the stand-ins' places."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.db.models import F
from django.test import TestCase
from django.utils import timezone

from articles.models import Article
from entities.models import Entity
from newsroom.db import Prepared, instance_from_row
from tests.factories import make_story

NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt_timezone.utc)


class PreparedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for i in range(3):
            make_story(1, slug=f"s{i}", title=f"第{i}篇")

    def test_a_common_table_expression_put_before_the_query(self):
        from django.db.models.expressions import RawSQL

        prepared = Prepared(lambda now: Article.objects.public(now).filter(pk__in=RawSQL("SELECT pk FROM chosen", ()))
                            .order_by("slug").values("slug"), now=NOW)
        wanted = Article.objects.public().filter(slug__in=["s0", "s2"]).values("pk")
        sql, params = wanted.query.sql_with_params()
        assert prepared.run(now=timezone.now(), common=("chosen", sql, params)) == [{"slug": "s0"}, {"slug": "s2"}]
        assert prepared.run(now=timezone.now() - timedelta(days=3650), common=("chosen", sql, params)) == []

    def test_runs_with_the_values_given_in_the_slots_of_the_stand_ins(self):
        built = []

        def build(slug, now, pks):
            built.append(slug)
            return (Article.objects.public(now).filter(slug__gte=slug, pk__in=pks)
                    .order_by("-id").values("slug", "published_at", alias_pk=F("pk") + 0))

        prepared = Prepared(build, slug="\x00standin", now=NOW, pks=(-901, -902))
        live = list(Article.objects.public().order_by("-id").values_list("pk", flat=True))
        rows = prepared.run(slug="s1", now=timezone.now(), pks=live[:2])
        assert [r["slug"] for r in rows] == ["s2", "s1"]
        assert isinstance(rows[0]["published_at"], datetime)  # the ORM's converters (SQLite keeps text)
        assert rows[0]["alias_pk"] == live[0]
        assert prepared.run(slug="s1", now=timezone.now() - timedelta(days=365 * 10), pks=live[:2]) == []
        assert [r["slug"] for r in prepared.run(slug="s2", now=timezone.now(), pks=live[:2])] == ["s2"]
        assert built == ["\x00standin"]  # built once (per database)

    def test_a_list_stand_in_takes_a_list_as_long_and_paged_adds_limit_and_offset(self):
        prepared = Prepared(lambda pks: Article.objects.filter(pk__in=pks).order_by("id").values("id"),
                            paged=True, pks=(-901, -902, -903))
        pks = list(Article.objects.order_by("id").values_list("pk", flat=True))[:3]
        assert [r["id"] for r in prepared.run(pks=pks, limit=2, offset=1)] == pks[1:3]
        with self.assertRaises(AssertionError):
            prepared.run(pks=pks[:2], limit=2, offset=0)

    def test_a_stand_in_that_does_not_reach_the_sql_as_given_is_refused(self):
        for build in (lambda slug: Entity.objects.filter(slug="alibaba").values("id"),
                      lambda slug: Entity.objects.filter(slug__startswith=slug).values("id")):  # "…%": rewritten
            with self.assertRaises(AssertionError):
                Prepared(build, slug="\x00standin").run(slug="alibaba")

    def test_instance_from_row_defers_what_the_row_does_not_hold(self):
        row = Entity.objects.filter(slug="alibaba").values("id", "slug", "name").get()
        entity = instance_from_row(Entity, row, ("id", "name", "slug"))
        assert (entity.slug, entity.name) == ("alibaba", "阿里巴巴")
        with self.assertNumQueries(1):
            assert entity.description == "中國的科技公司。"
        assert instance_from_row(Entity, {"id": None}, ("id",)) is None
