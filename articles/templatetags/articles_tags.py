"""Template helpers of the story page: its schema.org NewsArticle JSON-LD."""

from django import template
from django.utils import timezone

from entities.templatetags.entities_tags import entity_node
from newsroom.html import json_ld_script
from newsroom.templatetags.newsroom import bcp47

from ..rendering import printed_role

register = template.Library()


@register.filter(name="printed_role")
def printed_role_filter(quote):
    """A quote's role as the story prints it ("時任阿里CEO")."""
    return printed_role(quote)


SITE_NAME = "Newsroom"


def iso(value):
    return timezone.localtime(value).isoformat() if value else None


def publisher(request):
    return {"@type": "NewsMediaOrganization", "name": SITE_NAME, "url": request.build_absolute_uri("/")}


def news_article(request, context):
    """The NewsArticle node of a story page: parts (sections), quotations, entities it is about."""
    article = context["article"]
    url = request.build_absolute_uri(article.get_absolute_url())
    source = article.source_entity
    authors = []
    for name in article.bylines or []:
        if source is not None and name == source.name and source.kind in ("organization", "publication"):
            authors.append(entity_node(request, source))
        else:
            authors.append({"@type": "Person", "name": name})
    counts = {}
    for mention in article.mentions.all():
        counts[mention.entity_id] = counts.get(mention.entity_id, 0) + 1
    mentioned = {e.pk: e for e in context.get("mentioned_entities", [])}
    ranked = sorted(mentioned.values(), key=lambda e: (-counts.get(e.pk, 0), e.name))
    parts = [{"@type": "WebPageElement", "@id": f"{url}#{s.anchor}", "url": f"{url}#{s.anchor}",
              "name": f"{s.number} {s.heading}", "position": int(s.number)} for s in context.get("sections", [])]
    for quote in context.get("quotes", []):
        node = {"@type": "Quotation", "@id": f"{url}#q-{quote.key}", "url": f"{url}#q-{quote.key}",
                "text": quote.exact, "isPartOf": {"@id": f"{url}#article"}}
        if quote.speaker is not None:
            extra = {"jobTitle": quote.role} if quote.speaker.kind == "person" else {}
            node["creator"] = entity_node(request, quote.speaker, **extra)
            node["spokenByCharacter"] = {"@id": node["creator"]["@id"]}
        if quote.said_on:
            node["dateCreated"] = quote.said_on
        parts.append(node)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": f"{url}#article",
        "mainEntityOfPage": url,
        "url": url,
        "headline": article.title,
        "description": article.dek,
        "inLanguage": bcp47(),
        "datePublished": iso(article.published_at or article.publish_at),
        "dateModified": iso(article.updated_at or article.published_at or article.publish_at),
        "author": authors or [publisher(request)],
        "publisher": publisher(request),
        "timeRequired": f"PT{context.get('reading_minutes', 1)}M",
        "about": [entity_node(request, e) for e in ranked[:3]],
        "mentions": [entity_node(request, e) for e in ranked[3:]],
        "hasPart": parts,
    }
    if article.source_url or article.source_name:
        data["isBasedOn"] = {k: v for k, v in {"@type": "CreativeWork", "name": article.source_name,
                                                 "url": article.source_url}.items() if v}
    return {k: v for k, v in data.items() if v not in (None, "", [])}


@register.simple_tag(takes_context=True)
def story_json_ld(context):
    """schema.org NewsArticle of the story page, with its sections and one Quotation per quote."""
    return json_ld_script(news_article(context["request"], context))
