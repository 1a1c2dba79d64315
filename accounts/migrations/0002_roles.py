from django.db import migrations

ROLES = ("Editors", "Authors", "Sponsors")


def create_roles(apps, schema_editor):
    # Frozen here on purpose: a migration must not change when the app's code does.
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_roles, remove_roles)]
