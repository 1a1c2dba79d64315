"""Click counts cannot be inflated by changing the browser's name (issue 19): at most one click
per listing, address and day counts, and the address is kept only as a keyed hash."""

import pytest
from django.urls import reverse

from sponsors.models import Click, this_week
from tests.sponsors.factories import ListingFactory

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.50"


def agent(n):
    return f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/{100 + n}.0 Safari/537.36"


def test_fifty_user_agents_from_one_address_count_one_click(client):
    listing = ListingFactory(approved=True, weeks=[this_week()])

    statuses = {
        client.get(
            reverse("sponsors:go", args=[listing.pk]), REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=agent(n)
        ).status_code
        for n in range(50)
    }

    assert statuses == {302}
    assert listing.clicks.count() == 1
    (visitor,) = Click.objects.values_list("visitor", flat=True)
    assert ADDRESS not in visitor and ADDRESS.replace(".", "") not in visitor


def test_readers_at_other_addresses_still_count_once_each(client):
    listing = ListingFactory(approved=True, weeks=[this_week()])

    for n in range(5):
        for _repeat in range(3):
            client.get(
                reverse("sponsors:go", args=[listing.pk]),
                REMOTE_ADDR=f"198.51.100.{n + 1}",
                HTTP_USER_AGENT=agent(_repeat),
            )

    assert listing.clicks.count() == 5
