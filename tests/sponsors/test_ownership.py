"""Each sponsor sees and changes only its own data: another sponsor's ids answer 404,
visitors are sent to log in, and sponsors get no admin page."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role
from sponsors.models import Listing
from tests.accounts.factories import UserFactory
from tests.helpers import snapshot, text
from tests.sponsors.factories import ListingFactory, listing_data, next_week

pytestmark = pytest.mark.django_db

SUBMIT_URL = reverse("sponsors:submit")
DASHBOARD_URL = reverse("sponsors:dashboard")
NOT_A_SPONSOR = "This account does not act for a sponsor"


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
