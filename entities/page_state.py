"""What of the knowledge base the public pages show, for the page-cache fingerprint and its invalidation.

Registered from ``EntitiesConfig.ready()``: row counts and newest ids of entities, aliases, roles
and relations, and the last entity modification; every save or delete of those bumps the page
generation (an alias or role edit changes no count).
"""

from django.db import connection
from django.db.models.signals import post_delete, post_save

from newsroom.public_pages import StateColumn, bump_generation

from .models import Alias, Entity, Relation, Role

MODELS = (Entity, Alias, Role, Relation)


def state_columns(now=None):
    columns = []
    for model in MODELS:
        table = connection.ops.quote_name(model._meta.db_table)
        columns += [StateColumn(f"SELECT COUNT(*) FROM {table}"), StateColumn(f"SELECT MAX(id) FROM {table}")]
    entity_table = connection.ops.quote_name(Entity._meta.db_table)
    columns.append(StateColumn(f"SELECT MAX(modified_at) FROM {entity_table}", modified=True))
    return columns


def connect_signals():
    for model in MODELS:
        post_save.connect(bump_generation, sender=model, dispatch_uid=f"public-pages-{model.__name__}-save")
        post_delete.connect(bump_generation, sender=model, dispatch_uid=f"public-pages-{model.__name__}-delete")
