from django.apps import AppConfig


class HardeningConfig(AppConfig):
    name = "hardening"
    verbose_name = "Request and text hardening"

    def ready(self):
        from django.db.models.signals import pre_save

        from .text import clean_text_fields

        # Every model, ours and third-party (taggit's tags, the user model): text that
        # arrives without a form (imports, management commands) is cleaned the same way.
        pre_save.connect(clean_text_fields, dispatch_uid="hardening-xml-safe-text")
