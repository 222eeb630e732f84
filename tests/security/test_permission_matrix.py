"""Permissions built from the URL resolver: every admin URL (model pages, the desk's pages and JSON
endpoints, merge, publish) × role × method, and every changelist action × role (issue 10).

``test_every_admin_url_has_a_row`` walks the resolver: a new admin URL, or a new action, without a
row below fails it. Each denied cell asserts the status and that nothing in the database changed
(a fingerprint of every table an editor can write); allowed writes are rolled back. The finer
cases (valid bodies, a story's own fields) are in ``tests/articles/test_permissions.py``.

Roles: anon (not logged in), nobody (staff, no group), reporter (another reporter), owner (the
reporter who owns the story), editor, fact-checker, inactive (an editor whose account is disabled).
Set ``PRINT_MATRIX=1`` to print what each cell answers now (to write a new row, then check it by eye).
"""

import hashlib
import os

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from articles.models import Annotation, Article, Mention, PreviewLink, Quote, Revision, Transition
from articles.services import preview_link_signed, revision_create
from entities.models import Alias, Entity, Relation, Role
from tests.factories import make_user, story_with_work

WHO = ("anon", "nobody", "reporter", "owner", "editor", "fact-checker", "inactive")

# Status per role, in the order of WHO. GET: the status answered. POST: "ok" = allowed (anything but a
# 5xx, rolled back), a number = refused with that status and nothing changed. 302 for anon/inactive
# is the login page; for a logged-in user it is Django's "not found or not yours" redirect (object
# hidden) or a form that went back to the list. None: the method is not tried (the URL only shows).
A = "ok"
ROWS = {
    # -- the admin itself
    "app_list": ((302, 404, 200, 200, 200, 200, 302), None),
    "autocomplete": ((302, 403, 403, 403, 403, 403, 302), None),
    "index": ((302, 200, 200, 200, 200, 200, 302), None),
    "jsi18n": ((302, 200, 200, 200, 200, 200, 302), None),
    "login": ((200, 302, 302, 302, 302, 302, 200), None),
    "logout": None,  # logs out: the login tests try it
    "password_change": ((302, 200, 200, 200, 200, 200, 302), None),
    "password_change_done": ((302, 200, 200, 200, 200, 200, 302), None),
    "view_on_site": ((302, 404, 404, 404, 404, 404, 302), None),
    # -- accounts and login records: superusers only
    "auth_group_add": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_group_change": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_group_changelist": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_group_delete": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_group_history": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_user_add": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_user_change": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_user_changelist": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_user_delete": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_user_history": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "auth_user_password_change": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessattempt_add": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessattempt_change": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessattempt_changelist": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessattempt_delete": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessattempt_history": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessfailurelog_add": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessfailurelog_change": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessfailurelog_changelist": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessfailurelog_delete": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accessfailurelog_history": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accesslog_add": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accesslog_change": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accesslog_changelist": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accesslog_delete": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "axes_accesslog_history": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    # -- the knowledge base: desk roles read it, reporters add entities (the desk does), editors change and merge
    "entities_alias_add": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, 200, 403, 302)),
    "entities_alias_change": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 403, 403, 200, 403, 302)),
    "entities_alias_changelist": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 200, 200, 200, 200, 302)),
    "entities_alias_delete": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, A, 403, 302)),
    "entities_alias_history": ((302, 403, 200, 200, 200, 200, 302), None),
    "entities_entity_add": ((302, 403, 200, 200, 200, 403, 302), (302, 403, 200, 200, 200, 403, 302)),
    "entities_entity_change": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 403, 403, 200, 403, 302)),
    "entities_entity_changelist": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 200, 200, 200, 200, 302)),
    "entities_entity_delete": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, 200, 403, 302)),
    "entities_entity_history": ((302, 403, 200, 200, 200, 200, 302), None),
    "entities_entity_merge": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, 200, 403, 302)),
    "entities_relation_add": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, 200, 403, 302)),
    "entities_relation_change": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 403, 403, 200, 403, 302)),
    "entities_relation_changelist": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 200, 200, 200, 200, 302)),
    "entities_relation_delete": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, A, 403, 302)),
    "entities_relation_history": ((302, 403, 200, 200, 200, 200, 302), None),
    "entities_role_add": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, 200, 403, 302)),
    "entities_role_change": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 403, 403, 200, 403, 302)),
    "entities_role_changelist": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 200, 200, 200, 200, 302)),
    "entities_role_delete": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, A, 403, 302)),
    "entities_role_history": ((302, 403, 200, 200, 200, 200, 302), None),
    # -- stories and the desk (articles/permissions.py)
    "articles_article_add": ((302, 403, 200, 200, 200, 403, 302), (302, 403, 200, 200, 200, 403, 302)),
    "articles_article_annotate": ((302, 405, 405, 405, 405, 405, 302), (302, 403, 403, 400, 400, 400, 302)),
    "articles_article_annotation_op": ((302, 405, 405, 405, 405, 405, 302), (302, 403, 403, 400, 400, 400, 302)),
    "articles_article_change": ((302, 403, 302, 200, 200, 200, 302), (302, 403, 302, 200, 200, 403, 302)),
    "articles_article_changelist": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 200, 200, 200, 200, 302)),
    "articles_article_delete": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, A, 403, 302)),
    "articles_article_desk": ((302, 403, 403, 200, 200, 200, 302), None),
    "articles_article_desk_data": ((302, 403, 403, 200, 200, 200, 302), None),
    "articles_article_entities": ((302, 403, 200, 200, 200, 200, 302), None),
    "articles_article_history": ((302, 302, 302, 200, 200, 200, 302), None),
    "articles_article_preview": ((302, 403, 403, 200, 200, 200, 302), None),
    "articles_article_preview_link_revoke": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, A, A, 403, 302)),
    "articles_article_preview_links": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, A, A, 403, 302)),
    "articles_article_publish": ((302, 403, 403, 403, 200, 403, 302), (302, 403, 403, 403, 409, 403, 302)),
    "articles_article_publish_gate": ((302, 403, 403, 403, 200, 403, 302), None),
    "articles_article_review": ((302, 403, 200, 200, 200, 200, 302), (302, 403, 302, 302, 302, 302, 302)),
    "articles_article_revision_diff": ((302, 403, 403, 200, 200, 200, 302), None),
    "articles_article_revision_restore": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, A, A, 403, 302)),
    "articles_article_revisions": ((302, 403, 403, 200, 200, 200, 302), None),
    "articles_article_shared": ((200, 200, 200, 200, 200, 200, 200), None),  # the signed token is the permission
    "articles_article_transition": ((302, 302, 302, 302, 302, 302, 302), (302, 403, 403, 403, 403, 403, 302)),
    # -- what is anchored on stories follows the story (desk_permissions); revisions are read-only history
    "articles_annotation_add": ((302, 403, 200, 200, 200, 200, 302), None),
    "articles_annotation_change": ((302, 403, 302, 200, 200, 200, 302), (302, 403, 302, 200, 200, 403, 302)),
    "articles_annotation_changelist": ((302, 403, 200, 200, 200, 200, 302), None),
    "articles_annotation_delete": ((302, 403, 302, 200, 200, 403, 302), (302, 403, 302, A, A, 403, 302)),
    "articles_annotation_history": ((302, 302, 302, 200, 200, 200, 302), None),
    "articles_mention_add": ((302, 403, 200, 200, 200, 403, 302), None),
    "articles_mention_change": ((302, 403, 302, 200, 200, 200, 302), (302, 403, 302, 200, 200, 403, 302)),
    "articles_mention_changelist": ((302, 403, 200, 200, 200, 200, 302), None),
    "articles_mention_delete": ((302, 403, 302, 200, 200, 403, 302), (302, 403, 302, A, A, 403, 302)),
    "articles_mention_history": ((302, 302, 302, 200, 200, 200, 302), None),
    "articles_quote_add": ((302, 403, 200, 200, 200, 403, 302), None),
    "articles_quote_change": ((302, 403, 302, 200, 200, 200, 302), (302, 403, 302, 200, 200, 200, 302)),
    "articles_quote_changelist": ((302, 403, 200, 200, 200, 200, 302), None),
    "articles_quote_delete": ((302, 403, 302, 200, 200, 403, 302), (302, 403, 302, A, A, 403, 302)),
    "articles_quote_history": ((302, 302, 302, 200, 200, 200, 302), None),
    "articles_revision_add": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "articles_revision_change": ((302, 403, 302, 200, 200, 200, 302), (302, 403, 403, 403, 403, 403, 302)),
    "articles_revision_changelist": ((302, 403, 200, 200, 200, 200, 302), None),
    "articles_revision_delete": ((302, 403, 403, 403, 403, 403, 302), (302, 403, 403, 403, 403, 403, 302)),
    "articles_revision_history": ((302, 302, 302, 200, 200, 200, 302), None),
}

# Changelist actions: which roles may run each (the others get the list back, nothing changed).
ACTIONS = {
    ("articles.Article", "publish"): {"editor"},
    ("articles.Article", "unpublish"): {"editor"},
    ("articles.Article", "archive"): {"editor"},
    ("articles.Article", "submit"): {"owner", "editor"},
    ("articles.Article", "accept_knowledge"): {"editor"},
    ("articles.Article", "delete_selected"): {"editor"},
    ("entities.Entity", "merge_selected"): {"editor"},
    ("entities.Entity", "delete_selected"): {"editor"},
    ("entities.Alias", "delete_selected"): {"editor"},
    ("entities.Role", "delete_selected"): {"editor"},
    ("entities.Relation", "delete_selected"): {"editor"},
    ("auth.Group", "delete_selected"): set(),
    ("auth.User", "delete_selected"): set(),
    ("axes.AccessAttempt", "delete_selected"): set(),
    ("axes.AccessAttempt", "cleanup_expired_attempts"): set(),
    ("axes.AccessLog", "delete_selected"): set(),
    ("axes.AccessFailureLog", "delete_selected"): set(),
}

WRITABLE = (Article, Quote, Mention, Annotation, Revision, Transition, PreviewLink, Entity, Alias, Role, Relation,
            Group, AccessAttempt, AccessLog, AccessFailureLog)


def admin_url_names():
    """Every named admin URL, from the resolver."""
    def walk(resolver, namespace=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, namespace + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name and namespace == "admin:":
                yield p.name
    return set(walk(get_resolver()))


def fingerprint():
    """Every row an editor could write, hashed (a denied request must leave it as it was)."""
    digest = hashlib.sha256()
    for model in WRITABLE:
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in ("last_login",)]
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
    from django.contrib.auth import get_user_model

    for row in get_user_model().objects.order_by("pk").values_list("pk", "password", "is_active", "is_staff",
                                                                    "is_superuser", "username"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


class ResolverPermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = {"owner": make_user("reporter", username="owner"), "reporter": make_user("reporter"),
                     "editor": make_user("editor"), "fact-checker": make_user("fact-checker"),
                     "nobody": make_user(None, username="nobody"),
                     "inactive": make_user("editor", username="inactive", is_active=False)}
        cls.story = story_with_work(owner=cls.users["owner"])
        revision_create(article=cls.story, action="save")
        alibaba, person = Entity.objects.get(slug="alibaba"), Entity.objects.get(slug="person-1")
        cls.relation = Relation.objects.create(subject=person, predicate="part_of", object=alibaba)
        cls.role = Role.objects.create(person=person, title="職稱", organization=alibaba)
        cls.link = PreviewLink.objects.create(article=cls.story, created_by=cls.users["owner"])
        cls.attempt = AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=1,
                                                   get_data="", post_data="", http_accept="", path_info="/")
        cls.log = AccessLog.objects.create(username="x", ip_address="10.0.0.1", http_accept="", path_info="/")
        cls.failure = AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", http_accept="",
                                                      path_info="/")

    def args_for(self, name):
        """The URL of admin page ``name`` on this test's objects."""
        a = self.story
        quote = Quote.objects.get(article=a, key="q1")
        objects = {
            "articles_article": a.pk, "articles_quote": quote.pk,
            "articles_mention": Mention.objects.filter(article=a).first().pk,
            "articles_annotation": Annotation.objects.get(article=a, key="flag-1").pk,
            "articles_revision": a.revisions.order_by("number").first().pk,
            "entities_entity": Entity.objects.get(slug="person-1").pk,
            "entities_alias": Alias.objects.order_by("pk").first().pk, "entities_role": self.role.pk,
            "entities_relation": self.relation.pk, "auth_group": Group.objects.get(name="editor").pk,
            "auth_user": self.users["reporter"].pk, "axes_accessattempt": self.attempt.pk,
            "axes_accesslog": self.log.pk, "axes_accessfailurelog": self.failure.pk,
        }
        special = {
            "app_list": ["articles"], "view_on_site": [0, a.pk], "auth_user_password_change": [self.users["reporter"].pk],
            "articles_article_shared": [a.pk, preview_link_signed(self.link)],
            "articles_article_annotation_op": [a.pk, "quote", quote.pk, "save"],
            "articles_article_revision_restore": [a.pk, 1],
            "articles_article_preview_link_revoke": [a.pk, self.link.pk],
            "entities_entity_merge": [Entity.objects.get(slug="person-1").pk],
        }
        if name in special:
            return special[name]
        prefix, _, page = name.rpartition("_")
        if prefix in objects and page in ("history", "delete", "change"):
            return [objects[prefix]]
        if name.startswith("articles_article_") and name not in ("articles_article_changelist", "articles_article_add",
                                                                  "articles_article_review",
                                                                  "articles_article_entities"):
            return [a.pk]  # the desk's pages of one story
        return []

    def url(self, name):
        url = reverse(f"admin:{name}", args=self.args_for(name))
        return url + ("?a=1&b=current" if name == "articles_article_revision_diff" else "")

    def login(self, who):
        self.client.logout()
        if who != "anon":
            self.client.force_login(self.users[who])

    def test_every_admin_url_has_a_row(self):
        names = admin_url_names()
        assert names - set(ROWS) == set(), f"admin URLs without a row in ROWS: {sorted(names - set(ROWS))}"
        assert set(ROWS) - names == set(), f"rows for URLs that no longer exist: {sorted(set(ROWS) - names)}"
        actions = set()
        superuser = make_user(None, username="root", is_superuser=True)
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/")
        request.user = superuser
        for model, model_admin in admin.site._registry.items():
            for action in model_admin.get_actions(request):
                actions.add((model._meta.label, action))
        assert actions - set(ACTIONS) == set(), f"actions without a row in ACTIONS: {sorted(actions - set(ACTIONS))}"
        assert set(ACTIONS) - actions == set(), f"rows for actions that no longer exist: {sorted(set(ACTIONS) - actions)}"

    def test_get(self):
        failures, seen = [], {}
        for name, row in sorted(ROWS.items()):
            if row is None:
                continue
            url = self.url(name)
            for who, expected in zip(WHO, row[0]):
                self.login(who)
                status = self.client.get(url).status_code
                seen.setdefault(name, []).append(status)
                if status != expected:
                    failures.append(f"GET {name} as {who}: {status} != {expected}")
        if os.environ.get("PRINT_MATRIX"):
            print("\n".join(f"{n}: {tuple(s)}" for n, s in seen.items()))
        assert not failures, "\n".join(failures)

    def test_post(self):
        failures, seen = [], {}
        for name, row in sorted(ROWS.items()):
            if row is None or row[1] is None:
                continue
            url = self.url(name)
            for who, expected in zip(WHO, row[1]):
                with transaction.atomic():
                    self.login(who)
                    before = fingerprint()
                    status = self.client.post(url, {"post": "yes", "version": 1}).status_code
                    changed = fingerprint() != before
                    seen.setdefault(name, []).append((status, changed))
                    if expected == A:
                        if status >= 500:
                            failures.append(f"POST {name} as {who}: {status}")
                    elif status != expected or changed:
                        failures.append(f"POST {name} as {who}: {status} (expected {expected}), changed={changed}")
                    transaction.set_rollback(True)
        if os.environ.get("PRINT_MATRIX"):
            print("\n".join(f"{n}: {tuple(s)}" for n, s in seen.items()))
        assert not failures, "\n".join(failures)

    def test_actions(self):
        failures = []
        targets = {"articles.Article": [self.story.pk], "entities.Entity": list(Entity.objects.values_list("pk", flat=True)[:2]),
                   "entities.Alias": [Alias.objects.first().pk], "entities.Role": [self.role.pk],
                   "entities.Relation": [self.relation.pk], "auth.Group": [Group.objects.first().pk],
                   "auth.User": [self.users["reporter"].pk], "axes.AccessAttempt": [self.attempt.pk],
                   "axes.AccessLog": [self.log.pk], "axes.AccessFailureLog": [self.failure.pk]}
        for (label, action), allowed in sorted(ACTIONS.items()):
            app, model = label.lower().split(".")
            url = reverse(f"admin:{app}_{model}_changelist")
            for who in WHO:
                with transaction.atomic():
                    self.login(who)
                    before = fingerprint()
                    response = self.client.post(url, {"action": action, "_selected_action": targets[label],
                                                      "post": "yes", "confirm": "yes", "confirm_issues": "yes",
                                                      f"version_{self.story.pk}": self.story.version,
                                                      "override_reason": "checked"})
                    changed = fingerprint() != before
                    if response.status_code >= 500:
                        failures.append(f"{label} {action} as {who}: {response.status_code}")
                    elif who not in allowed and changed:
                        failures.append(f"{label} {action} as {who}: changed the database ({response.status_code})")
                    transaction.set_rollback(True)
        assert not failures, "\n".join(failures)
