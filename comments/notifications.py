"""The e-mails comments cause: the post's author hears of each new visible comment; readers
who follow a thread (double opt-in) hear of each new one there, with a one-click unsubscribe
for that thread alone (RFC 8058). Links are the newsletter's signed tokens (newsletter.tokens,
with purposes of their own: a newsletter link is never a thread link), naming a subscription
by id, never an address.
"""

from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from digest.models import SiteSettings
from newsletter import tokens
from newsletter.confirmation import link

CONFIRM, MANAGE = "comments.thread.confirm", "comments.thread.manage"


def comment_context(comment):
    return {
        "comment": comment,
        "post": comment.post,
        "site_name": SiteSettings.load().site_name,
        "comment_url": urljoin(settings.SITE_URL, comment.get_absolute_url()),
    }


def send_for(comment):
    """The messages about one newly visible comment; returns how many were sent."""
    context = comment_context(comment)
    sent = 0
    author = comment.post.author
    if author.email and author.email.lower() != comment.email:
        EmailMessage(
            f"New comment on “{comment.post.title}”",
            render_to_string("comments/email/author.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [author.email],
        ).send()
        sent += 1
    subscriptions = comment.post.comment_subscriptions
    confirmed = subscriptions.filter(status=subscriptions.model.Status.CONFIRMED).exclude(
        email=comment.email
    )
    for subscription in confirmed:
        unsubscribe = link("comments:thread-unsubscribe", tokens.make(subscription, MANAGE))
        EmailMessage(
            f"New comment on “{comment.post.title}”",
            render_to_string(
                "comments/email/reply.txt", {**context, "unsubscribe_url": unsubscribe}
            ),
            settings.DEFAULT_FROM_EMAIL,
            [subscription.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"<comments-{comment.post_id}.{urlsplit(settings.SITE_URL).hostname}>",
            },
        ).send()
        sent += 1
    return sent


def send_confirmation(subscription):
    site_name = SiteSettings.load().site_name
    context = {
        "site_name": site_name,
        "post": subscription.post,
        "confirm_url": link("comments:thread-confirm", tokens.make(subscription, CONFIRM)),
    }
    EmailMessage(
        f"Confirm: follow the comments on “{subscription.post.title}”",
        render_to_string("comments/email/confirm.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [subscription.email],
    ).send()
