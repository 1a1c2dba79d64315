"""Bounces and complaints reported by an e-mail service (django-anymail's tracking webhooks,
authenticated as anymail documents: ANYMAIL_WEBHOOK_SECRET and each service's signature).
A hard bounce or a complaint suppresses the address: it is never mailed again."""

from anymail.signals import tracking

from .models import Subscriber, normalise_email

SUPPRESSING = {"bounced", "complained", "rejected"}


def on_tracking(sender, event, esp_name, **kwargs):
    if event.event_type not in SUPPRESSING or not event.recipient:
        return
    reason = f"{esp_name} reported {event.event_type}"
    if event.reject_reason:
        reason += f" ({event.reject_reason})"
    for subscriber in Subscriber.objects.filter(email=normalise_email(event.recipient)):
        subscriber.suppress(reason)


def connect():
    tracking.connect(on_tracking, dispatch_uid="newsletter-suppress")
