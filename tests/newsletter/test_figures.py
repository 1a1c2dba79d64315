"""Each issue's figures: what the e-mail service reported through its webhooks (anymail's
documented payloads, authenticated), recorded against the delivery it concerns, and the
unsubscribes counted for the issue whose link was used; shown on the issue's page and in
the list of sendings."""

import base64
import importlib
import json
import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsletter import tokens
from newsletter.models import Delivery, Figures, Issue, Subscriber
from newsletter.tasks import tick
from tests.accounts.factories import staff
from tests.digest.factories import digest_with_parts
from tests.newsletter.conftest import run_jobs
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db
SECRET = "hooks:a-long-random-password"
SES_URL = "/anymail/amazon_ses/tracking/"
SENDGRID_URL = "/anymail/sendgrid/tracking/"
FROZEN_AND_COUNTED = (
    "delivered_count", "bounced_count", "complained_count", "unsubscribed_count",
    "sent_count", "failed_count", "untracked_count",
)  # fmt: skip


@pytest.fixture
def esp(settings):
    """Issues go out through anymail's test backend, which answers as a service's API does
    (a message id for each message), and the services' webhooks are served."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ROOT_URLCONF = "tests.newsletter.anymail_urls"
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": SECRET,
        "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": False,
    }
    mail.outbox = []


@pytest.fixture
def editor_client(client):
    client.force_login(staff("Editors"))
    return client


def basic_auth(secret=SECRET):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def published_issue(**fields):
    post = digest_with_parts(publish_at=timezone.now() - timedelta(minutes=1), **fields)
    return Issue.objects.create(post=post, send=True)


def send(issue):
    tick.call()
    run_jobs()
    issue.refresh_from_db()
    assert issue.state == Issue.State.SENT


def ses(client, event_type, delivery, body, secret=SECRET):
    """An Amazon SES event as SNS posts it to anymail's webhook (event publishing through a
    configuration set: the SES event JSON in the SNS notification's Message)."""
    address = delivery.subscriber.email
    ses_event = {
        "eventType": event_type,
        "mail": {
            "timestamp": "2026-12-04T09:00:00.000Z",
            "source": "news@example.org",
            "messageId": delivery.esp_message_id,
            "destination": [address],
            "headers": [{"name": "List-Unsubscribe-Post", "value": "List-Unsubscribe=One-Click"}],
        },
        event_type.lower(): body(address),
    }
    notification = {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": "arn:aws:sns:us-east-1:111122223333:ses-tracking",
        "Subject": "Amazon SES Email Event Notification",
        "Message": json.dumps(ses_event),
        "Timestamp": "2026-12-04T09:01:00.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    return client.post(
        SES_URL,
        json.dumps(notification),
        content_type="text/plain; charset=UTF-8",  # as SNS sends it
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        HTTP_X_AMZ_SNS_MESSAGE_ID=notification["MessageId"],
        **(basic_auth(secret) if secret else {}),
    )


def delivered(address):
    return {
        "timestamp": "2026-12-04T09:00:02.000Z",
        "processingTimeMillis": 546,
        "recipients": [address],
        "smtpResponse": "250 2.6.0 Message received",
        "reportingMTA": "a8-70.smtp-out.amazonses.com",
    }


def bounce(kind):
    def body(address):
        return {
            "bounceType": kind,
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": "2026-12-04T09:00:03.000Z",
            "feedbackId": "0100015d-bounce",
            "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com",
        }

    return body


def complaint(address):
    return {
        "complainedRecipients": [{"emailAddress": address}],
        "timestamp": "2026-12-04T10:00:00.000Z",
        "feedbackId": "0100015d-complaint",
        "userAgent": "Mozilla/5.0",
        "complaintFeedbackType": "abuse",
        "arrivalDate": "2026-12-04T09:59:00.000Z",
    }


def counted(issue):
    """The reported figures counted from the issue's deliveries, as the counters must say."""
    mine = Delivery.objects.filter(issue=issue)
    return {
        "delivered_count": mine.filter(delivered_at__isnull=False).count(),
        "bounced_count": mine.filter(bounced_at__isnull=False).count(),
        "complained_count": mine.filter(complained_at__isnull=False).count(),
        "unsubscribed_count": mine.filter(unsubscribed_at__isnull=False).count(),
    }


def counters(issue):
    return dict(
        Issue.objects.filter(pk=issue.pk)
        .values("delivered_count", "bounced_count", "complained_count", "unsubscribed_count")
        .get()
    )


def one_click(header):
    """The path of the List-Unsubscribe header's link, which a mail client POSTs to."""
    return urlsplit(re.search(r"<([^>]+)>", str(header))[1]).path


def test_amazon_ses_refuses_a_wrong_or_missing_secret(client, esp):
    SubscriberFactory.create_batch(1)
    issue = published_issue()
    send(issue)
    delivery = Delivery.objects.get()
    assert ses(client, "Complaint", delivery, complaint, secret="hooks:guess").status_code == 400
    # Without credentials SNS is asked for them, as it requires before it sends basic auth.
    assert ses(client, "Complaint", delivery, complaint, secret=None).status_code == 401
    delivery.subscriber.refresh_from_db()
    assert delivery.subscriber.status == Subscriber.Status.CONFIRMED
    assert Delivery.objects.get().complained_at is None


def test_ses_reports_are_recorded_against_their_delivery_and_shown(client, esp, editor_client):
    ok, bounced, complained, soft, left = (
        SubscriberFactory(email=f"{name}@example.net")
        for name in ("ok", "bounced", "complained", "soft", "left")
    )
    issue = published_issue()
    send(issue)
    by_address = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    # Open and click tracking are off, whatever the service's account says.
    assert {(m.anymail_test_params["track_opens"], m.anymail_test_params["track_clicks"])
            for m in mail.outbox} == {(False, False)}  # fmt: skip
    # The id the service's API gave each message is kept, one per delivery.
    assert len({d.esp_message_id for d in by_address.values()} - {""}) == 5

    reports = [
        *(("Delivery", name, delivered) for name in ("ok", "complained", "soft", "left")),
        ("Bounce", "bounced", bounce("Permanent")),
        ("Bounce", "soft", bounce("Transient")),
        ("Complaint", "complained", complaint),
        # SNS delivers at least once: the same report again changes nothing.
        ("Complaint", "complained", complaint),
        ("Delivery", "ok", delivered),
        ("Bounce", "bounced", bounce("Permanent")),
    ]
    for event_type, name, body in reports:
        answer = ses(client, event_type, by_address[f"{name}@example.net"], body)
        assert answer.status_code == 200
    # One reader leaves through the one-click link of this issue's e-mail.
    (message,) = [m for m in mail.outbox if m.to == ["left@example.net"]]
    answer = client.post(
        one_click(message.extra_headers["List-Unsubscribe"]), {"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200

    # A second click on the same link changes nothing either.
    client.post(
        one_click(message.extra_headers["List-Unsubscribe"]), {"List-Unsubscribe": "One-Click"}
    )
    # The issue's counters, kept as each first report was recorded, say what the deliveries say.
    assert counters(issue) == counted(issue) == {
        "delivered_count": 4, "bounced_count": 1, "complained_count": 1, "unsubscribed_count": 1,
    }  # fmt: skip

    rows = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    assert rows["ok@example.net"].delivered_at is not None
    assert rows["ok@example.net"].bounced_at is None
    assert rows["bounced@example.net"].bounced_at is not None
    assert rows["bounced@example.net"].delivered_at is None
    # The time of the report as the service gives it (anymail reads SNS's Timestamp).
    assert rows["complained@example.net"].complained_at.isoformat() == "2026-12-04T09:01:00+00:00"
    assert rows["soft@example.net"].bounced_at is None  # the service retries a transient bounce
    assert rows["left@example.net"].unsubscribed_at is not None
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {
        "ok@example.net": "confirmed",
        "bounced@example.net": "suppressed",
        "complained@example.net": "suppressed",
        "soft@example.net": "confirmed",
        "left@example.net": "unsubscribed",
    }
    assert issue.figures() == Figures(
        recipients=5, sent=5, retrying=0, failed=0, remaining=0,
        delivered=4, bounced=1, complained=1, unsubscribed=1,
    )  # fmt: skip

    page = editor_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    cells = dict(re.findall(r'<td data-figure="(\w+)">(\d+)</td>', page.content.decode()))
    assert cells == {
        "recipients": "5", "sent": "5", "retrying": "0", "failed": "0", "remaining": "0",
        "delivered": "4", "bounced": "1", "complained": "1", "unsubscribed": "1",
    }  # fmt: skip
    live = editor_client.get(reverse("admin:newsletter_issue_progress", args=[issue.pk])).json()
    assert (live["delivered"], live["bounced"], live["complained"], live["unsubscribed"]) == (
        4, 1, 1, 1,
    )  # fmt: skip
    listing = editor_client.get(reverse("admin:newsletter_issue_changelist"), {"state": "sent"})
    row = re.search(r"<tr>.*?</tr>", listing.content.decode().split("<tbody>")[1], re.S)[0]
    figures = re.findall(r'class="field-(\w+)">(\d+)</td>', row)
    assert dict(figures) == {
        "recipients": "5", "sent": "5", "failed": "0", "delivered": "4",
        "bounced_count": "1", "complained_count": "1", "unsubscribed_count": "1",
    }  # fmt: skip


@pytest.mark.filterwarnings("ignore:django-anymail has dropped official support for SendGrid")
def test_sendgrid_reports_with_the_secret_only(client, esp):
    SubscriberFactory(email="gone@example.net")
    SubscriberFactory(email="blocked@example.net")
    send(published_issue())
    rows = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}

    def event(address, name, **fields):
        return {
            "email": address,
            "timestamp": 1_764_838_800,
            "event": name,
            "sg_event_id": str(uuid.uuid4()),
            "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
            "anymail_id": rows[address].esp_message_id,  # anymail's own id, sent along
            **fields,
        }

    events = [
        event(
            "gone@example.net", "bounce", type="bounce", reason="550 5.1.1 unknown", status="5.1.1"
        ),
        event(
            "blocked@example.net", "bounce", type="blocked", reason="421 try later", status="4.0.0"
        ),
    ]
    body = json.dumps(events)
    refused = client.post(SENDGRID_URL, body, content_type="application/json", **basic_auth("x:y"))
    assert refused.status_code == 400
    assert Subscriber.objects.filter(status=Subscriber.Status.SUPPRESSED).count() == 0
    answer = client.post(SENDGRID_URL, body, content_type="application/json", **basic_auth())
    assert answer.status_code == 200
    rows = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    assert rows["gone@example.net"].bounced_at is not None
    assert rows["blocked@example.net"].bounced_at is None
    # SendGrid posts the batch again: counted once all the same.
    client.post(SENDGRID_URL, body, content_type="application/json", **basic_auth())
    issue = Issue.objects.get()
    assert counters(issue) == counted(issue) == {
        "delivered_count": 0, "bounced_count": 1, "complained_count": 0, "unsubscribed_count": 0,
    }  # fmt: skip
    assert Subscriber.objects.get(email="gone@example.net").status == Subscriber.Status.SUPPRESSED
    assert Subscriber.objects.get(email="blocked@example.net").status == Subscriber.Status.CONFIRMED


def test_over_smtp_delivered_means_accepted_and_unsubscribes_count_where_the_link_was(
    client, smtp, editor_client
):
    """SMTP tells nothing after the server's 250: such a message counts as delivered. An
    unsubscribe counts for the issue whose e-mail's link was used, not the latest one; one
    through a link that names no issue (the confirmation e-mail's) for the last issue sent."""
    old_reader, new_reader, other = SubscriberFactory.create_batch(3)
    older = published_issue()
    send(older)
    newer = published_issue()
    send(newer)
    first_copy = smtp.to(old_reader.email)[0]
    assert first_copy["Subject"] == older.post.title
    link = one_click(first_copy["List-Unsubscribe"])
    assert client.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
    # A second click changes nothing.
    assert client.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
    preferences = tokens.make(new_reader, tokens.MANAGE)  # as the confirmation e-mail has it
    client.post(reverse("newsletter:unsubscribe", args=[preferences]))

    assert counters(older) == counted(older)
    assert counters(newer) == counted(newer)
    # Over SMTP "delivered" is the accepted count, frozen with sent and failed at the end.
    frozen = Issue.objects.values_list("sent_count", "failed_count", "untracked_count")
    assert list(frozen) == [(3, 0, 3), (3, 0, 3)]
    assert older.figures() == Figures(
        3, 3, 0, 0, 0, delivered=3, bounced=0, complained=0, unsubscribed=1
    )
    assert newer.figures() == Figures(
        3, 3, 0, 0, 0, delivered=3, bounced=0, complained=0, unsubscribed=1
    )
    assert Delivery.objects.get(issue=older, subscriber=old_reader).unsubscribed_at is not None
    assert Delivery.objects.get(issue=newer, subscriber=new_reader).unsubscribed_at is not None
    assert not Delivery.objects.filter(subscriber=other, unsubscribed_at__isnull=False).exists()
    listing = editor_client.get(reverse("admin:newsletter_issue_changelist")).content.decode()
    assert listing.count('class="field-unsubscribed_count">1</td>') == 2
    assert listing.count('class="field-delivered">3</td>') == 2


def test_the_migration_fills_the_counters_of_issues_sent_before_they_existed(client, esp):
    """newsletter/migrations/0003 counts each issue's figures once from its deliveries."""
    SubscriberFactory.create_batch(3)
    issue = published_issue()
    send(issue)
    deliveries = list(Delivery.objects.select_related("subscriber"))
    ses(client, "Delivery", deliveries[0], delivered)
    ses(client, "Bounce", deliveries[1], bounce("Permanent"))
    ses(client, "Complaint", deliveries[2], complaint)
    waiting = published_issue()
    kept = {field: getattr(Issue.objects.get(pk=issue.pk), field) for field in FROZEN_AND_COUNTED}
    Issue.objects.update(**dict.fromkeys(FROZEN_AND_COUNTED, 0))  # as before 0003

    migration = importlib.import_module("newsletter.migrations.0003_issue_counters")
    migration.fill_counters(django_apps, None)
    issue.refresh_from_db()
    assert {field: getattr(issue, field) for field in FROZEN_AND_COUNTED} == kept
    assert kept == {
        "delivered_count": 1, "bounced_count": 1, "complained_count": 1,
        "unsubscribed_count": 0, "sent_count": 3, "failed_count": 0, "untracked_count": 0,
    }  # fmt: skip
    waiting.refresh_from_db()
    assert waiting.sent_count == waiting.delivered_count == 0


def test_the_list_of_sendings_counts_no_deliveries(editor_client, esp, client):
    """The list reads each issue's row: the same queries for 3 deliveries or 60, and none of
    them reads the deliveries."""
    url = reverse("admin:newsletter_issue_changelist")

    def list_queries():
        editor_client.get(url)  # new posts changed the site's content state: read it once
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(url).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    SubscriberFactory.create_batch(3)
    send(published_issue())
    few = list_queries()
    SubscriberFactory.create_batch(57)
    send(published_issue())
    for delivery in Delivery.objects.filter(issue__recipients=60)[:5]:
        ses(client, "Bounce", delivery, bounce("Permanent"))
    sending = published_issue()
    tick.call()  # started, not sent: its live figures are on its page, not in the list
    assert Issue.objects.get(pk=sending.pk).state == Issue.State.SENDING
    many = list_queries()
    assert len(few) == len(many)
    assert not [sql for sql in many if "newsletter_delivery" in sql]
    page = editor_client.get(url).text
    assert page.count('class="field-bounced_count">5</td>') == 1
    rows = page.split("<tbody>")[1].split("</tr>")
    (sending_row,) = [row for row in rows if sending.post.title in row]
    assert re.findall(r'class="field-(sent|failed|delivered)">([^<]*)</td>', sending_row) == [
        ("sent", "—"), ("failed", "—"), ("delivered", "—"),
    ]  # fmt: skip
