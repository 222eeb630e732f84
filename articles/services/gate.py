"""The publish gate: one function decides what stops a story from being published and what only warns.

Every publish path asks it: the desk's Publish button and the change form's workflow panel (both
through ``article_transition``), the changelist action, and the scheduled-publishing command.
Blocking checks stop publishing for everyone; an editor (who may publish and edit every story) can
override them with a typed reason, which is logged in the story's history (the Transition's note
and the revision). Warnings need a confirmation only.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import permissions
from ..checks import article_checks
from ..models import Annotation, Article, Mention, Quote
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
    gate.changes = readers_changes(article)
    return gate


# What publishing changes for readers. Readers see the live edition's text and only its reviewed
# quotes, mentions and public notes (``AnchoredQuerySet.reviewed``), so the summary compares those of
# the live edition with those of the working copy about to replace it.

def _texts(article):
    return dict(article.blocks.values_list("key", "text"))


def _reviewed_counts(article):
    notes = Annotation.objects.filter(article=article).reviewed()
    return {
        "quotes": Quote.objects.filter(article=article).reviewed().count(),
        "mentions": Mention.objects.filter(article=article).reviewed().count(),
        "corrections": notes.filter(kind=Annotation.Kind.CORRECTION).count(),
        "notes": notes.exclude(kind=Annotation.Kind.CORRECTION).count(),
    }


LABELS = {"quotes": gettext_lazy("quotes"), "mentions": gettext_lazy("linked mentions"),
          "corrections": gettext_lazy("corrections"), "notes": gettext_lazy("context and sic notes")}


def readers_changes(article, live=None):
    """Lines saying what readers will see change when working copy ``article`` is published."""
    live = live if live is not None else Article.objects.live().filter(working_copy=article).first()
    now = _reviewed_counts(article)
    if live is None:
        counts = ", ".join(f"{n} {LABELS[k]}" for k, n in now.items() if n) or _("no annotations")
        return [_("First publication: readers will find «%(title)s» at %(url)s.")
                % {"title": article.title, "url": article.get_absolute_url()},
                _("They will see %(blocks)d paragraphs and figures, with %(counts)s.")
                % {"blocks": article.blocks.count(), "counts": counts}]
    lines = []
    if live.title != article.title:
        lines.append(_("Headline: «%(old)s» becomes «%(new)s».") % {"old": live.title, "new": article.title})
    if live.dek != article.dek:
        lines.append(_("The dek changes."))
    if live.slug != article.slug:
        lines.append(_("The address changes to %(url)s.") % {"url": article.get_absolute_url()})
    before, after = _texts(live), _texts(article)
    changed = sum(1 for k in after if k in before and after[k] != before[k])
    added, removed = len(set(after) - set(before)), len(set(before) - set(after))
    parts = [ngettext(one, many, n) % {"n": n} for n, one, many in (
        (changed, "%(n)d paragraph changed", "%(n)d paragraphs changed"),
        (added, "%(n)d paragraph or figure added", "%(n)d paragraphs or figures added"),
        (removed, "%(n)d paragraph or figure removed", "%(n)d paragraphs or figures removed")) if n]
    if parts:
        lines.append(_("Text: %(parts)s.") % {"parts": ", ".join(parts)})
    then = _reviewed_counts(live)
    for key, n in now.items():
        if n != then[key]:
            lines.append(_("%(what)s readers see: %(old)d becomes %(new)d.")
                         % {"what": str(LABELS[key]).capitalize(), "old": then[key], "new": n})
    if not lines:
        lines.append(_("Nothing readers see changes (the live edition already shows this text and these "
                       "reviewed annotations)."))
    return lines


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
