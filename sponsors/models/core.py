"""Sponsors, their listings, the weeks listings run, clicks, and each week's compiled post.

A listing is written by a sponsor, reviewed by an editor and, once approved, runs in the
"Sponsored Post" of each week it was booked for (sponsors.compiling builds that post). Only a
listing's own stored link is ever redirected to, and a click is one row per visitor and day,
so counting needs no read-modify-write and loses nothing under concurrency.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.text import slugify

from digest.markdown import render_markdown, render_markdown_inline

from ..names import skeleton, validate_company_name
from .versioned import Versioned

LISTING_TEXT_MAX = 800
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FIT = (600, 300)


def week_of(day):
    """The Monday that starts the week of `day`: listings run by the week."""
    return day - timedelta(days=day.weekday())


def this_week():
    return week_of(timezone.localdate())


def logo_path(instance, filename):
    # safe_images has already replaced the client's name with one of ours.
    return f"sponsors/{uuid.uuid4().hex}{filename[filename.rfind('.') :][:5].lower()}"


class SponsorQuerySet(models.QuerySet):
    def managed_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(managers=user)

    def running_in(self, week):
        """Sponsors with an approved listing in that week's sponsored post."""
        return self.filter(
            listings__status=Listing.Status.APPROVED, listings__weeks__week=week
        ).distinct()


class Sponsor(models.Model):
    """A company that buys listings; its managers are the accounts that act for it."""

    name = models.CharField(max_length=120, unique=True, validators=[validate_company_name])
    # What the name looks like (sponsors.names.skeleton): editors are warned about a name
    # that looks like another sponsor's.
    name_skeleton = models.CharField(max_length=120, blank=True, editable=False, db_index=True)
    slug = models.SlugField(max_length=120, unique=True)
    website = models.URLField(blank=True, validators=[URLValidator(schemes=["http", "https"])])
    description = models.TextField(
        blank=True,
        max_length=4000,
        help_text="What the company does, in a paragraph or two (Markdown). Shown below the "
        "listings in the sponsored post.",
    )
    description_html = models.TextField(blank=True, editable=False)
    logo = models.ImageField(
        upload_to=logo_path,
        blank=True,
        width_field="logo_width",
        height_field="logo_height",
    )
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="sponsors")
    created = models.DateTimeField(auto_now_add=True)

    objects = SponsorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.name)[:110] or "sponsor"
            self.slug, counter = base, 2
            while Sponsor.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                self.slug = f"{base}-{counter}"
                counter += 1
        self.description_html = render_markdown(self.description, images=False)
        self.name_skeleton = skeleton(self.name)[:120]
        super().save(*args, **kwargs)

    def lookalikes(self, name=None):
        """Other sponsors whose name looks like `name` (this sponsor's own by default)."""
        look = skeleton(self.name if name is None else name)[:120]
        return list(
            Sponsor.objects.filter(name_skeleton=look)
            .exclude(pk=self.pk)
            .values_list("name", flat=True)
        )

    def needs_review(self):
        """Whether changes to the company must wait for an editor: readers see it next to
        an approved listing, so what they see must be what an editor approved."""
        return self.listings.approved().exists()

    def pending_change(self):
        return self.changes.pending().first()

    def draft_change(self):
        """The change waiting for review, or a new one holding the current details."""
        from_sponsor = {field: getattr(self, field) for field in COMPANY_FIELDS}
        return self.pending_change() or self.changes.model(sponsor=self, **from_sponsor)


# What a sponsor's company change can change (sponsors.models.SponsorChange).
COMPANY_FIELDS = ("name", "website", "description", "logo")


def moderation_order():
    """Pending listings first, then the rest; newest first within each."""
    pending_first = Case(
        When(status=Listing.Status.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return [pending_first.asc(), F("created").desc()]


class ListingQuerySet(models.QuerySet):
    def managed_by(self, user):
        """The listings of the sponsors this account manages: all a sponsor may ever see."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(sponsor__managers=user)

    def approved(self):
        return self.filter(status=Listing.Status.APPROVED)

    def pending(self):
        return self.filter(status=Listing.Status.PENDING)

    def running_in(self, week):
        """Approved listings booked for that week, in the order the sponsored post shows them."""
        section_order = Case(
            *[When(section=value, then=Value(i)) for i, value in enumerate(Listing.SECTION_ORDER)],
            output_field=IntegerField(),
        )
        return (
            self.approved()
            .filter(weeks__week=week)
            .select_related("sponsor")
            .order_by(section_order, F("reviewed_at").asc(nulls_first=True), "pk")
        )

    def for_moderation(self):
        return self.order_by(*moderation_order())

    def with_click_counts(self):
        return self.annotate(click_count=Count("clicks", distinct=True))


class Listing(Versioned):
    """One entry of a sponsored post, in one of its three sections, for some weeks.

    Versioned: an editor's decision carries the version the editor was shown, and is refused
    (ChangedSinceSeen) when the sponsor changed the listing after that.
    """

    stale_message = "This listing was changed after it was shown to you; nothing was saved."

    class Section(models.TextChoices):
        HIRING = "hiring", "Who's Hiring?"
        EVENT = "event", "Fun and Informative Events"
        PRODUCT = "product", "Cool Products and Services"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The order of the sections in the sponsored post, whatever the choices' order.
    SECTION_ORDER = (Section.HIRING, Section.EVENT, Section.PRODUCT)

    sponsor = models.ForeignKey(
        Sponsor, on_delete=models.PROTECT, null=True, blank=True, related_name="listings"
    )
    section = models.CharField(max_length=10, choices=Section.choices)
    text = models.TextField(
        max_length=LISTING_TEXT_MAX * 2,  # imported listings can be longer than new ones
        help_text="Markdown.",
    )
    text_html = models.TextField(blank=True, editable=False)
    link_url = models.URLField(
        "call-to-action link",
        blank=True,
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    link_label = models.CharField("call-to-action label", max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    review_note = models.TextField(
        blank=True, help_text="Sent to the sponsor with the decision; say why when rejecting."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    import_ref = models.CharField(
        max_length=300, unique=True, null=True, blank=True, editable=False
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["section", "pk"]
        indexes = [models.Index(fields=["status", "-created"], name="listing_status_idx")]

    def __str__(self):
        sponsor = self.sponsor.name if self.sponsor_id else "no sponsor"
        return f"{sponsor}: {self.text[:50]}"

    def save(self, *args, **kwargs):
        self.text_html = render_markdown_inline(self.text, images=False)
        super().save(*args, **kwargs)

    @property
    def is_editable(self):
        """Sponsors may change a listing until it is approved (a rejected one is resubmitted)."""
        return self.status in (self.Status.PENDING, self.Status.REJECTED)

    @property
    def can_withdraw(self):
        return self.status == self.Status.PENDING

    def week_list(self):
        """The weeks it runs, from prefetched `weeks` when there are any."""
        return [w.week for w in self.weeks.all()]

    def decide(self, status, editor, note="", seen_version=None):
        """An editor's decision on the version they were shown (`seen_version`; this copy's
        own when None): ChangedSinceSeen, and nothing decided, if the listing changed since. The
        caller tells the sponsor (sponsors.notifications)."""
        if seen_version is not None:
            self.version = seen_version
        self.status = status
        self.review_note = note
        self.reviewed_by = editor
        self.reviewed_at = timezone.now()
        self.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at", "updated"])

    def submit_for_review(self, by=None):
        """A sponsor sends a new listing, or changes one not approved yet: it waits for an
        editor (again). The caller books its weeks and tells the editors."""
        self.status = self.Status.PENDING
        if by is not None and self.submitted_by_id is None:
            self.submitted_by = by
        self.save()

    def withdraw(self):
        """The sponsor takes back a listing still waiting for review; False if it is not."""
        if not self.can_withdraw:
            return False
        self.status = self.Status.WITHDRAWN
        self.save(update_fields=["status", "updated"])
        return True


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
