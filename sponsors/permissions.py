"""Editors moderate listings, manage sponsors and compile the weekly post; Authors and
Sponsors get nothing here (sponsors act only through their own pages, never the admin)."""

from django.apps import apps as global_apps

from digest.permissions import apply_grants

GRANTS = {
    "Editors": {
        "sponsors": [
            f"{action}_{model}"
            for model in ("sponsor", "listing", "listingweek")
            for action in ("add", "change", "delete", "view")
        ]
        + ["view_click", "view_weeklypost", "view_sponsorchange", "change_sponsorchange"],
    },
}


def grant_role_permissions(apps=global_apps, **kwargs):
    apply_grants(GRANTS, apps)
