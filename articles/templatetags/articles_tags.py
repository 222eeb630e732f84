"""Template helpers of the reader site: script editions, dates, JSON-LD."""

from django import template
from django.urls import translate_url
from django.utils import timezone, translation

from newsroom.html import json_ld_script

from newsroom.text import strip_no_convert

from ..rendering import first_sentence, no_convert, printed_role

register = template.Library()

EDITIONS = (("zh-hant", "zh-Hant", "繁體中文", "zh_TW"), ("zh-hans", "zh-Hans", "简体中文", "zh_CN"))


def bcp47():
    return "zh-Hans" if translation.get_language() == "zh-hans" else "zh-Hant"


@register.simple_tag
def html_lang():
    """The BCP 47 tag of the edition being served (zh-Hant or zh-Hans)."""
    return bcp47()


@register.simple_tag
def og_locale():
    return "zh_CN" if translation.get_language() == "zh-hans" else "zh_TW"


@register.simple_tag(takes_context=True)
def editions(context):
    """Both script editions of the current page: code, tag, label, URL, absolute URL, current."""
    request = context.get("request")
    current = translation.get_language()
    path = request.get_full_path() if request else "/"
    out = []
    for code, tag, label, locale in EDITIONS:
        url = translate_url(path, code)
        out.append({"code": code, "tag": tag, "label": label, "url": url, "locale": locale,
                    "absolute": request.build_absolute_uri(url) if request else url,
                    "current": code == current})
    return out


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The absolute URL of this page without its query string, but with its page number."""
    request = context["request"]
    page = request.GET.get("page")
    suffix = f"?page={int(page)}" if page and page.isdigit() and int(page) > 1 else ""
    return request.build_absolute_uri(request.path) + suffix


@register.simple_tag(takes_context=True)
def absolute(context, url):
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


@register.filter
def partial_date(value):
    """'2023' -> 2023年, '2023-10' -> 2023年10月, '2023-10-31' -> 2023年10月31日."""
    if not value:
        return ""
    parts = str(value).split("-")
    labels = ("年", "月", "日")
    return "".join(f"{int(p)}{label}" if i else f"{p}{label}" for i, (p, label) in enumerate(zip(parts, labels)))


@register.filter(name="printed_role")
def printed_role_filter(quote):
    """A quote's role as the story prints it ("時任阿里CEO")."""
    return printed_role(quote)


register.filter("first_sentence", first_sentence)
register.filter("no_convert", no_convert)  # -{…}- spans of bodies and descriptions
register.filter("strip_no_convert", strip_no_convert)  # the same, for attributes and plain text


@register.filter
def json_ld(data):
    """A JSON-LD script; ``<``, ``>`` and ``&`` are escaped so that no text can close the tag."""
    return json_ld_script(data)


SCHEMA_TYPES = {"person": "Person", "organization": "Organization", "publication": "NewsMediaOrganization",
                "product": "Product", "event": "Event", "place": "Place", "concept": "Thing"}
SITE_NAME = "Newsroom"


def iso(value):
    return timezone.localtime(value).isoformat() if value else None


def entity_node(request, entity, **extra):
    """A schema.org node for an entity: its type, name, page and Wikidata (sameAs) where known."""
    url = request.build_absolute_uri(entity.get_absolute_url())
    node = {"@type": SCHEMA_TYPES.get(entity.kind, "Thing"), "@id": f"{url}#entity", "name": entity.name,
            "url": url}
    same_as = [u for u in (entity.wikidata_url, entity.url) if u]
    if same_as:
        node["sameAs"] = same_as
    node.update({k: v for k, v in extra.items() if v})
    return node


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
    return json_ld(news_article(context["request"], context))


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query string with another page number (filters and the search query kept)."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()
