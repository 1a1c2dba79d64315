"""What each role may do with posts: granted by migrations and again after every migrate or
flush (post_migrate), so the grants survive a database emptied by tests or `flush`.

Editors may do everything with posts, their parts and tags, including other authors' posts,
and change the site settings; Authors write their own posts (the admin limits them). Sponsors
get nothing here: they never enter the admin.
"""

from django.apps import apps as global_apps

PARTS = [
    f"{action}_{model}"
    for model in ("stat", "quote", "item")
    for action in ("add", "change", "delete", "view")
]
GRANTS = {
    "Editors": {
        "digest": [
            "add_post",
            "change_post",
            "delete_post",
            "view_post",
            "edit_others_posts",
            *PARTS,
            "view_revision",
            "view_sitesettings",
            "change_sitesettings",
        ],
        "taggit": ["add_tag", "change_tag", "delete_tag", "view_tag"],
    },
    "Authors": {
        "digest": ["add_post", "change_post", "view_post", *PARTS, "view_revision"],
        "taggit": ["add_tag", "view_tag"],
    },
}


def grant_role_permissions(apps=global_apps, **kwargs):
    # Runs on post_migrate for this app, after django.contrib.auth has created the
    # permissions of taggit and digest (both come earlier in the same signal).
    apply_grants(GRANTS, apps)


def apply_grants(grants, apps=global_apps):
    """Give each group the permissions listed for it, {group: {app_label: [codename]}}."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, rules in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codenames in rules.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
