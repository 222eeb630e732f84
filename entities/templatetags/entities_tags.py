"""Template helpers of entity pages: schema.org JSON-LD of an entity (and its node inside other pages' JSON-LD)."""

from django import template

from newsroom.html import json_ld_script
from newsroom.text import strip_no_convert
from newsroom.templatetags.newsroom import bcp47

register = template.Library()

SCHEMA_TYPES = {"person": "Person", "organization": "Organization", "publication": "NewsMediaOrganization",
                "product": "Product", "event": "Event", "place": "Place", "concept": "Thing"}


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


def entity_data(request, context):
    entity = context["entity"]
    url = request.build_absolute_uri(entity.get_absolute_url())
    data = {"@context": "https://schema.org", "@type": SCHEMA_TYPES.get(entity.kind, "Thing"),
            "@id": f"{url}#entity", "url": url, "mainEntityOfPage": url, "name": entity.name,
            "inLanguage": bcp47()}
    if entity.kind not in ("person", "organization", "publication"):
        data.pop("inLanguage")
    aliases = [a.text for a in context.get("aliases", [])]
    if aliases:
        data["alternateName"] = aliases
    if entity.description:
        data["description"] = strip_no_convert(entity.description)
    same_as = [u for u in (entity.wikidata_url, entity.url) if u]
    if same_as:
        data["sameAs"] = same_as

    def ref(other):
        other_url = request.build_absolute_uri(other.get_absolute_url())
        node = {"@type": SCHEMA_TYPES.get(other.kind, "Thing"), "@id": f"{other_url}#entity", "name": other.name,
                "url": other_url}
        if other.wikidata_url:
            node["sameAs"] = other.wikidata_url
        return node

    if entity.kind == "person":
        data.pop("inLanguage", None)
        roles = context.get("roles", [])
        titles = [r.title for r in roles if not r.end]
        if titles:
            data["jobTitle"] = titles
        orgs = {r.organization_id: r.organization for r in roles if r.organization_id}
        if orgs:
            data["affiliation"] = [ref(o) for o in orgs.values()]
    elif entity.kind in ("organization", "publication"):
        data.pop("inLanguage", None)
        members = {r.person_id: r.person for r in context.get("members", [])}
        if members:
            data["member"] = [ref(p) for p in members.values()]
    stories = context.get("stories", [])
    if stories:
        data["subjectOf"] = [{"@type": "NewsArticle", "headline": s.title,
                              "url": request.build_absolute_uri(s.get_absolute_url())} for s in stories]
    return data


@register.simple_tag(takes_context=True)
def entity_json_ld(context):
    """A Person/Organization/… JSON-LD script; no text can close the script tag."""
    return json_ld_script(entity_data(context["request"], context))
