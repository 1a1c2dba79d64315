"""Anything a reader can see changed: set a new content version (see caching/content.py)."""

import hashlib
import re

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils.text import slugify
from taggit.models import Tag

from caching.content import content_changed

from .models import Post, SiteSettings

# A login stamps last_login, a confirmed address email_verified_at: nothing a reader sees.
PRIVATE_USER_FIELDS = {"last_login", "password", "email_verified_at"}


def _changed(sender, update_fields=None, created=False, **kwargs):
    if update_fields is not None and set(update_fields) <= PRIVATE_USER_FIELDS:
        return
    if sender is SiteSettings and created:
        # The defaults record, made by the first page that needed it: the page already
        # shows those defaults, so nothing changed for readers.
        return
    content_changed()


ROUTABLE_SLUG = re.compile(r"[-\w]+")


def routable_tag_slug(sender, instance, **kwargs):
    """Every tag gets a slug its URL can carry: taggit leaves "🚀" or "<>" with an empty one,
    and a tag that cannot be linked would break every page that lists it."""
    if not ROUTABLE_SLUG.fullmatch(instance.slug or ""):
        instance.slug = slugify(instance.name, allow_unicode=True) or (
            "tag-" + hashlib.sha1(instance.name.encode(), usedforsecurity=False).hexdigest()[:10]
        )


def connect():
    pre_save.connect(routable_tag_slug, sender=Tag, dispatch_uid="routable-tag-slug")
    for model in (Post, Post.tags.through, Tag, SiteSettings, get_user_model()):
        name = model._meta.label_lower
        post_save.connect(_changed, sender=model, dispatch_uid=f"content-save-{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"content-delete-{name}")
    m2m_changed.connect(_changed, sender=Post.tags.through, dispatch_uid="content-tags")
