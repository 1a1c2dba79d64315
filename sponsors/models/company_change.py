"""Company details a sponsor changed while readers see the company next to an approved listing.

The change waits here, and readers keep seeing the details an editor approved, until an editor
approves it (it is then copied onto the sponsor) or rejects it with a note. A sponsor has at
most one change waiting: sending the form again updates it.
"""

from functools import partial

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from caching.content import content_changed
from digest.markdown import render_markdown
from digest.models import IllegalTransition

from .. import notifications
from ..names import validate_company_name
from .core import COMPANY_FIELDS, Listing, Sponsor, logo_path, moderation_order
from .versioned import Versioned


class SponsorChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=SponsorChange.Status.PENDING)

    def for_moderation(self):
        return self.order_by(*moderation_order())


class SponsorChange(Versioned):
    """New name, website, description or logo of a sponsor, waiting for an editor."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="changes")
    name = models.CharField(max_length=120, validators=[validate_company_name])
    website = models.URLField(blank=True, validators=[URLValidator(schemes=["http", "https"])])
    description = models.TextField(blank=True, max_length=4000)
    description_html = models.TextField(blank=True, editable=False)
    logo = models.ImageField(
        upload_to=logo_path, blank=True, width_field="logo_width", height_field="logo_height"
    )
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    review_note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False,
        related_name="+",
    )  # fmt: skip
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(null=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = SponsorChangeQuerySet.as_manager()
    stale_message = "The sponsor changed this again after it was shown to you; nothing was saved."

    class Meta:
        ordering = ["-created"]
        verbose_name = "company change"
        constraints = [
            models.UniqueConstraint(
                fields=["sponsor"],
                condition=Q(status="pending"),
                name="one_pending_change_per_sponsor",
            )
        ]

    def __str__(self):
        return f"change of {self.sponsor.name}"

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description, images=False)
        super().save(*args, **kwargs)

    def differences(self):
        """[(field name, current value, proposed value)] for what this change would change."""
        return [
            (field, getattr(self.sponsor, field), getattr(self, field))
            for field in COMPANY_FIELDS
            if (getattr(self.sponsor, field) or "") != (getattr(self, field) or "")
        ]

    def lookalikes(self):
        """Other sponsors whose name the proposed name looks like."""
        return self.sponsor.lookalikes(self.name)

    def submit(self, by):
        """Send the change for review, and the editors hear of it at commit; a change that
        changes nothing is dropped instead (and one waiting is withdrawn). True when an editor
        now has something to review."""
        if not self.differences():
            if self.pk:
                self.delete()
            return False
        if not self._state.adding and self.status != self.Status.PENDING:
            raise IllegalTransition("This change was decided already; send a new one.")
        self.status = self.Status.PENDING
        self.submitted_by = by
        with transaction.atomic():
            self.save()
            transaction.on_commit(
                partial(notifications.company_change_submitted, self), robust=True
            )
        return True

    def approve(self, by, seen_version=None):
        """Copy the change onto the sponsor, so readers see it. IllegalTransition if it is not
        waiting or another sponsor took the name meanwhile; ChangedSinceSeen if the sponsor
        changed this change after `seen_version` was shown to the editor."""
        taken = Sponsor.objects.filter(name__iexact=self.name).exclude(pk=self.sponsor_id)
        if taken.exists():
            raise IllegalTransition(f"Another sponsor is called “{self.name}” now.")
        with transaction.atomic():
            self._decide(self.Status.APPROVED, by, "", seen_version)
            sponsor = self.sponsor
            for field in COMPANY_FIELDS:
                setattr(sponsor, field, getattr(self, field))
            sponsor.save()
            self._let_go_of_logo()
            content_changed()

    def reject(self, by, note, seen_version=None):
        """Leave the sponsor as readers see it, and tell its managers why (`note`)."""
        if not note.strip():
            raise IllegalTransition(Listing.NOTE_NEEDED)
        with transaction.atomic():
            self._decide(self.Status.REJECTED, by, note, seen_version)
            self._let_go_of_logo()

    def _decide(self, status, by, note, seen_version):
        if self.status != self.Status.PENDING:
            raise IllegalTransition(
                f"Only a change waiting for review can be decided; this one is "
                f"{self.get_status_display().lower()}."
            )
        if seen_version is not None:
            self.version = seen_version
        self.status, self.review_note = status, note
        self.reviewed_by, self.reviewed_at = by, timezone.now()
        self.save()
        transaction.on_commit(partial(notifications.company_change_decided, self), robust=True)

    def _let_go_of_logo(self):
        # A decided change names no file: the sponsor names the approved logo, and a
        # rejected one is left to `manage.py sweep_media`.
        if self.logo:
            type(self).objects.filter(pk=self.pk).update(logo="", logo_width=None, logo_height=None)
