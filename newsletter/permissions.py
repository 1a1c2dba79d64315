"""Editors manage subscribers (import and export included) and issues; nobody else may."""

from django.apps import apps as global_apps

from digest.permissions import apply_grants

GRANTS = {
    "Editors": {
        "newsletter": [
            f"{action}_{model}"
            for model in ("subscriber", "issue")
            for action in ("add", "change", "delete", "view")
        ]
        + ["view_delivery", "export_subscribers"],
    },
}


def grant_role_permissions(apps=global_apps, **kwargs):
    apply_grants(GRANTS, apps)
