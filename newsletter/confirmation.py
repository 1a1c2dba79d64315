"""The e-mails a subscribe request causes. What is sent depends on the address's state, but
the person at the form sees the same answer either way: only the mailbox's owner learns it."""

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from digest.models import SiteSettings

from . import tokens
from .models import Subscriber

TEMPLATES = {
    Subscriber.Status.PENDING: "newsletter/email/confirm.txt",
    Subscriber.Status.UNSUBSCRIBED: "newsletter/email/confirm.txt",
    Subscriber.Status.CONFIRMED: "newsletter/email/already_subscribed.txt",
}


def send_for(subscriber):
    """Ask a pending or unsubscribed address to confirm; tell a subscribed one where its
    preferences are. A suppressed address (it bounced or complained) is never written to."""
    template = TEMPLATES.get(subscriber.status)
    if template is None:
        return False
    site_name = SiteSettings.load().site_name
    context = {
        "site_name": site_name,
        "confirm_url": link("newsletter:confirm", tokens.make(subscriber, tokens.CONFIRM)),
        "manage_url": link("newsletter:preferences", tokens.make(subscriber, tokens.MANAGE)),
        "days": settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400,
    }
    subject = (
        f"You are subscribed to {site_name}"
        if subscriber.status == Subscriber.Status.CONFIRMED
        else f"Confirm your subscription to {site_name}"
    )
    EmailMessage(
        subject,
        render_to_string(template, context),
        settings.NEWSLETTER_FROM_EMAIL,
        [subscriber.email],
    ).send()
    return True


def link(name, token):
    return urljoin(settings.SITE_URL, reverse(name, args=[token]))
