"""The Newsletter panel on a post's admin page (newsletter.post_panel, drawn through digest's
admin_panels registry): editors see whether the post is sent and to how many, send a test to
themselves, start the sending, and follow its figures; authors see nothing and can send
nothing, whatever they post. Mail goes to a real SMTP server started by the test."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Delivery, Issue, Subscriber
from tests.accounts.factories import staff
from tests.digest.factories import PostFactory, digest_with_parts
from tests.newsletter.conftest import run_jobs
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return staff("Editors")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def post_page(client, post):
    return client.get(reverse("admin:digest_post_change", args=[post.pk]))


def panel_of(response):
    """The panel's HTML, or None when the page has none."""
    found = re.search(r'<section class="module newsletter-panel".*?</section>', response.text, re.S)
    return found[0] if found else None


def published_digest():
    return digest_with_parts(publish_at=timezone.now() - timedelta(minutes=1))


def test_an_author_sees_no_panel_and_cannot_send(client, smtp):
    SubscriberFactory.create_batch(2)
    author = staff("Authors")
    post = digest_with_parts(publish_at=timezone.now() - timedelta(minutes=1), author=author)
    client.force_login(author)
    page = post_page(client, post)
    assert page.status_code == 200
    assert panel_of(page) is None
    for name in ("newsletter_post_send_now", "newsletter_post_send_test", "newsletter_post_send"):
        assert (
            client.post(reverse(f"admin:{name}", args=[post.pk]), {"send": "on"}).status_code == 403
        )
    run_jobs()
    assert smtp.received() == []
    assert not Delivery.objects.exists()
    assert not Issue.objects.filter(post=post, send=True).exclude(state="waiting").exists()


def test_buttons_refuse_a_get_and_a_post_without_the_csrf_token(editor, smtp):
    SubscriberFactory.create_batch(2)
    post = published_digest()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    url = reverse("admin:newsletter_post_send_now", args=[post.pk])
    assert strict.post(url).status_code == 403
    assert strict.get(url).status_code == 403
    run_jobs()
    assert smtp.received() == []
    assert not Issue.objects.filter(post=post).exclude(state="waiting").exists()


def test_an_editor_sees_the_send_choice_the_audience_and_the_buttons(editor_client):
    SubscriberFactory.create_batch(3)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    SubscriberFactory(wants_digests=False, wants_articles=True)
    digest = published_digest()
    panel = panel_of(post_page(editor_client, digest))
    assert '<h2 id="newsletter-panel-title">Newsletter</h2>' in panel
    assert '<strong id="newsletter-audience">3</strong> confirmed subscribers' in panel
    assert re.search(r'<input type="checkbox" name="send" checked>', panel)  # digests: yes
    assert "the worker starts its sending at its next round" in panel
    assert "Send test to me" in panel
    assert 'data-confirm="Send “' + digest.title + "” to 3 subscribers now?" in panel
    assert panel.count("csrfmiddlewaretoken") == 3  # the choice, the test, Send now
    assert not Issue.objects.exists()  # looking creates nothing

    draft_article = PostFactory(draft=True)
    panel = panel_of(post_page(editor_client, draft_article))
    assert '<input type="checkbox" name="send">' in panel  # articles: only when chosen
    assert '<strong id="newsletter-audience">1</strong> confirmed subscriber.' in panel
    assert "Send now</button>" not in panel
    assert "offered once the post is published" in panel


def test_the_send_choice_is_saved_for_the_post_until_its_sending_starts(editor_client):
    article = PostFactory()
    url = reverse("admin:newsletter_post_send", args=[article.pk])
    response = editor_client.post(url, {"send": "on"})
    assert response.status_code == 302
    assert response.url == reverse("admin:digest_post_change", args=[article.pk])
    assert Issue.objects.get(post=article).send is True
    editor_client.post(url, {})
    assert Issue.objects.get(post=article).send is False

    Issue.objects.filter(post=article).update(state=Issue.State.SENT)
    refused = editor_client.post(url, {"send": "on"}, follow=True)
    assert "too late to change" in refused.text
    assert Issue.objects.get(post=article).send is False


def test_send_test_to_me_mails_the_editor_only(editor, editor_client, smtp):
    SubscriberFactory.create_batch(2)
    post = published_digest()
    response = editor_client.post(
        reverse("admin:newsletter_post_send_test", args=[post.pk]), follow=True
    )
    assert f"Sent to {editor.email}." in response.text
    (message,) = smtp.received()
    assert message[0] == (editor.email,)
    assert message[1]["Subject"] == f"[Test] {post.title}"
    assert message[1].get_body(("plain",)) is not None
    run_jobs()
    assert len(smtp.received()) == 1
    assert Issue.objects.get(post=post).state == Issue.State.WAITING
    assert not Delivery.objects.exists()


def test_send_now_sends_an_old_post_to_every_subscriber_and_the_panel_shows_the_figures(
    editor_client, smtp
):
    readers = SubscriberFactory.create_batch(3, wants_articles=True)
    SubscriberFactory()  # digests only: an article is not for them
    old_article = PostFactory(publish_at=timezone.now() - timedelta(days=90))
    Issue.objects.create(post=old_article, send=True)
    before = panel_of(post_page(editor_client, old_article))
    assert "the worker does not send it by itself" in before
    assert '<strong id="newsletter-audience">3</strong>' in before
    url = reverse("admin:newsletter_post_send_now", args=[old_article.pk])
    started = editor_client.post(url, follow=True)
    assert "Sending started." in started.text
    issue = Issue.objects.get(post=old_article)
    assert (issue.send, issue.state, issue.recipients) == (True, Issue.State.SENDING, 3)
    panel = panel_of(started)
    assert "<strong data-progress-state>Sending</strong>" in panel
    progress = reverse("admin:newsletter_issue_progress", args=[issue.pk])
    assert f'data-url="{progress}"' in panel
    assert '<td data-figure="remaining">3</td>' in panel
    assert "Send now</button>" not in panel  # started: not offered again

    run_jobs()
    assert sorted(r for rcpts, _ in smtp.received() for r in rcpts) == sorted(
        reader.email for reader in readers
    )
    panel = panel_of(post_page(editor_client, old_article))
    cells = dict(re.findall(r'<td data-figure="(\w+)">(\d+)</td>', panel))
    assert cells == {
        "recipients": "3", "sent": "3", "retrying": "0", "failed": "0", "remaining": "0",
        "delivered": "3", "bounced": "0", "complained": "0", "unsubscribed": "0",
    }  # fmt: skip
    assert "<strong data-progress-state>Sent</strong>" in panel
    assert reverse("admin:newsletter_issue_change", args=[issue.pk]) in panel
    assert editor_client.get(progress).json()["sent"] == 3

    # Pressed again (a second tab, a double click): nothing more is sent.
    again = editor_client.post(url, follow=True)
    assert "Not sent: the post is not published, or it was sent already." in again.text
    run_jobs()
    assert len(smtp.received()) == 3


def test_send_now_refuses_a_post_not_yet_published(editor_client, smtp):
    SubscriberFactory.create_batch(2)
    scheduled = PostFactory(scheduled=True, digest=True)
    refused = editor_client.post(
        reverse("admin:newsletter_post_send_now", args=[scheduled.pk]), follow=True
    )
    assert "Not sent" in refused.text
    run_jobs()
    assert smtp.received() == []
    assert Issue.objects.get(post=scheduled).state == Issue.State.WAITING
