"""Signed, scoped links: each names one subscriber by id (never the address) and one purpose.

A token made for one purpose is refused for another (its own salt), and changing the id in it
breaks the signature, so an unsubscribe link unsubscribes only its own subscriber. Confirmation
links expire (settings.NEWSLETTER_CONFIRM_MAX_AGE); unsubscribe and preference links do not, as
mail clients offer old issues' unsubscribe links for as long as the message is kept.

The links in an issue also name that issue (signed with the id), so an unsubscribe through
them is counted in that issue's figures. Links made before they did still work.
"""

from django.conf import settings
from django.core import signing

CONFIRM, MANAGE = "newsletter.confirm", "newsletter.manage"
MAX_TOKEN_LENGTH = 200


def make(subscriber, purpose, issue_id=None):
    value = subscriber.pk if issue_id is None else [subscriber.pk, issue_id]
    return signing.dumps(value, salt=purpose, compress=False)


def read(token, purpose):
    """The subscriber id a valid token names, or None."""
    return _load(token, purpose)[0]


def issue_in(token, purpose):
    """The issue a valid token's e-mail was, or None (not an issue's link)."""
    return _load(token, purpose)[1]


def _load(token, purpose):
    """(subscriber id, issue id or None), or (None, None) for a token that is not valid."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None, None
    max_age = settings.NEWSLETTER_CONFIRM_MAX_AGE if purpose == CONFIRM else None
    try:
        value = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.BadSignature:
        return None, None
    if type(value) is int:
        return value, None
    if isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value):
        return value[0], value[1]
    return None, None
