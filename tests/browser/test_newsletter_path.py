"""A reader's whole newsletter path in Chromium: subscribe in the footer form, confirm from the
link in the received e-mail, get the next digest, and leave with the one-click unsubscribe that
mail clients use. Mail goes through a real SMTP server started by the test. And the editor's
side: an issue's figures change on its page while it is sent, without a reload."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from newsletter.models import Issue, Subscriber
from newsletter.tasks import tick
from tests.accounts.factories import staff
from tests.digest.factories import digest_with_parts
from tests.newsletter.conftest import run_jobs
from tests.newsletter.factories import SubscriberFactory
from tests.newsletter.smtp_sink import SmtpSink, send_mail_to


@pytest.fixture
def smtp(settings, live_server):
    sink = SmtpSink().start()
    send_mail_to(sink, settings)
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


def test_the_issue_page_shows_its_figures_change_without_a_reload(live_server, page, smtp):
    SubscriberFactory.create_batch(3)
    post = digest_with_parts(publish_at=timezone.now() - timedelta(minutes=1))
    issue = Issue.objects.create(post=post, send=True)
    tick.call()  # the sending starts: three deliveries queued, none handed over
    client = Client()
    client.force_login(staff("Editors"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + reverse("admin:newsletter_issue_change", args=[issue.pk]))
    figures = page.locator("#issue-figures")
    expect(figures.locator('[data-figure="remaining"]')).to_have_text("3")
    expect(figures.locator('[data-figure="sent"]')).to_have_text("0")
    loaded = page.evaluate("performance.timeOrigin")

    run_jobs()  # the worker hands the three over while the page stays open
    # The page asks every two seconds; the bound only keeps a loaded machine from failing it.
    expect(figures.locator('[data-figure="sent"]')).to_have_text("3", timeout=60_000)
    expect(figures.locator('[data-figure="remaining"]')).to_have_text("0")
    expect(figures.locator('[data-figure="delivered"]')).to_have_text("3")  # SMTP: accepted
    expect(page.locator(".field-state .readonly")).to_have_text("Sent")
    assert page.evaluate("performance.timeOrigin") == loaded  # the same page, not reloaded


def log_in_editor(page, live_server):
    client = Client()
    client.force_login(staff("Editors"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_send_now_from_the_post_page_and_watch_its_figures(live_server, new_page, smtp, artifacts):
    """On the post's own page: "Send now" asks first (a dismissed question sends nothing),
    then the panel's figures follow the sending without a reload."""
    SubscriberFactory.create_batch(3)
    post = digest_with_parts(
        stats=[("3", "readers")], publish_at=timezone.now() - timedelta(days=30)
    )
    page = new_page()
    log_in_editor(page, live_server)
    post_url = live_server.url + reverse("admin:digest_post_change", args=[post.pk])
    page.goto(post_url)
    panel = page.locator("#newsletter-panel")
    expect(panel.locator("#newsletter-audience")).to_have_text("3")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=artifacts / "newsletter-panel-1280-light.png")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    panel.get_by_role("button", name="Send now").click()
    expect(panel.get_by_role("button", name="Send now")).to_be_visible()
    assert questions == [
        f"Send “{post.title}” to 3 subscribers now? A sending cannot be called back."
    ]
    assert not Issue.objects.filter(post=post).exclude(state=Issue.State.WAITING).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Send now").click()
    expect(page.locator(".messagelist")).to_contain_text("Sending started.")
    figures = page.locator("#newsletter-panel #issue-figures")
    expect(figures.locator('[data-figure="remaining"]')).to_have_text("3")
    loaded = page.evaluate("performance.timeOrigin")

    run_jobs()  # the worker hands the three over while the page stays open
    expect(figures.locator('[data-figure="sent"]')).to_have_text("3", timeout=60_000)
    expect(figures.locator('[data-figure="delivered"]')).to_have_text("3")
    expect(page.locator("#newsletter-panel [data-progress-state]")).to_have_text("Sent")
    assert page.evaluate("performance.timeOrigin") == loaded
    assert len(smtp.received()) == 3
    page.locator("#newsletter-panel").screenshot(
        path=artifacts / "newsletter-panel-sent-1280-light.png"
    )

    dark = new_page(color_scheme="dark")
    log_in_editor(dark, live_server)
    dark.goto(post_url)
    dark.locator("#newsletter-panel").screenshot(
        path=artifacts / "newsletter-panel-sent-1280-dark.png"
    )
    waiting = digest_with_parts(publish_at=timezone.now() - timedelta(minutes=1))
    dark.goto(live_server.url + reverse("admin:digest_post_change", args=[waiting.pk]))
    dark.locator("#newsletter-panel").screenshot(path=artifacts / "newsletter-panel-1280-dark.png")
