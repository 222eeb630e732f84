"""Writes to the knowledge base that touch several entity models at once."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from newsroom.text import clean_name

from .models import Alias, Entity, Relation, Role
from .usage import provider


@transaction.atomic(savepoint=False)
def entities_upsert(*, docs, only_new=False):
    """Create or update entities from story-format ``entities`` items; return {slug: Entity}.

    All or nothing; inside a caller's transaction it takes no savepoint of its own (an error
    leaves that transaction to be rolled back, as every caller's is: two queries an import).

    Scalar fields follow the file. Aliases, roles and relations are added when missing and never
    removed here: the knowledge base is shared by every story, and removal is an editor's decision.
    ``only_new``: create the entities that do not exist and leave the others exactly as they are
    (what an unpublished story says about a known entity waits until it is published).
    """
    # Aliases, roles and relations read with the entities (four queries), so a file naming a hundred
    # known entities writes only what is new, not a hundred rounds of reads.
    by_slug = {e.slug: e for e in Entity.objects.filter(slug__in=[d["id"] for d in docs]).order_by()}
    kept = set(by_slug) if only_new else set()
    docs = [d for d in docs if d["id"] not in kept]
    # Only the entities to compare need their aliases, roles and relations (a draft naming twenty
    # known entities and no new one reads none), read as plain values (no model instances: they are
    # only compared) and unordered (the models' orderings join the entities' table to sort by name);
    # an entity created here has none.
    compared = [by_slug[d["id"]].pk for d in docs if d["id"] in by_slug]
    aliases, roles, relations = {}, {}, {}
    if compared:
        for entity_id, text in Alias.objects.filter(entity_id__in=compared).order_by().values_list(
                "entity_id", "text"):
            aliases.setdefault(entity_id, set()).add(text)
        for person_id, *key in Role.objects.filter(person_id__in=compared).order_by().values_list(
                "person_id", "title", "organization_id", "start", "end"):
            roles.setdefault(person_id, set()).add(tuple(key))
        for subject_id, predicate, object_id, start, end in Relation.objects.filter(
                subject_id__in=compared).order_by().values_list("subject_id", "predicate", "object_id", "start", "end"):
            relations.setdefault(subject_id, {})[(predicate, object_id)] = (start, end)
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
        existing = aliases.setdefault(entity.pk, set())
        for alias in doc.get("aliases", []):
            if alias["text"] not in existing:
                Alias.objects.create(entity=entity, text=alias["text"], lang=alias.get("lang", ""))
                existing.add(alias["text"])
        held = roles.setdefault(entity.pk, set())
        for role in doc.get("roles", []):
            org = by_slug[role["organization"]] if role.get("organization") else None
            key = (role["title"], org.pk if org else None, role.get("start", ""), role.get("end", ""))
            if key not in held:
                Role.objects.create(person=entity, title=key[0], organization=org, start=key[2], end=key[3])
                held.add(key)
        related = relations.get(entity.pk, {})
        for rel in doc.get("relations", []):
            if related.get((rel["predicate"], by_slug[rel["object"]].pk)) == (rel.get("start", ""), rel.get("end", "")):
                continue  # already so
            Relation.objects.update_or_create(
                subject=entity, predicate=rel["predicate"], object=by_slug[rel["object"]],
                defaults={"start": rel.get("start", ""), "end": rel.get("end", "")},
            )
    return by_slug


def entity_create(*, name, kind):
    """Create an entity from a name and kind typed in the desk (the slug is made from the name)."""
    entity = Entity(name=clean_name(name), kind=kind)  # no zero-width or bidi controls in a name
    entity.full_clean(exclude=["slug"], validate_unique=False)
    entity.save()
    return entity


@dataclass
class MergeResult:
    moved: dict = field(default_factory=dict)  # "<model> <field>" -> rows moved
    dropped: dict = field(default_factory=dict)  # rows dropped because the target already had them

    def summary(self):
        parts = [f"{n} {what}" for what, n in sorted(self.moved.items()) if n]
        parts += [f"{n} duplicate {what} dropped" for what, n in sorted(self.dropped.items()) if n]
        return ", ".join(parts) or "nothing to move"


@transaction.atomic
def entity_merge(*, source, target, user=None):
    """Merge ``source`` into ``target``: everything that points at source moves, then source is deleted.

    Aliases, roles and relations move, and through the usage provider (``entities.usage``) the
    quotes, mentions, story lists and source links of the app that names entities. The source's name becomes an alias of the target and its slug that alias's
    slug, so /entities/<old slug>/ redirects to the target. Returns a MergeResult.
    """
    if source.pk == target.pk:
        raise ValidationError(_("An entity cannot be merged into itself."))
    source = Entity.objects.select_for_update().get(pk=source.pk)
    target = Entity.objects.select_for_update().get(pk=target.pk)
    result = MergeResult()
    old_slug, old_name = source.slug, source.name

    # Aliases: keep the target's own; the source's move unless the target already has that text.
    target_texts = set(target.aliases.values_list("text", flat=True)) | {target.name}
    for alias in list(source.aliases.all()):
        if alias.text in target_texts:
            if alias.slug and not target.aliases.filter(slug=alias.slug).exists():
                Alias.objects.filter(pk=alias.pk).delete()
                Alias.objects.filter(entity=target, text=alias.text).update(slug=alias.slug)
            else:
                Alias.objects.filter(pk=alias.pk).delete()
            result.dropped["aliases"] = result.dropped.get("aliases", 0) + 1
            continue
        Alias.objects.filter(pk=alias.pk).update(entity=target)
        target_texts.add(alias.text)
        result.moved["aliases"] = result.moved.get("aliases", 0) + 1

    # Roles the source held.
    have = {(r.title, r.organization_id, r.start, r.end) for r in target.roles.all()}
    for role in list(source.roles.all()):
        key = (role.title, role.organization_id, role.start, role.end)
        if key in have:
            role.delete()
            result.dropped["roles"] = result.dropped.get("roles", 0) + 1
        else:
            Role.objects.filter(pk=role.pk).update(person=target)
            have.add(key)
            result.moved["roles"] = result.moved.get("roles", 0) + 1
    moved = Role.objects.filter(organization=source).update(organization=target)
    result.moved["roles at it"] = moved

    # Relations in both directions; a relation between the two becomes reflexive and is dropped.
    for rel in list(Relation.objects.filter(subject=source)) + list(Relation.objects.filter(object=source)):
        subject = target if rel.subject_id == source.pk else rel.subject
        obj = target if rel.object_id == source.pk else rel.object
        if subject.pk == obj.pk or Relation.objects.filter(subject=subject, predicate=rel.predicate,
                                                           object=obj).exclude(pk=rel.pk).exists():
            rel.delete()
            result.dropped["relations"] = result.dropped.get("relations", 0) + 1
        else:
            Relation.objects.filter(pk=rel.pk).update(subject=subject, object=obj)
            result.moved["relations"] = result.moved.get("relations", 0) + 1

    # Everything else that points at an entity (the articles app's quotes, mentions, story lists and
    # sources) moves through the registered usage provider: this app knows no story.
    usage = provider()
    if usage is not None:
        moved, dropped = usage.reassign(source=source, target=target)
        for label, n in moved.items():
            result.moved[label] = result.moved.get(label, 0) + n
        for label, n in dropped.items():
            result.dropped[label] = result.dropped.get(label, 0) + n

    if user is not None:
        from django.contrib.admin.models import DELETION, LogEntry

        LogEntry.objects.log_actions(user.pk, [source], DELETION, f"Merged into {target.name} ({target.slug}).",
                                     single_object=True)
    source.delete()
    # The old name and URL now lead to the target.
    alias = Alias.objects.filter(entity=target, text=old_name).first()
    if alias is None and old_name != target.name:
        alias = Alias(entity=target, text=old_name)
    if alias is None:
        alias = Alias(entity=target, text=f"{old_name} ({old_slug})")
    if not alias.slug and not Alias.objects.filter(slug=old_slug).exists():
        alias.slug = old_slug
    alias.save()
    target.save()  # search tokens include the aliases
    if user is not None:
        from django.contrib.admin.models import CHANGE, LogEntry

        LogEntry.objects.log_actions(user.pk, [target], CHANGE,
                                     f"Merged {old_name} ({old_slug}) into this entity: {result.summary()}.",
                                     single_object=True)
    return result
