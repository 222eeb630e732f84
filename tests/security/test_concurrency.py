"""Concurrency on every editable model: two editors open the same admin change form; the first save
wins, the later one is refused (nothing of the first is lost). Built from the admin registry, so a
new model page without locking fails here. Forms are read and posted as a browser would."""

import html5lib
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from django.urls import reverse

from articles.models import Article
from articles.services import story_import
from entities.models import Alias, Entity, Relation, Role
from tests.factories import story_doc, story_with_work

# Registered models that editors do not change through a change form (logs and framework models).
NOT_EDITABLE = {"axes", "auth", "sessions", "contenttypes"}


def form_data(html):
    """What a browser would submit from the change form in ``html``."""
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    form = next(f for f in doc.iter("form") if f.get("method", "").lower() == "post" and f.get("id", "").endswith("_form"))
    data = {}
    for el in form.iter():
        name = el.get("name")
        if not name or el.get("disabled") is not None:
            continue
        if el.tag == "input":
            kind = (el.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio"):
                if el.get("checked") is not None:
                    data.setdefault(name, []).append(el.get("value") or "on")
                continue
            data.setdefault(name, []).append(el.get("value") or "")
        elif el.tag == "textarea":
            data.setdefault(name, []).append(el.text or "")
        elif el.tag == "select":
            options = list(el.iter("option"))
            chosen = [o for o in options if o.get("selected") is not None]
            if not chosen and options and el.get("multiple") is None:
                chosen = options[:1]
            data.setdefault(name, []).extend(o.get("value", o.text or "") for o in chosen)
    data["_save"] = ["Save"]
    return data


def editable_models():
    return sorted((m._meta.label, m) for m in admin.site._registry if m._meta.app_label not in NOT_EDITABLE)


class LaterSaveIsRefusedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.story = story_with_work()
        alibaba, person = Entity.objects.get(slug="alibaba"), Entity.objects.get(slug="person-1")
        if not Relation.objects.exists():
            Relation.objects.create(subject=person, predicate="part_of", object=alibaba)
        cls.editor = get_user_model().objects.create_superuser("boss", password="pw-boss-123")

    def instance_of(self, model):
        if model is Article:
            return Article.objects.working().first()
        if hasattr(model, "article"):
            return model.objects.filter(article__edition="working").order_by("pk").first()
        return model.objects.order_by("pk").first()

    def two_forms(self, url):
        first, second = Client(), Client()
        first.force_login(self.editor)
        second.force_login(self.editor)
        return first, second, form_data(first.get(url).content.decode()), form_data(second.get(url).content.decode())

    def test_every_editable_model_refuses_the_later_of_two_saves(self):
        refused, accepted, missing = [], [], []
        for label, model in editable_models():
            obj = self.instance_of(model)
            if obj is None:
                missing.append(label)
                continue
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
            first, second, form_a, form_b = self.two_forms(url)
            saved = first.post(url, form_a)
            if saved.status_code == 403 and label in READ_ONLY:
                continue  # a read-only page (revisions): nothing to save
            assert saved.status_code == 302, (label, saved.status_code, saved.content.decode()[-1500:])
            later = second.post(url, form_b)
            (accepted if later.status_code == 302 else refused).append(label)
            if later.status_code != 302:
                assert later.status_code == 200 and "Not saved" in later.content.decode(), label
        assert not missing, f"no row to try on: {missing}"  # every page is tried, none skipped silently
        assert not accepted, f"a stale save was accepted on: {sorted(accepted)}"
        assert {"articles.Article", "articles.Quote", "entities.Entity", "entities.Alias", "entities.Role",
                "entities.Relation"} <= set(refused)

    def test_a_form_without_its_version_is_refused(self):
        for model in (Entity, Alias, Role, Relation):
            obj = model.objects.order_by("pk").first()
            url = reverse(f"admin:entities_{model._meta.model_name}_change", args=[obj.pk])
            first, _, form, _ = self.two_forms(url)
            form.pop("loaded_version")
            response = first.post(url, form)
            assert response.status_code == 200 and "did not say which version" in response.content.decode(), model
            assert model.objects.get(pk=obj.pk).version == obj.version

    def test_an_inline_row_changed_elsewhere_is_not_overwritten(self):
        alibaba = Entity.objects.get(slug="alibaba")
        alias = alibaba.aliases.order_by("pk").first()
        entity_url = reverse("admin:entities_entity_change", args=[alibaba.pk])
        alias_url = reverse("admin:entities_alias_change", args=[alias.pk])
        first, second, entity_form, _ = self.two_forms(entity_url)
        alias_form = form_data(second.get(alias_url).content.decode())
        alias_form["text"] = ["他們的別名"]
        assert second.post(alias_url, alias_form).status_code == 302
        index = next(k.split("-")[1] for k, v in entity_form.items() if k.endswith("-id") and v == [str(alias.pk)])
        entity_form[f"aliases-{index}-text"] = ["我的別名"]
        response = first.post(entity_url, entity_form)
        assert response.status_code == 200 and "Not saved" in response.content.decode()
        assert Alias.objects.get(pk=alias.pk).text == "他們的別名"

    def test_an_inline_row_shown_before_a_change_elsewhere_is_not_reverted(self):
        # Django compares an inline row with the database, so the old value the form still shows would
        # count as a change and be written back: refused instead.
        alibaba = Entity.objects.get(slug="alibaba")
        alias = alibaba.aliases.order_by("pk").first()
        entity_url = reverse("admin:entities_entity_change", args=[alibaba.pk])
        first, _, entity_form, _ = self.two_forms(entity_url)
        alias.lang = "en"
        alias.save()  # a script changes the alias meanwhile
        entity_form["description"] = ["新的描述。"]
        assert first.post(entity_url, entity_form).status_code == 200
        assert Alias.objects.get(pk=alias.pk).lang == "en"
        # Reloaded, the same edit saves.
        _, _, entity_form, _ = self.two_forms(entity_url)
        entity_form["description"] = ["新的描述。"]
        assert first.post(entity_url, entity_form).status_code == 302
        assert Entity.objects.get(pk=alibaba.pk).description == "新的描述。"
        assert Alias.objects.get(pk=alias.pk).lang == "en"

    def test_saving_mine_anyway_overwrites_on_purpose(self):
        alibaba = Entity.objects.get(slug="alibaba")
        url = reverse("admin:entities_entity_change", args=[alibaba.pk])
        first, second, form_a, form_b = self.two_forms(url)
        assert first.post(url, form_a).status_code == 302
        form_b["description"] = ["我的版本。"]
        refused = second.post(url, form_b)
        version = Entity.objects.get(pk=alibaba.pk).version
        page = refused.content.decode()
        assert refused.status_code == 200 and 'id="desk-conflict"' in page and "boss" in page
        assert f'name="overwrite_version" value="{version}"' in page and "我的版本。" in page  # what was typed stays
        form_b["overwrite_version"] = [str(version)]
        assert second.post(url, form_b).status_code == 302
        saved = Entity.objects.get(pk=alibaba.pk)
        assert saved.description == "我的版本。" and saved.version == version + 1 and saved.modified_by == self.editor

    def test_an_import_moves_the_version_past_an_open_form(self):
        alibaba = Entity.objects.get(slug="alibaba")
        url = reverse("admin:entities_entity_change", args=[alibaba.pk])
        first, _, form, _ = self.two_forms(url)
        doc = story_doc(1, slug="another-story", status="published")
        doc["entities"][0]["description"] = "匯入的描述。"
        story_import(doc=doc)
        assert first.post(url, form).status_code == 200
        assert Entity.objects.get(pk=alibaba.pk).description == "匯入的描述。"


# Pages that only show (revisions are history): their change form refuses every save.
READ_ONLY = {"articles.Revision"}
