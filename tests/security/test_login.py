"""Logging in under attack: brute-force lockouts (django-axes), answers that do not tell which
accounts exist, a fresh session at login, logout by POST only, and `next` links that never
leave the site.

Lockouts (accounts.lockout) count per account and address (the username and the e-mail
address of one account together), five failures, and per address, ten, for 15 minutes. An
account is never locked as such: an attacker's failures from other addresses only slow it
down, and never stop its owner from logging in from a clean address; an owner who is locked
out lifts the lock for their browser with an e-mailed link.
"""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts import lockout, verification
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
ADDRESS_LIMIT = settings.LOGIN_ADDRESS_FAILURE_LIMIT
WRONG = "not the password at all"
LOCKED_SENTENCE = (
    "Logging in is paused for this account or from this address after several failed attempts."
)
BAD_CREDENTIALS = "Please enter a correct username and password"
SESSION_USER_KEY = "_auth_user_id"
SITE = "https://scalepress.example"


def log_in(client, username, password, ip="203.0.113.10", path=None, **extra):
    return client.post(
        path or reverse("accounts:login"),
        {"username": username, "password": password, **extra},
        REMOTE_ADDR=ip,
    )


def fail(client, username, times, ip="203.0.113.10", **kwargs):
    return [log_in(client, username, WRONG, ip=ip, **kwargs).status_code for _ in range(times)]


def page_text(response, *typed):
    """The page with what differs by request alone (CSRF tokens, the name typed) blanked."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", text)
    for value in typed:
        text = text.replace(value, "TYPED")
    return text


def is_logged_in(client):
    return SESSION_USER_KEY in client.session


# --- Lockout ------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client):
    user = UserFactory()

    statuses = fail(client, user.username, LIMIT)
    response = log_in(client, user.username, PASSWORD)

    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert statuses[-1] == 429  # the failure that reaches the limit is already refused
    assert response.status_code == 429
    assert LOCKED_SENTENCE in response.content.decode()
    assert "Please wait 15 minutes" in response.content.decode()
    assert not is_logged_in(client)


def test_five_failures_from_one_address_lock_that_address_for_every_account(client):
    victim = UserFactory()

    for attempt in range(ADDRESS_LIMIT):
        log_in(client, f"guess{attempt}", WRONG, ip="192.0.2.7")
    locked = log_in(client, victim.username, PASSWORD, ip="192.0.2.7")
    elsewhere = log_in(Client(), victim.username, PASSWORD, ip="192.0.2.8")

    assert locked.status_code == 429
    assert LOCKED_SENTENCE in locked.content.decode()
    assert elsewhere.status_code == 302  # the account itself was never attacked


def test_a_forged_forwarding_header_does_not_escape_the_address_lockout(client):
    victim = UserFactory()

    for attempt in range(ADDRESS_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": f"guess{attempt}", "password": WRONG},
            REMOTE_ADDR="192.0.2.9",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}",
            HTTP_X_REAL_IP=f"10.0.1.{attempt}",
        )
    response = client.post(
        reverse("accounts:login"),
        {"username": victim.username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.9",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
        HTTP_X_REAL_IP="10.9.9.9",
    )

    assert response.status_code == 429


def test_the_username_and_the_email_of_one_account_count_together(client):
    user = UserFactory(username="dana", email="dana@example.com")
    typed = ["dana", "dana@example.com", "DANA@Example.com", "Dana", " dana@example.com "]

    for name in typed:
        log_in(client, name, WRONG, ip="198.51.100.1")
    response = log_in(client, user.email, PASSWORD, ip="198.51.100.1")

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_admin_login_shares_the_lockout(client):
    editor = UserFactory(is_staff=True, is_superuser=True)

    fail(client, editor.username, LIMIT)
    response = log_in(client, editor.username, PASSWORD, path=reverse("admin:login"))

    assert response.status_code == 429
    assert LOCKED_SENTENCE in response.content.decode()


def test_the_lockout_ends_after_fifteen_minutes(client):
    user = UserFactory()
    fail(client, user.username, LIMIT)

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    still_locked = log_in(client, user.username, PASSWORD)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = log_in(client, user.username, PASSWORD)

    assert still_locked.status_code == 429
    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_successful_login_resets_the_accounts_counter(client):
    user = UserFactory()

    fail(client, user.username, LIMIT - 1)
    assert log_in(client, user.username, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    statuses = fail(client, user.username, LIMIT - 1)
    response = log_in(client, user.username, PASSWORD)

    assert statuses == [200] * (LIMIT - 1)
    assert response.status_code == 302


def test_logging_into_ones_own_account_does_not_wipe_failures_against_another(client):
    victim = UserFactory()
    attacker = UserFactory()

    own_logins = []
    for _round in range(3):
        fail(Client(), victim.username, LIMIT - 1, ip="192.0.2.66")
        own = log_in(Client(), attacker.username, PASSWORD, ip="192.0.2.66")
        own_logins.append(own.status_code)
    response = log_in(client, victim.username, PASSWORD, ip="192.0.2.66")

    # Logging into their own account forgot nothing: their guesses at the victim from that
    # address locked it after five, and by the third round the address itself is locked.
    assert response.status_code == 429
    assert own_logins == [302, 302, 429]


# --- An attacker cannot lock the owner out (issue 19) -----------------------------------------

ATTACKERS = [f"198.51.100.{n}" for n in range(1, 11)]


@pytest.mark.parametrize("login_page", ["accounts:login", "admin:login"])
def test_an_attackers_failures_from_other_addresses_never_stop_the_owners_login(login_page):
    owner = UserFactory(username="admin", is_staff=True, is_superuser=True)
    attacker = Client()

    for address in ATTACKERS:  # 10 addresses, each until the account is locked from it
        fail(attacker, "admin", LIMIT + 2, ip=address, path=reverse(login_page))
    renewed = fail(attacker, owner.email, 3, ip=ATTACKERS[0], path=reverse(login_page))
    owners = Client()
    response = log_in(owners, "admin", PASSWORD, ip="203.0.113.99", path=reverse(login_page))

    assert renewed == [429, 429, 429]  # the attacker's addresses stay locked for the account
    assert response.status_code == 302
    assert owners.session[SESSION_USER_KEY] == str(owner.pk)


def test_the_owner_still_logs_in_with_the_email_address_while_under_attack():
    UserFactory(username="dana", email="dana@example.com")
    for address in ATTACKERS[:4]:
        fail(Client(), "dana@example.com", LIMIT, ip=address)

    response = log_in(Client(), "DANA@example.com", PASSWORD, ip="203.0.113.98")

    assert response.status_code == 302


def test_failures_against_an_account_slow_it_down_more_and_more(settings):
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 3

    pauses = [lockout.slowdown_seconds(failures) for failures in range(0, 2 * LIMIT + 2)]

    assert pauses[:LIMIT] == [0.0] * LIMIT  # an owner's own typos cost nothing
    assert pauses[LIMIT:] == sorted(pauses[LIMIT:])
    assert pauses[LIMIT] > 0
    assert max(pauses) == 3


def locked_out_owner(address="203.0.113.10"):
    """An account whose owner typed the wrong password five times from their address."""
    owner = UserFactory(username="erin", email="erin@example.com")
    client = Client()
    fail(client, "erin", LIMIT, ip=address)
    return owner, client


def unlock_link(message):
    link = re.search(r"https?://\S+(/accounts/unlock/\S+/\S+/)", message.body)
    assert link, message.body
    return link.group(1)


def test_a_locked_out_owner_unlocks_their_browser_through_an_emailed_link(mailoutbox):
    owner, client = locked_out_owner()
    page = log_in(client, "erin", PASSWORD, ip="203.0.113.10")
    assert page.status_code == 429
    assert "E-mail me an unlock link" in page.content.decode()

    sent = client.post(reverse("accounts:unlock-request"), {"username": "erin"})
    (message,) = mailoutbox
    link = unlock_link(message)
    confirm = client.get(link)
    client.post(link)
    response = log_in(client, "erin", PASSWORD, ip="203.0.113.10")

    assert "Check your e-mail" in sent.content.decode()
    assert message.to == ["erin@example.com"]
    assert "Unlock this browser" in confirm.content.decode()
    assert response.status_code == 302
    assert client.session[SESSION_USER_KEY] == str(owner.pk)


def test_an_unlock_request_answers_alike_for_an_unknown_account(mailoutbox):
    locked_out_owner()

    known = Client().post(reverse("accounts:unlock-request"), {"username": "erin"})
    unknown = Client().post(reverse("accounts:unlock-request"), {"username": "nobody-here"})

    assert known.status_code == unknown.status_code == 200
    assert page_text(known) == page_text(unknown)
    assert len(mailoutbox) == 1


def test_an_unlock_link_unlocks_nothing_until_its_button_and_nothing_for_another_browser(
    mailoutbox,
):
    _owner, client = locked_out_owner()
    client.post(reverse("accounts:unlock-request"), {"username": "erin"})
    link = unlock_link(mailoutbox[0])

    client.get(link)  # a mail scanner opening the link
    still_locked = log_in(client, "erin", PASSWORD, ip="203.0.113.10")
    Client().post(link)  # someone else's browser
    other_browser = log_in(Client(), "erin", PASSWORD, ip="203.0.113.10")

    assert still_locked.status_code == 429
    assert other_browser.status_code == 429


def test_an_unlock_link_stops_working_once_the_owner_has_logged_in(mailoutbox):
    _owner, client = locked_out_owner()
    client.post(reverse("accounts:unlock-request"), {"username": "erin"})
    link = unlock_link(mailoutbox[0])
    client.post(link)
    assert log_in(client, "erin", PASSWORD, ip="203.0.113.10").status_code == 302

    again = Client().get(link)

    assert again.status_code == 400
    assert "This unlock link does not work" in again.content.decode()


def test_an_unlocked_browser_gets_past_no_other_accounts_lock(mailoutbox):
    _owner, client = locked_out_owner()
    other = UserFactory(username="frank")
    fail(Client(), "frank", LIMIT, ip="203.0.113.10")
    client.post(reverse("accounts:unlock-request"), {"username": "erin"})
    client.post(unlock_link(mailoutbox[0]))

    response = log_in(client, other.username, PASSWORD, ip="203.0.113.10")

    assert response.status_code == 429


# --- The same answer whether or not the account exists -----------------------------------------


def test_an_unknown_user_and_a_wrong_password_get_the_same_page(client):
    user = UserFactory(username="existing-person")

    known = log_in(client, user.username, WRONG)
    unknown = log_in(Client(), "nobody-by-that", WRONG, ip="203.0.113.11")
    unknown_email = log_in(Client(), "nobody@example.com", WRONG, ip="203.0.113.12")
    known_email = log_in(Client(), user.email, WRONG, ip="203.0.113.13")

    assert known.status_code == unknown.status_code == 200
    assert unknown_email.status_code == known_email.status_code == 200
    assert BAD_CREDENTIALS in known.content.decode()
    assert page_text(known, user.username) == page_text(unknown, "nobody-by-that")
    assert page_text(known_email, user.email) == page_text(unknown_email, "nobody@example.com")


def test_a_locked_unknown_user_and_a_locked_account_get_the_same_page(client):
    user = UserFactory()

    fail(client, user.username, LIMIT, ip="203.0.113.20")
    known = log_in(client, user.username, PASSWORD, ip="203.0.113.20")
    ghost = Client()
    fail(ghost, "ghost-account", LIMIT, ip="203.0.113.22")
    unknown = log_in(ghost, "ghost-account", PASSWORD, ip="203.0.113.22")

    assert known.status_code == unknown.status_code == 429
    assert page_text(known, user.username) == page_text(unknown, "ghost-account")


def test_password_reset_answers_alike_for_an_unknown_address_and_sends_nothing(client, mailoutbox):
    user = UserFactory()
    url = reverse("accounts:password_reset")

    known = client.post(url, {"email": user.email})
    sent = len(mailoutbox)
    unknown = Client().post(url, {"email": "no-such-person@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert sent == 1
    assert len(mailoutbox) == 1  # nothing for the unknown address
    assert page_text(client.get(known["Location"])) == page_text(Client().get(unknown["Location"]))


def test_password_reset_mails_to_one_address_are_rate_limited(client, mailoutbox):
    user = UserFactory()

    for _attempt in range(30):
        client.post(reverse("accounts:password_reset"), {"email": user.email})

    assert len(mailoutbox) <= 10


def test_guessing_the_old_password_on_the_change_form_stops_after_five_failures(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    new = {"new_password1": "a new passphrase 2026", "new_password2": "a new passphrase 2026"}

    for attempt in range(LIMIT):
        client.post(url, {"old_password": f"guess {attempt}", **new}, REMOTE_ADDR="192.0.2.80")
    response = client.post(url, {"old_password": PASSWORD, **new}, REMOTE_ADDR="192.0.2.80")

    assert response.status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- Sessions -----------------------------------------------------------------------------------


def test_logging_in_gives_a_new_session_id(client):
    user = UserFactory()
    planted = client.session  # an attacker's session id, fixed in the victim's browser
    planted["planted"] = True
    planted.save()

    response = log_in(client, user.username, PASSWORD)

    assert response.status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    assert client.session[SESSION_USER_KEY] == str(user.pk)


def test_logging_out_ends_the_session(client):
    client.force_login(UserFactory())
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(reverse("accounts:logout"))

    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.parametrize("name", ["accounts:logout", "admin:logout"])
def test_logout_is_post_only(client, name):
    user = UserFactory(is_staff=True)
    client.force_login(user)

    response = client.get(reverse(name))

    assert response.status_code == 405
    assert client.session[SESSION_USER_KEY] == str(user.pk)


def test_logout_without_a_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 403
    assert client.session[SESSION_USER_KEY] == str(user.pk)


# --- next= never leaves the site ----------------------------------------------------------------

OFFSITE = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example",
    "https://evil.example/accounts/profile/",
    "http:evil.example",
    "https:/evil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "https://testserver@evil.example",
    "https://evil.example\\@testserver",
    " //evil.example",
    "\t//evil.example",
    "\n//evil.example",
    " \t/\\evil.example",
    "\x0b//evil.example",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    " https://evil.example",
]


C0_CONTROLS_AND_SPACE = "".join(map(chr, range(0x21)))


def stays_on_site(location, base=f"{SITE}/accounts/login/"):
    """Where a browser goes for this Location: it drops tabs and newlines, trims control
    characters and spaces, and reads a backslash as a slash."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip(C0_CONTROLS_AND_SPACE)
    target = urlsplit(urljoin(base, cleaned.replace("\\", "/")))
    return target.scheme == "https" and target.netloc == urlsplit(SITE).netloc


@pytest.mark.parametrize(
    "location",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        " \x0b//evil.example",
        "java\tscript:alert(1)",
        "https://evil.example/",
        "http:evil.example",
        "https://scalepress.example@evil.example",
    ],
)
def test_the_checker_sees_these_locations_leave_the_site(location):
    assert not stays_on_site(location)


@pytest.mark.parametrize("location", ["/", "/accounts/profile/", "?page=2", "%2F%2Fevil.example"])
def test_the_checker_sees_paths_of_the_site_as_on_site(location):
    assert stays_on_site(location)


def redirect_target(response):
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    assert stays_on_site(location), location
    return location


@pytest.mark.parametrize("next_url", OFFSITE)
def test_login_never_redirects_off_site(next_url):
    user = UserFactory()
    url = f"{reverse('accounts:login')}?{urlencode({'next': next_url})}"

    by_query = redirect_target(log_in(Client(), user.username, PASSWORD, path=url))
    by_form = redirect_target(log_in(Client(), user.username, PASSWORD, next=next_url))

    assert by_query == by_form


@pytest.mark.parametrize("next_url", OFFSITE)
def test_the_admin_login_never_redirects_off_site(next_url):
    editor = UserFactory(is_staff=True, is_superuser=True)
    url = f"{reverse('admin:login')}?{urlencode({'next': next_url})}"

    redirect_target(log_in(Client(), editor.username, PASSWORD, path=url))
    redirect_target(
        log_in(Client(), editor.username, PASSWORD, path=reverse("admin:login"), next=next_url)
    )


@pytest.mark.parametrize("next_url", OFFSITE)
def test_resending_the_confirmation_never_redirects_off_site(client, next_url, mailoutbox):
    user = UserFactory(email_verified_at=None)
    client.force_login(user)

    redirect_target(client.post(reverse("accounts:verify-resend"), {"next": next_url}))

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mailoutbox[0].body).group(0)
    redirect_target(client.get(urlsplit(link).path))  # the link's signed next, checked again


@pytest.mark.parametrize("next_url", OFFSITE)
@pytest.mark.parametrize("signed_in", [True, False], ids=["same-user", "other-browser"])
def test_a_confirmation_link_with_an_offsite_next_stays_on_site(client, next_url, signed_in):
    user = UserFactory(email_verified_at=None)
    if signed_in:
        client.force_login(user)
    token = verification.make_token(user, next_url=next_url)

    location = redirect_target(client.get(reverse("accounts:verify", args=[token])))

    after_login = parse_qs(urlsplit(location).query).get("next", [])
    assert all(stays_on_site(target) for target in after_login), after_login
    user.refresh_from_db()
    assert user.email_verified
