"""What the desk's JavaScript knows of a story: quotes, mentions and annotations as JSON."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from entities.models import Entity

from .. import services
from ..checks import article_checks
from ..models import NOTE_KINDS, Annotation, Mention, Quote


def user_name(user):
    return services.describe_user(user) if user is not None else ""


def iso(value):
    return timezone.localtime(value).isoformat() if value else None


def entity_json(entity):
    if entity is None:
        return None
    return {"id": entity.pk, "name": entity.name, "kind": entity.kind, "slug": entity.slug}


_NOTE_KIND_LABELS = {}


def note_kind_label(kind):
    """An annotation kind's label (Model.get_kind_display() is slow over hundreds of rows: it rebuilds
    the choices each call); per language, as the labels are translated."""
    language = get_language()
    if language not in _NOTE_KIND_LABELS:
        _NOTE_KIND_LABELS[language] = {k: str(v) for k, v in Annotation.Kind.choices}
    return _NOTE_KIND_LABELS[language].get(kind, kind)


def item_json(obj):
    """A quote, mention or annotation as the desk's JavaScript knows it (offsets in code points)."""
    data = {
        "id": obj.pk, "key": obj.key, "block": obj.block.key, "start": obj.start, "end": obj.end,
        "exact": obj.exact, "status": obj.status, "version": obj.version,
        "modified_by": user_name(obj.modified_by), "modified_at": iso(obj.modified_at),
    }
    if isinstance(obj, Quote):
        data.update(type="quote", kind=obj.kind, speaker=entity_json(obj.speaker), role=obj.role,
                    said_on=obj.said_on, event=entity_json(obj.event), note=obj.note, confidence=obj.confidence,
                    label=f"{obj.key} · {obj.speaker.name if obj.speaker else '(no speaker)'}")
    elif isinstance(obj, Mention):
        data.update(type="mention", kind=obj.entity.kind, entity=entity_json(obj.entity), confidence=obj.confidence,
                    label=f"{obj.entity.name}")
    else:
        data.update(type="annotation", kind=obj.kind, body=obj.body, public=obj.public, original=obj.original,
                    label=f"{obj.key} · {note_kind_label(obj.kind)}")
    return data


def desk_items(article):
    """Every anchored object of a ``for_desk()`` article, in reading order, each holding its block."""
    items = [*article.quotes.all(), *article.mentions.all(), *article.annotations.all()]
    blocks = {b.pk: b for b in article.blocks.all()}
    for obj in items:
        obj.block = blocks[obj.block_id]  # the prefetched block: no query, no copy per row
    items.sort(key=lambda o: (o.block.position, o.start, -o.end))
    return items


def desk_payload(request, article, perms, issues=None):
    sections = {s.pk: s for s in article.sections.all()}
    blocks = [{
        "id": b.pk, "key": b.key, "kind": b.kind, "text": b.text, "alt": b.alt, "caption": b.caption,
        "section": sections[b.section_id].number if b.section_id else "",
    } for b in article.blocks.all()]
    base = reverse("admin:articles_article_desk", args=[article.pk])
    return {
        "article": {"id": article.pk, "title": article.title, "version": article.version, "status": article.status},
        "blocks": blocks,
        "items": [item_json(o) for o in desk_items(article)],
        "perms": {k: v for k, v in perms.items() if k != "actions"},
        "issues": [i.as_dict() for i in (article_checks(article) if issues is None else issues)],
        "urls": {
            "create": base + "annotations/", "item": base, "data": base + "data/",
            "entities": reverse("admin:articles_article_entities"), "review": reverse("admin:articles_article_review"),
            "change": reverse("admin:articles_article_change", args=[article.pk]),
        },
        "kinds": {
            "quote": Quote.Kind.choices, "note": [(k.value, k.label) for k in NOTE_KINDS],
            "entity": Entity.Kind.choices,
        },
    }


def context_of(obj, width=20):
    """The anchored words with a few characters either side: (before, words, after)."""
    text = obj.block.text
    return text[max(0, obj.start - width):obj.start], text[obj.start:obj.end], text[obj.end:obj.end + width]


LEGEND = (
    ("quote", _("Quote")), ("mention", _("Mention")), ("note", _("Note (internal)")),
    ("context", _("Context (public)")), ("sic", _("Sic (public)")), ("correction", _("Correction (public)")),
    ("repair", _("Repair (importer)")), ("flag hl-open", _("Flag (needs an editor)")),
    ("repair hl-open", _("Repair to review")), ("quote hl-verified", _("Quote verified")),
    ("quote hl-disputed", _("Quote disputed")), ("suggested", _("Suggestion")), ("note hl-resolved", _("Resolved")),
)
