"""Bulk review: accept or reject many suggestions, or resolve many flags and repairs, of one story
in one step (multi-model write: the objects, rejected-suggestion records and one revision).

All or nothing: every item must still be open, of this story, at the version the editor saw and
allowed by the permission policy, or nothing is written. The caller lists the items (type, id,
version) it showed, so work that arrived after the page loaded is never accepted unseen.

"Accept (or reject) all suggestions at or above a confidence" is the same step with
``min_confidence``: the caller lists what ``confident_suggestions`` chose and the editor saw counted;
each item must still be at or above it, and the revision records the threshold.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Annotation, RejectedSuggestion
from ..permissions import desk_permissions, is_importer_mark, item_allowed
from .annotating import ANCHORED_TYPES
from .errors import DeskError, Gone, StaleVersion
from .locking import article_lock
from .revisions import revision_create

REVIEW_OPS = {"accept": ("quote", "mention"), "reject": ("quote", "mention"), "resolve": ("annotation",)}
MAX_ITEMS = 2000  # a story's whole raw draft (the seed has 222 open items) fits with room to spare


def _open(type_, obj):
    if type_ == "annotation":
        return obj.status == Annotation.Status.OPEN and is_importer_mark(obj)
    return obj.status == "suggested"


def confident_suggestions(rows, threshold):
    """The open suggested quotes and mentions among ``rows`` [(type, obj)] whose confidence is at least
    ``threshold`` (a person's suggestion has none and is never chosen), in the order given."""
    return [(type_, obj) for type_, obj in rows
            if type_ in ("quote", "mention") and obj.status == "suggested"
            and obj.confidence is not None and obj.confidence >= threshold]


@transaction.atomic
def suggestions_review(*, article, user, op, items, min_confidence=None):
    """Do ``op`` (accept, reject or resolve) to ``items`` [(type, id, version)] of working copy ``article``.

    Returns the number of items done. Raises PermissionDenied, Gone, StaleVersion or DeskError (and
    writes nothing) if any item may not be done as seen. One revision records the whole step.
    ``min_confidence`` (0..1): the editor chose "all at or above this confidence"; every item must be.
    """
    if op not in REVIEW_OPS:
        raise DeskError(_("Choose accept, reject or resolve."))
    if min_confidence is not None and (op not in ("accept", "reject") or not 0 <= min_confidence <= 1):
        raise DeskError(_("Accept or reject by a confidence from 0 to 1."))
    if not items:
        raise DeskError(_("Nothing to do: no item was chosen."))
    if len(items) > MAX_ITEMS:
        raise DeskError(_("At most %(n)d items at once.") % {"n": MAX_ITEMS})
    working = article_lock(article=article)  # one bulk step at a time per story
    perms = desk_permissions(user, working)
    wanted = defaultdict(dict)
    for type_, pk, version in items:
        if type_ not in REVIEW_OPS[op]:
            raise DeskError(_("cannot %(op)s a %(what)s") % {"op": op, "what": type_})
        wanted[type_][int(pk)] = int(version)
    found = {}
    for type_, versions in wanted.items():
        model = ANCHORED_TYPES[type_]
        rows = {o.pk: o for o in model.objects.select_for_update().select_related("block")
                .filter(article=working, pk__in=versions)}
        for pk, version in versions.items():
            obj = rows.get(pk)
            if obj is None:
                raise Gone(_("A %(what)s of this selection no longer exists; reload to see the story as it is now.")
                           % {"what": type_})
            if obj.version != version:
                raise StaleVersion(obj, f"{type_} {obj.key}")
            if not _open(type_, obj):
                raise DeskError(_("%(key)s is no longer open; reload.") % {"key": obj.key})
            if min_confidence is not None and not confident_suggestions([(type_, obj)], min_confidence):
                raise DeskError(_("%(key)s is below the confidence %(threshold).2f; reload.")
                                % {"key": obj.key, "threshold": min_confidence})
            if not item_allowed(perms, type_, op, obj):
                raise PermissionDenied(_("You may not %(op)s %(key)s.") % {"op": op, "key": obj.key})
        found[type_] = rows
    now = timezone.now()
    done = 0
    for type_, rows in found.items():
        model = ANCHORED_TYPES[type_]
        if op == "reject":
            for obj in rows.values():
                RejectedSuggestion.record(obj, user=user)
            model.objects.filter(pk__in=rows).delete()
        else:
            status = "confirmed" if op == "accept" else Annotation.Status.RESOLVED
            # One UPDATE, with the version bump and stamp Anchored.save() would make one by one.
            model.objects.filter(pk__in=rows).update(status=status, version=F("version") + 1, modified_by=user,
                                                     modified_at=now)
        done += len(rows)
    # The history says how the step chose its items: "accept ≥0.90" (Revision.action, 20 characters).
    action = op if min_confidence is None else f"{op} ≥{min_confidence:.2f}"
    revision_create(article=working, user=user, action=action)
    return done


def done_message(op, n):
    if op == "accept":
        return ngettext("Accepted %(n)d suggestion.", "Accepted %(n)d suggestions.", n) % {"n": n}
    if op == "reject":
        return ngettext("Rejected %(n)d suggestion; re-imports will not suggest it again.",
                        "Rejected %(n)d suggestions; re-imports will not suggest them again.", n) % {"n": n}
    return ngettext("Resolved %(n)d flag or repair.", "Resolved %(n)d flags and repairs.", n) % {"n": n}
