"""The weeks a listing runs, the clicks on it, and the post each week's listings were compiled
into."""

from django.db import models

from .core import Listing


class ListingWeek(models.Model):
    """A week (its Monday) a listing runs in the sponsored post."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="weeks")
    week = models.DateField()

    class Meta:
        ordering = ["week"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "week"], name="listing_week_unique")
        ]
        indexes = [models.Index(fields=["week"], name="listingweek_week_idx")]

    def __str__(self):
        return f"week of {self.week:%B %-d, %Y}"


class Click(models.Model):
    """One visitor following one listing's link on one day.

    `visitor` is a keyed hash of the address and day (sponsors.clicks), so no address
    is stored and yesterday's visitors cannot be linked to today's. The unique constraint is
    the whole counting rule: a second click the same day inserts nothing.
    """

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="clicks")
    day = models.DateField()
    visitor = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "day", "visitor"], name="click_once_a_day_per_visitor"
            )
        ]

    def __str__(self):
        return f"click on listing {self.listing_id} on {self.day}"


class WeeklyPost(models.Model):
    """Which post is the sponsored post of a week, so compiling again updates it."""

    week = models.DateField(unique=True)
    post = models.OneToOneField("digest.Post", on_delete=models.CASCADE, related_name="+")
    compiled_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-week"]

    def __str__(self):
        return f"sponsored post of the week of {self.week}"
