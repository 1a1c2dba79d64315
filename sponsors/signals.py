"""Sponsor data readers see (sidebar, sponsors page) changed: set a new content version.

Clicks are not among them: counting one must never invalidate every cached page.
"""

from django.db.models.signals import post_delete, post_save

from caching.content import content_changed

from .models import Listing, ListingWeek, Sponsor


def _changed(sender, **kwargs):
    content_changed()


def connect():
    for model in (Sponsor, Listing, ListingWeek):
        name = model._meta.label_lower
        post_save.connect(_changed, sender=model, dispatch_uid=f"content-save-{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"content-delete-{name}")
