"""Signed, scoped links: each names one subscriber by id (never the address) and one purpose.

A token made for one purpose is refused for another (its own salt), and changing the id in it
breaks the signature, so an unsubscribe link unsubscribes only its own subscriber. Confirmation
links expire (settings.NEWSLETTER_CONFIRM_MAX_AGE); unsubscribe and preference links do not, as
mail clients offer old issues' unsubscribe links for as long as the message is kept.
"""

from django.conf import settings
from django.core import signing

CONFIRM, MANAGE = "newsletter.confirm", "newsletter.manage"
MAX_TOKEN_LENGTH = 200


def make(subscriber, purpose):
    return signing.dumps(subscriber.pk, salt=purpose, compress=False)


def read(token, purpose):
    """The subscriber id a valid token names, or None."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    max_age = settings.NEWSLETTER_CONFIRM_MAX_AGE if purpose == CONFIRM else None
    try:
        value = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
