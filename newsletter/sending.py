"""Sending an issue to every confirmed subscriber exactly once, across worker crashes.

1. `start` snapshots the recipients: one Delivery row per (issue, subscriber), under a unique
   constraint, in the same transaction that marks the issue SENDING and gives it an owner (a
   random token naming the job chain that sends it) and enqueues its first batch.
2. Each batch job (`send_batch`) checks it still owns the issue, claims up to BATCH_SIZE
   deliveries (QUEUED → HANDING_OVER, committed), then for each one hands the message to the
   mail server and commits SENT right after the server accepted it. Then it enqueues the next
   batch at the configured rate, or marks the issue SENT when nothing is left.
3. A worker killed anywhere leaves the issue SENDING with an owner nobody runs. The periodic
   `tick` job takes such an issue over (a new owner, the old one's queued jobs then stop at
   their ownership check) when the process running its batch is gone (same host) or when its
   deadline passed (another host). The new owner hands over again what the dead one had
   claimed but not recorded.

The one window left is a crash after the server accepted a message and before SENT was
committed (microseconds: an UPDATE of one row). We err on the side of sending twice rather
than never: that delivery is handed over again, under the same Message-ID. A crash anywhere
else, including during the SMTP transaction, loses and duplicates nothing. A live worker that
stalls longer than NEWSLETTER_LEASE_SECONDS can also cause one duplicate (it is taken over
while it still holds a message); the lease is far longer than the SMTP timeout.
"""

import logging
import os
import secrets
import smtplib
import socket
from datetime import timedelta
from urllib.parse import urlsplit

from anymail.exceptions import AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.text import Truncator

from .emails import issue_email
from .models import Delivery, Issue, Subscriber

logger = logging.getLogger(__name__)

HOST = socket.gethostname()
INSERT_CHUNK = 2000
MAX_RETRY_DELAY = timedelta(hours=6)
# 550 mailbox unavailable, 551 user not local, 553 mailbox name not allowed: the address is
# bad. Other 5xx answers (552 too big, 554 refused as a whole) are about the message.
BAD_ADDRESS_CODES = {550, 551, 553}
# Open and click tracking are off (issue 16): services that would track by their account's
# setting are told not to, per message, where anymail has the switch (the others refuse the
# option; Amazon SES tracks only through a configuration set's event destinations, SMTP never).
TRACKING_SWITCH = {
    "MailerSend", "Mailgun", "Mailjet", "Mandrill", "Postmark", "Resend", "SendGrid",
    "SparkPost", "Test", "Unisender Go",
}  # fmt: skip


def lease():
    return timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


def start(issue, now=None):
    """Mark the issue SENDING and create its deliveries; return the new owner, or None when
    it is not due any more (another worker started it). Call inside a transaction that also
    enqueues the first batch."""
    now = now or timezone.now()
    owner = secrets.token_hex(16)
    started = Issue.objects.filter(pk=issue.pk, state=Issue.State.WAITING, send=True).update(
        state=Issue.State.SENDING, owner=owner, started_at=now, deadline=now + lease()
    )
    if not started:
        return None
    recipients = Subscriber.objects.receiving(issue.post.kind).order_by("pk")
    count, chunk = 0, []
    for subscriber_id in recipients.values_list("pk", flat=True).iterator(chunk_size=INSERT_CHUNK):
        chunk.append(Delivery(issue_id=issue.pk, subscriber_id=subscriber_id, next_attempt_at=now))
        if len(chunk) == INSERT_CHUNK:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            count, chunk = count + len(chunk), []
    Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
    Issue.objects.filter(pk=issue.pk).update(recipients=count + len(chunk))
    logger.info("Issue %s: sending to %s subscribers", issue.pk, count + len(chunk))
    return owner


def is_abandoned(issue, now=None):
    """Its owner missed its deadline, or the process running its batch here is gone."""
    if issue.deadline and issue.deadline < (now or timezone.now()):
        return True
    if issue.owner_pid and issue.owner_host == HOST:
        try:
            os.kill(issue.owner_pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return False


def take_over(issue, now=None):
    """A new owner for an abandoned sending; None if someone else was quicker."""
    now = now or timezone.now()
    owner = secrets.token_hex(16)
    taken = Issue.objects.filter(pk=issue.pk, state=Issue.State.SENDING, owner=issue.owner).update(
        owner=owner, owner_pid=None, owner_host="", deadline=now + lease()
    )
    if not taken:
        return None
    logger.warning("Issue %s: sending taken over from a worker that stopped", issue.pk)
    return owner


def send_batch(issue_id, owner, now=None):
    """Send one batch; return when the next batch should run, or None (done or superseded)."""
    started = now or timezone.now()
    deliveries = claim(issue_id, owner, started)
    if deliveries is None:
        return None
    if deliveries:
        issue = Issue.objects.select_related("post").get(pk=issue_id)
        email = issue_email(issue.post)
        hand_over(email, deliveries, owner)
    return next_run(issue_id, owner, started, len(deliveries))


def claim(issue_id, owner, now):
    """Claim this batch's deliveries (committed before any is handed over); None when the
    issue is no longer this owner's to send."""
    with transaction.atomic():
        # This UPDATE holds the issue row's lock (PostgreSQL; SQLite writes one at a time) to
        # the end of the transaction: a take-over cannot slip between the check and the claim.
        mine = Issue.objects.filter(pk=issue_id, state=Issue.State.SENDING, owner=owner)
        if not mine.update(owner_pid=os.getpid(), owner_host=HOST, deadline=now + lease()):
            return None
        todo = Delivery.objects.filter(issue_id=issue_id).claimable(owner, now)
        ids = list(
            todo.order_by("pk").values_list("pk", flat=True)[: settings.NEWSLETTER_BATCH_SIZE]
        )
        Delivery.objects.filter(pk__in=ids).claimable(owner, now).update(
            state=Delivery.State.HANDING_OVER, claimed_by=owner, attempts=F("attempts") + 1
        )
    return list(
        Delivery.objects.filter(pk__in=ids, claimed_by=owner, state=Delivery.State.HANDING_OVER)
        .select_related("subscriber")
        .order_by("pk")
    )


def hand_over(email, deliveries, owner):
    """Hand each claimed delivery to the mail server over one connection, recording each
    outcome as soon as it is known."""
    connection = get_connection()
    domain = urlsplit(settings.SITE_URL).hostname
    try:
        for position, delivery in enumerate(deliveries):
            if delivery.subscriber.status != Subscriber.Status.CONFIRMED:
                record(delivery, owner, Delivery.State.SKIPPED)
                continue
            message = email.message(
                delivery.subscriber, f"<newsletter.{delivery.pk}@{domain}>", delivery.issue_id
            )
            message.connection = connection
            if getattr(connection, "esp_name", None) in TRACKING_SWITCH:
                message.track_opens = message.track_clicks = False
            try:
                connection.open()  # kept open for the batch; a no-op once it is
                if message.send() != 1:
                    raise smtplib.SMTPException("the mail backend sent nothing")
            except Exception as error:  # noqa: BLE001 -- every failure is recorded below
                close_quietly(connection)
                if failed(delivery, owner, error) == "connection":
                    # The server is down or dropped us: the rest waits for the retry too.
                    for rest in deliveries[position + 1 :]:
                        retry(rest, owner, error, count_attempt=False)
                    return
                continue
            record(delivery, owner, Delivery.State.SENT, esp_message_id=esp_message_id(message))
    finally:
        close_quietly(connection)


def close_quietly(connection):
    try:
        connection.close()
    except Exception:  # noqa: BLE001 -- a broken connection is dropped either way
        logger.debug("Closing the mail connection failed", exc_info=True)


def esp_message_id(message):
    """The id an e-mail service's API gave the message (anymail sets `anymail_status`), by
    which its tracking events name it later; "" over SMTP."""
    status = getattr(message, "anymail_status", None)
    if status is None or status.message_id is None:
        return ""
    return str(status.message_id)[:255]


def record(delivery, owner, state, error="", esp_message_id=""):
    done = Delivery.objects.filter(
        pk=delivery.pk, claimed_by=owner, state=Delivery.State.HANDING_OVER
    ).update(state=state, sent_at=timezone.now() if state == Delivery.State.SENT else None,
             error=Truncator(error).chars(300), esp_message_id=esp_message_id)  # fmt: skip
    if not done:
        logger.warning("Delivery %s was taken over while this worker held it", delivery.pk)


def failed(delivery, owner, error):
    """Record a failed hand-over; "connection" when the server could not be talked to."""
    kind = classify(error)
    if kind == "bad-address":
        record(delivery, owner, Delivery.State.FAILED, str(error))
        delivery.subscriber.suppress(f"permanent failure: {error}")
    elif kind == "rejected":
        record(delivery, owner, Delivery.State.FAILED, str(error))
    else:
        retry(delivery, owner, error)
    return kind


def classify(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return "bad-address" if codes and min(codes) >= 500 else "temporary"
    if isinstance(error, AnymailRecipientsRefused):
        return "bad-address"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "temporary"  # our sender address, not the subscriber's fault
    if isinstance(error, smtplib.SMTPResponseException):
        if error.smtp_code in BAD_ADDRESS_CODES:
            return "bad-address"
        return "rejected" if error.smtp_code >= 500 else "temporary"
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError):
        return "connection"
    return "temporary"


def retry(delivery, owner, error, count_attempt=True):
    attempts = delivery.attempts if count_attempt else max(delivery.attempts - 1, 0)
    if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        record(delivery, owner, Delivery.State.FAILED, f"gave up: {error}")
        return
    delay = min(timedelta(seconds=settings.NEWSLETTER_RETRY_SECONDS * 2 ** max(attempts - 1, 0)),
                MAX_RETRY_DELAY)  # fmt: skip
    Delivery.objects.filter(
        pk=delivery.pk, claimed_by=owner, state=Delivery.State.HANDING_OVER
    ).update(
        state=Delivery.State.QUEUED,
        attempts=attempts,
        next_attempt_at=timezone.now() + delay,
        error=Truncator(str(error) or type(error).__name__).chars(300),
    )


def next_run(issue_id, owner, started, sent):
    """Finish the issue, or return when its next batch is due (and set its deadline)."""
    mine = Issue.objects.filter(pk=issue_id, state=Issue.State.SENDING, owner=owner)
    left = Delivery.objects.filter(issue_id=issue_id).unfinished()
    if not left.exists():
        # Every delivery is final now: its hand-over figures are frozen on the issue, so pages
        # listing sendings never count deliveries again.
        counts = Delivery.objects.filter(issue_id=issue_id).aggregate(**Delivery.HANDED_OVER)
        if mine.update(
            state=Issue.State.SENT,
            finished_at=timezone.now(),
            owner_pid=None,
            sent_count=counts["sent"],
            failed_count=counts["failed"],
            untracked_count=counts["untracked"],
        ):
            logger.info("Issue %s: sent", issue_id)
        return None
    if sent:
        pause = sent / settings.NEWSLETTER_RATE if settings.NEWSLETTER_RATE else 0
        due = started + timedelta(seconds=pause)
    else:
        due = left.aggregate(first=Min("next_attempt_at"))["first"] or started
    if not mine.update(owner_pid=None, deadline=max(due, timezone.now()) + lease()):
        return None  # taken over meanwhile: the new owner's chain goes on
    return due
