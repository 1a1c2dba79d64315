"""A reader's whole newsletter path in Chromium: subscribe in the footer form, confirm from the
link in the received e-mail, get the next digest, and leave with the one-click unsubscribe that
mail clients use. Mail goes through a real SMTP server started by the test."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter.models import Subscriber
from newsletter.tasks import tick
from tests.digest.factories import digest_with_parts
from tests.newsletter.conftest import run_jobs
from tests.newsletter.smtp_sink import SmtpSink


@pytest.fixture
def smtp(settings, live_server):
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = live_server.url  # the links in the e-mails lead to this server
    settings.NEWSLETTER_RATE = 0
    settings.NEWSLETTER_BLOCKS = []
    yield sink
    sink.stop()


def test_subscribe_confirm_receive_and_unsubscribe_in_one_click(live_server, page, smtp):
    page.goto(live_server.url + "/")
    footer = page.locator(".site-footer form.subscribe")
    footer.get_by_label("Your e-mail address").fill("reader@example.net")
    footer.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()

    run_jobs()  # the worker's part: the confirmation e-mail
    (confirmation,) = smtp.to("reader@example.net")
    link = re.search(r"http://\S+/newsletter/confirm/\S+/", confirmation.get_content()).group()
    page.goto(link)
    page.get_by_role("button", name="Yes, subscribe me").click()
    page.get_by_text("You are subscribed.").wait_for()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED

    post = digest_with_parts(
        stats=[("200K", "msgs per second")],
        quotes=[("@antirez", "Simplicity wins.", True)],
        publish_at=timezone.now() - timedelta(minutes=1),
    )
    tick.call()
    run_jobs()
    issue = smtp.to("reader@example.net")[-1]
    assert issue["Subject"] == post.title
    html = issue.get_body(("html",)).get_content()
    page.set_content(html)  # the e-mail as a mail client shows it
    assert page.get_by_text("Simplicity wins.").is_visible()
    assert page.get_by_role("link", name="View in your browser").get_attribute("href") == (
        live_server.url + post.get_absolute_url()
    )

    # What a mail client does with List-Unsubscribe-Post: one POST, no cookie, no token.
    unsubscribe = issue["List-Unsubscribe"].strip().strip("<>")
    answer = page.request.post(
        unsubscribe,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 200
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
