from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SponsorsConfig(AppConfig):
    name = "sponsors"
    verbose_name = "Sponsors"

    def ready(self):
        from digest.importers.base import entry_imported

        from . import signals
        from .importing import import_listings
        from .permissions import grant_role_permissions

        entry_imported.connect(import_listings, dispatch_uid="sponsors-import-listings")
        signals.connect()
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="sponsors-grants")
