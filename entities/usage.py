"""Where entities are used, as told by the apps that name them: ``entities`` imports no app.

The knowledge base does not know what a story is. An app whose content names entities (the
articles app: quotes, mentions, story lists) registers one provider in its ``AppConfig.ready()``;
the entity QuerySets and the entity admin ask it. Without a provider no entity is public and no
usage is shown.

A provider has:
- ``public_entities(now, among=None)``: a queryset of the pks of entities named in content readers may
  see now (only among the pks ``among`` when given: a page asking about a few entities);
- ``stories_counted(now, up_to)``: an expression counting, up to ``up_to``, the public stories that list
  the entity (``OuterRef("pk")``): an entity page's number of pages;
- ``public_counts()``: {name: expression} annotations counting an entity's public uses (per entity);
- ``admin_counts()``: {name: expression} annotations counting all its uses (the admin's columns);
- ``admin_usage(entity, user)``: [{"title": str, "rows": [{"text": str, "url": str}]}], only what
  ``user`` may read;
- ``reassign(source=, target=)``: point every row that names ``source`` at ``target`` (a merge);
  returns ({label: rows moved}, {label: rows dropped as duplicates}).
"""

_provider = None


def register(provider):
    global _provider
    _provider = provider


def provider():
    return _provider
