from django.conf import settings
from django.db import models

from digest.models import Post


class EntryQuerySet(models.QuerySet):
    def waiting(self):
        """Entries not yet used nor archived: the editor's list for the week."""
        return self.filter(status=Entry.Status.NEW)


class Entry(models.Model):
    """A link an editor or author kept during the week, with what was fetched about it, and
    where it went (which digest) once used.

    `normalized_url` (digest.link_normal) is how the same page is recognised: kept twice, or
    published before ("already covered"), whatever its spelling.
    """

    class Status(models.TextChoices):
        NEW = "new", "In the inbox"
        USED = "used", "Used in a digest"
        ARCHIVED = "archived", "Archived"

    class Fetch(models.TextChoices):
        PENDING = "pending", "Fetching…"
        DONE = "done", "Fetched"
        FAILED = "failed", "Could not fetch"
        REFUSED = "refused", "Not fetched (not a public address)"

    url = models.URLField("address", max_length=2000)
    normalized_url = models.CharField(max_length=2000, db_index=True, editable=False)
    title = models.CharField(max_length=300, blank=True)
    selected_text = models.TextField("selected text", max_length=5000, blank=True)
    comment = models.CharField(max_length=300, blank=True)
    # Fetched in the background (inbox.tasks); never typed by the editor.
    fetched_title = models.CharField(max_length=300, blank=True, editable=False)
    description = models.TextField(max_length=1000, blank=True, editable=False)
    site_name = models.CharField(max_length=200, blank=True, editable=False)
    author_name = models.CharField("author", max_length=200, blank=True, editable=False)
    fetch_state = models.CharField(
        max_length=10, choices=Fetch.choices, default=Fetch.PENDING, editable=False
    )
    fetch_note = models.CharField(max_length=300, blank=True, editable=False)
    # "Already covered": the published post that has this link, when one was found.
    covered_by = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    used_in = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbox_entries"
    )
    used_as = models.CharField(max_length=10, blank=True)
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Sent by a reader through "Suggest a link" (kept_by is the reader), for an editor to take
    # or dismiss; nothing of it is fetched or shown to readers.
    is_suggestion = models.BooleanField("suggested by a reader", default=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "inbox entry"
        verbose_name_plural = "inbox entries"

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return self.title or self.fetched_title or self.url

    def earlier_copies(self):
        """Other entries of the same page, oldest first."""
        return Entry.objects.filter(normalized_url=self.normalized_url).exclude(pk=self.pk)
