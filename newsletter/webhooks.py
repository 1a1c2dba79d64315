"""What an e-mail service reports after it took a message (django-anymail's tracking
webhooks, authenticated as anymail documents: ANYMAIL_WEBHOOK_SECRET and each service's
signature).

Each event is recorded against the delivery it is about, found by the message id the
service's API returned when it took the message (Delivery.esp_message_id), so an issue's
figures (delivered, bounced, complained, unsubscribed) are what the service saw. A hard bounce,
a rejection or a complaint also suppresses the address, whichever e-mail it was about (a
confirmation has no delivery): it is never mailed again."""

from anymail.signals import tracking
from django.db import transaction
from django.utils import timezone

from .models import Delivery, Subscriber, normalise_email

SUPPRESSING = {"bounced", "complained", "rejected"}


def is_soft_bounce(event):
    """Bounces the service will retry, or that say nothing about the address, which anymail
    reports as `bounced` all the same: Amazon SES's Transient bounces (mailbox full, message
    too large) and SendGrid's `blocked` (the receiving server refused for now)."""
    if event.event_type != "bounced" or not isinstance(event.esp_event, dict):
        return False
    ses_bounce = event.esp_event.get("bounce")
    if isinstance(ses_bounce, dict):
        return ses_bounce.get("bounceType") == "Transient"
    return event.esp_event.get("event") == "bounce" and event.esp_event.get("type") == "blocked"


def on_tracking(sender, event, esp_name, **kwargs):
    if not event.recipient or is_soft_bounce(event):
        return
    when = event.timestamp or timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.reported(event.message_id, event.recipient)
        if delivery is not None and event.event_type in Delivery.REPORTS:
            delivery.report(event.event_type, when)
        subscribers = Subscriber.objects.filter(email=normalise_email(event.recipient))
        if event.event_type in SUPPRESSING:
            reason = f"{esp_name} reported {event.event_type}"
            if event.reject_reason:
                reason += f" ({event.reject_reason})"
            for subscriber in subscribers:
                subscriber.suppress(reason)
        elif event.event_type == "unsubscribed":
            # The service's own unsubscribe (its link or List-Unsubscribe handling).
            for subscriber in subscribers:
                subscriber.unsubscribe(now=when, issue_id=delivery and delivery.issue_id)


def connect():
    tracking.connect(on_tracking, dispatch_uid="newsletter-suppress")
