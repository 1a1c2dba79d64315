"""Editors may do everything with posts and tags, including other authors' posts; Authors may
write their own posts (the admin limits them). Sponsors get nothing: they never enter the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": [
        ("digest", ["add_post", "change_post", "delete_post", "view_post", "edit_others_posts"]),
        ("taggit", ["add_tag", "change_tag", "delete_tag", "view_tag"]),
    ],
    "Authors": [
        ("digest", ["add_post", "change_post", "view_post"]),
        ("taggit", ["add_tag", "view_tag"]),
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
        for app_label, codenames in rules:
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
