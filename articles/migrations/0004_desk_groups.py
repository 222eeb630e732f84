# The editors' desk (issue 6): the reporter, editor and fact-checker groups exist from `migrate` on.
# `manage.py setup_roles` is the maintained definition and resets them (it is idempotent); this frozen
# copy only creates them, so a fresh database has the roles without running the command.
#
# Two migrations carry the number 0004 (this one and 0004_desk_locking_roles, which it depends on):
# Django orders migrations by their dependencies, not by their numbers, so the chain is linear
# (0003 -> 0004_desk_locking_roles -> 0004_desk_groups). The names stay as they are on purpose:
# databases record applied migrations by name, and renaming an applied migration would make
# `migrate` try to run it again on every existing database. The next migration is 0005 and
# depends on 0004_desk_groups. (tests/articles/test_models.py checks the chain is linear.)

from django.db import migrations

ARTICLE_MODELS = ("article", "section", "block", "quote", "mention", "annotation")
ENTITY_MODELS = ("entity", "alias", "role", "relation")


def crud(app, models, ops=("add", "change", "delete", "view")):
    return [(app, f"{op}_{model}") for model in models for op in ops]


ROLES = {
    "reporter": [
        *crud("articles", ("article",), ops=("add", "change", "view")), *crud("articles", ARTICLE_MODELS[1:]),
        ("articles", "view_revision"), ("entities", "add_entity"), *crud("entities", ENTITY_MODELS, ops=("view",)),
    ],
    "editor": [
        *crud("articles", ARTICLE_MODELS), ("articles", "view_revision"), ("articles", "view_transition"),
        ("articles", "view_rejectedsuggestion"), *crud("articles", ("previewlink",)),
        ("articles", "change_any_article"), ("articles", "view_any_article"), ("articles", "publish_article"),
        *crud("entities", ENTITY_MODELS), ("entities", "merge_entity"),
    ],
    "fact-checker": [
        *crud("articles", ARTICLE_MODELS, ops=("view",)), ("articles", "view_any_article"),
        ("articles", "verify_quote"), ("articles", "view_revision"), *crud("articles", ("annotation",)),
        *crud("entities", ENTITY_MODELS, ops=("view",)),
    ],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations (post_migrate); make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, created = Group.objects.get_or_create(name=name)
        if not created:
            continue  # someone's group already: setup_roles, not a migration, changes it
        found = []
        for app, codename in sorted(set(perms)):
            perm = Permission.objects.filter(content_type__app_label=app, codename=codename).first()
            if perm is not None:
                found.append(perm)
        group.permissions.set(found)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_desk_locking_roles"),
        ("entities", "0003_desk_merge_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
