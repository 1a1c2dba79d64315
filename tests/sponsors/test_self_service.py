"""Sponsor self-service: signing up, confirming the address, submitting and managing listings,
seeing only one's own data, and the limits that keep robots and floods out."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.verification import send_verification_email
from sponsors.models import Click, Listing, Sponsor, this_week
from tests.accounts.factories import PASSWORD, UserFactory
from tests.helpers import text
from tests.sponsors.factories import (
    ListingFactory,
    SponsorFactory,
    SponsorUserFactory,
    next_week,
)

pytestmark = pytest.mark.django_db

SESSION_USER_KEY = "_auth_user_id"
NEW_PASSWORD = "a brand new passphrase for 2026"
SIGNUP_URL = reverse("sponsors:signup")
SUBMIT_URL = reverse("sponsors:submit")
DASHBOARD_URL = reverse("sponsors:dashboard")

HONEYPOT_MESSAGE = "This form was filled in automatically, so it was not sent."
VERIFY_FIRST = "Please confirm your e-mail address first"
NOT_A_SPONSOR = "This account does not act for a sponsor"
TOO_MANY = "You have sent this form many times in a short while"
CSRF_REFUSAL = "This form has expired"


def signup_data(**overrides):
    data = {
        "company-name": "Queue Masters",
        "company-website": "https://queue-masters.example",
        "account-display_name": "Ada Lovelace",
        "account-email": "ada@queue-masters.example",
        "account-password1": PASSWORD,
        "account-password2": PASSWORD,
        "account-contact_phone": "",
    }
    return {**data, **overrides}


def listing_data(**overrides):
    data = {
        "section": Listing.Section.PRODUCT,
        "text": "Queue Masters makes **queues** fast: a million messages a second.",
        "link_url": "https://queue-masters.example/trial",
        "link_label": "Start your free trial",
        "weeks": [next_week().isoformat()],
        "contact_phone": "",
    }
    return {**data, **overrides}


def verification_path(message):
    """The site-relative path of the one confirmation link in a verification e-mail."""
    links = [line for line in message.body.splitlines() if line.startswith(settings.SITE_URL)]
    assert len(links) == 1, message.body
    path = links[0].removeprefix(settings.SITE_URL)
    assert resolve(path).view_name == "accounts:verify"
    return path


def log_in(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def snapshot(obj):
    """The stored fields of a row, to show that a refused request changed nothing."""
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def sponsor_client(client, sponsor):
    """A client logged in as the verified manager of `sponsor`."""
    client.force_login(sponsor.managers.get())
    return client


@pytest.fixture
def unverified_sponsor(db):
    return SponsorFactory(managers=[SponsorUserFactory(email_verified_at=None)])


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
        ({"company-website": "javascript:alert(1)"}, "Enter a valid URL."),
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


# --- Submitting a listing ------------------------------------------------------------------------


def test_submitting_creates_a_pending_listing_and_tells_the_editors(
    sponsor_client, sponsor, editor, mailoutbox, django_capture_on_commit_callbacks
):
    weeks = [next_week(1), next_week(3)]

    with django_capture_on_commit_callbacks(execute=True):
        response = sponsor_client.post(
            SUBMIT_URL,
            listing_data(weeks=[week.isoformat() for week in weeks]),
            follow=True,
        )

    listing = Listing.objects.get()
    assert response.redirect_chain == [(reverse("sponsors:listing-detail", args=[listing.pk]), 302)]
    assert "Thank you! Your listing is waiting for review" in text(response)
    assert listing.status == Listing.Status.PENDING
    assert listing.sponsor == sponsor
    assert listing.submitted_by == sponsor.managers.get()
    assert listing.section == Listing.Section.PRODUCT
    assert listing.link_url == "https://queue-masters.example/trial"
    assert listing.link_label == "Start your free trial"
    assert listing.week_list() == weeks
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [editor.email]
    assert f"new listing from {sponsor.name}" in message.subject


def test_the_submit_form_offers_the_coming_weeks(sponsor_client):
    response = sponsor_client.get(SUBMIT_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{next_week(1).isoformat()}"' in page
    assert f'value="{next_week(12).isoformat()}"' in page
    assert f'value="{next_week(0).isoformat()}"' not in page
    assert 'data-count="800"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "x" * 801}, "Ensure this value has at most 800 characters (it has 801)."),
        ({"text": "   "}, "This field is required."),
        ({"link_url": "javascript:alert(document.cookie)"}, "Enter a valid URL."),
        ({"link_url": "ftp://queue-masters.example/brochure.pdf"}, "Enter a valid URL."),
        ({"link_url": "data:text/html,<script>alert(1)</script>"}, "Enter a valid URL."),
        ({"link_label": ""}, "This field is required."),
        ({"section": "sidebar"}, "Select a valid choice."),
        ({"weeks": []}, "This field is required."),
        ({"weeks": [next_week(-1).isoformat()]}, "Select a valid choice."),
        ({"weeks": [next_week(0).isoformat()]}, "Select a valid choice."),
        ({"weeks": [(next_week(1) + timedelta(days=2)).isoformat()]}, "Select a valid choice."),
        ({"weeks": [next_week(13).isoformat()]}, "Select a valid choice."),
        ({"weeks": ["next tuesday"]}, "Select a valid choice."),
        ({"contact_phone": "+1 555 0100"}, HONEYPOT_MESSAGE),
    ],
    ids=[
        "text-too-long",
        "text-blank",
        "javascript-link",
        "ftp-link",
        "data-link",
        "no-label",
        "unknown-section",
        "no-weeks",
        "past-week",
        "this-week",
        "not-a-monday",
        "beyond-the-offer",
        "not-a-date",
        "honeypot",
    ],
)
def test_a_bad_submission_is_refused_with_a_message_and_creates_nothing(
    sponsor_client, editor, mailoutbox, django_capture_on_commit_callbacks, overrides, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sponsor_client.post(SUBMIT_URL, listing_data(**overrides))

    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "Submit a listing" in page
    assert not Listing.objects.exists()
    assert mailoutbox == []


def test_a_listing_of_exactly_800_characters_is_accepted(sponsor_client):
    response = sponsor_client.post(SUBMIT_URL, listing_data(text="y" * 800))

    assert response.status_code == 302
    assert len(Listing.objects.get().text) == 800


# --- Dashboard and listing pages -----------------------------------------------------------------


def test_the_dashboard_shows_the_company_listings_statuses_notes_weeks_and_clicks(
    sponsor_client, sponsor, other_sponsor
):
    pending = ListingFactory(sponsor=sponsor, text="Pending: our queue is fast.")
    approved = ListingFactory(
        sponsor=sponsor,
        approved=True,
        text="Approved: hiring SREs.",
        section=Listing.Section.HIRING,
        weeks=[next_week(2), next_week(3)],
    )
    ListingFactory(
        sponsor=sponsor,
        status=Listing.Status.REJECTED,
        review_note="Please say where the job is.",
        text="Rejected: come work with us.",
    )
    ListingFactory(sponsor=sponsor, status=Listing.Status.WITHDRAWN, text="Withdrawn: a meetup.")
    ListingFactory(sponsor=other_sponsor, text="Someone else's secret listing.")
    for visitor in ("a", "b", "c"):
        Click.objects.create(listing=approved, day=next_week(2), visitor=visitor)

    response = sponsor_client.get(DASHBOARD_URL)

    assert response.status_code == 200
    page = text(response)
    assert sponsor.name in page
    assert sponsor.website in page
    assert "<strong>very</strong> scalable" in page
    for label in ("Pending review", "Approved", "Rejected", "Withdrawn"):
        assert label in page
    assert "Editor's note: Please say where the job is." in re.sub(r"<[^>]+>", "", page)
    assert "Who's Hiring?" in page
    assert f'datetime="{next_week(2).isoformat()}"' in page
    assert f'datetime="{next_week(3).isoformat()}"' in page
    assert '<td class="num">3</td>' in page
    assert reverse("sponsors:listing-detail", args=[pending.pk]) in page
    assert "Someone else's secret listing." not in page
    assert other_sponsor.name not in page


def test_the_listing_page_shows_the_preview_as_readers_will_see_it(sponsor_client, sponsor):
    listing = ListingFactory(
        sponsor=sponsor,
        section=Listing.Section.HIRING,
        text="We are **hiring** SREs <script>alert(1)</script>",
        link_label="Apply now",
        weeks=[next_week(1)],
    )

    response = sponsor_client.get(reverse("sponsors:listing-detail", args=[listing.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "As readers will see it" in page
    assert "<strong>hiring</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert f'href="{listing.link_url}"' in page
    assert ">Apply now</a>" in page
    assert f"{next_week(1):%B} {next_week(1).day}, {next_week(1).year}" in page
    assert "Pending review" in page
    assert "Withdraw" in page


def test_a_pending_listing_can_be_edited_and_stays_pending(
    sponsor_client, sponsor, editor, mailoutbox, django_capture_on_commit_callbacks
):
    listing = ListingFactory(sponsor=sponsor, weeks=[next_week(1)])
    url = reverse("sponsors:listing-edit", args=[listing.pk])
    form = sponsor_client.get(url)
    assert form.status_code == 200
    assert listing.text in text(form)

    with django_capture_on_commit_callbacks(execute=True):
        response = sponsor_client.post(
            url,
            listing_data(text="Now even faster queues.", weeks=[next_week(2).isoformat()]),
            follow=True,
        )

    assert "Your changes were saved; the listing is still waiting for review." in text(response)
    listing.refresh_from_db()
    assert listing.text == "Now even faster queues."
    assert listing.status == Listing.Status.PENDING
    assert listing.week_list() == [next_week(2)]
    assert [m.to for m in mailoutbox] == [[editor.email]]


def test_editing_a_listing_with_bad_input_changes_nothing(sponsor_client, sponsor):
    listing = ListingFactory(sponsor=sponsor)
    before = snapshot(listing)

    response = sponsor_client.post(
        reverse("sponsors:listing-edit", args=[listing.pk]),
        listing_data(link_url="javascript:alert(1)"),
    )

    assert response.status_code == 200
    assert "Enter a valid URL." in text(response)
    assert snapshot(listing) == before


def test_an_approved_listing_is_locked(sponsor_client, sponsor):
    listing = ListingFactory(sponsor=sponsor, approved=True)
    before = snapshot(listing)
    url = reverse("sponsors:listing-edit", args=[listing.pk])
    detail = reverse("sponsors:listing-detail", args=[listing.pk])

    response = sponsor_client.get(url, follow=True)

    assert response.redirect_chain == [(detail, 302)]
    page = text(response)
    assert "This listing is approved, so it can no longer be changed." in page
    assert "Approved listings are locked." in page
    assert 'name="text"' not in page

    response = sponsor_client.post(url, listing_data(text="Sneaky change after approval."))

    assert response.status_code == 302
    assert response.url == detail
    assert snapshot(listing) == before
    assert listing.week_list() == [next_week()]


def test_withdrawing_needs_post(sponsor_client, sponsor):
    listing = ListingFactory(sponsor=sponsor)

    response = sponsor_client.get(reverse("sponsors:listing-withdraw", args=[listing.pk]))

    assert response.status_code == 405
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING


def test_a_pending_listing_can_be_withdrawn(sponsor_client, sponsor):
    listing = ListingFactory(sponsor=sponsor)

    response = sponsor_client.post(
        reverse("sponsors:listing-withdraw", args=[listing.pk]), follow=True
    )

    assert "The listing was withdrawn; it will not run." in text(response)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.WITHDRAWN
    assert "Withdrawn" in text(sponsor_client.get(DASHBOARD_URL))


def test_an_approved_listing_cannot_be_withdrawn(sponsor_client, sponsor):
    listing = ListingFactory(sponsor=sponsor, approved=True)

    response = sponsor_client.post(
        reverse("sponsors:listing-withdraw", args=[listing.pk]), follow=True
    )

    assert "Only a listing waiting for review can be withdrawn; this one is approved." in text(
        response
    )
    listing.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED


def test_a_rejected_listing_can_be_changed_and_goes_back_to_review(
    sponsor_client, sponsor, editor, mailoutbox, django_capture_on_commit_callbacks
):
    listing = ListingFactory(
        sponsor=sponsor, status=Listing.Status.REJECTED, review_note="Say where the job is."
    )
    detail = sponsor_client.get(reverse("sponsors:listing-detail", args=[listing.pk]))
    assert "Change and send again" in text(detail)

    with django_capture_on_commit_callbacks(execute=True):
        response = sponsor_client.post(
            reverse("sponsors:listing-edit", args=[listing.pk]),
            listing_data(text="Hiring SREs in Lisbon."),
            follow=True,
        )

    assert "Your listing was sent for review again." in text(response)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING
    assert listing.text == "Hiring SREs in Lisbon."
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [editor.email]
    assert f"changed listing from {sponsor.name}" in mailoutbox[0].subject


def test_a_resubmitted_listing_no_longer_shows_the_old_decision(sponsor_client, sponsor, editor):
    listing = ListingFactory(sponsor=sponsor)
    listing.decide(Listing.Status.REJECTED, editor, note="Say where the job is.")
    sponsor_client.post(
        reverse("sponsors:listing-edit", args=[listing.pk]),
        listing_data(text="Hiring SREs in Lisbon."),
    )

    response = sponsor_client.get(reverse("sponsors:listing-detail", args=[listing.pk]))

    page = text(response)
    assert "Pending review" in page
    assert "decided" not in page


def test_the_clicks_download_is_a_csv_of_the_sponsors_own_listing(sponsor_client, sponsor):
    listing = ListingFactory(sponsor=sponsor, approved=True, weeks=[this_week()])
    today = timezone.localdate()
    Click.objects.create(listing=listing, day=today, visitor="a")
    Click.objects.create(listing=listing, day=today, visitor="b")

    response = sponsor_client.get(reverse("sponsors:listing-csv", args=[listing.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="listing-{listing.pk}-clicks.csv"' in response["Content-Disposition"]
    rows = response.content.decode().splitlines()
    assert rows[0] == "date,clicks"
    assert f"{this_week().isoformat()},{2 if today == this_week() else 0}" in rows
    assert rows[-1] == f"{today.isoformat()},2"


# --- Each sponsor sees only its own data ---------------------------------------------------------

OWNED_URLS = [
    ("sponsors:company", "sponsor"),
    ("sponsors:listing-detail", "listing"),
    ("sponsors:listing-edit", "listing"),
    ("sponsors:listing-withdraw", "listing"),
    ("sponsors:listing-csv", "listing"),
]


@pytest.fixture
def others_listing(other_sponsor):
    return ListingFactory(
        sponsor=other_sponsor, text="B's private listing text.", weeks=[next_week(1)]
    )


def owned_url(name, kind, sponsor, listing):
    return reverse(name, args=[(sponsor if kind == "sponsor" else listing).pk])


def hostile_post_data(sponsor):
    return {
        "name": "Taken over",
        "website": "https://evil.example",
        "description": "Ours now.",
        **listing_data(text="Taken over."),
        "sponsor": sponsor.pk,
    }


# Withdrawing takes POST only: a GET answers 405 before any lookup, so it is not listed.
HOSTILE_REQUESTS = [
    (name, kind, method)
    for name, kind in OWNED_URLS
    for method in ("get", "post")
    if not (name == "sponsors:listing-withdraw" and method == "get")
]


@pytest.mark.parametrize(("name", "kind", "method"), HOSTILE_REQUESTS)
def test_another_sponsors_ids_answer_404_and_change_nothing(
    sponsor_client, other_sponsor, others_listing, name, kind, method
):
    before = (snapshot(other_sponsor), snapshot(others_listing), others_listing.week_list())
    url = owned_url(name, kind, other_sponsor, others_listing)

    if method == "get":
        response = sponsor_client.get(url)
    else:
        response = sponsor_client.post(url, hostile_post_data(other_sponsor))

    assert response.status_code == 404
    page = text(response)
    assert other_sponsor.name not in page
    assert others_listing.text not in page
    after = (snapshot(other_sponsor), snapshot(others_listing), others_listing.week_list())
    assert after == before


def comparable(response, url):
    """The page without what differs on every request: its address and the CSRF token."""
    page = text(response).replace(url, "URL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


@pytest.mark.parametrize(("name", "kind", "method"), HOSTILE_REQUESTS)
def test_another_sponsors_id_answers_like_an_id_that_does_not_exist(
    sponsor_client, other_sponsor, others_listing, name, kind, method
):
    others_url = owned_url(name, kind, other_sponsor, others_listing)
    missing_url = reverse(name, args=[10**9])

    others = getattr(sponsor_client, method)(others_url)
    missing = getattr(sponsor_client, method)(missing_url)

    assert others.status_code == missing.status_code == 404
    assert comparable(others, others_url) == comparable(missing, missing_url)


def test_submitting_for_another_sponsor_files_the_listing_under_ones_own(
    sponsor_client, sponsor, other_sponsor
):
    response = sponsor_client.post(SUBMIT_URL, {**listing_data(), "sponsor": other_sponsor.pk})

    assert response.status_code == 302
    assert Listing.objects.get().sponsor == sponsor
    assert not other_sponsor.listings.exists()


@pytest.mark.parametrize(("name", "kind"), OWNED_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, sponsor, name, kind):
    listing = ListingFactory(sponsor=sponsor)
    before = snapshot(listing)
    url = owned_url(name, kind, sponsor, listing)

    response = client.post(url) if name == "sponsors:listing-withdraw" else client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")
    assert snapshot(listing) == before


@pytest.mark.parametrize("url", [DASHBOARD_URL, SUBMIT_URL])
def test_anonymous_visitors_are_sent_to_log_in_from_dashboard_and_submit(client, url):
    response = client.post(url, listing_data()) if url == SUBMIT_URL else client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("admin:sponsors_listing_changelist"),
        reverse("admin:sponsors_sponsor_changelist"),
        reverse("admin:accounts_user_changelist"),
    ],
)
def test_a_logged_in_sponsor_gets_no_admin_page(sponsor_client, sponsor, url):
    response = sponsor_client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    follow = sponsor_client.get(response.url)
    assert "Site administration" not in text(follow)
    assert sponsor.name not in text(follow)


def test_the_sponsor_group_has_no_permissions(db):
    assert not Group.objects.get(name=Role.SPONSORS).permissions.exists()


@pytest.mark.parametrize("url", [DASHBOARD_URL, SUBMIT_URL])
def test_an_account_that_is_not_a_sponsor_gets_the_not_a_sponsor_page(client, url):
    client.force_login(UserFactory(email_verified_at=None))

    for response in (client.get(url), client.post(url, listing_data())):
        assert response.status_code == 403
        assert NOT_A_SPONSOR in text(response)
    assert not Listing.objects.exists()


# --- Rate limits ---------------------------------------------------------------------------------


def test_signup_floods_from_one_address_get_the_429_page(client, mailoutbox):
    for _ in range(10):
        assert client.post(SIGNUP_URL, signup_data(**{"account-email": ""})).status_code == 200

    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    page = text(response)
    assert "Too many requests" in page
    assert TOO_MANY in page
    assert not User.objects.exists()
    assert mailoutbox == []


def test_the_signup_limit_counts_per_address(client):
    for _ in range(11):
        client.post(SIGNUP_URL, signup_data(**{"account-email": ""}))

    response = client.post(SIGNUP_URL, signup_data(), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    assert User.objects.count() == 1


def test_reading_the_signup_page_is_not_limited(client):
    for _ in range(15):
        assert client.get(SIGNUP_URL).status_code == 200


def test_submission_floods_from_one_account_get_the_429_page(
    sponsor_client, sponsor, other_sponsor
):
    for _ in range(20):
        assert sponsor_client.post(SUBMIT_URL, listing_data(text="")).status_code == 200

    response = sponsor_client.post(SUBMIT_URL, listing_data())

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert TOO_MANY in text(response)
    assert not Listing.objects.exists()

    other = Client()
    other.force_login(other_sponsor.managers.get())
    assert other.post(SUBMIT_URL, listing_data()).status_code == 302


# --- CSRF ----------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_signup_without_a_csrf_token_is_refused(csrf_client, mailoutbox):
    response = csrf_client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 403
    assert CSRF_REFUSAL in text(response)
    assert not User.objects.exists()
    assert mailoutbox == []


def test_submitting_without_a_csrf_token_is_refused(csrf_client, sponsor):
    csrf_client.force_login(sponsor.managers.get())

    response = csrf_client.post(SUBMIT_URL, listing_data())

    assert response.status_code == 403
    assert CSRF_REFUSAL in text(response)
    assert not Listing.objects.exists()


def test_withdrawing_without_a_csrf_token_is_refused(csrf_client, sponsor):
    listing = ListingFactory(sponsor=sponsor)
    csrf_client.force_login(sponsor.managers.get())

    response = csrf_client.post(reverse("sponsors:listing-withdraw", args=[listing.pk]))

    assert response.status_code == 403
    assert CSRF_REFUSAL in text(response)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING


def test_the_signup_form_works_with_its_csrf_token(csrf_client):
    form = csrf_client.get(SIGNUP_URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())

    response = csrf_client.post(
        SIGNUP_URL, {**signup_data(), "csrfmiddlewaretoken": token.group(1)}
    )

    assert response.status_code == 302
    assert User.objects.count() == 1
