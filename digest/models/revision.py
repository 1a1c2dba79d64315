from django.conf import settings
from django.db import models, transaction

from .parts import Item, Quote, Stat, sync_parts
from .post import Post

POST_FIELDS = [
    "title",
    "slug",
    "kind",
    "status",
    "byline",
    "lead_image",
    "lead_image_caption",
    "excerpt",
    "body",
]
RESTORED_FIELDS = [f for f in POST_FIELDS if f not in ("slug", "status", "lead_image")]
PART_FIELDS = {
    "stats": (Stat, ["figure", "figure_url", "label", "text_format", "anchor"]),
    "quotes": (
        Quote,
        ["speaker", "text", "source_url", "source_on", "text_format", "on_index", "anchor"],
    ),
    "items": (Item, ["text", "text_format", "on_index", "anchor"]),
}


def snapshot(post, parts=None, tags=None):
    """Everything an editor wrote in a post, parts included, as JSON-ready data. `parts`
    (stats, quotes, items) and `tags` as they now stand, when the caller has them in hand;
    else they are read."""
    data = {field: str(getattr(post, field) or "") for field in POST_FIELDS}
    data["publish_at"] = post.publish_at.isoformat()
    data["author_id"] = post.author_id
    data["tags"] = sorted(post.tags.names() if tags is None else tags)
    if parts is None:
        parts = [getattr(post, name).all() for name in PART_FIELDS]
    for (name, (_, fields)), standing in zip(PART_FIELDS.items(), parts, strict=True):
        data[name] = [{field: getattr(part, field) for field in fields} for part in standing]
    return data


class Revision(models.Model):
    """A post as it was after one save: kept for every save, restorable by an editor."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-saved_at", "-pk"]
        get_latest_by = "saved_at"

    def __str__(self):
        return f"{self.post} (version {self.version})"

    @classmethod
    def record(cls, post, by=None, note="", parts=None, tags=None):
        """Keep the post as it was just saved (see `snapshot` for `parts` and `tags`)."""
        return cls.objects.create(
            post=post,
            version=post.version,
            saved_by=by,
            note=note,
            data=snapshot(post, parts, tags),
        )

    @transaction.atomic
    def restore(self, by=None):
        """Bring back what was written in this revision; the restore is a new revision itself.

        The address and visibility stay as they are now (slug, status, publish time): a restore
        never breaks a permalink readers have, nor takes a live post off the site.
        """
        post = Post.objects.select_for_update().get(pk=self.post_id)
        data = self.data
        for field in RESTORED_FIELDS:
            setattr(post, field, data[field])
        image = data["lead_image"]
        if not image or post.lead_image.storage.exists(image):
            post.lead_image = image
        post.author_id = data["author_id"]
        # Revisions from before a field existed lack it: the model's default stands in.
        parts = {
            name: [{f: values[f] for f in fields if f in values} for values in data.get(name, [])]
            for name, (_, fields) in PART_FIELDS.items()
        }
        sync_parts(post, **parts)
        post.save()
        post.tags.set(data["tags"])
        return Revision.record(post, by=by, note=f"Restored version {self.version}")
