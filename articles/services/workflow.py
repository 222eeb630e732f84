"""Workflow: moving a story from status to status, logged as a Transition with a revision."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from ..permissions import allowed_actions
from ..workflow import ACTION_LABELS, TRANSITIONS
from .errors import DeskError
from .gate import gate_check
from .locking import article_lock, bump
from .publishing import VISIBLE_STATUSES, article_publish, article_unpublish, transition_log
from .revisions import revision_create


@transaction.atomic
def article_transition(*, article, action, user=None, expected_version=None, note="", confirm=False,
                       publish_at=None, now=None, override_reason=""):
    """Move a working copy along the workflow, log the step (Transition) and keep a revision.

    ``user`` None is the system (commands); otherwise the action must be one of ``allowed_actions``.
    Publishing goes through the publish gate (``gate.gate_check``): blocking checks raise
    PublishBlocked unless an editor gives ``override_reason`` (logged in the Transition's note);
    warnings raise ChecksNotConfirmed unless ``confirm``.
    """
    if action not in TRANSITIONS:
        raise DeskError(gettext("Unknown action %(action)r.") % {"action": action})
    working = article_lock(article=article, expected_version=expected_version)
    if user is not None and action not in allowed_actions(working, user):
        raise PermissionDenied(gettext("You may not take the action “%(action)s” on this story.")
                               % {"action": ACTION_LABELS[action]})
    sources, target, _ = TRANSITIONS[action]
    if working.status not in sources:
        raise DeskError(gettext("A story that is %(status)s cannot take the action “%(action)s”.")
                        % {"status": working.get_status_display(), "action": ACTION_LABELS[action]})
    if action == "publish":
        if publish_at is not None:
            working.publish_at = publish_at
            working.save(update_fields=["publish_at"])
        logged = gate_check(article=working, user=user, confirm=confirm, override_reason=override_reason)
        note = "\n".join(part for part in (note, logged) if part)
        article_publish(article=working, user=user, now=now, note=note)
    elif target in VISIBLE_STATUSES or working.status in VISIBLE_STATUSES:
        article_unpublish(article=working, user=user, note=note, to_status=target, action=action)
    else:
        from_status = working.status
        working.status = target
        bump(working, user)
        transition_log(article=working, user=user, from_status=from_status, to_status=target, note=note)
        revision_create(article=working, user=user, action=action)
    article.refresh_from_db()
    return article


