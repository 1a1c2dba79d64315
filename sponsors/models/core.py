"""Sponsors and their listings, with the verbs of a listing's lifecycle.

A listing is written by a sponsor, reviewed by an editor and, once approved, runs in the
"Sponsored Post" of each week it was booked for (sponsors.compiling builds that post). Only a
listing's own stored link is ever redirected to, and a click is one row per visitor and day,
so counting needs no read-modify-write and loses nothing under concurrency.
"""

import logging
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.text import slugify

from caching.content import content_changed
from digest.markdown import html_to_text, render_markdown, render_markdown_inline
from digest.models import IllegalTransition

from .. import notifications
from ..names import skeleton, validate_company_name
from .versioned import ChangedSinceSeen, Versioned

log = logging.getLogger(__name__)

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

    Its status changes only through the verbs below (submit, resubmit, withdraw, approve,
    reject), which refuse a move the lifecycle does not allow (IllegalTransition) and mail
    and renew readers' pages at commit. Versioned: an editor's decision carries the version
    the editor was shown, and is refused (ChangedSinceSeen) when the sponsor changed the
    listing after that.
    """

    stale_message = "This listing was changed after it was shown to you; nothing was saved."

    class Section(models.TextChoices):
        # The one definition of the sections: the compiler's headings, and the headings the
        # importers read (sponsors.apps registers them with digest.importers.sections).
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
    # What an empty section of the sponsored post invites, in that section's words.
    EMPTY_SECTION_TEXT = {
        Section.HIRING: "Your job listing could be here. How cool is that?",
        Section.EVENT: "Your event could be here. How cool is that?",
        Section.PRODUCT: "Your product or service could be here. How cool is that?",
    }

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
    def plain_text(self):
        """The text as readers read it, without its Markdown or links: a listing's name in
        lists whose rows are links already."""
        return html_to_text(self.text_html)

    @property
    def is_editable(self):
        """Sponsors may change a listing until it is approved (a rejected one is resubmitted)."""
        return not (self.refusal("submit") and self.refusal("resubmit"))

    @property
    def can_withdraw(self):
        return not self.refusal("withdraw")

    def week_list(self):
        """The weeks it runs, from prefetched `weeks` when there are any."""
        return [w.week for w in self.weeks.all()]

    # The lifecycle: what each verb may start from. A new listing is submitted; an editor
    # approves one waiting, or rejects one waiting or approved (taking the approval back).
    ALLOWED_FROM = {
        "submit": {Status.PENDING},
        "resubmit": {Status.REJECTED},
        "withdraw": {Status.PENDING},
        "approve": {Status.PENDING},
        "reject": {Status.PENDING, Status.APPROVED},
    }
    REFUSALS = {
        "submit": "This listing is {status}, so it can no longer be changed. Write to us if "
        "something in it must change.",
        "resubmit": "Only a rejected listing can be sent for review again; this one is {status}.",
        "withdraw": "Only a listing waiting for review can be withdrawn; this one is {status}.",
        "approve": "Only a listing waiting for review can be approved; this one is {status}.",
        "reject": "Only a listing waiting for review or approved can be rejected; this one is "
        "{status}.",
    }
    NOTE_NEEDED = "Say why it is rejected: the note is e-mailed to the sponsor with the decision."

    def refusal(self, verb, note=""):
        """Why `verb` cannot happen to this listing now, in words for the sponsor or the
        editor; "" when it can."""
        if verb == "submit" and self._state.adding:
            return ""
        if self.status not in self.ALLOWED_FROM[verb]:
            return self.REFUSALS[verb].format(status=self.get_status_display().lower())
        if verb == "reject" and not note.strip():
            return self.NOTE_NEEDED
        return ""

    def submit(self, by):
        """A sponsor sends a new listing, or changes one still waiting: it waits for an
        editor, and the editors hear of it at commit (the caller books its weeks meanwhile)."""
        tell = partial(notifications.listing_submitted, changed=not self._state.adding)
        if self.submitted_by_id is None:
            self.submitted_by = by
        self._move("submit", by, self.Status.PENDING, tell=tell)

    def resubmit(self, by):
        """A sponsor sends a rejected listing, changed, for review again."""
        tell = partial(notifications.listing_submitted, changed=True)
        self._move("resubmit", by, self.Status.PENDING, tell=tell)

    def withdraw(self, by):
        """The sponsor takes back a listing still waiting for review."""
        self._move("withdraw", by, self.Status.WITHDRAWN, fields=["status", "updated"])

    def approve(self, by, seen_version=None, note=""):
        """An editor approves the version they were shown (`seen_version`; this copy's own when
        None): ChangedSinceSeen, and nothing decided, if the sponsor changed it since. The
        sponsor hears of it, and of the `note` if any, at commit."""
        self._decide("approve", by, self.Status.APPROVED, note, seen_version)

    def reject(self, by, note, seen_version=None):
        """An editor rejects the version they were shown, saying why in `note` (mailed to the
        sponsor at commit). Rejecting an approved listing takes the approval back."""
        self._decide("reject", by, self.Status.REJECTED, note, seen_version)

    def _decide(self, verb, by, status, note, seen_version):
        self._move(
            verb,
            by,
            status,
            note=note,
            fields=["status", "review_note", "reviewed_by", "reviewed_at", "updated"],
            tell=notifications.listing_decided,
            version=self.version if seen_version is None else seen_version,
            review_note=note,
            reviewed_by=by,
            reviewed_at=timezone.now(),
        )

    def _move(self, verb, by, status, *, note="", fields=None, tell=None, **changes):
        """Check the move, make it, and once it is committed tell whoever must hear of it and
        renew readers' pages; IllegalTransition (and nothing changed) when it is not allowed."""
        if refusal := self.refusal(verb, note):
            raise IllegalTransition(refusal)
        changes["status"] = status
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            with transaction.atomic():
                self.save(update_fields=fields)
                if tell is not None:
                    # robust: the change is saved; a mail server that is down is logged, not
                    # a 500 that would make anyone act twice.
                    transaction.on_commit(partial(tell, self), robust=True)
                content_changed()
        except ChangedSinceSeen:
            for name, value in before.items():  # this copy is left as it was
                setattr(self, name, value)
            raise
        log.info("listing %s %s by user %s", self.pk, verb, getattr(by, "pk", None))
