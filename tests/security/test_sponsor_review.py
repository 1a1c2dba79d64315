"""What sponsors show readers is what an editor approved (issue 19).

- A company that readers see next to an approved listing cannot change its name, website, logo
  or description behind the editors' backs: the change waits for review, the approved details
  stay public until then, and the same e-mails go out as for listings.
- An approval is of the text the editor saw: a listing (or company change) changed after the
  queue was opened is not approved by "Approve selected", nor by the change form.
- The admin's "Add listing" with a decision already taken works.
- Company names are names: no markup, control or direction-changing characters; a name that
  looks like another sponsor's (a Cyrillic "е" in "Nеtflix") is pointed out to editors.
"""

import html
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from sponsors.models import Listing, ListingWeek, Sponsor, SponsorChange, this_week
from tests.accounts.factories import PASSWORD
from tests.helpers import text
from tests.sponsors.factories import (
    ListingFactory,
    SponsorFactory,
    SponsorUserFactory,
    next_week,
    png_upload,
    seen,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:sponsors_listing_changelist")
CHANGES = reverse("admin:sponsors_sponsorchange_changelist")


def sidebar(client):
    page = client.get(reverse("digest:post-index")).content.decode()
    block = re.search(r'<section class="widget sponsors-widget">(.*?)</section>', page, re.S)
    return html.unescape(block.group(1))


@pytest.fixture
def running(db):
    """A sponsor with a listing approved for this week: readers see it on every page."""
    manager = SponsorUserFactory(email="ada@kestrel.example")
    sponsor = SponsorFactory(
        name="Kestrel Queues",
        website="https://kestrel.example",
        description="Queues that keep every message.",
        logo=png_upload(size=(120, 60)),
        managers=[manager],
    )
    ListingFactory(sponsor=sponsor, approved=True, weeks=[this_week()])
    return sponsor


def manager_client(sponsor):
    client = Client()
    client.force_login(sponsor.managers.get())
    return client


PHISHING = {
    "name": "Changed after approval",
    "website": "https://login.kestrel-queues.example.net",
    "description": "Enter your password at our new site.",
}


def change_company(client, sponsor, **fields):
    data = {**PHISHING, **fields}
    return client.post(reverse("sponsors:company", args=[sponsor.pk]), data)


# --- Company changes wait for an editor ---------------------------------------------------------


def test_company_changes_of_a_running_sponsor_wait_for_an_editor(
    running, editor, mailoutbox, django_capture_on_commit_callbacks
):
    old_logo = running.logo.name
    reader = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = change_company(
            manager_client(running), running, logo=png_upload("new.png", size=(90, 90))
        )

    assert response.status_code == 302
    running.refresh_from_db()
    assert (running.name, running.website, running.logo.name) == (
        "Kestrel Queues",
        "https://kestrel.example",
        old_logo,
    )
    block = sidebar(reader)
    assert "Kestrel Queues" in block and "Changed after approval" not in block
    assert "kestrel-queues.example.net" not in text(reader.get(reverse("sponsors:about")))
    change = SponsorChange.objects.get()
    assert change.status == SponsorChange.Status.PENDING
    assert change.name == "Changed after approval"
    (to_editors,) = mailoutbox
    assert editor.email in to_editors.to
    assert "changed company details from Kestrel Queues: please review" in to_editors.subject
    assert "Changed after approval" in to_editors.body
    assert "login.kestrel-queues.example.net" in to_editors.body
    dashboard = text(manager_client(running).get(reverse("sponsors:dashboard")))
    assert "Changes waiting for review" in dashboard


def test_an_editor_approves_a_company_change_and_readers_see_it(
    running, editor, mailoutbox, django_capture_on_commit_callbacks
):
    change_company(manager_client(running), running)
    change = SponsorChange.objects.get()
    mailoutbox.clear()
    client = Client()
    client.force_login(editor)

    queue = text(client.get(CHANGES))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            CHANGES, {"action": "approve", ACTION_CHECKBOX_NAME: [change.pk], **seen([change])}
        )

    assert "Changed after approval" in queue and "Kestrel Queues" in queue
    running.refresh_from_db()
    assert running.name == "Changed after approval"
    assert running.website == PHISHING["website"]
    assert "Changed after approval" in sidebar(Client())
    (to_sponsor,) = mailoutbox
    assert to_sponsor.to == ["ada@kestrel.example"]
    assert to_sponsor.subject.endswith("Your company details were approved")


def test_a_rejected_company_change_leaves_the_public_face_and_says_why(
    running, editor, mailoutbox, django_capture_on_commit_callbacks
):
    change_company(manager_client(running), running)
    change = SponsorChange.objects.get()
    mailoutbox.clear()
    client = Client()
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            CHANGES,
            {
                "action": "reject",
                ACTION_CHECKBOX_NAME: [change.pk],
                "review_note": "That website is not yours.",
                **seen([change]),
            },
        )

    running.refresh_from_db()
    assert running.name == "Kestrel Queues"
    assert SponsorChange.objects.get().status == SponsorChange.Status.REJECTED
    (to_sponsor,) = mailoutbox
    assert "were not approved" in to_sponsor.subject
    assert "That website is not yours." in to_sponsor.body
    dashboard = text(manager_client(running).get(reverse("sponsors:dashboard")))
    assert "Your last changes were not approved." in dashboard
    assert "That website is not yours." in dashboard


def test_a_company_change_changed_again_after_the_editor_looked_is_not_approved(running, editor):
    manager = manager_client(running)
    change_company(manager, running)
    change = SponsorChange.objects.get()
    shown = seen([change])
    change_company(manager, running, name="Swapped in later")
    client = Client()
    client.force_login(editor)

    response = client.post(
        CHANGES,
        {"action": "approve", ACTION_CHECKBOX_NAME: [change.pk], **shown},
        follow=True,
    )

    running.refresh_from_db()
    assert running.name == "Kestrel Queues"
    assert "changed again after you opened it" in text(response)


def test_a_company_without_an_approved_listing_changes_at_once(db, mailoutbox):
    sponsor = SponsorFactory(name="Newcomer Co", managers=[SponsorUserFactory()])
    ListingFactory(sponsor=sponsor)  # pending: nobody reads it yet

    response = change_company(manager_client(sponsor), sponsor, name="Newcomer Queues")

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert sponsor.name == "Newcomer Queues"
    assert not SponsorChange.objects.exists()
    assert mailoutbox == []


# --- Decisions are of what the editor saw -------------------------------------------------------


def seen_on_page(page):
    return dict(re.findall(r'<input type="hidden" name="(seen-\d+)" value="(\d+)">', page))


def test_approve_selected_refuses_a_listing_the_sponsor_changed_after_the_queue_was_opened(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    sponsor = SponsorFactory(name="Swap Co", managers=[SponsorUserFactory()])
    swapped = ListingFactory(sponsor=sponsor, text="Harmless text the editor reads.")
    honest = SponsorUserFactory(email="bob@honest.example")
    untouched = ListingFactory(sponsor=SponsorFactory(name="Honest Co", managers=[honest]))
    client = Client()
    client.force_login(editor)
    shown = seen_on_page(client.get(QUEUE).content.decode())

    manager_client(sponsor).post(
        reverse("sponsors:listing-edit", args=[swapped.pk]),
        {
            "section": Listing.Section.PRODUCT,
            "text": "Text the editor never saw.",
            "link_url": "https://swap.example/",
            "link_label": "Click",
            "weeks": [next_week().isoformat()],
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            QUEUE,
            {"action": "approve", ACTION_CHECKBOX_NAME: [swapped.pk, untouched.pk], **shown},
            follow=True,
        )

    swapped.refresh_from_db()
    untouched.refresh_from_db()
    assert swapped.text == "Text the editor never saw."
    assert swapped.status == Listing.Status.PENDING
    assert untouched.status == Listing.Status.APPROVED
    assert "1 listing was not approved: changed by the sponsor" in text(response)
    assert [message.to for message in mailoutbox] == [
        list(untouched.sponsor.managers.values_list("email", flat=True))
    ]


def test_an_action_that_does_not_say_what_the_editor_saw_approves_nothing(editor):
    listing = ListingFactory()
    client = Client()
    client.force_login(editor)

    client.post(QUEUE, {"action": "approve", ACTION_CHECKBOX_NAME: [listing.pk]})

    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING


def test_the_change_form_refuses_a_decision_on_a_listing_changed_since_it_was_opened(editor):
    listing = ListingFactory(text="What the editor reads.", weeks=[])
    client = Client()
    client.force_login(editor)
    url = reverse("admin:sponsors_listing_change", args=[listing.pk])
    opened = re.search(r'name="loaded_version" value="(\d+)"', client.get(url).content.decode())
    listing.text = "Swapped in by the sponsor."
    listing.save()

    response = client.post(
        url,
        {
            "sponsor": listing.sponsor_id,
            "section": listing.section,
            "text": "What the editor reads.",
            "link_url": listing.link_url,
            "link_label": listing.link_label,
            "status": Listing.Status.APPROVED,
            "review_note": "",
            "loaded_version": opened.group(1),
            "weeks-TOTAL_FORMS": "0",
            "weeks-INITIAL_FORMS": "0",
            "weeks-MIN_NUM_FORMS": "0",
            "weeks-MAX_NUM_FORMS": "1000",
        },
        follow=True,
    )

    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING
    assert listing.text == "Swapped in by the sponsor."
    assert "The sponsor changed this listing after you opened it" in text(response)


# --- Adding a listing already decided (was a 500) -----------------------------------------------


@pytest.mark.parametrize("status", [Listing.Status.APPROVED, Listing.Status.REJECTED])
def test_adding_a_listing_with_a_decision_in_the_admin_saves_it_and_mails_the_sponsor(
    editor, status, mailoutbox, django_capture_on_commit_callbacks
):
    sponsor = SponsorFactory(name="Added Co", managers=[SponsorUserFactory()])
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    week = next_week(2)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:sponsors_listing_add"),
            {
                "sponsor": sponsor.pk,
                "section": Listing.Section.EVENT,
                "text": "QueueCon, two days on queues.",
                "link_url": "https://queuecon.example",
                "link_label": "Tickets",
                "status": status,
                "review_note": "Added by the editors.",
                "loaded_version": "",
                "weeks-TOTAL_FORMS": "1",
                "weeks-INITIAL_FORMS": "0",
                "weeks-MIN_NUM_FORMS": "0",
                "weeks-MAX_NUM_FORMS": "1000",
                "weeks-0-week": week.isoformat(),
            },
        )

    assert response.status_code == 302
    listing = Listing.objects.get()
    assert (listing.status, listing.reviewed_by) == (status, editor)
    assert list(ListingWeek.objects.values_list("week", flat=True)) == [week]
    (message,) = mailoutbox
    assert "Added by the editors." in message.body
    if status == Listing.Status.APPROVED:
        assert f"{week:%B} {week.day}, {week.year}" in message.body


# --- Company names ----------------------------------------------------------------------------

BAD_NAMES = [
    "<script>alert(1)</script> Inc",
    "Acme <b>Queues</b>",
    "Acme > Others",
    "Acme\u202eseueuQ",  # right-to-left override
    "Acme\u2066Queues\u2069",  # isolates
    "Acme\u200fQueues",  # right-to-left mark
    "Acme\x9bQueues",  # a C1 control (C0 ones are dropped on input, test_input_characters)
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_company_name_with_markup_control_or_direction_characters_is_refused(client, db, name):
    newcomer = SponsorFactory(name="Newcomer Co", managers=[SponsorUserFactory()])

    signup = client.post(
        reverse("sponsors:signup"),
        {
            "company-name": name,
            "company-website": "",
            "account-display_name": "Eve",
            "account-email": "eve@example.com",
            "account-password1": PASSWORD,
            "account-password2": PASSWORD,
        },
    )
    company = change_company(manager_client(newcomer), newcomer, name=name)

    refusal = "A company name cannot contain “&lt;” or “&gt;”, control characters"
    assert refusal in signup.content.decode()
    assert refusal in company.content.decode()
    assert list(Sponsor.objects.values_list("name", flat=True)) == ["Newcomer Co"]


def test_editors_are_warned_about_a_name_that_looks_like_another_sponsors(
    client, editor, mailoutbox, django_capture_on_commit_callbacks
):
    SponsorFactory(name="Netflix")
    lookalike = SponsorFactory(name="N\u0435tflix", managers=[SponsorUserFactory()])  # Cyrillic е
    with django_capture_on_commit_callbacks(execute=True):
        manager_client(lookalike).post(
            reverse("sponsors:submit"),
            {
                "section": Listing.Section.HIRING,
                "text": "We are hiring.",
                "link_url": "https://jobs.example/",
                "link_label": "Apply",
                "weeks": [next_week().isoformat()],
            },
        )
    listing = Listing.objects.get()
    client.force_login(editor)

    queue = text(client.get(QUEUE))
    page = text(client.get(reverse("admin:sponsors_listing_change", args=[listing.pk])))

    (to_editors,) = mailoutbox
    assert "looks like the name of another sponsor: Netflix" in to_editors.body
    assert "⚠ looks like another sponsor" in queue
    assert "“N\u0435tflix” looks like the name of another sponsor: Netflix." in page


def test_an_honest_name_raises_no_warning(client, editor):
    SponsorFactory(name="Netflix")
    listing = ListingFactory(sponsor=SponsorFactory(name="Kestrel Queues"))
    client.force_login(editor)

    page = text(client.get(reverse("admin:sponsors_listing_change", args=[listing.pk])))

    assert "looks like" not in page
