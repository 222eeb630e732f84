"""Annotating working copies: quotes, mentions and notes, each locked on its own version."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Annotation, Block, Mention, Quote, RejectedSuggestion, check_span
from .errors import DeskError
from .locking import anchored_lock
from .revisions import revision_create

ANCHORED_TYPES = {"quote": Quote, "mention": Mention, "annotation": Annotation}


def _anchor(block, start, end, exact):
    try:
        check_span(block, start, end, exact, what=_("selection"))
    except ValidationError as exc:
        raise DeskError(
            f"{exc.messages[0]} The paragraph may have been edited since you loaded it; reload and select again.",
            block=block.key, text=block.text) from None


def _full_clean(obj):
    try:
        obj.full_clean(exclude=["key", "block", "article", "attribution_block"], validate_unique=False,
                       validate_constraints=False)
    except ValidationError as exc:
        raise DeskError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                        errors=exc.message_dict) from None


def _saved(obj, user, action):
    obj.modified_by = user
    _full_clean(obj)
    obj.save()
    revision_create(article=obj.article, user=user, action=action)
    return obj


@transaction.atomic
def anchored_create(*, article, model, user=None, block_key, start, end, exact, fields):
    """Anchor a new quote, mention or annotation at ``block_key`` start–end, whose words must be ``exact``."""
    block = Block.objects.filter(article=article, key=block_key).first()
    if block is None:
        raise DeskError(_("There is no paragraph %(key)s in this story any more; reload.") % {"key": block_key})
    _anchor(block, start, end, exact)
    obj = model(article=article, block=block, start=start, end=end, exact=exact, **fields)
    return _saved(obj, user, "annotate")


@transaction.atomic
def anchored_update(*, article, model, pk, user=None, expected_version, fields, anchor=None):
    """Change fields (and optionally the anchor) of one object, refusing a stale ``expected_version``."""
    obj = anchored_lock(model=model, pk=pk, article=article, expected_version=expected_version)
    if anchor is not None:
        block = Block.objects.filter(article=article, key=anchor["block"]).first()
        if block is None:
            raise DeskError(_("There is no paragraph %(key)s in this story any more; reload.") % {"key": anchor["block"]})
        _anchor(block, anchor["start"], anchor["end"], anchor["exact"])
        obj.block, obj.start, obj.end, obj.exact = block, anchor["start"], anchor["end"], anchor["exact"]
    verified = model is Quote and obj.status in (Quote.Status.VERIFIED, Quote.Status.DISPUTED)
    before = (obj.block_id, obj.start, obj.end, getattr(obj, "speaker_id", None))
    for key, value in fields.items():
        setattr(obj, key, value)
    if verified and (obj.block_id, obj.start, obj.end, obj.speaker_id) != before:
        # The fact-check was of other words or another speaker: it has to be done again.
        obj.status = Quote.Status.CONFIRMED
    return _saved(obj, user, "annotate")


@transaction.atomic
def anchored_delete(*, article, model, pk, user=None, expected_version):
    obj = anchored_lock(model=model, pk=pk, article=article, expected_version=expected_version)
    obj.delete()
    revision_create(article=article, user=user, action="annotate")


@transaction.atomic
def suggestion_accept(*, article, model, pk, user=None, expected_version):
    """Confirm a suggested quote or mention."""
    obj = anchored_lock(model=model, pk=pk, article=article, expected_version=expected_version)
    if obj.status != "suggested":
        raise DeskError(_("This is not a suggestion any more."))
    obj.status = "confirmed"
    return _saved(obj, user, "accept")


@transaction.atomic
def suggestion_reject(*, article, model, pk, user=None, expected_version):
    """Delete a suggested quote or mention and remember it, so re-imports do not suggest it again."""
    obj = anchored_lock(model=model, pk=pk, article=article, expected_version=expected_version)
    if obj.status != "suggested":
        raise DeskError(_("This is not a suggestion any more."))
    RejectedSuggestion.record(obj, user=user)
    obj.delete()
    revision_create(article=article, user=user, action="reject")


@transaction.atomic
def annotation_resolve(*, article, pk, user=None, expected_version, resolved=True):
    """Resolve (or reopen) a flag, a repair or a note."""
    obj = anchored_lock(model=Annotation, pk=pk, article=article, expected_version=expected_version)
    obj.status = Annotation.Status.RESOLVED if resolved else Annotation.Status.OPEN
    return _saved(obj, user, "resolve" if resolved else "reopen")


@transaction.atomic
def quote_verify(*, article, pk, user=None, expected_version, status):
    """A fact-checker's verdict on a quote: verified or disputed."""
    if status not in (Quote.Status.VERIFIED, Quote.Status.DISPUTED):
        raise DeskError(_("A fact-check marks a quote verified or disputed."))
    obj = anchored_lock(model=Quote, pk=pk, article=article, expected_version=expected_version)
    if obj.status == Quote.Status.SUGGESTED:
        raise DeskError(_("Confirm the suggestion before fact-checking it."))
    obj.status = status
    return _saved(obj, user, status)


