"""The limits that keep robots and floods out of the sponsor forms: rate limits and CSRF."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from sponsors.models import Listing
from tests.helpers import text
from tests.sponsors.factories import ListingFactory, listing_data, signup_data

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("sponsors:signup")
SUBMIT_URL = reverse("sponsors:submit")
TOO_MANY = "You have sent this form many times in a short while"
CSRF_REFUSAL = "This form has expired"


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
