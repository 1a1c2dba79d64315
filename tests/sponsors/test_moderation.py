"""Editors moderating listings in the admin: the queue, approving and rejecting one or many,
the e-mails each decision sends, and who may not enter the sponsors admin at all."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from sponsors.models import Listing, ListingWeek
from tests.accounts.factories import staff
from tests.helpers import snapshot, text
from tests.sponsors.factories import (
    ListingFactory,
    SponsorFactory,
    SponsorUserFactory,
    next_week,
    seen,
)

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:sponsors_listing_changelist")
COMPILE_URL = reverse("admin:sponsors_listing_compile")
SUBMIT_URL = reverse("sponsors:submit")


def queue_rows(response):
    """The HTML of each row of the changelist table, top to bottom."""
    body = re.search(r"<tbody>(.*)</tbody>", response.content.decode(), re.S)
    assert body, "the changelist has no table of results"
    return re.findall(r"<tr\b.*?</tr>", body.group(1), re.S)


def cell(row, column):
    """The inner HTML of one column of a changelist row."""
    found = re.search(rf'<t[dh] class="field-{column}">(.*?)</t[dh]>', row, re.S)
    assert found, f"no {column} column in {row}"
    return found.group(1)


def act(client, action, listings, follow=True, **data):
    """Select `listings` in the queue and run an admin action on them."""
    return client.post(
        QUEUE_URL,
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [listing.pk for listing in listings],
            **seen(listings),
            **data,
        },
        follow=follow,
    )


def admin_week(week):
    """A week as the queue shows it ("Mar 9")."""
    return f"{week:%b} {week.day}"


def mail_week(week):
    """A week as the e-mails name it ("March 9, 2026")."""
    return f"{week:%B} {week.day}, {week.year}"


@pytest.fixture
def two_manager_sponsor(db):
    """A company with two accounts acting for it: both hear of every decision."""
    return SponsorFactory(
        name="Queue Masters",
        managers=[
            SponsorUserFactory(email="ada@queue-masters.example"),
            SponsorUserFactory(email="bob@queue-masters.example"),
        ],
    )


# --- Who may enter ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [QUEUE_URL, COMPILE_URL, "change"])
def test_an_author_gets_403_from_the_sponsors_admin(client, url):
    listing = ListingFactory(text="Hidden from authors.")
    client.force_login(staff(Role.AUTHORS))
    if url == "change":
        url = reverse("admin:sponsors_listing_change", args=[listing.pk])

    response = client.get(url)

    assert response.status_code == 403
    assert "Hidden from authors." not in text(response)


def test_an_author_is_not_offered_sponsors_in_the_admin_index(client):
    client.force_login(staff(Role.AUTHORS))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert QUEUE_URL not in response.content.decode()
    assert reverse("admin:sponsors_sponsor_changelist") not in response.content.decode()


@pytest.mark.parametrize("url", [reverse("admin:index"), QUEUE_URL, COMPILE_URL])
def test_a_sponsor_account_gets_no_admin_page(client, sponsor, url):
    listing = ListingFactory(sponsor=sponsor, text="Our own listing.")
    client.force_login(sponsor.managers.get())

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    # Not even its own listing can be opened there.
    change = client.get(reverse("admin:sponsors_listing_change", args=[listing.pk]))
    assert change.status_code == 302
    assert change["Location"].startswith(reverse("admin:login"))


def test_a_sponsor_account_cannot_approve_through_the_admin(client, sponsor, mailoutbox):
    listing = ListingFactory(sponsor=sponsor)
    client.force_login(sponsor.managers.get())

    response = act(client, "approve", [listing], follow=False)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING
    assert listing.reviewed_by is None
    assert mailoutbox == []


# --- The queue ----------------------------------------------------------------------------------


def test_the_queue_lists_pending_listings_first_newest_first_within_each(editor_client):
    now = timezone.now()
    made = {}
    for name, status, age in [
        ("Old Pending Co", Listing.Status.PENDING, 5),
        ("Approved Co", Listing.Status.APPROVED, 1),
        ("Rejected Co", Listing.Status.REJECTED, 2),
        ("New Pending Co", Listing.Status.PENDING, 3),
        ("Withdrawn Co", Listing.Status.WITHDRAWN, 4),
    ]:
        listing = ListingFactory(sponsor=SponsorFactory(name=name), status=status)
        Listing.objects.filter(pk=listing.pk).update(created=now - timedelta(days=age))
        made[name] = listing

    rows = queue_rows(editor_client.get(QUEUE_URL))

    order = [name for row in rows for name in made if f">{name}<" in row]
    assert order == [
        "New Pending Co",
        "Old Pending Co",
        "Approved Co",
        "Rejected Co",
        "Withdrawn Co",
    ]


def test_the_queue_shows_each_listing_as_readers_will_see_it(editor_client):
    weeks = [next_week(1), next_week(3)]
    listing = ListingFactory(
        sponsor=SponsorFactory(name="Queue Masters"),
        section=Listing.Section.HIRING,
        text="Queue Masters is hiring **SREs** in [Lisbon](https://example.com/lisbon).",
        link_url="https://queue-masters.example/jobs",
        link_label="Apply now",
        weeks=weeks,
    )

    response = editor_client.get(QUEUE_URL)

    assert response.status_code == 200
    (row,) = queue_rows(response)
    change_url = reverse("admin:sponsors_listing_change", args=[listing.pk])
    assert cell(row, "sponsor_name") == f'<a href="{change_url}">Queue Masters</a>'
    assert cell(row, "preview") == (
        '<div class="listing-preview">Queue Masters is hiring <strong>SREs</strong> in '
        '<a href="https://example.com/lisbon" rel="noopener noreferrer">Lisbon</a>. '
        '<a href="https://queue-masters.example/jobs" rel="nofollow noopener">Apply now</a></div>'
        # The version of the text shown, sent with the actions (an approval is of this text).
        f'<input type="hidden" name="seen-{listing.pk}" value="0">'
    )
    assert html.unescape(cell(row, "section")) == "Who's Hiring?"
    assert cell(row, "week_list_display") == f"{admin_week(weeks[0])}, {admin_week(weeks[1])}"
    assert cell(row, "status_label") == "Pending review"
    assert cell(row, "click_count") == "0"


def test_the_queue_preview_sanitises_html_in_listing_text(editor_client):
    ListingFactory(
        sponsor=SponsorFactory(name="Sneaky Co"),
        text='Fast <script>alert("owned")</script> queues <img src=x onerror="alert(2)"> '
        '<a href="javascript:alert(3)">here</a> **really**.',
    )

    page = editor_client.get(QUEUE_URL).content.decode()

    (row,) = queue_rows(editor_client.get(QUEUE_URL))
    preview = cell(row, "preview")
    assert "<script" not in preview
    assert "alert(" not in preview
    assert "onerror" not in preview
    assert "javascript:" not in preview
    # Elsewhere on the page (the row checkbox's label) the text only appears escaped.
    assert "<script>alert" not in page
    assert 'onerror="' not in page
    assert "<strong>really</strong>" in preview
    assert "queues" in preview


def test_the_change_form_preview_sanitises_html_too(editor_client):
    listing = ListingFactory(text='Fast <script>alert("owned")</script> queues, **really**.')

    response = editor_client.get(reverse("admin:sponsors_listing_change", args=[listing.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>really</strong>" in page
    assert "<script>alert" not in page
    # The raw text stays editable in its textarea, escaped.
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in page


def test_the_reject_page_shows_listing_text_escaped(editor_client):
    listing = ListingFactory(text='<script>alert("owned")</script> Our queue.')

    response = act(editor_client, "reject", [listing])

    page = response.content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_the_queue_can_be_narrowed_to_pending_listings(editor_client):
    ListingFactory(sponsor=SponsorFactory(name="Waiting Co"))
    ListingFactory(sponsor=SponsorFactory(name="Done Co"), approved=True)

    response = editor_client.get(QUEUE_URL, {"status__exact": "pending"})

    rows = queue_rows(response)
    assert len(rows) == 1
    assert ">Waiting Co<" in rows[0]


# --- Approving ----------------------------------------------------------------------------------


def test_approving_one_listing_records_the_editor_and_mails_every_manager(
    editor_client, editor, two_manager_sponsor, mailoutbox, django_capture_on_commit_callbacks
):
    weeks = [next_week(1), next_week(2)]
    listing = ListingFactory(sponsor=two_manager_sponsor, weeks=weeks)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = act(editor_client, "approve", [listing])

    assert response.status_code == 200
    assert "1 listing approved; the sponsors were e-mailed." in text(response)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED
    assert listing.reviewed_by == editor
    assert before <= listing.reviewed_at <= timezone.now()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == ["ada@queue-masters.example", "bob@queue-masters.example"]
    assert message.subject.endswith("Your listing was approved")
    assert "good news: your listing for Queue Masters was approved" in message.body
    assert f"weeks of {mail_week(weeks[0])}, {mail_week(weeks[1])}." in message.body
    assert reverse("sponsors:listing-detail", args=[listing.pk]) in message.body


def test_approving_many_listings_mails_each_sponsor_about_its_own(
    editor_client, editor, mailoutbox, django_capture_on_commit_callbacks
):
    ada, bea = SponsorUserFactory(), SponsorUserFactory()
    first = ListingFactory(sponsor=SponsorFactory(managers=[ada]), weeks=[next_week(1)])
    second = ListingFactory(sponsor=SponsorFactory(managers=[bea]), weeks=[next_week(4)])
    third = ListingFactory(sponsor=first.sponsor, weeks=[next_week(2), next_week(5)])
    untouched = ListingFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = act(editor_client, "approve", [first, second, third])

    assert "3 listings approved; the sponsors were e-mailed." in text(response)
    for listing in (first, second, third):
        listing.refresh_from_db()
        assert listing.status == Listing.Status.APPROVED
        assert listing.reviewed_by == editor
        assert listing.reviewed_at is not None
    untouched.refresh_from_db()
    assert untouched.status == Listing.Status.PENDING
    assert untouched.reviewed_at is None

    by_recipient = {}
    for message in mailoutbox:
        (address,) = message.to
        by_recipient.setdefault(address, []).append(message.body)
    assert sorted(len(bodies) for bodies in by_recipient.values()) == [1, 2]
    assert len(by_recipient[ada.email]) == 2
    ada_mail = " ".join(by_recipient[ada.email])
    assert f"week of {mail_week(next_week(1))}." in ada_mail
    assert f"weeks of {mail_week(next_week(2))}, {mail_week(next_week(5))}." in ada_mail
    assert mail_week(next_week(4)) not in ada_mail
    (bea_mail,) = by_recipient[bea.email]
    assert f"week of {mail_week(next_week(4))}." in bea_mail


def test_approving_leaves_withdrawn_listings_alone(
    editor_client, sponsor, mailoutbox, django_capture_on_commit_callbacks
):
    pending = ListingFactory(sponsor=sponsor)
    withdrawn = ListingFactory(sponsor=sponsor, status=Listing.Status.WITHDRAWN)
    before = snapshot(withdrawn)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(editor_client, "approve", [pending, withdrawn])

    page = text(response)
    assert "1 listing approved; the sponsors were e-mailed." in page
    assert "1 listing was left alone (withdrawn, or already decided this way)." in page
    assert snapshot(withdrawn) == before
    pending.refresh_from_db()
    assert pending.status == Listing.Status.APPROVED
    assert len(mailoutbox) == 1


# --- Rejecting ----------------------------------------------------------------------------------


def test_rejecting_first_asks_for_a_note_and_changes_nothing(
    editor_client, sponsor, mailoutbox, django_capture_on_commit_callbacks
):
    listing = ListingFactory(sponsor=sponsor, text="Our queue is the best queue.")
    before = snapshot(listing)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(editor_client, "reject", [listing])

    assert response.status_code == 200
    assert response.redirect_chain == []
    page = text(response)
    assert "These listings will be rejected and each sponsor e-mailed with your note" in page
    assert "Our queue is the best queue." in page
    assert 'name="review_note"' in page
    assert f'name="{ACTION_CHECKBOX_NAME}" value="{listing.pk}"' in page
    assert snapshot(listing) == before
    assert mailoutbox == []


@pytest.mark.parametrize("note", ["", "   "])
def test_rejecting_without_a_note_shows_the_page_again_and_changes_nothing(
    editor_client, sponsor, mailoutbox, django_capture_on_commit_callbacks, note
):
    listing = ListingFactory(sponsor=sponsor)
    before = snapshot(listing)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(editor_client, "reject", [listing], review_note=note)

    assert response.status_code == 200
    assert response.redirect_chain == []
    assert "Please write a note: the sponsor needs to know what to change." in text(response)
    assert snapshot(listing) == before
    assert mailoutbox == []


def test_rejecting_with_a_note_stores_it_and_mails_it_to_the_sponsor(
    editor_client, editor, two_manager_sponsor, mailoutbox, django_capture_on_commit_callbacks
):
    listing = ListingFactory(sponsor=two_manager_sponsor)
    other = ListingFactory(sponsor=SponsorFactory(managers=[SponsorUserFactory()]))
    note = "Please say where the job is & what it pays."

    with django_capture_on_commit_callbacks(execute=True):
        response = act(editor_client, "reject", [listing, other], review_note=note)

    assert response.redirect_chain == [(QUEUE_URL, 302)]
    assert "2 listings rejected; the sponsors were e-mailed." in text(response)
    for each in (listing, other):
        each.refresh_from_db()
        assert each.status == Listing.Status.REJECTED
        assert each.review_note == note
        assert each.reviewed_by == editor
        assert each.reviewed_at is not None
    assert len(mailoutbox) == 2
    message = next(m for m in mailoutbox if "ada@queue-masters.example" in m.to)
    assert sorted(message.to) == ["ada@queue-masters.example", "bob@queue-masters.example"]
    assert message.subject.endswith("Your listing was not approved")
    assert "your listing for Queue Masters was not approved" in message.body
    assert f"The editor's note:\n\n{note}" in message.body
    # The queue shows the note under the status.
    (row,) = [row for row in queue_rows(editor_client.get(QUEUE_URL)) if ">Queue Masters<" in row]
    status = cell(row, "status_label")
    assert status.startswith("Rejected<br>")
    assert html.escape(note) in status


def test_rejecting_leaves_withdrawn_listings_alone(
    editor_client, sponsor, mailoutbox, django_capture_on_commit_callbacks
):
    withdrawn = ListingFactory(sponsor=sponsor, status=Listing.Status.WITHDRAWN)
    before = snapshot(withdrawn)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(editor_client, "reject", [withdrawn], review_note="Not this one.")

    page = text(response)
    assert "0 listings rejected" in page
    assert "1 listing was left alone (withdrawn, or already decided this way)." in page
    assert snapshot(withdrawn) == before
    assert mailoutbox == []


# --- The change form ----------------------------------------------------------------------------


def change_form_data(listing, **overrides):
    """What the change form posts back for `listing`, with its weeks inline."""
    weeks = list(ListingWeek.objects.filter(listing=listing).order_by("week"))
    data = {
        "sponsor": listing.sponsor_id,
        "section": listing.section,
        "text": listing.text,
        "link_url": listing.link_url,
        "link_label": listing.link_label,
        "status": listing.status,
        "review_note": listing.review_note,
        "loaded_version": Listing.objects.get(pk=listing.pk).version,
        "weeks-TOTAL_FORMS": str(len(weeks)),
        "weeks-INITIAL_FORMS": str(len(weeks)),
        "weeks-MIN_NUM_FORMS": "0",
        "weeks-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, week in enumerate(weeks):
        data[f"weeks-{i}-id"] = week.pk
        data[f"weeks-{i}-listing"] = listing.pk
        data[f"weeks-{i}-week"] = week.week.isoformat()
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("status", "subject", "words"),
    [
        (Listing.Status.APPROVED, "Your listing was approved", "was approved"),
        (Listing.Status.REJECTED, "Your listing was not approved", "was not approved"),
    ],
)
def test_deciding_in_the_change_form_mails_the_sponsor(
    editor_client,
    editor,
    two_manager_sponsor,
    mailoutbox,
    django_capture_on_commit_callbacks,
    status,
    subject,
    words,
):
    week = next_week(2)
    listing = ListingFactory(sponsor=two_manager_sponsor, weeks=[week])
    url = reverse("admin:sponsors_listing_change", args=[listing.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url, change_form_data(listing, status=status, review_note="Thanks, looks good.")
        )

    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == status
    assert listing.reviewed_by == editor
    assert listing.reviewed_at is not None
    assert listing.review_note == "Thanks, looks good."
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == ["ada@queue-masters.example", "bob@queue-masters.example"]
    assert message.subject.endswith(subject)
    assert f"your listing for Queue Masters {words}" in message.body
    assert "Thanks, looks good." in message.body
    if status == Listing.Status.APPROVED:
        assert mail_week(week) in message.body


def test_the_change_form_mail_names_the_weeks_saved_with_the_decision(
    editor_client, two_manager_sponsor, mailoutbox, django_capture_on_commit_callbacks
):
    listing = ListingFactory(sponsor=two_manager_sponsor, weeks=[next_week(1)])
    data = change_form_data(listing, status=Listing.Status.APPROVED)
    data.update(
        {
            "weeks-TOTAL_FORMS": "2",
            "weeks-1-id": "",
            "weeks-1-listing": listing.pk,
            "weeks-1-week": next_week(6).isoformat(),
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:sponsors_listing_change", args=[listing.pk]), data
        )

    assert response.status_code == 302
    assert listing.week_list() == [next_week(1), next_week(6)]
    (message,) = mailoutbox
    assert f"weeks of {mail_week(next_week(1))}, {mail_week(next_week(6))}." in message.body


def test_rejecting_in_the_change_form_also_needs_a_note(
    editor_client, sponsor, mailoutbox, django_capture_on_commit_callbacks
):
    listing = ListingFactory(sponsor=sponsor)
    before = snapshot(listing)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:sponsors_listing_change", args=[listing.pk]),
            change_form_data(listing, status=Listing.Status.REJECTED, review_note=""),
        )

    assert response.status_code == 200  # the form again, with the error
    assert snapshot(listing) == before
    assert mailoutbox == []


def test_saving_the_change_form_without_a_decision_mails_nobody(
    editor_client, sponsor, mailoutbox, django_capture_on_commit_callbacks
):
    listing = ListingFactory(sponsor=sponsor)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:sponsors_listing_change", args=[listing.pk]),
            change_form_data(listing, text="A typo fixed by the editor."),
        )

    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.text == "A typo fixed by the editor."
    assert listing.status == Listing.Status.PENDING
    assert listing.reviewed_by is None
    assert mailoutbox == []


# --- Editors hear of submissions ----------------------------------------------------------------


def test_editors_get_an_email_when_a_sponsor_submits(
    client, sponsor, editor, mailoutbox, django_capture_on_commit_callbacks
):
    second_editor = staff(Role.EDITORS)
    staff(Role.AUTHORS)  # authors do not moderate: no mail for them
    weeks = [next_week(1), next_week(2)]
    client.force_login(sponsor.managers.get())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SUBMIT_URL,
            {
                "section": Listing.Section.EVENT,
                "text": "The **Queue Summit**: two days of talks on queues.",
                "link_url": "https://queue-summit.example/tickets",
                "link_label": "Get a ticket",
                "weeks": [week.isoformat() for week in weeks],
                "contact_phone": "",
            },
        )

    listing = Listing.objects.get()
    assert response.status_code == 302
    assert listing.status == Listing.Status.PENDING
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == sorted([editor.email, second_editor.email])
    assert message.subject.endswith(f"new listing from {sponsor.name}: please review")
    assert "Section: Fun and Informative Events" in message.body
    assert f"{weeks[0]:%b} {weeks[0].day}, {weeks[0].year}" in message.body
    assert "Link:    https://queue-summit.example/tickets (Get a ticket)" in message.body
    assert "The **Queue Summit**: two days of talks on queues." in message.body
    assert reverse("admin:sponsors_listing_change", args=[listing.pk]) in message.body

    # The editor follows the link and finds it at the top of the queue.
    editor_client = Client()
    editor_client.force_login(editor)
    rows = queue_rows(editor_client.get(QUEUE_URL))
    assert f">{sponsor.name}<" in rows[0]
    assert "The <strong>Queue Summit</strong>: two days of talks on queues." in rows[0]


def test_approving_an_approved_listing_again_changes_and_mails_nothing(
    editor_client, sponsor, mailoutbox, django_capture_on_commit_callbacks
):
    listing = ListingFactory(sponsor=sponsor, approved=True)
    before = snapshot(listing)

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("admin:sponsors_listing_changelist"),
            {"action": "approve", ACTION_CHECKBOX_NAME: [listing.pk], **seen([listing])},
        )

    assert snapshot(listing) == before
    assert mailoutbox == []
