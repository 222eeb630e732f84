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
from tests.factories import make_story

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
        cls.story = make_story(2)
        cls.editor = get_user_model().objects.create_superuser("boss", password="pw-boss-123")

    def instance_of(self, model):
        if model is Article:
            return Article.objects.working().first()
        return model.objects.order_by("pk").first()

    def test_every_editable_model_refuses_the_later_of_two_saves(self):
        refused, accepted = [], []
        for label, model in editable_models():
            obj = self.instance_of(model)
            if obj is None:
                continue
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
            first, second = Client(), Client()
            first.force_login(self.editor)
            second.force_login(self.editor)
            form_a, form_b = form_data(first.get(url).content.decode()), form_data(second.get(url).content.decode())
            saved = first.post(url, form_a)
            if saved.status_code == 403:
                continue  # a read-only page (revisions, transitions): nothing to save
            assert saved.status_code == 302, (label, saved.status_code, saved.content.decode()[-1500:])
            later = second.post(url, form_b)
            (accepted if later.status_code == 302 else refused).append(label)
        assert refused, "no model page refused a stale save"
        pending = set(accepted) - KNOWN_UNLOCKED
        assert not pending, f"a stale save was accepted on: {sorted(pending)}"
        assert "articles.Article" in refused


# Model pages that still accepted a stale save when this was written: issue 10 item 2 (H2) adds their
# version field; take each off as it lands (the list may only shrink).
KNOWN_UNLOCKED = {"articles.Annotation", "articles.Mention", "articles.Quote", "entities.Alias", "entities.Entity",
                  "entities.Role"}
