"""E-mails about listings: editors hear of each submission, sponsors of each decision.

Mail goes out only once the change is committed, so a rolled-back save never e-mails anyone.
Links are built from SITE_URL, never from a request's Host header.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Listing


def _send(messages):
    # A sponsor's name is part of a subject: no line breaks may reach a mail header.
    messages = [(" ".join(m[0].split()), *m[1:]) for m in messages if m[3]]
    if messages:
        # robust: the change is saved; a mail server that is down is logged, not a 500 that
        # would make the sponsor submit twice.
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False), robust=True)


def editor_addresses():
    User = get_user_model()
    editors = User.objects.filter(Q(groups__name="Editors") | Q(is_superuser=True))
    return sorted(
        set(editors.filter(is_active=True).exclude(email="").values_list("email", flat=True))
    )


def manager_addresses(sponsor):
    if sponsor is None:
        return []
    return sorted(
        sponsor.managers.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    )


def listing_submitted(listing, resubmitted=False):
    context = {
        "listing": listing,
        "lookalikes": listing.sponsor.lookalikes() if listing.sponsor else [],
        "resubmitted": resubmitted,
        "site_name": settings.SITE_NAME,
        "review_url": settings.SITE_URL
        + reverse("admin:sponsors_listing_change", args=[listing.pk]),
        "queue_url": settings.SITE_URL
        + reverse("admin:sponsors_listing_changelist")
        + "?status__exact=pending",
    }
    verb = "changed" if resubmitted else "new"
    subject = f"[{settings.SITE_NAME}] {verb} listing from {listing.sponsor}: please review"
    body = render_to_string("sponsors/email/submitted.txt", context)
    _send([(subject, body, None, editor_addresses())])


def listings_decided(listings):
    """One e-mail per listing to its sponsor's managers, saying what the editor decided."""
    messages = []
    for listing in listings:
        context = {
            "listing": listing,
            "approved": listing.status == Listing.Status.APPROVED,
            "weeks": listing.week_list(),
            "site_name": settings.SITE_NAME,
            "listing_url": settings.SITE_URL
            + reverse("sponsors:listing-detail", args=[listing.pk]),
        }
        decision = "approved" if context["approved"] else "not approved"
        subject = f"[{settings.SITE_NAME}] Your listing was {decision}"
        body = render_to_string("sponsors/email/decided.txt", context)
        messages.append((subject, body, None, manager_addresses(listing.sponsor)))
    _send(messages)


def company_change_submitted(change):
    """Editors hear of a company change to review, as of a listing."""
    context = {
        "change": change,
        "differences": change.differences(),
        "lookalikes": change.lookalikes(),
        "site_name": settings.SITE_NAME,
        "review_url": settings.SITE_URL
        + reverse("admin:sponsors_sponsorchange_change", args=[change.pk]),
    }
    subject = f"[{settings.SITE_NAME}] changed company details from {change.sponsor}: please review"
    body = render_to_string("sponsors/email/company_submitted.txt", context)
    _send([(subject, body, None, editor_addresses())])


def company_changes_decided(changes):
    """One e-mail per change to its sponsor's managers, saying what the editor decided."""
    messages = []
    for change in changes:
        approved = change.status == change.Status.APPROVED
        context = {
            "change": change,
            "approved": approved,
            "site_name": settings.SITE_NAME,
            "dashboard_url": settings.SITE_URL + reverse("sponsors:dashboard"),
        }
        decision = "approved" if approved else "not approved"
        subject = f"[{settings.SITE_NAME}] Your company details were {decision}"
        body = render_to_string("sponsors/email/company_decided.txt", context)
        messages.append((subject, body, None, manager_addresses(change.sponsor)))
    _send(messages)
