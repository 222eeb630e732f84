"""Who may do what to a story: the one permission policy of the articles app.

Every path asks here: the admin (model pages, inlines, actions), the desk views and their JSON
endpoints, the services and, through ``desk_permissions``, the templates. The groups that hold the
model permissions come from ``setup_roles``: reporters edit their own drafts, editors every story,
fact-checkers read every story, add notes and verify quotes.

Why plain functions and not the ``rules`` package behind ``user.has_perm(perm, obj)``: object rules
in an auth backend would change what Django's admin means by ``has_perm`` for every model, and the
desk needs the whole answer at once (one dict for a page and its JavaScript). The shape follows
Wagtail's permission policies: a model-level question (``can_publish``), an object-level one
(``can_view_story``, ``can_edit_story``) and "the objects a user may see" (``stories_visible_to``).
This module reads models only; models never import it.
"""

from .models import NOTE_KINDS, Article, Edition, Status
from .workflow import TRANSITIONS

ANCHORED_KINDS = ("quote", "mention", "annotation")


def _has(user, name):
    return bool(user and user.has_perm(name))


def _staff(user):
    return bool(user and user.is_active and user.is_staff)


def sees_every_story(user):
    return _has(user, "articles.view_any_article") or _has(user, "articles.change_any_article")


def can_add_story(user):
    return _has(user, "articles.add_article")


def can_publish(user):
    """Publishing, scheduling, unpublishing and archiving (any story the user can see)."""
    return _has(user, "articles.publish_article")


def can_accept_knowledge(user, article=None):
    """Applying what a draft's import says about known entities to the public knowledge base before the
    story is published: an editor who may publish and change entities (issue 10, item 4)."""
    return (can_publish(user) and _has(user, "entities.change_entity")
            and (article is None or can_view_story(user, article)))


def can_open_review_queue(user):
    return (_has(user, "articles.view_any_article") or _has(user, "articles.change_article")
            or _has(user, "articles.view_article"))


def stories_visible_to(user, queryset=None):
    """Working copies ``user`` may open in the desk: every story for editors and fact-checkers,
    their own stories for reporters."""
    qs = (Article.objects.all() if queryset is None else queryset).working()
    if not _staff(user):
        return qs.none()
    if sees_every_story(user):
        return qs
    if _has(user, "articles.view_article") or _has(user, "articles.change_article"):
        return qs.filter(owner=user)
    return qs.none()


def _own(user, article):
    return article.owner_id is not None and article.owner_id == user.pk


def can_view_story(user, article):
    """Return True if ``user`` may open working copy ``article`` in the desk (read only or not)."""
    if article.edition != Edition.WORKING or not _staff(user):
        return False
    if sees_every_story(user):
        return True
    return _own(user, article) and (_has(user, "articles.view_article") or _has(user, "articles.change_article"))


def can_edit_story(user, article):
    """Return True if ``user`` may change working copy ``article``: editors always, reporters their own drafts."""
    if article.edition != Edition.WORKING or not _staff(user):
        return False
    if not _has(user, "articles.change_article"):
        return False
    if _has(user, "articles.change_any_article"):
        return True
    return _own(user, article) and article.status == Status.DRAFT


def can_delete_story(user, article=None):
    if not _has(user, "articles.delete_article"):
        return False
    return article is None or _has(user, "articles.change_any_article") or can_edit_story(user, article)


def allowed_actions(article, user):
    """The workflow actions ``user`` may take on working copy ``article`` in its current status."""
    if not can_view_story(user, article):
        return []
    can = {"edit": can_edit_story(user, article), "publish": can_publish(user)}
    return [action for action, (sources, _, who) in TRANSITIONS.items() if article.status in sources and can[who]]


def desk_permissions(user, article):
    """Everything ``user`` may do on working copy ``article``, as one dict (pages, templates, JavaScript).

    Every endpoint checks it again on the server (see ``item_allowed``).
    """
    view = can_view_story(user, article)
    edit = can_edit_story(user, article)

    def perm(name):
        return _has(user, f"articles.{name}")

    notes = view and (edit or perm("view_any_article"))
    out = {"view": view, "edit": edit}
    for name, scope in (("quote", edit), ("mention", edit), ("annotation", notes)):
        for op in ("add", "change", "delete"):
            out[f"{op}_{name}"] = scope and perm(f"{op}_{name}")
    out.update({
        "review": edit and perm("change_any_article") and (perm("change_quote") or perm("change_mention")),
        "resolve": edit and perm("change_annotation"),
        "verify": view and perm("verify_quote"),
        "new_entity": _has(user, "entities.add_entity"),
        "share": view and (edit or perm("publish_article")),
        "restore": edit,
        "actions": allowed_actions(article, user) if view else [],
    })
    return out


def is_importer_mark(obj):
    """A flag or repair the importer made (not a note an editor wrote)."""
    return obj is not None and getattr(obj, "kind", None) not in NOTE_KINDS


def item_allowed(perms, kind, op, obj=None):
    """May the holder of ``perms`` (a ``desk_permissions`` dict) do ``op`` to a quote, mention or annotation?

    ``op``: add, change (or save), delete, accept, reject, resolve, reopen, verify, dispute.
    ``obj`` (an existing annotation) decides whether it is one of the importer's flags or repairs,
    which only whoever may resolve them changes.
    """
    if kind not in ANCHORED_KINDS:
        return False
    mark = kind == "annotation" and is_importer_mark(obj)
    if op == "save":
        op = "change"
    if op == "add":
        return perms[f"add_{kind}"]
    if op in ("change", "delete"):
        return perms[f"{op}_{kind}"] and (not mark or perms["resolve"])
    if op in ("accept", "reject"):
        return kind in ("quote", "mention") and perms["review"] and perms[f"change_{kind}"]
    if op in ("resolve", "reopen"):
        return kind == "annotation" and (perms["resolve"] if mark else perms["change_annotation"])
    if op in ("verify", "dispute"):
        return kind == "quote" and perms["verify"]
    return False


def status_change_allowed(perms, kind, old, new, obj=None):
    """May the holder of ``perms`` move a quote, mention or annotation from status ``old`` to ``new``?

    The desk's steps: an editor confirms (or rejects) suggestions; a fact-checker verifies or
    disputes a confirmed quote; whoever may resolve a flag resolves or reopens it. Every write path
    asks this (desk endpoints through their operations, the admin's model pages through their forms).
    """
    if old == new:
        return True
    if kind in ("quote", "mention") and old == "suggested" and new == "confirmed":
        return item_allowed(perms, kind, "accept", obj)
    if kind == "quote" and new in ("verified", "disputed"):
        return old != "suggested" and item_allowed(perms, kind, "verify", obj)
    if kind == "quote" and old in ("verified", "disputed") and new == "confirmed":
        return item_allowed(perms, kind, "verify", obj) or perms["review"]
    if kind == "annotation" and {old, new} == {"open", "resolved"}:
        return item_allowed(perms, kind, "resolve", obj)
    return perms["review"] and item_allowed(perms, kind, "change", obj)  # other moves: an editor's call
