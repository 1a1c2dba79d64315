from django.conf import settings
from django.db import models
from django.utils.functional import cached_property

from ..markdown import render_markdown_inline

DEFAULT_SUPPORT_BLURB = (
    "If you like this sort of Stuff then please consider offering your support on Patreon."
)
DEFAULT_CLOSING_LINE = (
    "Don't miss all that the Internet has to say on Scalability, click below and become "
    "eventually consistent with all scalability knowledge (which means this post has many "
    "more items to read so please keep on reading)..."
)
DEFAULT_EMPTY_SECTION = "Your event could be here. How cool is that?"


class SiteSettings(models.Model):
    """The one record of texts editors can change without a deploy (defaults from the sample)."""

    site_name = models.CharField(max_length=100, default=settings.SITE_NAME)
    tagline = models.CharField(max_length=200, default=settings.SITE_TAGLINE)
    support_blurb = models.CharField(
        max_length=300,
        default=DEFAULT_SUPPORT_BLURB,
        help_text="Shown under the intro of every digest. Leave empty to hide it.",
    )
    support_url = models.URLField(
        "support link",
        blank=True,
        default="https://www.patreon.com/",
        help_text="Where the blurb links to.",
    )
    closing_line = models.TextField(
        "digest closing line",
        default=DEFAULT_CLOSING_LINE,
        help_text="Ends a digest on the index, before “Click to read more ...”. Markdown.",
    )
    empty_section_text = models.CharField(
        "empty sponsor section",
        max_length=200,
        default=DEFAULT_EMPTY_SECTION,
        help_text="Placeholder for a sponsored-post section without listings.",
    )

    favourites_url = models.CharField(
        "all-time favourites page",
        max_length=300,
        blank=True,
        help_text="Where the old site's /all-time-favorites/ address leads: a tag or page "
        "of this site, e.g. /tags/all-time-favorites/. Empty: that address is not found.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @cached_property
    def closing_line_html(self):
        return render_markdown_inline(self.closing_line)

    @classmethod
    def load(cls):
        """The record, created with the defaults on first use."""
        from ..cache import cached

        def build():
            record = cls.objects.filter(pk=1).first() or cls.objects.get_or_create(pk=1)[0]
            record.closing_line_html  # noqa: B018 -- rendered once, cached (pickled) with it
            return record

        return cached("site-settings", build)
