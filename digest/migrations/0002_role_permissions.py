"""Editors may do everything with posts and tags; Authors may write posts (the admin limits
them to their own). Sponsors get nothing here: they never enter the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": [
        ("digest", "post", ("add", "change", "delete", "view")),
        ("taggit", "tag", ("add", "change", "delete", "view")),
    ],
    "Authors": [
        ("digest", "post", ("add", "change", "view")),
        ("taggit", "tag", ("add", "view")),
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrations; make them exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, rules in GRANTS.items():
        group = Group.objects.get(name=group_name)
        for app_label, model, actions in rules:
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("digest", "0001_initial"),
        ("accounts", "0002_roles"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
