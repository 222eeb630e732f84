"""Editing a paragraph: what is anchored on it follows its words (or is flagged, never dropped)."""

from django.db import transaction

from ..anchoring import clamp, relocate
from ..models import Annotation, Quote

# (block, start, end, exact) field names of the two spans a quote may have on a paragraph.
SPAN = ("block", "start", "end", "exact")
ATTRIBUTION = ("attribution_block", "attribution_start", "attribution_end", "attribution_exact")


@transaction.atomic
def block_save(*, block, user=None):
    """Save ``block``; if its text changed since it was loaded, move every anchor on it to the new text.

    Anchors whose words vanished are kept, clamped to the new text, and flagged for an editor
    (``block_reanchor``). Every path that edits a paragraph's text goes through here (admin, desk).
    """
    old_text = getattr(block, "_loaded_text", None)
    block.save()
    if old_text is not None and old_text != block.text:
        block_reanchor(block=block, user=user)
    block._loaded_text = block.text
    return block


def block_reanchor(*, block, user=None):
    """Re-locate the quotes, mentions and annotations on ``block`` (and attributions in it) in its text."""
    rows = [*block.quotes.all(), *block.mentions.all(), *block.annotations.all(),
            *Quote.objects.filter(attribution_block=block).exclude(block=block)]
    for obj in rows:
        for fields in (SPAN, ATTRIBUTION) if isinstance(obj, Quote) else (SPAN,):
            if getattr(obj, f"{fields[0]}_id") == block.pk:
                _follow(obj, block, fields)
        obj.modified_by = user
        obj.save()


def _follow(obj, block, fields):
    """Move one span of ``obj`` on ``block`` to where its words are now, or flag it if they are gone."""
    block_f, start_f, end_f, exact_f = fields
    found = relocate(block.text, getattr(obj, exact_f), getattr(obj, start_f))
    setattr(obj, block_f, block)
    if found is not None:
        setattr(obj, start_f, found[0])
        setattr(obj, end_f, found[1])
        return
    lost = getattr(obj, exact_f)
    start, end = clamp(getattr(obj, start_f), getattr(obj, end_f), len(block.text))
    setattr(obj, start_f, start)
    setattr(obj, end_f, end)
    setattr(obj, exact_f, block.text[start:end])
    label = f"{type(obj).__name__.lower()} {getattr(obj, 'key', '')}".strip()
    Annotation.objects.create(
        block=block, start=start, end=end, exact=block.text[start:end], key=block.article.next_key("flag-"),
        kind=Annotation.Kind.FLAG, public=False, status=Annotation.Status.OPEN, original=lost,
        body=f"Re-anchor: the words of {label} («{lost}») are no longer in {block.key}; "
             f"it was moved to characters {start}–{end}. Check it.",
    )
