"""The newsletter's background jobs (django-tasks; run by `manage.py run_worker`)."""

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from digest.models import Post

from . import confirmation, sending
from .models import Issue, Subscriber, posts_in_send_window

logger = logging.getLogger(__name__)


@task()
def tick():
    """Periodic (settings.PERIODIC_JOBS): start the sendings that are due and take over those
    whose worker died. Posts published recently get their Issue row here (digests marked for
    sending, articles not), so a scheduled post is sent when its time comes, with no cron."""
    now = timezone.now()
    recent = posts_in_send_window(now).filter(newsletter_issue=None)
    for post in recent.only("pk", "kind"):
        Issue.for_post(post)
    for issue in Issue.objects.due(now).select_related("post"):
        start_sending(issue, now)
    for issue in Issue.objects.filter(state=Issue.State.SENDING):
        if sending.is_abandoned(issue, now):
            with transaction.atomic():
                owner = sending.take_over(issue, now)
                if owner:
                    send_batch.enqueue(issue.pk, owner)


@task()
def send_batch(issue_id, owner):
    """One batch of an issue's deliveries; enqueues the next one at the configured rate."""
    due = sending.send_batch(issue_id, owner)
    if due is not None:
        send_batch.using(run_after=due).enqueue(issue_id, owner)


@task()
def send_subscription_email(subscriber_id):
    """The e-mail a subscribe request causes (see confirmation.send_for): sent from the queue
    so the form answers at once and in the same time whatever the address's state."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is not None:
        confirmation.send_for(subscriber)


def start_sending(issue, now=None):
    """Start the issue's sending and enqueue its first batch, in one transaction; False when
    it was not due any more (another worker started it)."""
    with transaction.atomic():
        owner = sending.start(issue, now)
        if owner:
            send_batch.enqueue(issue.pk, owner)
    return owner is not None


def send_now(issue):
    """Start a published post's sending at once, marking it for sending, whatever its age (the
    send window does not apply: a post published before the newsletter existed, an article
    decided on late). False when its post is not published or its sending started already."""
    with transaction.atomic():
        published = Post.objects.published()
        waiting = Issue.objects.filter(pk=issue.pk, state=Issue.State.WAITING, post__in=published)
        return bool(waiting.update(send=True)) and start_sending(issue)
