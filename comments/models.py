"""Readers' comments (the rules that moderate them are in comments.rules, who is told about
new ones in comments.following; both are re-exported here as the app's models).

A comment is written once through `Comment.submit` (the one write path for readers) and
changes state only through its verbs: `approve`, `mark_spam`, `delete`, `edit`. A change
readers can see (a comment that is or was visible) renews the post's narrow cache version
(`cache_names`), never the site-wide content token: an approval rebuilds the pages that show
that post's comments or comment count, and every other cached page stays a hit
(caching.versions, docs/architecture.md). Held comments and spam rebuild nothing.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from caching import versions
from digest.models import Post
from newsletter.models import normalise_email

from . import rendering, tasks
from .following import ThreadSubscription
from .rules import CommentSettings, Thread, cache_names, hash_ip

__all__ = ["Comment", "CommentSettings", "Thread", "ThreadSubscription", "cache_names", "hash_ip"]

EDIT_WINDOW = timedelta(minutes=15)
SPAM_KEPT = timedelta(days=30)
BODY_MAX_CHARS = 5000


def is_account_address(email):
    """Whether an account (an editor's, an author's, a sponsor's) has this e-mail address."""
    return bool(email) and get_user_model().objects.filter(email__iexact=email).exists()


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


# The moderation queue's order: held first, then the newest.
QUEUE_ORDER = (
    Case(
        When(status="pending", then=Value(0)), default=Value(1), output_field=IntegerField()
    ).asc(),
    "-created",
    "-pk",
)


class CommentQuerySet(models.QuerySet):
    def visible(self, now=None):
        """What readers see: approved comments on published posts. Spam, held and deleted
        comments are never shown, in a page, a count or a feed."""
        return self.filter(status=Comment.Status.APPROVED, post__in=Post.objects.published(now=now))

    def held(self):
        return self.filter(status=Comment.Status.PENDING)

    def queue_order(self):
        return self.order_by(*QUEUE_ORDER)

    def spam_to_purge(self, now=None):
        """Spam kept SPAM_KEPT since an editor marked it (since it was written, for spam no
        editor marked: imported): an old comment marked today is kept for review too."""
        cutoff = (now or timezone.now()) - SPAM_KEPT
        return self.filter(status=Comment.Status.SPAM).filter(
            Q(moderated_at__lt=cutoff) | Q(moderated_at=None, created__lt=cutoff)
        )

    def purge(self):
        """Remove these rows for good; returns how many. Replies to them that are not among
        them (another reader's approved answer to a comment later marked spam) are kept, as
        comments of their own. The posts' versions are renewed: such a reply is visible."""
        purged = list(self.values_list("pk", "post_id"))
        ids = [pk for pk, _post_id in purged]
        with transaction.atomic():
            Comment.objects.filter(parent__in=ids).exclude(pk__in=ids).update(parent=None)
            deleted, _ = Comment.objects.filter(pk__in=ids).delete()
        for post_id in {post_id for _pk, post_id in purged}:
            versions.renew(*cache_names(post_id))
        return deleted


class Comment(models.Model):
    """A reader's comment on a post, or a reply to one (one level deep).

    The e-mail address is kept for moderation and notifications only: no page, feed or log
    shows it. The reader's IP address is kept only as a keyed hash. The body's HTML is
    rendered from its Markdown on save, so a page never parses it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Held for moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        DELETED = "deleted", "Deleted"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    name = models.CharField(max_length=80)
    email = models.EmailField(max_length=254, blank=True)
    website = models.URLField(max_length=200, blank=True)
    body_markdown = models.TextField("text", max_length=BODY_MAX_CHARS, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    hold_reason = models.CharField(max_length=40, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    edit_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The comment's id in the WXR export it came from ('' for comments written here).
    source_id = models.CharField(max_length=64, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()
    # The status the row had when read (None for a new comment): see save().
    _loaded_status = None

    class Meta:
        ordering = ["created", "pk"]
        get_latest_by = "created"
        indexes = [
            models.Index(fields=["post", "status", "created"], name="comment_post_status_idx"),
            models.Index(fields=["status", "created"], name="comment_status_idx"),
            models.Index(fields=["email", "status"], name="comment_email_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "source_id"],
                condition=~Q(source_id=""),
                name="comment_imported_once",
            )
        ]
        permissions = [("moderate_comment", "Can approve, mark as spam and delete comments")]

    def __str__(self):
        return f"{self.name} on {self.post}"

    def save(self, *args, **kwargs):
        # Imported comments arrive as sanitised HTML with no Markdown; keep theirs.
        if self.body_markdown or not self.body_html:
            self.body_html = rendering.render(self.body_markdown)
        super().save(*args, **kwargs)
        # Only what readers see rebuilds pages: a held comment, or spam, changes none.
        if self.is_visible or self._loaded_status == self.Status.APPROVED:
            versions.renew(*cache_names(self.post_id))
        self._loaded_status = self.status

    def get_absolute_url(self):
        return f"{self.post.get_absolute_url()}#{self.anchor}"

    @classmethod
    def from_db(cls, db, field_names, values):
        comment = super().from_db(db, field_names, values)
        comment._loaded_status = comment.__dict__.get("status")
        return comment

    @property
    def anchor(self):
        return f"comment-{self.pk}"

    @property
    def website_link(self):
        """The website as a link target: only a web address (the form accepts nothing else;
        this also holds for rows written another way)."""
        return self.website if self.website.lower().startswith(("http://", "https://")) else ""

    @property
    def is_visible(self):
        return self.status == self.Status.APPROVED

    # --- writing -------------------------------------------------------------------------

    @classmethod
    def is_open_on(cls, post, now=None):
        """Whether readers may comment on `post` now: published, open site-wide and for it."""
        if not post.is_published:
            return False
        if not CommentSettings.load().is_open_for(post, now):
            return False
        return not Thread.objects.filter(post=post, is_open=False).exists()

    @classmethod
    def submit(
        cls, post, *, name, email, body, website="", parent=None, user=None, ip="", now=None
    ):
        """A new comment from a reader, moderated by the site's rules; returns it and the edit
        key (shown once to the writer's browser, kept only hashed).

        An editor's comment appears at once. Otherwise, WordPress's rules: held if the
        settings say so (blocked address, blocklisted word, too many links), else approved
        when a comment with this name and address was approved already, else held (a first
        comment waits). Nobody checks that an address is the writer's, so the name must match
        too (as in WordPress), and a comment sent without signing in as the address of one
        of our accounts (an editor's, an author's) always waits: its owner would sign in.
        """
        now = now or timezone.now()
        if parent is not None and parent.parent_id is not None:
            parent = parent.parent  # replies are one level deep: a reply to a reply joins it
        comment = cls(
            post=post,
            parent=parent,
            user=user if user is not None and user.is_authenticated else None,
            name=name.strip(),
            email=normalise_email(email),
            website=website.strip(),
            body_markdown=body,
            created=now,
            ip_hash=hash_ip(ip) if ip else "",
        )
        key = secrets.token_urlsafe(24)
        comment.edit_key_hash = hash_key(key)
        reason = CommentSettings.load().hold_reason(comment, comment.ip_hash)
        if comment.user is not None and comment.user.has_perm("comments.moderate_comment"):
            comment.status = cls.Status.APPROVED
        elif reason:
            comment.status, comment.hold_reason = cls.Status.PENDING, reason
        elif comment.user is None and is_account_address(comment.email):
            comment.status, comment.hold_reason = cls.Status.PENDING, "address of an account"
        elif cls.objects.filter(
            email=comment.email, name__iexact=comment.name, status=cls.Status.APPROVED
        ).exists():
            comment.status = cls.Status.APPROVED
        else:
            comment.status, comment.hold_reason = cls.Status.PENDING, "first comment"
        with transaction.atomic():
            comment.save()
            if comment.is_visible:
                comment._approved()
        return comment, key

    def may_edit(self, key, now=None):
        """The writer's browser holds the key, within EDIT_WINDOW of writing, and no editor
        marked the comment as spam (its writer may not rewrite it, or turn it into a deleted
        comment, which is never purged)."""
        if not key or not self.edit_key_hash:
            return False
        if self.status in (self.Status.DELETED, self.Status.SPAM):
            return False
        if (now or timezone.now()) - self.created > EDIT_WINDOW:
            return False
        return hmac.compare_digest(hash_key(key), self.edit_key_hash)

    def edit(self, body):
        """The writer's change, moderated by the same rules: a visible comment edited into
        one the rules hold goes back to the queue."""
        self.body_markdown = body
        reason = CommentSettings.load().hold_reason(self, self.ip_hash)
        if reason and self.status == self.Status.APPROVED:
            self.status, self.hold_reason = self.Status.PENDING, reason
        self.save(update_fields=["body_markdown", "body_html", "status", "hold_reason"])

    # --- moderation ----------------------------------------------------------------------

    def _moderate(self, status, by):
        was_visible = self.is_visible
        self.status, self.moderated_by, self.moderated_at = status, by, timezone.now()
        with transaction.atomic():
            self.save(update_fields=["status", "moderated_by", "moderated_at"])
            if self.is_visible and not was_visible:
                self._approved()

    def approve(self, by=None):
        self._moderate(self.Status.APPROVED, by)

    def mark_spam(self, by=None):
        self._moderate(self.Status.SPAM, by)

    def delete(self, by=None, *args, **kwargs):
        """Soft: the comment disappears from every page but its row stays (replies keep their
        place, and the queue shows who deleted what); `Comment.objects.purge()` removes rows."""
        self._moderate(self.Status.DELETED, by)

    def _approved(self):
        """Tell the post's author and the thread's subscribers, from the job queue (the job's
        row is written in this transaction: an approval that rolls back sends nothing)."""
        tasks.notify_approved.enqueue(self.pk)
