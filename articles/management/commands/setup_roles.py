"""Create the desk's groups (reporter, editor, fact-checker) with exactly their permissions.

The permissions are the contract the admin enforces on the server (see ``articles.permissions``):
reporters create stories and edit their own drafts, editors edit every story, confirm suggestions,
publish and merge entities, fact-checkers verify quotes and add notes. Idempotent: running it again sets the same permissions (and undoes hand edits to these groups).
"""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

ARTICLE_MODELS = ("article", "section", "block", "quote", "mention", "annotation")
ENTITY_MODELS = ("entity", "alias", "role", "relation")


def crud(app, models, ops=("add", "change", "delete", "view")):
    return [f"{app}.{op}_{model}" for model in models for op in ops]


ROLES = {
    "reporter": [
        *crud("articles", ("article",), ops=("add", "change", "view")),
        *crud("articles", ARTICLE_MODELS[1:]),
        "articles.view_revision",
        "entities.add_entity", *crud("entities", ENTITY_MODELS, ops=("view",)),
    ],
    "editor": [
        *crud("articles", ARTICLE_MODELS),
        "articles.view_revision", "articles.view_transition", "articles.view_rejectedsuggestion",
        *crud("articles", ("previewlink",)),
        "articles.change_any_article", "articles.view_any_article", "articles.publish_article",
        *crud("entities", ENTITY_MODELS), "entities.merge_entity",
    ],
    "fact-checker": [
        *crud("articles", ARTICLE_MODELS, ops=("view",)),
        "articles.view_any_article", "articles.verify_quote", "articles.view_revision",
        *crud("articles", ("annotation",)),
        *crud("entities", ENTITY_MODELS, ops=("view",)),
    ],
}


def permissions(names):
    out = []
    for name in names:
        app, codename = name.split(".")
        perm = Permission.objects.filter(content_type__app_label=app, codename=codename).first()
        if perm is None:
            raise CommandError(f"Permission {name} does not exist; run `manage.py migrate` first.")
        out.append(perm)
    return out


def setup_roles():
    """Create or update the three groups; return {name: Group}."""
    groups = {}
    with transaction.atomic():
        for name, perms in ROLES.items():
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.set(permissions(sorted(set(perms))))
            groups[name] = group
    return groups


class Command(BaseCommand):
    help = "Create the reporter, editor and fact-checker groups with their permissions (idempotent)."

    def handle(self, *args, **options):
        for name, group in setup_roles().items():
            if options["verbosity"] >= 1:
                self.stdout.write(self.style.SUCCESS(f"{name}: {group.permissions.count()} permissions"))
