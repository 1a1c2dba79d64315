"""Editors moderate comments and change the comment settings; nobody else may (the admin
checks these permissions on every request and every bulk action)."""

from django.apps import apps as global_apps

from digest.permissions import apply_grants

GRANTS = {
    "Editors": {
        "comments": [
            f"{action}_{model}"
            for model in ("comment", "thread", "commentsettings")
            for action in ("change", "view")
        ]
        + ["moderate_comment", "delete_comment", "add_thread", "add_commentsettings"],
    },
}


def grant_role_permissions(apps=global_apps, **kwargs):
    apply_grants(GRANTS, apps)
