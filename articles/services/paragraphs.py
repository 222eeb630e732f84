"""Editing one paragraph's text in the desk, with optimistic locking on the paragraph.

The lock is the text itself: the editor sends the text they started from, and the save is refused
(409, with the text as it is now) if someone changed the paragraph meanwhile. Editors working on
different paragraphs never collide; the story's version still moves on, so a change form opened
before (which would write every paragraph back) is refused rather than undoing this edit.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Annotation, Block
from .blocks import block_save
from .errors import DeskError, Gone, describe_user
from .locking import article_lock, bump
from .revisions import revision_create

MAX_PARAGRAPH = 20_000  # characters; the seed's longest paragraph has a few hundred


class ParagraphChanged(DeskError):
    """The paragraph's text is not what the editor started from."""

    status = 409


@transaction.atomic
def paragraph_edit(*, article, block_key, text, expected_text, user=None):
    """Replace the text of paragraph ``block_key`` of working copy ``article`` (if it is still
    ``expected_text``); its quotes, mentions and annotations follow their words (or are flagged).

    Returns (block, number of anchors flagged because their words are gone).
    """
    working = article_lock(article=article)
    block = Block.objects.select_for_update().filter(article=working, key=block_key).first()
    if block is None:
        raise Gone(_("There is no paragraph %(key)s in this story any more; reload.") % {"key": block_key})
    if block.kind != Block.Kind.PARAGRAPH:
        raise DeskError(_("%(key)s is not a paragraph.") % {"key": block_key})
    if not text.strip():
        raise DeskError(_("A paragraph cannot be empty; delete it in the change form instead."))
    if len(text) > MAX_PARAGRAPH:
        raise DeskError(_("A paragraph has at most %(n)d characters.") % {"n": MAX_PARAGRAPH})
    if block.text != expected_text:
        raise ParagraphChanged(
            _("Not saved: paragraph %(key)s was changed by someone else after you started editing (the story "
              "was last saved by %(who)s). What you typed is kept; the text as it is now is shown above it. "
              "Save again to replace it.") % {"key": block_key, "who": describe_user(working.modified_by)},
            stale=True, block=block_key, text=block.text)
    flags_before = Annotation.objects.filter(block=block, kind=Annotation.Kind.FLAG).count()
    block.text = text
    block_save(block=block, user=user)
    flagged = Annotation.objects.filter(block=block, kind=Annotation.Kind.FLAG).count() - flags_before
    bump(working, user)
    revision_create(article=working, user=user, action="edit")
    return block, flagged
