"""Editors and Authors edit a digest's stats, quotes and items with the post (the admin
inlines need these permissions); Editors also change the site settings."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PARTS = [
    f"{action}_{model}"
    for model in ("stat", "quote", "item")
    for action in ("add", "change", "delete", "view")
]
GRANTS = {
    "Editors": [*PARTS, "view_revision", "view_sitesettings", "change_sitesettings"],
    "Authors": [*PARTS, "view_revision"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        Group.objects.get(name=group_name).permissions.add(
            *Permission.objects.filter(content_type__app_label="digest", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("digest", "0005_site_settings_record")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
