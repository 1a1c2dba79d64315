"""Bounce and complaint webhooks (django-anymail, signatures checked) suppress the address;
the periodic-job scheduler enqueues each job once per period however often it runs."""

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import PeriodicJob
from jobs.scheduler import enqueue_due
from newsletter.models import Subscriber
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db
SECRET = "hooks:a-long-random-password"
MAILGUN_KEY = "mailgun-signing-key"


@pytest.fixture
def webhooks(settings):
    settings.ROOT_URLCONF = "tests.newsletter.anymail_urls"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


def basic_auth(secret=SECRET):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def postmark(client, payload, secret=SECRET):
    return client.post(
        "/anymail/postmark/tracking/",
        json.dumps(payload),
        content_type="application/json",
        **basic_auth(secret),
    )


def test_postmark_hard_bounce_and_complaint_suppress(client, webhooks):
    bounced = SubscriberFactory(email="bounced@example.net")
    complained = SubscriberFactory(email="complained@example.net")
    soft = SubscriberFactory(email="soft@example.net")
    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "1",
        "Email": "Bounced@Example.net",
        "BouncedAt": "2026-12-04T09:00:00Z",
        "Description": "The server was unable to deliver your message",
        "Details": "550 no such user",
    }
    assert postmark(client, bounce).status_code == 200
    complaint = {
        **bounce,
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Email": "complained@example.net",
    }
    assert postmark(client, complaint).status_code == 200
    softly = {**bounce, "Type": "Transient", "TypeCode": 2, "Email": "soft@example.net"}
    assert postmark(client, softly).status_code == 200
    for subscriber in (bounced, complained, soft):
        subscriber.refresh_from_db()
    assert bounced.status == complained.status == Subscriber.Status.SUPPRESSED
    assert "Postmark reported bounced" in bounced.suppressed_reason
    assert soft.status == Subscriber.Status.CONFIRMED


def test_postmark_webhook_without_the_secret_changes_nothing(client, webhooks):
    subscriber = SubscriberFactory(email="victim@example.net")
    forged = {
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Email": "victim@example.net",
        "MessageID": "1",
        "BouncedAt": "2026-12-04T09:00:00Z",
    }
    assert postmark(client, forged, secret="hooks:guess").status_code in (400, 401, 403)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def mailgun_event(recipient, key=MAILGUN_KEY, **event):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {"recipient": recipient, "timestamp": float(timestamp), "id": "x", **event},
    }


def test_mailgun_permanent_failure_suppresses_and_signature_is_checked(client, webhooks):
    gone = SubscriberFactory(email="gone@example.net")
    kept = SubscriberFactory(email="kept@example.net")
    failed = {
        "event": "failed",
        "severity": "permanent",
        "reason": "bounce",
        "delivery-status": {"code": 550, "message": "no such user"},
    }
    url = "/anymail/mailgun/tracking/"
    forged = mailgun_event("kept@example.net", key="wrong-key", **failed)
    # Both checks anymail documents: our basic-auth secret and Mailgun's own signature.
    answer = client.post(url, forged, content_type="application/json", **basic_auth())
    assert answer.status_code in (400, 403)
    good = mailgun_event("gone@example.net", **failed)
    assert client.post(url, good, content_type="application/json").status_code in (400, 403)
    answer = client.post(url, good, content_type="application/json", **basic_auth())
    assert answer.status_code == 200
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.status == Subscriber.Status.SUPPRESSED
    assert kept.status == Subscriber.Status.CONFIRMED


def test_periodic_jobs_are_enqueued_once_per_period(settings):
    settings.PERIODIC_JOBS = {"sweep-media": ("jobs.tasks.sweep_media", 3600)}
    now = timezone.now()
    assert enqueue_due(now) == ["sweep-media"]
    # Another worker's scheduler, or this one again a moment later: nothing more.
    assert enqueue_due(now) == []
    assert enqueue_due(now + timedelta(minutes=59)) == []
    assert DBTaskResult.objects.filter(task_path="jobs.tasks.sweep_media").count() == 1
    # The due time is a row: a restarted worker enqueues it when the hour is up.
    assert PeriodicJob.objects.get().next_run_at == now + timedelta(hours=1)
    assert enqueue_due(now + timedelta(minutes=61)) == ["sweep-media"]


def test_the_sweep_job_runs_the_sweep_command(settings, tmp_path):
    from jobs.tasks import sweep_media

    settings.MEDIA_ROOT = tmp_path
    sweep_media.call()  # nothing to sweep, and no error
