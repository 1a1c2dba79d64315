from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    """Readers' comments under posts and their moderation. Depends on digest (posts) and on
    newsletter (its signed-link and e-mail helpers); neither imports it. What a digest page
    shows of comments comes from this app's template tags (comments.templatetags)."""

    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from .permissions import grant_role_permissions

        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="comments-grants")
