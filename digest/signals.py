"""Anything a reader can see changed: set a new content version (see digest/cache.py)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag

from .cache import content_changed
from .models import Post, SiteSettings

# A login stamps last_login, a confirmed address email_verified_at: nothing a reader sees.
PRIVATE_USER_FIELDS = {"last_login", "password", "email_verified_at"}


def _changed(sender, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= PRIVATE_USER_FIELDS:
        return
    content_changed()


def connect():
    for model in (Post, Post.tags.through, Tag, SiteSettings, get_user_model()):
        name = model._meta.label_lower
        post_save.connect(_changed, sender=model, dispatch_uid=f"content-save-{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"content-delete-{name}")
    m2m_changed.connect(_changed, sender=Post.tags.through, dispatch_uid="content-tags")
