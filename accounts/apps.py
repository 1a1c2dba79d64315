from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from .models import User
        from .roles import ensure_roles, sync_staff

        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="accounts-roles")
        m2m_changed.connect(sync_staff, sender=User.groups.through, dispatch_uid="accounts-staff")
