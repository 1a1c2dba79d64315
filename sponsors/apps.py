from django.apps import AppConfig


class SponsorsConfig(AppConfig):
    name = "sponsors"
    verbose_name = "Sponsors"

    def ready(self):
        from digest.importers.base import entry_imported

        from .importing import import_listings

        entry_imported.connect(import_listings, dispatch_uid="sponsors-import-listings")
