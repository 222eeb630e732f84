"""What publishing changes for readers, for the desk's publish confirmation.

Readers see the live edition's text and only its reviewed quotes, mentions and public notes
(``AnchoredQuerySet.reviewed``), so the summary compares those of the live edition with those of
the working copy about to replace it.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Annotation, Article, Mention, Quote


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


LABELS = {"quotes": "quotes", "mentions": "linked mentions", "corrections": "corrections",
          "notes": "context and sic notes"}


def readers_summary(article, live=None):
    """Lines saying what readers will see change when working copy ``article`` is published."""
    live = live if live is not None else Article.objects.live().filter(working_copy=article).first()
    now = _reviewed_counts(article)
    if live is None:
        counts = ", ".join(f"{n} {_(LABELS[k])}" for k, n in now.items() if n) or _("no annotations")
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
                         % {"what": _(LABELS[key]).capitalize(), "old": then[key], "new": n})
    if not lines:
        lines.append(_("Nothing readers see changes (the live edition already shows this text and these "
                       "reviewed annotations)."))
    return lines
