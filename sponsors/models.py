"""Sponsors and their listings (DESIGN.md, "Data model").

This is the data the weekly "Sponsored Post" is made of. The archive importer fills it from
old sponsored posts; sponsor self-service, moderation and click counts build on it.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.text import slugify

from digest.markdown import render_markdown_inline


def week_of(day):
    """The Monday that starts the week of `day`: listings run by the week."""
    return day - timedelta(days=day.weekday())


class Sponsor(models.Model):
    """A company that buys listings."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="The long description, Markdown.")
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="sponsors")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.slug = self.slug or slugify(self.name)[:120] or "sponsor"
        super().save(*args, **kwargs)


class Listing(models.Model):
    """One entry of a sponsored post, in one of its three sections, for some weeks."""

    class Section(models.TextChoices):
        HIRING = "hiring", "Who's Hiring?"
        EVENT = "event", "Fun and Informative Events"
        PRODUCT = "product", "Cool Products and Services"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    sponsor = models.ForeignKey(
        Sponsor, on_delete=models.PROTECT, null=True, blank=True, related_name="listings"
    )
    section = models.CharField(max_length=10, choices=Section.choices)
    text = models.TextField(help_text="Markdown.")
    text_html = models.TextField(blank=True, editable=False)
    link_url = models.URLField("call-to-action link", blank=True)
    link_label = models.CharField("call-to-action label", max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    review_note = models.TextField(blank=True)
    import_ref = models.CharField(
        max_length=300, unique=True, null=True, blank=True, editable=False
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["section", "pk"]

    def __str__(self):
        return self.text[:60]

    def save(self, *args, **kwargs):
        self.text_html = render_markdown_inline(self.text)
        super().save(*args, **kwargs)


class ListingWeek(models.Model):
    """A week (its Monday) a listing runs in the sponsored post."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="weeks")
    week = models.DateField()

    class Meta:
        ordering = ["week"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "week"], name="listing_week_unique")
        ]

    def __str__(self):
        return f"{self.listing} – week of {self.week}"
