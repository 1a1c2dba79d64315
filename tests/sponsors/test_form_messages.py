"""What the sponsor forms, the dashboard, the decision e-mail and the compile page tell their
readers is true and clear (issue 18): the server judges the listing's length and counts a line
break once, as the counter does; one message says which web addresses are accepted; listings
are named in words, not Markdown; the e-mail greets someone; the compile page offers the week
that is still to compile."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from digest.models import Post
from sponsors.forms import ListingForm
from sponsors.models import Listing, WeeklyPost, this_week
from tests.helpers import text
from tests.sponsors.factories import (
    ListingFactory,
    SponsorFactory,
    SponsorUserFactory,
    listing_data,
    next_week,
    signup_data,
)

pytestmark = pytest.mark.django_db

SUBMIT_URL = reverse("sponsors:submit")
SIGNUP_URL = reverse("sponsors:signup")
WEB_ADDRESS = "Enter a web address starting with http:// or https://."
BAD_ADDRESSES = ["not a web address", "ftp://files.example/brochure.pdf", "javascript:alert(1)"]


# --- The listing's length -----------------------------------------------------------------------


def test_the_text_box_does_not_cut_what_is_pasted_into_it():
    box = str(ListingForm()["text"])

    assert "maxlength" not in box
    assert 'data-count="800"' in box


def test_a_text_over_the_limit_is_refused_naming_the_field_and_the_count(sponsor_client):
    response = sponsor_client.post(SUBMIT_URL, listing_data(text="q" * 801))

    assert response.status_code == 200
    assert "The listing text has 801 characters; the limit is 800." in text(response)
    assert not Listing.objects.exists()


def test_a_line_break_counts_once_as_in_the_counter(sponsor_client):
    # Browsers send a textarea's line breaks as CRLF; the counter counts each as one.
    written = "\r\n".join(["q" * 160] * 4 + ["q" * 156])
    assert (len(written), len(written.replace("\r\n", "\n"))) == (804, 800)

    response = sponsor_client.post(SUBMIT_URL, listing_data(text=written))

    assert response.status_code == 302, text(response)
    assert Listing.objects.get().text == written.replace("\r\n", "\n")


def test_a_lone_carriage_return_is_a_line_break_too(sponsor_client):
    sponsor_client.post(SUBMIT_URL, listing_data(text="First line\rSecond line"))

    assert Listing.objects.get().text == "First line\nSecond line"


# --- Web addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_ADDRESSES)
def test_a_bad_call_to_action_link_gets_one_clear_message(sponsor_client, bad):
    response = sponsor_client.post(SUBMIT_URL, listing_data(link_url=bad))

    page = text(response)
    assert page.count(WEB_ADDRESS) == 1
    assert "Enter a valid URL." not in page
    assert not Listing.objects.exists()


@pytest.mark.parametrize("bad", BAD_ADDRESSES)
def test_a_bad_company_website_gets_one_clear_message(sponsor_client, sponsor, bad):
    company = reverse("sponsors:company", args=[sponsor.pk])
    data = {"name": sponsor.name, "website": bad, "description": ""}
    signup = signup_data(**{"company-website": bad})

    pages = [sponsor_client.post(company, data), Client().post(SIGNUP_URL, signup)]

    for response in pages:
        page = text(response)
        assert page.count(WEB_ADDRESS) == 1, page
        assert "Enter a valid URL." not in page
    sponsor.refresh_from_db()
    assert sponsor.website != bad


def test_an_address_without_a_scheme_is_taken_as_https(sponsor_client):
    sponsor_client.post(SUBMIT_URL, listing_data(link_url="queue-masters.example/trial"))

    assert Listing.objects.get().link_url == "https://queue-masters.example/trial"


# --- The dashboard ------------------------------------------------------------------------------


def test_the_dashboard_names_listings_in_words_not_markdown(sponsor_client, sponsor):
    listing = ListingFactory(
        sponsor=sponsor,
        text="**Queue Masters** makes *queues* fast: [see](https://qm.example) & more.",
    )

    page = sponsor_client.get(reverse("sponsors:dashboard")).content.decode()

    detail = reverse("sponsors:listing-detail", args=[listing.pk])
    assert f'<a href="{detail}">Queue Masters makes queues fast: see &amp; more.</a>' in page
    assert "**" not in page
    assert "https://qm.example" not in page


# --- The decision e-mail ------------------------------------------------------------------------


def approve(listing, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        listing.approve(by=editor)


def test_the_approval_mail_greets_the_manager_by_name(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    ada = SponsorUserFactory(display_name="Ada Lovelace")
    listing = ListingFactory(sponsor=SponsorFactory(name="Queue Masters", managers=[ada]))

    approve(listing, editor, django_capture_on_commit_callbacks)

    (message,) = mailoutbox
    assert message.body.startswith("Hello Ada Lovelace,\n")


def test_the_approval_mail_to_several_managers_greets_the_company(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    managers = [SponsorUserFactory(), SponsorUserFactory()]
    listing = ListingFactory(sponsor=SponsorFactory(name="Queue Masters", managers=managers))

    approve(listing, editor, django_capture_on_commit_callbacks)

    (message,) = mailoutbox
    assert message.body.startswith("Hello Queue Masters team,\n")


def test_a_manager_without_a_name_is_greeted_through_the_company(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    nameless = SponsorUserFactory(display_name="", first_name="", last_name="")
    listing = ListingFactory(sponsor=SponsorFactory(name="Queue Masters", managers=[nameless]))

    approve(listing, editor, django_capture_on_commit_callbacks)

    assert mailoutbox[0].body.startswith("Hello Queue Masters team,\n")


# --- The compile page ---------------------------------------------------------------------------


def offered_week(editor_client):
    page = editor_client.get(reverse("admin:sponsors_listing_compile")).content.decode()
    start = page.index('name="week"')
    return page[start : page.index(">", start)]


def test_the_compile_page_offers_the_next_week_once_this_one_is_compiled(editor_client, editor):
    assert f'value="{this_week().isoformat()}"' in offered_week(editor_client)
    ListingFactory(approved=True, weeks=[this_week()])
    post = Post.objects.create(title="Sponsored Post: Acme", author=editor)
    WeeklyPost.objects.create(week=this_week(), post=post)

    assert f'value="{next_week().isoformat()}"' in offered_week(editor_client)
    WeeklyPost.objects.create(
        week=next_week(), post=Post.objects.create(title="Sponsored Post: Next", author=editor)
    )
    assert f'value="{next_week(2).isoformat()}"' in offered_week(editor_client)
    WeeklyPost.objects.create(
        week=this_week() - timedelta(days=7),
        post=Post.objects.create(title="Sponsored Post: Old", author=editor),
    )
    assert f'value="{next_week(2).isoformat()}"' in offered_week(editor_client)
