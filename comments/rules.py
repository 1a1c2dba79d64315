"""The rules comments are written under: site-wide settings editors change (open or closed,
close after N days, link limit, blocklist, blocked addresses), a post's own thread setting,
and the narrow cache versions a change to a post's comments renews (caching.versions)."""

import hashlib
import hmac
import re
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from caching import versions
from caching.content import cached, content_changed
from digest.models import Post

from . import rendering


def cache_names(post_id):
    """The narrow versions a change to a post's comments renews: the post's own (its page, its
    count on list pages, its comments feed) and the site-wide comments feed's."""
    return (f"comments:post:{post_id}", "comments:all")


def hash_ip(address):
    """A keyed hash of a reader's address: the same address gives the same value (so a
    blocked address can be recognised), but the address cannot be read back from a row."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


class CommentSettings(models.Model):
    """The one record of site-wide comment rules editors change in the admin."""

    comments_open = models.BooleanField(
        "comments open", default=True, help_text="Off closes comments on every post."
    )
    close_after_days = models.PositiveIntegerField(
        default=0,
        help_text="Close a post's comments this many days after it was published (0: never).",
    )
    max_links = models.PositiveIntegerField(
        default=2, help_text="A comment with more links than this waits for moderation."
    )
    blocklist = models.TextField(
        blank=True,
        help_text="One word or phrase a line: a comment containing one (in its name, "
        "address, website or text) waits for moderation.",
    )
    blocked_addresses = models.TextField(
        blank=True,
        help_text="One a line: an e-mail address, a domain (@example.com) or an IP address. "
        "Their comments wait for moderation.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "comment settings"

    def __str__(self):
        return "Comment settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        content_changed()

    @classmethod
    def load(cls):
        """The record, cached per content version (saving it renews the content token: every
        post page shows its form or not)."""

        # Without a record, the defaults (unsaved: writing them would change nothing
        # readers see, and must not renew the content token).
        return cached("comment-settings", lambda: cls.objects.filter(pk=1).first() or cls(pk=1))

    def lines(self, text):
        return [line.strip().lower() for line in text.splitlines() if line.strip()]

    def is_open_for(self, post, now=None):
        if not self.comments_open:
            return False
        if self.close_after_days:
            return (now or timezone.now()) < post.publish_at + timedelta(days=self.close_after_days)
        return True

    def hold_reason(self, comment, ip_hash=""):
        """Why a new comment must wait for an editor ('' when nothing in these rules says so)."""
        email = comment.email.lower()
        for blocked in self.lines(self.blocked_addresses):
            if email == blocked or (blocked.startswith("@") and email.endswith(blocked)):
                return "blocked address"
            if ip_hash and hmac.compare_digest(hash_ip(blocked), ip_hash):
                return "blocked address"
        text = " ".join((comment.name, comment.email, comment.website, comment.body_markdown))
        text = text.lower()
        for word in self.lines(self.blocklist):
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
                return "blocklisted word"
        if rendering.link_count(comment.body_markdown) + bool(comment.website) > self.max_links:
            return "too many links"
        return ""


class Thread(models.Model):
    """A post's comment thread's own settings: editors close one post's comments here."""

    post = models.OneToOneField(
        Post, on_delete=models.CASCADE, primary_key=True, related_name="comment_thread"
    )
    is_open = models.BooleanField("comments open", default=True)

    class Meta:
        verbose_name = "post's comments"
        verbose_name_plural = "posts' comments"

    def __str__(self):
        return str(self.post)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        versions.renew(*cache_names(self.post_id))

    def delete(self, *args, **kwargs):
        """Without its record a thread is open again: the post's page must say so."""
        post_id = self.post_id  # the primary key: Django clears it on delete
        deleted = super().delete(*args, **kwargs)
        versions.renew(*cache_names(post_id))
        return deleted

    @classmethod
    def set_open(cls, post, is_open):
        cls(post=post, is_open=is_open).save()
