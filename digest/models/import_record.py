"""What an importer records on a post: where it came from, and what it knew of it."""

from django.db import models


class ImportRecord(models.Model):
    """The import bookkeeping of a post (digest.models.Post inherits these fields)."""

    # Where an imported post came from ("archive:/blog/2016/2/19/….html", "feed:<guid>"), and a
    # hash of what was imported, so a second import finds it and knows if anything changed.
    import_ref = models.CharField(
        max_length=500, unique=True, null=True, blank=True, editable=False
    )
    import_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The old platform's own id of the post (a WXR post id, a Squarespace item id), for its
    # /blog/recommend/<id> addresses.
    legacy_id = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    date_is_guessed = models.BooleanField(
        "date guessed",
        default=False,
        editable=False,
        help_text="Imported from archive text without a date: placed between its dated "
        "neighbours until an import with its real address (feed, WXR, URL list) corrects it.",
    )
    # Which importer wrote the post last; a poorer source (archive text < feed < WXR export)
    # never replaces what a richer one brought (digest.importers.base.write_post).
    import_source = models.CharField(
        max_length=10,
        blank=True,
        editable=False,
        choices=[("archive", "archive text"), ("feed", "feed"), ("wxr", "WXR export")],
    )
    excerpt_only = models.BooleanField(
        "only the excerpt was imported",
        default=False,
        editable=False,
        help_text="The feed it came from carried only the start of the post; a WXR export "
        "with the full text fills it in.",
    )

    class Meta:
        abstract = True
