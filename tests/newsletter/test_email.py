"""Each issue as an e-mail, as a real SMTP server receives it: both parts, the headers,
absolute links, the digest's anatomy, the sponsors' block."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from newsletter.models import Subscriber
from newsletter.tasks import tick
from tests.digest.factories import digest_with_parts
from tests.newsletter.conftest import run_jobs
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def sponsor_block():
    return '<section><h2>Our sponsors</h2><a href="/go/7/">Acme</a></section>'


@pytest.fixture
def received(smtp, settings):
    settings.NEWSLETTER_BLOCKS = ["tests.newsletter.test_email.sponsor_block"]
    subscriber = SubscriberFactory(email="reader@example.net")
    post = digest_with_parts(
        stats=[("200K", "msgs per second through iMessage")],
        quotes=[("@antirez", "Simplicity is a **feature**.", True)],
        items=[("[Queues](/blog/2016/2/19/queues.html) are everywhere.", True)],
        excerpt="This week: *queues* & latency.<script>alert(1)</script>",
        publish_at=timezone.now() - timedelta(minutes=1),
    )
    tick.call()
    run_jobs()
    (message,) = smtp.to(subscriber.email)
    return message, post, subscriber


def test_headers_subject_and_one_click_unsubscribe(received):
    message, post, subscriber = received
    assert message["Subject"] == post.title
    assert message["To"] == "reader@example.net"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith("https://news.example.org/newsletter/unsubscribe/")
    assert message["Message-ID"].startswith("<newsletter.")
    # The header's link works with one POST and nothing else (RFC 8058).
    path = unsubscribe.removeprefix("https://news.example.org")
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_html_part_is_a_600px_inlined_page_with_absolute_links(received):
    message, post, _ = received
    html = message.get_body(("html",)).get_content()
    assert 'width="600"' in html and "max-width: 600px" in html
    assert "<style>" in html and "prefers-color-scheme: dark" in html  # kept for dark mode
    assert 'style="' in html  # the rest is inlined
    assert 'href="/' not in html and 'src="/' not in html
    assert f'href="https://news.example.org{post.get_absolute_url()}"' in html
    assert "View in your browser" in html
    # The web page's anatomy: stats, quotes with speaker links, items.
    assert "200K" in html and "msgs per second through iMessage" in html
    assert "Quotable Quotes:" in html and "https://news.example.org/quotes/" in html
    assert 'href="https://news.example.org/blog/2016/2/19/queues.html"' in html
    # Sanitised once on save: what the editor typed as HTML is not markup here.
    assert "<script" not in html and "alert(1)" not in html
    # The sponsors' block (found through NEWSLETTER_BLOCKS), its links absolute too.
    assert 'href="https://news.example.org/go/7/"' in html
    assert "newsletter/unsubscribe/" in html and "newsletter/preferences/" in html


def test_preheader_is_the_first_thing_and_hidden(received):
    message, *_ = received
    html = message.get_body(("html",)).get_content()
    body = html.split("<body", 1)[1]
    first = body.split("<span", 1)[1].split("</span>", 1)[0]
    assert "This week: queues" in first and "display: none" in first


def test_text_part_has_the_issue_and_the_links(received):
    message, post, _ = received
    text = message.get_body(("plain",)).get_content()
    assert text.startswith(post.title)
    assert f"https://news.example.org{post.get_absolute_url()}" in text
    assert "200K" in text and "Simplicity is a" in text
    assert "Unsubscribe: https://news.example.org/newsletter/unsubscribe/" in text
    assert "<em>" not in text and "<p>" not in text  # no markup in the text part


def test_each_subscriber_gets_their_own_links(smtp):
    one, two = SubscriberFactory.create_batch(2)
    digest_with_parts(publish_at=timezone.now() - timedelta(minutes=1))
    tick.call()
    run_jobs()
    (first,), (second,) = smtp.to(one.email), smtp.to(two.email)
    assert first["List-Unsubscribe"] != second["List-Unsubscribe"]
    assert first["Message-ID"] != second["Message-ID"]
