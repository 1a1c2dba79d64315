from django.apps import AppConfig


class InboxConfig(AppConfig):
    """The editor's link inbox: links kept during the week (bookmarklet, share sheet, paste
    many), their metadata fetched in the background, "already covered" warnings, and the way
    into the week's digest. Depends on `digest`; nothing of ours depends on it."""

    name = "inbox"
    verbose_name = "Link inbox"
    default_auto_field = "django.db.models.BigAutoField"
