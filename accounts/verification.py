"""E-mail verification: a signed, expiring link proves that a new account owns its address.

The token signs the user's id together with the address it was sent to, so a link stops
working when the address changes, and it expires after EMAIL_VERIFICATION_MAX_AGE seconds.
Nothing is stored: the signature is the proof.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

SALT = "accounts.verification"


class VerificationFailed(Exception):
    """The link is broken, expired or was sent to an address the account no longer has."""


def make_token(user, next_url=""):
    # `next` is signed with the rest, so the link cannot be turned into an open redirect.
    data = {"user": user.pk, "email": user.email, "next": next_url}
    return signing.dumps(data, salt=SALT, compress=True)


def check_token(token):
    """(user, next URL) the token verifies; VerificationFailed with a reason otherwise."""
    from .models import User

    try:
        data = signing.loads(token, salt=SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise VerificationFailed(
            "This link has expired. Log in and ask for a new one from your dashboard."
        ) from exc
    except signing.BadSignature as exc:
        raise VerificationFailed(
            "This link is not valid. Please copy the whole link from the e-mail."
        ) from exc
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        raise VerificationFailed("This link belongs to an account or address that has changed.")
    return user, data.get("next") or ""


def verify(user):
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


def send_verification_email(user, next_url=""):
    # The link is built from SITE_URL, never from the request's Host header.
    link = settings.SITE_URL + reverse("accounts:verify", args=[make_token(user, next_url)])
    days = settings.EMAIL_VERIFICATION_MAX_AGE // 86400
    context = {"user": user, "link": link, "days": days, "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"Confirm your e-mail address for {settings.SITE_NAME}",
        message=render_to_string("accounts/verification_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def send_already_registered_email(user, what):
    """Someone signed up with the address of an existing account: tell its owner (the sign-up
    page answered as for a new account, so it told the visitor nothing)."""
    context = {
        "user": user,
        "what": what,
        "site_name": settings.SITE_NAME,
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
    }
    send_mail(
        subject=f"You already have an account at {settings.SITE_NAME}",
        message=render_to_string("accounts/already_registered_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
