"""Sending an issue through a real SMTP server, batch by batch, exactly once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from digest.models import Post
from newsletter import sending
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.tasks import tick
from tests.digest.factories import PostFactory, digest_with_parts
from tests.newsletter.conftest import run_jobs
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def fresh_digest(**fields):
    return digest_with_parts(
        stats=[("200K", "msgs per second")],
        quotes=[("@antirez", "Simplicity wins.", True)],
        items=[("[A link](https://example.com/a). Commentary.", True)],
        publish_at=timezone.now() - timedelta(minutes=1),
        **fields,
    )


def test_a_published_digest_reaches_every_confirmed_subscriber_once(smtp, settings):
    settings.NEWSLETTER_BATCH_SIZE = 7
    confirmed = SubscriberFactory.create_batch(23)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
    SubscriberFactory(status=Subscriber.Status.SUPPRESSED)
    SubscriberFactory(wants_digests=False)
    post = fresh_digest()

    tick.call()
    run_jobs()

    counts = smtp.per_recipient()
    assert counts == {subscriber.email: 1 for subscriber in confirmed}
    issue = Issue.objects.get(post=post)
    assert issue.state == Issue.State.SENT
    assert issue.recipients == 23
    assert issue.progress()[Delivery.State.SENT] == 23
    # A second tick (or a second worker) starts nothing again.
    tick.call()
    run_jobs()
    assert sum(smtp.per_recipient().values()) == 23


def test_articles_are_sent_only_when_an_editor_marks_them(smtp):
    SubscriberFactory(wants_articles=True)
    article = PostFactory(publish_at=timezone.now() - timedelta(minutes=1))
    tick.call()
    run_jobs()
    assert Issue.objects.get(post=article).send is False
    assert smtp.received() == []

    later = PostFactory(publish_at=timezone.now() - timedelta(minutes=1))
    Issue.objects.create(post=later, send=True)
    tick.call()
    run_jobs()
    assert len(smtp.received()) == 1


def test_articles_go_only_to_subscribers_who_want_them(smtp):
    wants = SubscriberFactory(wants_articles=True)
    SubscriberFactory(wants_articles=False)
    article = PostFactory(publish_at=timezone.now() - timedelta(minutes=1))
    Issue.objects.create(post=article, send=True)
    tick.call()
    run_jobs()
    assert smtp.per_recipient() == {wants.email: 1}


def test_scheduled_drafts_and_old_posts_are_not_sent(smtp):
    SubscriberFactory()
    scheduled = fresh_digest()
    Post.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now() + timedelta(hours=2))
    fresh_digest(status=Post.Status.DRAFT)
    # An imported archive: digests published long ago are never mailed out.
    old = fresh_digest()
    Post.objects.filter(pk=old.pk).update(publish_at=timezone.now() - timedelta(days=30))
    tick.call()
    run_jobs()
    assert smtp.received() == []

    # Its time comes: the next tick sends it (no cron, no signal from digest).
    Post.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    tick.call()
    run_jobs()
    assert len(smtp.received()) == 1


def test_an_editor_can_stop_a_digest_before_it_is_published(smtp):
    SubscriberFactory()
    post = fresh_digest()
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() + timedelta(hours=1))
    Issue.objects.create(post=post, send=False)
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    tick.call()
    run_jobs()
    assert smtp.received() == []


def test_temporary_errors_are_retried_and_permanent_ones_suppress(smtp, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    flaky = SubscriberFactory(email="flaky@example.net")
    gone = SubscriberFactory(email="gone@example.net")
    hopeless = SubscriberFactory(email="hopeless@example.net")
    fine = SubscriberFactory(email="fine@example.net")
    smtp.refuse(flaky.email, "451 4.2.0 try later", "452 4.2.2 mailbox full")
    smtp.refuse(gone.email, "550 5.1.1 no such user")
    smtp.refuse(hopeless.email, *["421 4.7.0 busy"] * 5)
    post = fresh_digest()

    tick.call()
    run_jobs()

    assert smtp.per_recipient() == {flaky.email: 1, fine.email: 1}
    issue = Issue.objects.get(post=post)
    assert issue.state == Issue.State.SENT
    deliveries = {d.subscriber_id: d for d in Delivery.objects.filter(issue=issue)}
    assert deliveries[flaky.pk].state == Delivery.State.SENT
    assert deliveries[flaky.pk].attempts == 3
    assert deliveries[gone.pk].state == Delivery.State.FAILED
    assert deliveries[hopeless.pk].state == Delivery.State.FAILED
    assert "gave up" in deliveries[hopeless.pk].error
    gone.refresh_from_db()
    hopeless.refresh_from_db()
    assert gone.status == Subscriber.Status.SUPPRESSED
    assert hopeless.status == Subscriber.Status.CONFIRMED  # temporary, however often


def test_a_retry_waits_for_its_backoff(smtp, settings):
    settings.NEWSLETTER_RETRY_SECONDS = 600
    flaky = SubscriberFactory()
    smtp.refuse(flaky.email, "451 4.2.0 try later")
    post = fresh_digest()
    tick.call()
    run_jobs()
    delivery = Delivery.objects.get(issue__post=post)
    assert delivery.state == Delivery.State.QUEUED
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=500)
    # The job chain waits for it (its next job's run_after), and nothing is sent meanwhile.
    assert sending.send_batch(delivery.issue_id, delivery.issue.owner) is not None
    assert smtp.received() == []


def test_the_mail_server_down_keeps_every_delivery_for_later(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    SubscriberFactory.create_batch(3)
    post = fresh_digest()
    with mock.patch.object(settings, "NEWSLETTER_RETRY_SECONDS", 3600):
        tick.call()
        run_jobs()
    states = list(Delivery.objects.filter(issue__post=post).values_list("state", "attempts"))
    # One attempt counted (the one that found the server down); the rest are untouched.
    assert sorted(states) == [("queued", 0), ("queued", 0), ("queued", 1)]
    assert Issue.objects.get(post=post).state == Issue.State.SENDING


def test_a_subscriber_who_leaves_during_the_sending_is_skipped(smtp, settings):
    settings.NEWSLETTER_BATCH_SIZE = 1
    first, second = SubscriberFactory.create_batch(2)
    fresh_digest()
    tick.call()
    second.unsubscribe()
    run_jobs()
    assert smtp.per_recipient() == {first.email: 1}
    assert Delivery.objects.get(subscriber=second).state == Delivery.State.SKIPPED


def test_a_dead_owner_is_taken_over_and_its_claimed_delivery_sent_again(smtp, settings):
    """The worker died after claiming a batch (before the server accepted anything): the
    tick notices its process is gone, and the new owner sends each claimed one once."""
    settings.NEWSLETTER_BATCH_SIZE = 4
    subscribers = SubscriberFactory.create_batch(6)
    post = fresh_digest()
    tick.call()
    issue = Issue.objects.get(post=post)
    with mock.patch.object(sending, "hand_over"):  # claims, then "dies" before handing over
        sending.send_batch(issue.pk, issue.owner)
    Issue.objects.filter(pk=issue.pk).update(owner_pid=2**22 + 12345)  # a process that is gone
    tick.call()
    run_jobs()
    assert smtp.per_recipient() == {s.email: 1 for s in subscribers}
    issue.refresh_from_db()
    assert issue.state == Issue.State.SENT


def test_a_crash_between_accept_and_record_errs_on_sending_twice(smtp, settings):
    """The documented window: the server accepted, the worker died before committing SENT.
    That one delivery is sent again (never lost), under the same Message-ID."""
    subscribers = SubscriberFactory.create_batch(3)
    post = fresh_digest()
    tick.call()
    issue = Issue.objects.get(post=post)
    real_record = sending.record

    def die_after_first(delivery, owner, state, *args, **kwargs):
        if state == Delivery.State.SENT:
            raise SystemExit("killed")
        return real_record(delivery, owner, state, *args, **kwargs)

    with mock.patch.object(sending, "record", die_after_first), pytest.raises(SystemExit):
        sending.send_batch(issue.pk, issue.owner)
    Issue.objects.filter(pk=issue.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    tick.call()
    run_jobs()
    counts = smtp.per_recipient()
    assert counts[subscribers[0].email] == 2
    assert all(counts[s.email] == 1 for s in subscribers[1:])
    first, again = smtp.to(subscribers[0].email)
    assert first["Message-ID"] == again["Message-ID"]


def test_a_superseded_chain_stops_at_its_next_batch(smtp):
    SubscriberFactory.create_batch(2)
    post = fresh_digest()
    tick.call()
    issue = Issue.objects.get(post=post)
    old_owner = issue.owner
    Issue.objects.filter(pk=issue.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    tick.call()  # takes over: a new owner
    assert sending.send_batch(issue.pk, old_owner) is None
    run_jobs()
    assert sum(smtp.per_recipient().values()) == 2
