from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DigestConfig(AppConfig):
    name = "digest"
    verbose_name = "Posts"

    def ready(self):
        from . import signals
        from .permissions import grant_role_permissions

        signals.connect()
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="digest-grants")
