"""A sponsor's listings: submitting one, editing it while it waits, withdrawing it, and
changing a rejected one so that it goes back to review."""

from datetime import timedelta

import pytest
from django.urls import reverse

from sponsors.models import Listing
from tests.helpers import snapshot, text
from tests.sponsors.factories import ListingFactory, listing_data, next_week

pytestmark = pytest.mark.django_db

SUBMIT_URL = reverse("sponsors:submit")
DASHBOARD_URL = reverse("sponsors:dashboard")
HONEYPOT_MESSAGE = "This form was filled in automatically, so it was not sent."


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
        ({"text": "x" * 801}, "The listing text has 801 characters; the limit is 800."),
        ({"text": "   "}, "This field is required."),
        (
            {"link_url": "javascript:alert(document.cookie)"},
            "Enter a web address starting with http:// or https://.",
        ),
        (
            {"link_url": "ftp://queue-masters.example/brochure.pdf"},
            "Enter a web address starting with http:// or https://.",
        ),
        (
            {"link_url": "data:text/html,<script>alert(1)</script>"},
            "Enter a web address starting with http:// or https://.",
        ),
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
    assert "Enter a web address starting with http:// or https://." in text(response)
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
    listing.reject(by=editor, note="Say where the job is.")
    sponsor_client.post(
        reverse("sponsors:listing-edit", args=[listing.pk]),
        listing_data(text="Hiring SREs in Lisbon."),
    )

    response = sponsor_client.get(reverse("sponsors:listing-detail", args=[listing.pk]))

    page = text(response)
    assert "Pending review" in page
    assert "decided" not in page
