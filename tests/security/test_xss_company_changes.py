"""The XSS sweep (tests/security/test_xss.py) over what issue 19 added: company changes waiting
for review (name, website, description, logo file name, the editor's note) on the sponsor's
dashboard and company form and on every editor's screen that shows them, the look-alike
warnings that repeat sponsor names to editors, and the pages of the login unlock flow and the
sign-up's "check your e-mail" answer."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from sponsors.models import Sponsor, SponsorChange, this_week
from tests.accounts.factories import UserFactory
from tests.security.xss_helpers import (
    FORM_SAMPLE,
    PAYLOADS,
    Sweep,
    check_html,
    fits,
    png_named,
    storable,
)
from tests.sponsors.factories import ListingFactory, seen

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def changes_site(django_db_setup, django_db_blocker):
    """Per payload a running sponsor (an approved listing this week) with a company change in
    the payload: waiting for review, or (every other one) rejected with the payload as note."""
    with django_db_blocker.unblock(), transaction.atomic():
        editor = UserFactory(is_staff=True, is_superuser=True)
        manager = UserFactory(email_verified_at=timezone.now())
        manager.groups.add(Group.objects.get(name=Role.SPONSORS))
        sponsors, changes = [], []
        stored = [payload for payload in PAYLOADS if storable(payload)]
        for index, payload in enumerate(stored):
            name = payload if fits(payload, 120) else f"Sponsor {index}"
            sponsor = Sponsor.objects.create(name=f"Running {index}")
            sponsor.managers.add(manager)
            ListingFactory(sponsor=sponsor, approved=True, weeks=[this_week()])
            change = SponsorChange(
                sponsor=sponsor,
                name=name,
                website="https://example.com/" + str(index),
                description=payload,
                logo=png_named(payload),
                submitted_by=manager,
            )
            change.save()
            if index % 2:
                change.reject(by=editor, note=payload)
            sponsors.append(sponsor)
            changes.append(change)
        # A look-alike of every payload-named sponsor: warnings repeat the names to editors.
        for index, payload in enumerate(stored[:: FORM_SAMPLE * 2]):
            if fits(payload, 110):
                Sponsor.objects.create(name=payload, slug=f"payload-{index}")
                Sponsor.objects.create(name=payload + " ", slug=f"payload-{index}-b")
        yield {"editor": editor, "manager": manager, "sponsors": sponsors, "changes": changes}
        transaction.set_rollback(True)


def test_company_changes_are_inert_on_the_sponsors_pages(client, changes_site):
    client.force_login(changes_site["manager"])
    sweep = Sweep(client, "company changes")
    sweep.page(reverse("sponsors:dashboard"))
    for sponsor in changes_site["sponsors"][::FORM_SAMPLE]:
        sweep.page(reverse("sponsors:company", args=[sponsor.pk]))
    sweep.assert_inert()


def test_company_changes_and_lookalike_warnings_are_inert_for_editors(client, changes_site):
    client.force_login(changes_site["editor"])
    sweep = Sweep(client, "company changes")
    admin = {"admin"}
    changelist = reverse("admin:sponsors_sponsorchange_changelist")
    count = len(changes_site["changes"])
    for number in range(1, count // 100 + 2):
        sweep.page(f"{changelist}?p={number}", svgs=admin)
    for change in changes_site["changes"][::FORM_SAMPLE]:
        sweep.page(reverse("admin:sponsors_sponsorchange_change", args=[change.pk]), svgs=admin)
    pending = [change for change in changes_site["changes"] if change.status == "pending"]
    sweep.page(
        changelist,
        method="post",
        data={"action": "reject", "_selected_action": [c.pk for c in pending], **seen(pending)},
        svgs=admin,
    )
    for sponsor in Sponsor.objects.filter(slug__startswith="payload-"):
        sweep.page(reverse("admin:sponsors_sponsor_change", args=[sponsor.pk]), svgs=admin)
    listings = reverse("admin:sponsors_listing_changelist")
    sweep.page(listings, svgs=admin)
    sweep.assert_inert()


def test_approving_payload_changes_puts_them_inertly_before_readers(client, changes_site):
    pending = [change for change in changes_site["changes"] if change.status == "pending"]
    client.force_login(changes_site["editor"])
    sweep = Sweep(client, "company changes")
    sweep.page(
        reverse("admin:sponsors_sponsorchange_changelist"),
        method="post",
        data={"action": "approve", "_selected_action": [c.pk for c in pending], **seen(pending)},
        status=302,
    )
    sweep.page(reverse("admin:sponsors_sponsorchange_changelist"), svgs={"admin"})
    client.logout()
    sweep.page(reverse("sponsors:about"))
    sweep.page(reverse("digest:post-index"))
    sweep.assert_inert()
    assert Sponsor.objects.filter(name=pending[0].name).exists()


@pytest.mark.parametrize("payload", PAYLOADS[::FORM_SAMPLE])
def test_the_unlock_and_signup_answers_are_inert(client, db, payload):
    sweep = Sweep(client, "account pages")
    sweep.page(reverse("accounts:unlock-request"), method="post", data={"username": payload})
    sweep.page(reverse("accounts:unlock", args=["x", "y"]), status=400)
    sweep.page(reverse("sponsors:signup-sent"))
    sweep.assert_inert()


def test_the_locked_out_page_repeats_a_typed_name_inertly(client, db):
    findings = []
    for index, payload in enumerate(PAYLOADS[::FORM_SAMPLE]):
        name = payload.replace("\x00", "")[:150]
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            response = client.post(
                reverse("accounts:login"),
                {"username": name, "password": "wrong"},
                REMOTE_ADDR=f"192.0.2.{index % 250 + 1}",
            )
        assert response.status_code == 429
        findings += [f"locked out as {name!r}: {f}" for f in check_html(response.content.decode())]
    assert findings == []
