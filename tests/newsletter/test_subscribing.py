"""Subscribe, confirm, preferences, one-click unsubscribe and re-subscribe, through the
test client and a real SMTP server (links are read from the received mail)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from newsletter import tokens
from newsletter.models import Subscriber
from tests.digest.factories import PostFactory
from tests.newsletter.conftest import run_jobs
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https://news\.example\.org(/newsletter/[a-z]+/[^/\s]+/)")


def subscribe(client, address, **extra):
    return client.post(reverse("newsletter:subscribe"), {"email": address, **extra})


def link_in(message, kind):
    text = message.get_body(("plain",)).get_content()
    return next(path for path in LINK.findall(text) if f"/{kind}/" in path)


def test_subscribe_confirm_unsubscribe_resubscribe(smtp):
    client = Client(enforce_csrf_checks=True)
    response = subscribe(client, "  New.Reader@Example.NET ")
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:subscribe-sent")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "new.reader@example.net"
    assert subscriber.status == Subscriber.Status.PENDING

    run_jobs()
    (message,) = smtp.to("new.reader@example.net")
    assert "Confirm" in message["Subject"]
    confirm = link_in(message, "confirm")
    assert "reader" not in confirm  # the link names an id, never the address

    # Opening the link (a person, or a mail scanner) changes nothing; the button does.
    page = client.get(confirm)
    assert page.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    csrf = page.cookies["csrftoken"].value
    done = client.post(confirm, {"csrfmiddlewaretoken": csrf})
    assert done.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None

    preferences = client.get(done["Location"])
    assert b"You are subscribed" in preferences.content
    assert b"new.reader" not in preferences.content
    client.post(done["Location"], {"csrfmiddlewaretoken": csrf, "wants_articles": "on"})
    subscriber.refresh_from_db()
    assert (subscriber.wants_digests, subscriber.wants_articles) == (False, True)

    # One-click (RFC 8058): a POST with no cookie and no CSRF token, as mail clients send it.
    unsubscribe = reverse("newsletter:unsubscribe", args=[tokens.make(subscriber, tokens.MANAGE)])
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED

    resubscribe = reverse("newsletter:resubscribe", args=[tokens.make(subscriber, tokens.MANAGE)])
    assert client.post(resubscribe).status_code == 403  # CSRF-protected
    client.post(resubscribe, {"csrfmiddlewaretoken": csrf})
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_the_answer_is_the_same_whatever_the_address(smtp):
    SubscriberFactory(email="subscribed@example.net")
    SubscriberFactory(email="bounced@example.net", status=Subscriber.Status.SUPPRESSED)
    answers = {
        address: subscribe(Client(), address)
        for address in ("subscribed@example.net", "bounced@example.net", "new@example.net")
    }
    assert {(r.status_code, r["Location"]) for r in answers.values()} == {
        (302, reverse("newsletter:subscribe-sent"))
    }
    assert {bytes(r.content) for r in answers.values()} == {b""}
    run_jobs()
    # Only the mailbox's owner learns the address's state; a suppressed one hears nothing.
    assert "already" not in smtp.to("new@example.net")[0].get_content()
    assert "subscribed already" in smtp.to("subscribed@example.net")[0].get_content()
    assert smtp.to("bounced@example.net") == []
    assert Subscriber.objects.get(email="subscribed@example.net").status == "confirmed"


def test_the_form_needs_no_csrf_token_and_the_page_carries_none(smtp):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("newsletter:subscribe"))
    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" not in page.content
    assert "csrftoken" not in page.cookies
    assert subscribe(client, "reader@example.net").status_code == 302


def test_every_page_and_every_post_has_the_form():
    post = PostFactory()
    page = Client().get(post.get_absolute_url())
    html = page.content.decode()
    assert html.count(f'action="{reverse("newsletter:subscribe")}"') == 2  # post end, footer
    assert "csrfmiddlewaretoken" not in html


def test_robots_and_bad_addresses_change_nothing(smtp):
    assert subscribe(Client(), "not an address").status_code == 400
    assert subscribe(Client(), "x" * 300 + "@example.net").status_code == 400
    assert subscribe(Client(), "robot@example.net", website="http://spam").status_code == 302
    run_jobs()
    assert not Subscriber.objects.exists()
    assert smtp.received() == []


def test_subscribing_is_rate_limited_per_address_and_per_client(smtp):
    client = Client()
    for _ in range(3):
        assert subscribe(client, "target@example.net").status_code == 302
    assert subscribe(client, "TARGET@example.net").status_code == 429
    for n in range(16):
        subscribe(client, f"other{n}@example.net")
    assert subscribe(Client(), "fresh@example.net").status_code == 429
    run_jobs()
    assert len(smtp.to("target@example.net")) == 3


def test_links_are_scoped_signed_and_confirmation_links_expire(settings):
    one, other = SubscriberFactory.create_batch(2)
    manage = tokens.make(one, tokens.MANAGE)
    # A confirmation token does not unsubscribe; a changed id breaks the signature.
    assert (
        Client()
        .post(reverse("newsletter:unsubscribe", args=[tokens.make(one, tokens.CONFIRM)]))
        .status_code
        == 404
    )
    forged = manage.replace(str(one.pk), str(other.pk), 1)
    assert Client().post(reverse("newsletter:unsubscribe", args=[forged])).status_code == 404
    assert Client().post(reverse("newsletter:unsubscribe", args=["x" * 500])).status_code == 404
    other.refresh_from_db()
    assert other.status == Subscriber.Status.CONFIRMED

    settings.NEWSLETTER_CONFIRM_MAX_AGE = -1
    pending = SubscriberFactory(status=Subscriber.Status.PENDING)
    assert (
        Client()
        .get(reverse("newsletter:confirm", args=[tokens.make(pending, tokens.CONFIRM)]))
        .status_code
        == 404
    )


def test_a_get_of_the_unsubscribe_link_changes_nothing():
    subscriber = SubscriberFactory()
    url = reverse("newsletter:unsubscribe", args=[tokens.make(subscriber, tokens.MANAGE)])
    assert Client().get(url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
