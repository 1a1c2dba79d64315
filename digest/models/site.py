import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import cached_property
from taggit.models import Tag

from ..markdown import render_markdown_inline
from .links import tag_url

DEFAULT_SUPPORT_BLURB = (
    "If you like this sort of Stuff then please consider offering your support on Patreon."
)
DEFAULT_CLOSING_LINE = (
    "Don't miss all that the Internet has to say on Scalability, click below and become "
    "eventually consistent with all scalability knowledge (which means this post has many "
    "more items to read so please keep on reading)..."
)
DEFAULT_EMPTY_SECTION = "Your event could be here. How cool is that?"
# Tags /all-time-favorites/ leads to, the first that exists, when the editor chose nothing.
DEFAULT_FAVOURITES_TAGS = ("all-time-favorites", "favorites", "favourites")
_TAG_SLUG = re.compile(r"[-\w]+")


def _is_the_favourites_address(path):
    # With or without its slash: a redirect from /all-time-favorites/ to itself never ends.
    own = reverse("digest:legacy-favourites").rstrip("/")
    return urlsplit(path).path.rstrip("/") == own


def favourites_shape_problem(value):
    """Why `value` cannot be where /all-time-favorites/ leads, judged without a query, or
    None. It must be a tag's slug or a path of this site other than that address: never one
    with a scheme or a host ("//evil.example" and "/\\evil.example" are hosts to browsers),
    so the redirect can't send readers to another site."""
    if not value.startswith("/"):
        if _TAG_SLUG.fullmatch(value):
            return None
        return "Give a tag's slug, or a path of this site starting with /."
    if value.startswith("//") or "\\" in value:
        return "Give a path of this site, without a host."
    if not value.isprintable() or any(character.isspace() for character in value):
        return "An address cannot contain spaces or control characters."
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "Give a path of this site, without a host."
    if _is_the_favourites_address(value):
        return "That is the old favourites address itself."
    return None


def validate_favourites_address(value):
    """favourites_shape_problem's rule, and the tag or page must exist."""
    value = value.strip()
    problem = favourites_shape_problem(value)
    if problem is None and not value.startswith("/"):
        if not Tag.objects.filter(slug=value).exists():
            problem = f"No tag has the slug “{value}”."
    elif problem is None:
        try:
            resolve(urlsplit(value).path)
        except Resolver404:
            problem = "No page of this site has this address."
    if problem:
        raise ValidationError(problem)


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
        validators=[validate_favourites_address],
        help_text="Where the old site's /all-time-favorites/ address leads: a tag's slug "
        "(all-time-favorites) or an address of this site starting with / "
        "(/tags/all-time-favorites/, /search/?q=favourite). Empty: the first of the tags "
        "all-time-favorites, favorites and favourites that exists, else the archive.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def favourites_address(self):
        """Where /all-time-favorites/ leads, an address of this site: the tag or page chosen
        here; when none is (or what is stored is not a safe address), the first tag of
        DEFAULT_FAVOURITES_TAGS that exists, else the archive."""
        chosen = self.favourites_url.strip()
        if chosen and favourites_shape_problem(chosen) is None:
            return chosen if chosen.startswith("/") else tag_url(chosen)
        found = set(
            Tag.objects.filter(slug__in=DEFAULT_FAVOURITES_TAGS).values_list("slug", flat=True)
        )
        for slug in DEFAULT_FAVOURITES_TAGS:
            if slug in found:
                return tag_url(slug)
        return reverse("digest:archive")

    @cached_property
    def closing_line_html(self):
        return render_markdown_inline(self.closing_line)

    @classmethod
    def load(cls):
        """The record, created with the defaults on first use."""
        from caching.content import cached

        def build():
            record = cls.objects.filter(pk=1).first() or cls.objects.get_or_create(pk=1)[0]
            record.closing_line_html  # noqa: B018 -- rendered once, cached (pickled) with it
            return record

        return cached("site-settings", build)
