"""Writes to the knowledge base that touch several entity models at once."""

from django.db import transaction

from .models import Alias, Entity, Relation, Role


@transaction.atomic
def entities_upsert(*, docs):
    """Create or update entities from story-format ``entities`` items; return {slug: Entity}.

    Scalar fields follow the file. Aliases, roles and relations are added when missing and never
    removed here: the knowledge base is shared by every story, and removal is an editor's decision.
    """
    by_slug = {e.slug: e for e in Entity.objects.filter(slug__in=[d["id"] for d in docs])}
    for doc in docs:
        entity = by_slug.get(doc["id"]) or Entity(slug=doc["id"])
        values = {"kind": doc["kind"], "name": doc["name"], "description": doc.get("description", ""),
                  "wikidata": doc.get("wikidata") or "", "url": doc.get("url") or ""}
        if entity.pk is None or any(getattr(entity, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(entity, key, value)
            entity.full_clean(exclude=["slug"] if entity.pk else None, validate_unique=False)
            entity.save()
        by_slug[doc["id"]] = entity
    for doc in docs:
        entity = by_slug[doc["id"]]
        existing = set(entity.aliases.values_list("text", flat=True))
        for alias in doc.get("aliases", []):
            if alias["text"] not in existing:
                Alias.objects.create(entity=entity, text=alias["text"], lang=alias.get("lang", ""))
                existing.add(alias["text"])
        roles = {(r.title, r.organization_id, r.start, r.end) for r in entity.roles.all()}
        for role in doc.get("roles", []):
            org = by_slug[role["organization"]] if role.get("organization") else None
            key = (role["title"], org.pk if org else None, role.get("start", ""), role.get("end", ""))
            if key not in roles:
                Role.objects.create(person=entity, title=key[0], organization=org, start=key[2], end=key[3])
                roles.add(key)
        for rel in doc.get("relations", []):
            Relation.objects.update_or_create(
                subject=entity, predicate=rel["predicate"], object=by_slug[rel["object"]],
                defaults={"start": rel.get("start", ""), "end": rel.get("end", "")},
            )
    return by_slug
