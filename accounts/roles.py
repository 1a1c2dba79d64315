"""The role groups. Created by migration 0002 and again after every migrate or flush
(post_migrate), so a database emptied by a test run or `manage.py flush` still has them.
Membership of an admin role is what gives admin access (`sync_staff`)."""

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import Role


def ensure_roles(apps=global_apps, **kwargs):
    Group = apps.get_model("auth", "Group")
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


# Roles that work in the admin: being in one of them is what makes an account staff.
ADMIN_ROLES = (Role.EDITORS, Role.AUTHORS)


def sync_staff(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed on User.groups: joining Editors or Authors gives admin access; leaving the
    last of them takes it away (superusers keep theirs). Works from either side
    (`user.groups.add(...)` or `group.user_set.add(...)`). Other groups change nothing: a
    staff account in no role stays as it is."""
    User = get_user_model()
    if action == "pre_clear":
        # After a clear Django says nothing of what was there: note it now.
        if reverse:
            touched = instance.name in ADMIN_ROLES
            instance._cleared_users = list(instance.user_set.values_list("pk", flat=True))
        else:
            touched = instance.groups.filter(name__in=ADMIN_ROLES).exists()
        instance._cleared_admin_role = touched
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # instance is a group; pk_set holds users
        if instance.name not in ADMIN_ROLES:
            return
        pks = getattr(instance, "_cleared_users", []) if action == "post_clear" else pk_set
        users = User.objects.filter(pk__in=pks)
    else:
        if action == "post_clear":
            touched = getattr(instance, "_cleared_admin_role", False)
        else:
            Group = User.groups.field.related_model
            touched = Group.objects.filter(pk__in=pk_set, name__in=ADMIN_ROLES).exists()
        if not touched:
            return
        users = User.objects.filter(pk=instance.pk)
    admins = User.objects.filter(Q(groups__name__in=ADMIN_ROLES) | Q(is_superuser=True))
    if action == "post_add":
        users.filter(is_staff=False).update(is_staff=True)
    else:
        users.filter(is_staff=True).exclude(pk__in=admins.values("pk")).update(is_staff=False)
    if not reverse:
        instance.is_staff = User.objects.filter(pk=instance.pk, is_staff=True).exists()
