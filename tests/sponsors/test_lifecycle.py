"""A listing's and a company change's lifecycle: the verbs are the only way a status changes.

Each verb moves only from the statuses the lifecycle allows and refuses anything else with an
IllegalTransition whose message a sponsor or an editor can read, changing nothing; the mail
it owes goes out when its change commits, never from the caller and never after a rollback.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.urls import reverse

from sponsors.models import IllegalTransition, Listing, SponsorChange
from tests.helpers import snapshot, text
from tests.sponsors.factories import ListingFactory, SponsorFactory, SponsorUserFactory, seen

S = Listing.Status
NOTE = "Say where the job is."
# verb -> the statuses it may start from; every other start is refused.
ALLOWED = {
    "resubmit": {S.REJECTED},
    "withdraw": {S.PENDING},
    "approve": {S.PENDING},
    "reject": {S.PENDING, S.APPROVED},
}
ENDS = {"resubmit": S.PENDING, "withdraw": S.WITHDRAWN, "approve": S.APPROVED, "reject": S.REJECTED}


def act(listing, verb, by):
    if verb == "reject":
        return listing.reject(by=by, note=NOTE)
    return getattr(listing, verb)(by=by)


@pytest.mark.parametrize("verb", sorted(ALLOWED))
@pytest.mark.parametrize("start", list(S))
def test_each_verb_moves_only_from_the_statuses_it_allows(editor, verb, start):
    listing = ListingFactory(status=start)
    before = snapshot(listing)

    if start in ALLOWED[verb]:
        act(listing, verb, editor)
        listing.refresh_from_db()
        assert listing.status == ENDS[verb]
    else:
        with pytest.raises(IllegalTransition, match=f"this one is {start.label.lower()}"):
            act(listing, verb, editor)
        assert snapshot(listing) == before


def test_a_new_listing_is_submitted_and_a_decided_one_cannot_be_submitted_again(editor):
    listing = Listing(sponsor=SponsorFactory(), section=Listing.Section.EVENT, text="QueueCon.")
    listing.submit(by=editor)
    assert (listing.status, listing.submitted_by) == (S.PENDING, editor)

    listing.approve(by=editor)
    with pytest.raises(IllegalTransition, match="so it can no longer be changed"):
        listing.submit(by=editor)


def test_rejecting_needs_a_note(editor):
    listing = ListingFactory()

    with pytest.raises(IllegalTransition, match="Say why it is rejected"):
        listing.reject(by=editor, note="  ")
    listing.refresh_from_db()
    assert listing.status == S.PENDING


def test_a_decision_mails_the_sponsor_when_it_commits_and_never_after_a_rollback(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    manager = SponsorUserFactory()
    listing = ListingFactory(sponsor=SponsorFactory(managers=[manager]))

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        listing.approve(by=editor)
        raise RuntimeError("the caller failed after deciding")
    assert mailoutbox == []

    listing.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        listing.approve(by=editor)
    assert [message.to for message in mailoutbox] == [[manager.email]]


def test_the_admin_leaves_a_listing_alone_when_its_verb_refuses(
    editor_client, mailoutbox, django_capture_on_commit_callbacks
):
    rejected = ListingFactory(status=S.REJECTED, review_note=NOTE)
    before = snapshot(rejected)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:sponsors_listing_changelist"),
            {"action": "approve", ACTION_CHECKBOX_NAME: [rejected.pk], **seen([rejected])},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 listing was left alone" in text(response)
    assert snapshot(rejected) == before
    assert mailoutbox == []


def test_the_change_form_shows_a_refused_decision_as_an_error(editor_client):
    listing = ListingFactory(status=S.WITHDRAWN)
    data = {
        "sponsor": listing.sponsor_id,
        "section": listing.section,
        "text": listing.text,
        "status": S.APPROVED,
        "loaded_version": listing.version,
        "weeks-TOTAL_FORMS": "0",
        "weeks-INITIAL_FORMS": "0",
        "_save": "Save",
    }

    response = editor_client.post(reverse("admin:sponsors_listing_change", args=[listing.pk]), data)

    assert response.status_code == 200
    assert "Only a listing waiting for review can be approved; this one is withdrawn." in text(
        response
    )
    listing.refresh_from_db()
    assert listing.status == S.WITHDRAWN


def test_a_company_change_is_decided_once_and_rejected_only_with_a_note(editor):
    change = SponsorChange.objects.create(sponsor=SponsorFactory(), name="Renamed Co")

    with pytest.raises(IllegalTransition, match="Say why it is rejected"):
        change.reject(by=editor, note="")
    change.approve(by=editor)
    with pytest.raises(IllegalTransition, match="this one is approved"):
        change.reject(by=editor, note="Too late.")
    change.refresh_from_db()
    assert change.status == SponsorChange.Status.APPROVED
