"""Comments that came with an imported post (a WXR export), kept aside as they were.

Scalepress has no comments of its own yet; these rows keep what the old site's readers wrote,
attached to their posts, until the comments feature takes them over. Nothing here is shown.
"""

from django.db import models

from ..markdown import sanitize_html
from .post import Post


class ImportedComment(models.Model):
    class Status(models.TextChoices):
        APPROVED = "1", "Approved"
        HELD = "0", "Held"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="imported_comments")
    source_id = models.CharField(max_length=64)
    parent_source_id = models.CharField(max_length=64, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    author_email = models.CharField(max_length=255, blank=True)
    author_url = models.CharField(max_length=500, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, blank=True)
    kind = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["posted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "source_id"], name="imported_comment_once")
        ]

    def __str__(self):
        return f"{self.author_name or 'anonymous'} on {self.post}"

    @classmethod
    def keep(cls, post, comments):
        """Make the post's imported comments exactly `comments` (dicts of field values)."""
        for values in comments:
            values = {**values, "body_html": sanitize_html(values.get("body_html", ""))}
            cls.objects.update_or_create(
                post=post, source_id=values.pop("source_id"), defaults=values
            )
        ids = [c["source_id"] for c in comments]
        cls.objects.filter(post=post).exclude(source_id__in=ids).delete()
