"""Login lockouts (django-axes, kept in the database so every worker and server sees them)
that an attacker cannot turn against an account's owner.

Failures count for LOGIN_LOCKOUT_MINUTES, and lock in two ways only:
- one account from one address: LOGIN_FAILURE_LIMIT failures (the owner's own typos, or
  someone guessing from there);
- one address altogether: LOGIN_ADDRESS_FAILURE_LIMIT failures against any accounts
  (password spraying).
An account is never locked as such: failures against it from everywhere only slow every
attempt at it down (a pause before the password is checked, growing to
LOGIN_SLOWDOWN_MAX_SECONDS), so an attacker with many addresses guesses slowly while the owner
still logs in from a clean address. An owner locked out all the same (their own address is
locked) lifts the locks for their own browser with a link e-mailed to the account's address.
"""

import time
from typing import NamedTuple

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

UNLOCK_COOKIE = "login_unlock"
UNLOCK_SALT = "accounts.lockout.unlock"


class Failures(NamedTuple):
    """Recent failed logins: of this account from this address, from this address against
    any account, and against this account from anywhere."""

    pair: int
    address: int
    account: int


def slowdown_seconds(account_failures):
    """The pause before an attempt at an account that failed this often lately: none up to
    LOGIN_FAILURE_LIMIT failures, then a quarter second doubling up to the maximum."""
    over = account_failures - settings.AXES_FAILURE_LIMIT
    if over < 0:
        return 0.0
    return min(settings.LOGIN_SLOWDOWN_MAX_SECONDS, 0.25 * 2 ** min(over, 16))


def lockout_name(user):
    """The name failures against `user` are counted under (accounts.backends)."""
    return user.get_username().lower()


def is_unlocked(request, username):
    """Whether this browser carries the owner's unlock for the account `username`."""
    value = request.get_signed_cookie(
        UNLOCK_COOKIE, default=None, salt=UNLOCK_SALT, max_age=settings.LOGIN_UNLOCK_SECONDS
    )
    return bool(username) and value == username


class LockoutHandler(AxesDatabaseHandler):
    """django-axes's database handler with the rules above."""

    def failures(self, request, credentials=None):
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        totals = AccessAttempt.objects.filter(
            Q(username=username) | Q(ip_address=address),
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(
            pair=Sum("failures_since_start", filter=Q(username=username, ip_address=address)),
            address=Sum("failures_since_start", filter=Q(ip_address=address)),
            account=Sum("failures_since_start", filter=Q(username=username)),
        )
        return Failures(**{name: count or 0 for name, count in totals.items()})

    def get_failures(self, request, credentials=None):
        """What django-axes compares with AXES_FAILURE_LIMIT (before an attempt, and after
        recording a failed one): the limit itself when a lock applies, less otherwise."""
        if is_unlocked(request, get_client_username(request, credentials)):
            return 0
        failures = self.failures(request, credentials)
        limit = settings.AXES_FAILURE_LIMIT
        if failures.pair >= limit or failures.address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return limit
        return min(failures.pair, limit - 1)

    def is_allowed(self, request, credentials=None):
        allowed = super().is_allowed(request, credentials)
        username = get_client_username(request, credentials)
        if allowed and not is_unlocked(request, username):
            pause = slowdown_seconds(self.failures(request, credentials).account)
            if pause:
                time.sleep(pause)
        return allowed

    def reset_user_attempts(self, request, credentials=None):
        """A successful login forgets the failures of that account from that address only.

        Not those from other addresses (an attacker's, which keep slowing the account down
        until they age out), and not those from this address against other accounts: an
        attacker with an account of their own (sponsor sign-up is open) could otherwise
        guess, log in as themselves, and guess again without ever being locked out."""
        username = get_client_username(request, credentials)
        attempts = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        )
        count, _ = attempts.delete()
        return count


class UnlockTokenGenerator(PasswordResetTokenGenerator):
    """Unlock links: like password reset links, they stop working once the owner logs in
    or changes the password, and after PASSWORD_RESET_TIMEOUT."""

    key_salt = "accounts.lockout.UnlockTokenGenerator"


unlock_tokens = UnlockTokenGenerator()


def account_named(typed):
    """The active account a login form's name means (username or e-mail address), or None."""
    typed = (typed or "").strip()
    if not typed:
        return None
    field = "email__iexact" if "@" in typed else "username__iexact"
    return get_user_model().objects.filter(**{field: typed}, is_active=True).first()


def send_unlock_email(user):
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    link = settings.SITE_URL + reverse(
        "accounts:unlock", args=[uidb64, unlock_tokens.make_token(user)]
    )
    context = {"user": user, "link": link, "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"Unlock logging in to {settings.SITE_NAME}",
        message=render_to_string("accounts/unlock_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def user_for_link(uidb64, token):
    """The account an unlock link was sent for, or None when the link is not valid (any
    more)."""
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    except (ValueError, UnicodeDecodeError):
        return None
    if user is None or not unlock_tokens.check_token(user, token):
        return None
    return user


def unlock_browser(response, user):
    """Let the browser that receives `response` log in to `user` past the locks."""
    response.set_signed_cookie(
        UNLOCK_COOKIE,
        lockout_name(user),
        salt=UNLOCK_SALT,
        max_age=settings.LOGIN_UNLOCK_SECONDS,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
