"""The role groups. Created by migration 0002 and again after every migrate or flush
(post_migrate), so a database emptied by a test run or `manage.py flush` still has them."""

from django.apps import apps as global_apps

from .models import Role


def ensure_roles(apps=global_apps, **kwargs):
    Group = apps.get_model("auth", "Group")
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)
