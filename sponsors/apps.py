from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SponsorsConfig(AppConfig):
    name = "sponsors"
    verbose_name = "Sponsors"

    def ready(self):
        from caching.content import register_next_change
        from digest.importers.base import entry_imported
        from digest.importers.sections import register_sections

        from . import signals
        from .importing import import_listings
        from .models import Listing
        from .permissions import grant_role_permissions
        from .showcase import next_week_starts

        # The importers read a sponsored post's sections by the titles defined here.
        register_sections(Listing.Section.choices, Listing.EMPTY_SECTION_TEXT.values())
        entry_imported.connect(import_listings, dispatch_uid="sponsors-import-listings")
        signals.connect()
        # Monday's sponsors replace last week's on every page with no write to the database.
        register_next_change(next_week_starts)
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="sponsors-grants")
