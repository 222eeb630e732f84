"""The Traditional edition's script: simplified leftovers set in Traditional as repairs an editor reviews.

``articles.script`` finds what OpenCC s2tw would change (phrase level; accepted variants, quoted titles and
-{…}- spans left alone); here each change is applied to a working copy as a ``repair`` annotation that
records the original, open until an editor resolves it (one by one with ``annotation_resolve``, all at
once with ``script_repairs_accept``, or undone with ``script_repair_reject``). Names of people
(confirmed mentions of person entities) are protected: 于 in a surname stays. The callers (desk views)
check permissions, as for every service.
"""

from django.db import transaction

from ..models import Annotation, Block, Quote
from ..script import traditional_changes
from .errors import DeskError
from .locking import anchored_lock, article_lock, bump
from .revisions import revision_create

BODY = "simplified '{original}' set in Traditional '{replacement}' (OpenCC s2tw)"
MARK = "(OpenCC s2tw)"  # how a script repair's body ends: what accept-all and reject look for


def _is_script_repair(annotation):
    return annotation.kind == Annotation.Kind.REPAIR and annotation.body.endswith(MARK)


def _refresh_exacts(block):
    """Re-read the exact words of everything anchored on ``block``: the repairs keep every length, so
    positions stay and only the characters change (relocating by the old words would lose them)."""
    text = block.text
    for obj in [*block.quotes.all(), *block.mentions.all(), *block.annotations.all()]:
        if obj.exact != text[obj.start:obj.end]:
            obj.exact = text[obj.start:obj.end]
            obj.save()
    for quote in Quote.objects.filter(attribution_block=block):
        said = text[quote.attribution_start:quote.attribution_end]
        if quote.attribution_exact != said:
            quote.attribution_exact = said
            quote.save()


@transaction.atomic
def article_script_repair(*, article, user=None, expected_version=None):
    """Set the simplified leftovers of a working copy's paragraphs in Traditional script.

    Each change becomes an open ``repair`` annotation with the original; quotes' printed roles follow.
    Returns the new repair annotations (none when the text is already in Traditional script).
    """
    working = article_lock(article=article, expected_version=expected_version)
    if not working.language.startswith("zh-Hant"):
        raise DeskError(f"The story is in {working.language}: only a Traditional (zh-Hant) story is converted.")
    created = []
    for block in working.blocks.filter(kind=Block.Kind.PARAGRAPH).prefetch_related("mentions__entity"):
        names = [(m.start, m.end) for m in block.mentions.all() if m.entity.kind == "person"]
        changes = traditional_changes(block.text, names)
        if not changes:
            continue
        chars = list(block.text)
        for change in changes:
            chars[change.start:change.end] = change.replacement
        block.text = "".join(chars)
        block.save()
        block._loaded_text = block.text
        _refresh_exacts(block)
        for change in changes:
            created.append(Annotation.objects.create(
                article=working, block=block, start=change.start, end=change.end, exact=change.replacement,
                key=working.next_key("a"), kind=Annotation.Kind.REPAIR, public=False,
                status=Annotation.Status.OPEN, original=change.original, modified_by=user,
                body=BODY.format(original=change.original, replacement=change.replacement)))
    for quote in working.quotes.exclude(role=""):
        changes = traditional_changes(quote.role)
        if changes:
            chars = list(quote.role)
            for change in changes:
                chars[change.start:change.end] = change.replacement
            quote.role = "".join(chars)
            quote.save()
    if created:
        bump(working, user)
        revision_create(article=working, user=user, action="script repair")
    return created


@transaction.atomic
def script_repairs_accept(*, article, user=None, expected_version=None):
    """Resolve every open script repair of a working copy at once (the desk's "accept all")."""
    working = article_lock(article=article, expected_version=expected_version)
    open_repairs = [a for a in working.annotations.filter(kind=Annotation.Kind.REPAIR, status=Annotation.Status.OPEN)
                    if _is_script_repair(a)]
    for annotation in open_repairs:
        annotation.status = Annotation.Status.RESOLVED
        annotation.modified_by = user
        annotation.save()
    if open_repairs:
        bump(working, user)
        revision_create(article=working, user=user, action="script repairs ok")
    return len(open_repairs)


@transaction.atomic
def script_repair_reject(*, article, pk, user=None, expected_version):
    """Undo one script repair: its original goes back into the paragraph and the repair is removed."""
    annotation = anchored_lock(model=Annotation, pk=pk, article=article, expected_version=expected_version)
    if not _is_script_repair(annotation):
        raise DeskError("Only a script repair can be undone here.")
    block = annotation.block
    if block.text[annotation.start:annotation.end] != annotation.exact or len(annotation.original) != len(
            annotation.exact):
        raise DeskError("The paragraph changed since this repair; edit it by hand.", block=block.key)
    block.text = block.text[:annotation.start] + annotation.original + block.text[annotation.end:]
    block.save()
    block._loaded_text = block.text
    annotation.delete()
    _refresh_exacts(block)
    revision_create(article=annotation.article, user=user, action="reject script repair")
    return block
