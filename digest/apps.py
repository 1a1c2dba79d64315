from django.apps import AppConfig


class DigestConfig(AppConfig):
    name = "digest"
    verbose_name = "Posts"

    def ready(self):
        from . import signals

        signals.connect()
