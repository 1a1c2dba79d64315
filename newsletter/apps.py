from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NewsletterConfig(AppConfig):
    """Subscribers, each issue sent by e-mail, and the delivery records that make a sending
    exactly-once. Depends on digest (it reads published posts); digest never imports it."""

    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from digest.admin_panels import register_post_panel

        from . import webhooks
        from .permissions import grant_role_permissions
        from .post_panel import newsletter_panel

        webhooks.connect()
        # The Newsletter panel on a post's admin page, through digest's extension point.
        register_post_panel(newsletter_panel)
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="newsletter-grants")
