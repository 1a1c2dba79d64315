"""Who is told about new comments on a post: addresses that asked to follow a thread."""

from django.db import models
from django.utils import timezone

from digest.models import Post
from newsletter.models import normalise_email


class ThreadSubscription(models.Model):
    """An address that asked for e-mail about new comments on a post (double opt-in: only a
    CONFIRMED subscription is written to; each message carries a one-click unsubscribe)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comment_subscriptions")
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "email"], name="thread_subscription_once")
        ]

    def __str__(self):
        return f"subscription to comments on {self.post}"

    @classmethod
    def request(cls, post, email):
        """Ask to follow a thread: a pending row (or the existing one) whose confirmation is
        mailed from the queue; None when the address follows it already."""
        subscription, _ = cls.objects.get_or_create(post=post, email=normalise_email(email))
        if subscription.status == cls.Status.CONFIRMED:
            return None
        return subscription

    def confirm(self):
        self.status, self.confirmed_at = self.Status.CONFIRMED, timezone.now()
        self.save(update_fields=["status", "confirmed_at"])

    def unsubscribe(self):
        self.status = self.Status.UNSUBSCRIBED
        self.save(update_fields=["status"])
