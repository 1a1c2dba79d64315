"""E-mails about listings and company changes: editors hear of each submission, sponsors of
each decision.

The models' verbs call these once their change is committed (Listing.submit, approve, …;
SponsorChange.submit, approve, reject), so a rolled-back change never e-mails anyone and no
view or admin action sends mail itself. Everything is read at that moment: the weeks a
decision names are the ones booked with it. Links are built from SITE_URL, never from a
request's Host header.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse


def _send(subject, body, recipients):
    # A sponsor's name is part of a subject: no line breaks may reach a mail header.
    if recipients:
        send_mail(" ".join(subject.split()), body, None, recipients, fail_silently=False)


def editor_addresses():
    User = get_user_model()
    return sorted(set(User.objects.reviewers().exclude(email="").values_list("email", flat=True)))


def managers_mailed(sponsor):
    if sponsor is None:
        return []
    return list(sponsor.managers.filter(is_active=True).exclude(email="").order_by("email"))


def greeting(sponsor, managers):
    """Whom a mail to the sponsor's `managers` greets: the one manager by the name they gave,
    else the company's team (one mail goes to all of them)."""
    if len(managers) == 1 and (name := managers[0].display_name or managers[0].get_full_name()):
        return name
    return f"{sponsor.name} team" if sponsor else ""


def mail_managers(sponsor, subject, template, context):
    managers = managers_mailed(sponsor)
    body = render_to_string(template, {**context, "greeting": greeting(sponsor, managers)})
    _send(subject, body, [manager.email for manager in managers])


def listing_submitted(listing, changed=False):
    context = {
        "listing": listing,
        "lookalikes": listing.sponsor.lookalikes() if listing.sponsor else [],
        "resubmitted": changed,
        "weeks": weeks_of(listing),
        "site_name": settings.SITE_NAME,
        "review_url": settings.SITE_URL
        + reverse("admin:sponsors_listing_change", args=[listing.pk]),
        "queue_url": settings.SITE_URL
        + reverse("admin:sponsors_listing_changelist")
        + "?status__exact=pending",
    }
    verb = "changed" if changed else "new"
    subject = f"[{settings.SITE_NAME}] {verb} listing from {listing.sponsor}: please review"
    body = render_to_string("sponsors/email/submitted.txt", context)
    _send(subject, body, editor_addresses())


def listing_decided(listing):
    """Tell the listing's sponsor what the editor decided."""
    approved = listing.status == listing.Status.APPROVED
    context = {
        "listing": listing,
        "approved": approved,
        "weeks": weeks_of(listing),
        "site_name": settings.SITE_NAME,
        "listing_url": settings.SITE_URL + reverse("sponsors:listing-detail", args=[listing.pk]),
    }
    subject = (
        f"[{settings.SITE_NAME}] Your listing was {'approved' if approved else 'not approved'}"
    )
    mail_managers(listing.sponsor, subject, "sponsors/email/decided.txt", context)


def weeks_of(listing):
    # Read now, not from weeks prefetched before the caller booked new ones.
    return list(listing.weeks.order_by("week").values_list("week", flat=True))


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
    _send(subject, body, editor_addresses())


def company_change_decided(change):
    """Tell the sponsor's managers what the editor decided on their company change."""
    approved = change.status == change.Status.APPROVED
    context = {
        "change": change,
        "approved": approved,
        "site_name": settings.SITE_NAME,
        "dashboard_url": settings.SITE_URL + reverse("sponsors:dashboard"),
    }
    decision = "approved" if approved else "not approved"
    subject = f"[{settings.SITE_NAME}] Your company details were {decision}"
    mail_managers(change.sponsor, subject, "sponsors/email/company_decided.txt", context)
