"""The entity page: what the knowledge base says of an entity, with the public stories, quotes and
passages that name it. It lives here, not in ``entities``, because ``entities`` knows no story; the
entity-only parts (roles, members, relations, the index) come from ``entities.views``.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _

from entities.models import Entity
from entities.views import entity_knowledge
from newsroom.html import highlight
from newsroom.public_pages import public_page

PASSAGE_WINDOW = 110


def role_held_then(quote, roles):
    """The role as printed with the quote; else the speaker's role that covers the quote's date."""
    if quote.role:
        return quote.role
    if not quote.said_on:
        return ""
    held = [r for r in roles if r.was_held_on(quote.said_on)]
    return held[0].title if len(held) == 1 else ""


def timeline(entity, roles, relations, quotes, stories):
    """Dated events of an entity: roles and relations starting or ending, quotes, stories naming it."""
    items = []
    for role in roles:
        org = role.organization
        if role.start:
            items.append((role.start, "role", format_html("出任{}", role.title), org))
        if role.end:
            items.append((role.end, "role", format_html("卸任{}", role.title), org))
    for label, other, rel in relations:
        if rel.start:
            items.append((rel.start, "relation", format_html("{}：", label), other))
        if rel.end:
            items.append((rel.end, "relation", format_html("{}（結束）：", label), other))
    for quote in quotes:
        if quote.said_on:
            items.append((quote.said_on, "quote", format_html("說：“{}”", _short(quote.exact, 28)), quote))
    for story in stories:
        when = story.published_at or story.publish_at
        if when:
            items.append((when.date().isoformat(), "story", format_html("報導：{}", story.title), story))
    items.sort(key=lambda item: item[0])
    return [{"date": d, "kind": k, "label": label, "target": t} for d, k, label, t in items]


def _short(text, n):
    return text if len(text) <= n else text[: n - 1] + "…"


@public_page
def entity_detail(request, slug):
    entity, is_alias = Entity.objects.by_slug_or_alias(slug)
    if entity is None or not Entity.objects.public().filter(pk=entity.pk).exists():
        # An entity named only in unpublished stories has no public page.
        raise Http404(_("No such entity."))
    if is_alias:
        return redirect(entity, permanent=True)
    roles, members, relations = entity_knowledge(entity, Entity.objects.public())
    quotes = list(entity.quotes.public().reviewed().for_entity_page())
    for quote in quotes:
        quote.role_then = role_held_then(quote, roles)
    event_quotes = list(entity.event_quotes.public().reviewed().for_entity_page())
    stories = list(entity.stories.public().order_by("-published_at", "-id"))
    mentions = list(entity.mentions.public().reviewed().for_entity_page())
    passages = {}
    for mention in mentions:
        key = (mention.article_id, mention.block_id)
        passages.setdefault(key, {"article": mention.article, "block": mention.block, "spans": []})
        passages[key]["spans"].append((mention.start, mention.end))
    by_story = {}
    for passage in passages.values():
        passage["html"] = highlight(passage["block"].text, passage["spans"], window=PASSAGE_WINDOW,
                                    mark_class="mention-mark")
        by_story.setdefault(passage["article"].pk, []).append(passage)
    for story in stories:
        story.passages = by_story.get(story.pk, [])
    return render(request, "entities/entity_detail.html", {
        "entity": entity,
        "aliases": list(entity.aliases.all()),
        "roles": roles,
        "members": members,
        "relations": relations,
        "quotes": quotes,
        "event_quotes": event_quotes,
        "stories": stories,
        "mentions": mentions,
        "timeline": timeline(entity, roles, relations, quotes, stories),
    })
