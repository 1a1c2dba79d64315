from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_site_settings(using="default", **kwargs):
    """The one SiteSettings record, there after every migrate or flush (a flush empties the
    table its data migration filled), so no page view has to create it."""
    from .models import SiteSettings

    SiteSettings.objects.using(using).get_or_create(pk=1)


def ensure_search_index(using="default", **kwargs):
    """The embedded default's full-text index and its triggers (see ensure_fts_index)."""
    from django.db import connections

    from .models.search_document import ensure_fts_index

    ensure_fts_index(connections[using])


def next_publish(now):
    """When the next scheduled post goes live: readers' pages change then with no write."""
    from .models import Post

    return (
        Post.objects.scheduled(now=now).order_by("publish_at").values_list("publish_at", flat=True)
    ).first()


class DigestConfig(AppConfig):
    name = "digest"
    verbose_name = "Posts"

    def ready(self):
        from caching.content import register_next_change, register_prebuild

        from . import signals
        from .permissions import grant_role_permissions
        from .templatetags.digest_tags import sidebar_html

        signals.connect()
        register_next_change(next_publish)
        # The sidebar's tag and year counts are the costly part of the first page after a
        # change (hundreds of ms on 100,000 posts): built by the writer before readers ask.
        register_prebuild(sidebar_html)
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="digest-grants")
        post_migrate.connect(ensure_site_settings, sender=self, dispatch_uid="digest-site")
        post_migrate.connect(ensure_search_index, sender=self, dispatch_uid="digest-search")
