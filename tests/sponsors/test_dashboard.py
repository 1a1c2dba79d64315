"""What a sponsor sees of its own listings: the dashboard, a listing's page with its preview,
and the clicks download."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sponsors.models import Click, Listing, this_week
from tests.helpers import text
from tests.sponsors.factories import ListingFactory, next_week

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("sponsors:dashboard")


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
