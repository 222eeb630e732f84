"""The publish gate: one function decides what stops a story from being published and what only warns.

Every publish path asks it: the desk's Publish button and the change form's workflow panel (both
through ``article_transition``), the changelist action, and the scheduled-publishing command.
Blocking checks stop publishing for everyone; an editor (who may publish and edit every story) can
override them with a typed reason, which is logged in the story's history (the Transition's note
and the revision). Warnings need a confirmation only.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .. import permissions
from ..checks import article_checks
from ..importing.story import summarize_changes
from ..models import Article
from .documents import export_story
from .errors import ChecksNotConfirmed, DeskError

# Issue codes (articles.checks) that block publishing: open repairs or flags on the text, a quote
# without a speaker, a figure without alt text (with or without its image), an empty headline. A
# figure slot whose image has not arrived is not checked: the reader page leaves empty slots out.
BLOCKING_CODES = ("headline", "flag", "repair", "speaker", "alt")
OVERRIDE_PREFIX = "Override: "


@dataclass
class Gate:
    blocking: list = field(default_factory=list)  # articles.checks.Issue
    warnings: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # what changes for readers, one line each

    @property
    def passes(self):
        return not self.blocking

    def as_dict(self):
        return {"blocking": [i.as_dict() for i in self.blocking], "warnings": [i.as_dict() for i in self.warnings],
                "changes": self.changes, "passes": self.passes}


def blocking_issues(article):
    """The issues of ``article`` (working copy or live edition) that stop publishing."""
    return [issue for issue in article_checks(article) if issue.code in BLOCKING_CODES]


def publish_gate(article):
    """The gate of working copy ``article``: blocking checks, warnings and what publishing changes for readers."""
    gate = Gate()
    for issue in article_checks(article):
        (gate.blocking if issue.code in BLOCKING_CODES else gate.warnings).append(issue)
    live = Article.objects.live().filter(working_copy=article).first()
    if live is None:
        gate.changes = [_("First publication: readers see the story for the first time.")]
    else:
        gate.changes = summarize_changes(export_story(live), export_story(article)) or [
            _("Nothing readers see changes (the live edition is current).")]
    return gate


def can_override(user, article):
    """Only an editor overrides blocking checks: whoever may publish and edit every story."""
    return permissions.can_publish(user) and permissions.sees_every_story(user) and \
        permissions.can_edit_story(user, article)


class PublishBlocked(DeskError):
    """Blocking checks stop publishing; an editor may override them with a typed reason."""

    status = 409

    def __init__(self, gate, *, can_override):
        codes = ", ".join(sorted({i.code for i in gate.blocking}))
        message = _("Not published: %(n)d blocking issue(s) (%(codes)s).") % {"n": len(gate.blocking), "codes": codes}
        if can_override:
            message += " " + _("Fix them, or give a reason to publish anyway (it is logged).")
        super().__init__(message, needs_override=True, can_override=can_override, **gate.as_dict())
        self.gate = gate


def gate_check(*, article, user=None, confirm=False, override_reason=""):
    """Apply the gate before publishing ``article``: raise PublishBlocked or ChecksNotConfirmed, or
    return the note to log ("" or "Override: <reason> (blocking: codes)").

    ``user`` None is the system (commands): it never overrides.
    """
    gate = publish_gate(article)
    note = ""
    if gate.blocking:
        reason = " ".join((override_reason or "").split())
        allowed = user is not None and can_override(user, article)
        if not (allowed and reason):
            raise PublishBlocked(gate, can_override=allowed)
        note = f"{OVERRIDE_PREFIX}{reason} (blocking: {', '.join(sorted({i.code for i in gate.blocking}))})"
    if gate.warnings and not confirm and not note:
        raise ChecksNotConfirmed(gate.warnings)
    return note
