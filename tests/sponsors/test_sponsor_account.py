"""A sponsor's account: signing up, confirming the e-mail address (and what an unconfirmed
account may not do), logging in and resetting the password."""

import re

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from accounts.models import Role, User
from accounts.verification import send_verification_email
from sponsors.models import Listing, Sponsor
from tests.accounts.factories import PASSWORD, UserFactory
from tests.helpers import log_in, snapshot, text, verification_path
from tests.sponsors.factories import ListingFactory, SponsorFactory, listing_data, signup_data

pytestmark = pytest.mark.django_db

SESSION_USER_KEY = "_auth_user_id"
NEW_PASSWORD = "a brand new passphrase for 2026"
SIGNUP_URL = reverse("sponsors:signup")
SUBMIT_URL = reverse("sponsors:submit")
DASHBOARD_URL = reverse("sponsors:dashboard")
HONEYPOT_MESSAGE = "This form was filled in automatically, so it was not sent."
VERIFY_FIRST = "Please confirm your e-mail address first"
TOO_MANY = "You have sent this form many times in a short while"


# --- Sign-up -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"company-name": "  queue   MASTERS "},
            "A sponsor with this name is registered already.",
        ),
        (
            {"account-password2": "a different passphrase 2026"},
            "The two password fields didn’t match.",
        ),
        ({"account-email": "not an address"}, "Enter a valid email address."),
        (
            {"company-website": "javascript:alert(1)"},
            "Enter a web address starting with http:// or https://.",
        ),
        (
            {"company-name": "", "account-email": "", "account-password1": ""},
            "This field is required.",
        ),
    ],
    ids=[
        "duplicate-company",
        "password-mismatch",
        "bad-email",
        "bad-website",
        "empty",
    ],
)
def test_signup_with_bad_input_shows_the_problem_and_creates_nothing(
    client, mailoutbox, overrides, message
):
    UserFactory(email="ada@queue-masters.example")
    SponsorFactory(name="Queue Masters")
    users, sponsors = User.objects.count(), Sponsor.objects.count()
    data = signup_data(
        **{"account-email": "grace@hopper.example", "company-name": "Hopper Streams", **overrides}
    )

    response = client.post(SIGNUP_URL, data)

    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "Become a sponsor" in page
    assert (User.objects.count(), Sponsor.objects.count()) == (users, sponsors)
    assert mailoutbox == []
    assert SESSION_USER_KEY not in client.session


def test_signup_with_everything_empty_names_each_missing_field(client):
    response = client.post(SIGNUP_URL, dict.fromkeys(signup_data(), ""))

    assert response.status_code == 200
    assert text(response).count("This field is required.") == 5  # company name and 4 account
    assert not User.objects.exists()
    assert not Sponsor.objects.exists()


def test_signup_with_the_honeypot_filled_is_refused_and_creates_nothing(client, mailoutbox):
    response = client.post(SIGNUP_URL, signup_data(**{"account-contact_phone": "+1 555 0100"}))

    assert response.status_code == 200
    assert HONEYPOT_MESSAGE in text(response)
    assert not User.objects.exists()
    assert not Sponsor.objects.exists()
    assert mailoutbox == []


def test_signup_page_hides_the_honeypot_from_people(client):
    response = client.get(SIGNUP_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="account-contact_phone"' in page
    assert 'class="field hp-field" aria-hidden="true"' in page
    assert 'name="company-name"' in page
    assert 'name="account-email"' in page


def test_signup_creates_an_unverified_sponsor_account_and_mails_a_link(client, mailoutbox):
    response = client.post(SIGNUP_URL, signup_data(), follow=True)

    assert response.redirect_chain == [(reverse("sponsors:signup-sent"), 302)]
    assert "We sent a message to the address you gave." in text(response)

    user = User.objects.get()
    assert user.email == "ada@queue-masters.example"
    assert user.display_name == "Ada Lovelace"
    assert user.has_role(Role.SPONSORS)
    assert not user.is_staff
    assert not user.is_superuser
    assert user.email_verified_at is None
    assert user.check_password(PASSWORD)
    sponsor = Sponsor.objects.get()
    assert sponsor.name == "Queue Masters"
    assert sponsor.website == "https://queue-masters.example"
    assert list(sponsor.managers.all()) == [user]
    # Not signed in by the sign-up itself: the page is the same for a taken address.
    assert SESSION_USER_KEY not in client.session

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ada@queue-masters.example"]
    assert "Confirm your e-mail address" in message.subject
    assert "testserver" not in message.body


def test_the_link_in_the_signup_mail_verifies_the_account_and_lets_it_submit(
    client, mailoutbox, editor, django_capture_on_commit_callbacks
):
    client.post(SIGNUP_URL, signup_data())
    user = User.objects.get(email="ada@queue-masters.example")
    log_in(client, "ada@queue-masters.example")
    assert client.get(SUBMIT_URL).status_code == 403

    response = client.get(verification_path(mailoutbox[0]), follow=True)

    assert response.redirect_chain == [(DASHBOARD_URL, 302)]
    assert "Thank you: ada@queue-masters.example is confirmed." in text(response)
    user.refresh_from_db()
    assert user.email_verified_at is not None
    form = client.get(SUBMIT_URL)
    assert form.status_code == 200
    assert "Submit a listing" in text(form)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SUBMIT_URL, listing_data())

    listing = Listing.objects.get()
    assert response.status_code == 302
    assert listing.sponsor == Sponsor.objects.get()
    assert listing.status == Listing.Status.PENDING


def test_the_verification_link_works_when_opened_logged_out(client, mailoutbox):
    client.post(SIGNUP_URL, signup_data())
    path = verification_path(mailoutbox[0])
    client.logout()

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert User.objects.get().email_verified_at is not None


def test_a_logged_in_user_opening_signup_goes_to_the_dashboard(sponsor_client):
    response = sponsor_client.get(SIGNUP_URL)

    assert response.status_code == 302
    assert response.url == DASHBOARD_URL


# --- Verification links --------------------------------------------------------------------------


@pytest.fixture
def mailed_link(unverified_sponsor, mailoutbox):
    """(user, path) of a freshly mailed confirmation link."""
    user = unverified_sponsor.managers.get()
    send_verification_email(user)
    return user, verification_path(mailoutbox[-1])


def test_a_tampered_link_is_refused_with_a_reason(client, mailed_link):
    user, path = mailed_link
    token = resolve(path).kwargs["token"]
    tampered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]

    response = client.get(reverse("accounts:verify", args=[tampered]))

    assert response.status_code == 400
    page = text(response)
    assert "This confirmation link does not work" in page
    assert "This link is not valid. Please copy the whole link from the e-mail." in page
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_an_expired_link_is_refused_saying_it_expired(client, settings, mailed_link):
    user, path = mailed_link
    settings.EMAIL_VERIFICATION_MAX_AGE = -1

    response = client.get(path)

    assert response.status_code == 400
    assert "This link has expired." in text(response)
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(client, mailed_link):
    user, path = mailed_link
    user.email = "someone-else@example.com"
    user.save()

    response = client.get(path)

    assert response.status_code == 400
    assert "This link belongs to an account or address that has changed." in text(response)
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_resend_requires_post(client, unverified_sponsor, mailoutbox):
    client.force_login(unverified_sponsor.managers.get())

    response = client.get(reverse("accounts:verify-resend"))

    assert response.status_code == 405
    assert mailoutbox == []


def test_resend_mails_a_new_link_that_works(client, unverified_sponsor, mailoutbox):
    user = unverified_sponsor.managers.get()
    client.force_login(user)

    response = client.post(reverse("accounts:verify-resend"), {"next": DASHBOARD_URL}, follow=True)

    assert response.redirect_chain == [(DASHBOARD_URL, 302)]
    assert f"We sent a new link to {user.email}." in text(response)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    client.get(verification_path(mailoutbox[0]))
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_resend_for_a_confirmed_address_sends_nothing(sponsor_client, mailoutbox):
    response = sponsor_client.post(
        reverse("accounts:verify-resend"), {"next": DASHBOARD_URL}, follow=True
    )

    assert "Your e-mail address is already confirmed." in text(response)
    assert mailoutbox == []


def test_resend_does_not_redirect_to_another_site(client, unverified_sponsor, mailoutbox):
    client.force_login(unverified_sponsor.managers.get())

    response = client.post(reverse("accounts:verify-resend"), {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    assert len(mailoutbox) == 1


def test_resending_again_and_again_gets_the_429_page(client, unverified_sponsor, mailoutbox):
    client.force_login(unverified_sponsor.managers.get())
    url = reverse("accounts:verify-resend")
    for _ in range(5):
        assert client.post(url).status_code == 302

    response = client.post(url)

    assert response.status_code == 429
    assert TOO_MANY in text(response)
    assert len(mailoutbox) == 5


# --- Unverified accounts -------------------------------------------------------------------------


def test_an_unverified_account_cannot_open_the_submit_form(client, unverified_sponsor):
    client.force_login(unverified_sponsor.managers.get())

    response = client.get(SUBMIT_URL)

    assert response.status_code == 403
    page = text(response)
    assert VERIFY_FIRST in page
    assert "Send me a new link" in page
    assert 'name="text"' not in page


def test_an_unverified_account_cannot_submit(
    client, unverified_sponsor, editor, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(unverified_sponsor.managers.get())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SUBMIT_URL, listing_data())

    assert response.status_code == 403
    assert VERIFY_FIRST in text(response)
    assert not Listing.objects.exists()
    assert mailoutbox == []


def test_an_unverified_account_cannot_edit_a_pending_listing(client, unverified_sponsor):
    listing = ListingFactory(sponsor=unverified_sponsor)
    before = snapshot(listing)
    client.force_login(unverified_sponsor.managers.get())

    response = client.post(
        reverse("sponsors:listing-edit", args=[listing.pk]), listing_data(text="Changed")
    )

    assert response.status_code == 403
    assert VERIFY_FIRST in text(response)
    assert snapshot(listing) == before


# --- Logging in and resetting the password -------------------------------------------------------


def test_a_sponsor_logs_in_with_the_email_address_in_any_case(client, sponsor):
    user = sponsor.managers.get()

    response = log_in(client, user.email.upper())

    assert response.status_code == 302
    assert client.session[SESSION_USER_KEY] == str(user.pk)
    assert client.get(response.url).url == DASHBOARD_URL


def test_a_wrong_password_with_an_email_address_logs_nobody_in(client, sponsor):
    response = log_in(client, sponsor.managers.get().email, "not the password")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in text(response)
    assert SESSION_USER_KEY not in client.session


def test_a_sponsor_resets_the_password_from_the_mailed_link(client, sponsor, mailoutbox):
    user = sponsor.managers.get()

    response = client.post(reverse("accounts:password_reset"), {"email": user.email}, follow=True)

    assert response.status_code == 200
    assert "Check your e-mail" in text(response)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    link = re.search(r"https?://\S+", mailoutbox[0].body).group(0)
    assert link.startswith(f"{settings.SITE_URL}/")
    form_page = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 302
    assert client.session[SESSION_USER_KEY] == str(user.pk)
