"""Editors import and export the list (CSV) and choose which posts are sent."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Issue, Subscriber
from newsletter.tasks import tick
from tests.accounts.factories import staff
from tests.digest.factories import PostFactory, digest_with_parts
from tests.newsletter.conftest import run_jobs
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

MESSY = (
    "\ufeffEmail , Consent\r\n"  # a spreadsheet's byte-order mark and spaced headers
    "  Ann@Example.com , signed up at PyCon 2025 \r\n"
    "bob@example.com,newsletter form on old site\r\n"
    "ann@example.com,again in another case\r\n"
    "not-an-address,booth\r\n"
    ",booth\r\n"
    "carol@example.com,\r\n"
    "kept@example.com,old list\r\n"
    '"dave@example.com","said yes, in writing"\r\n'
)


def upload(client, text, name="list.csv"):
    return client.post(
        reverse("admin:newsletter-import"),
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


@pytest.fixture
def editor_client(client):
    client.force_login(staff("Editors"))
    return client


def test_import_accounts_for_every_line(editor_client):
    SubscriberFactory(email="kept@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    response = upload(editor_client, MESSY)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.added == [2, 3, 9]
    assert report.existing == [8]
    assert report.repeated == [(4, 2)]
    assert report.refused == [
        (5, "not an e-mail address"),
        (6, "no address"),
        (7, "no consent stated"),
    ]
    assert report.lines == 8  # every line after the header
    html = response.content.decode()
    assert "line 5: not an e-mail address" in html and "line 4: the same address as line 2" in html

    ann = Subscriber.objects.get(email="ann@example.com")
    assert (ann.status, ann.consent, ann.consent_note) == (
        "confirmed",
        "import",
        "signed up at PyCon 2025",
    )
    assert Subscriber.objects.get(email="dave@example.com").consent_note == "said yes, in writing"
    # An address that unsubscribed is not brought back by an import.
    assert Subscriber.objects.get(email="kept@example.com").status == "unsubscribed"
    # Importing again adds nothing.
    again = upload(editor_client, MESSY).context["report"]
    assert again.added == [] and again.existing == [2, 3, 8, 9]


def test_import_refuses_unreadable_files(editor_client):
    latin1 = SimpleUploadedFile(
        "list.csv", "email,consent\ncafé@example.com,yes\n".encode("latin-1")
    )
    response = editor_client.post(reverse("admin:newsletter-import"), {"file": latin1})
    assert "not UTF-8" in response.content.decode()
    assert (
        "“email”" in upload(editor_client, "address,consent\na@example.com,yes\n").content.decode()
    )
    assert not Subscriber.objects.exists()


def test_export_defuses_formulas_and_is_for_editors_only(client, editor_client):
    SubscriberFactory(email="a@example.com", consent_note='=HYPERLINK("http://evil","x")')
    SubscriberFactory(email="b@example.com", consent_note="+1 from the booth")
    response = editor_client.get(reverse("admin:newsletter-export"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["email", "status", "consent", "consent_note"]
    notes = sorted(row[3] for row in rows[1:])
    assert notes == ["'+1 from the booth", '\'=HYPERLINK("http://evil","x")']

    client.force_login(staff("Authors"))
    assert client.get(reverse("admin:newsletter-export")).status_code == 403
    assert client.get(reverse("admin:newsletter-import")).status_code == 403


def test_editors_choose_per_post_whether_it_is_sent(editor_client):
    article = PostFactory()
    response = editor_client.post(
        reverse("admin:newsletter_issue_add"), {"post": article.pk, "send": "on"}
    )
    assert response.status_code == 302
    assert Issue.objects.get(post=article).send is True
    changelist = editor_client.get(reverse("admin:newsletter_issue_changelist"))
    assert changelist.status_code == 200
    assert editor_client.get(reverse("admin:newsletter_subscriber_changelist")).status_code == 200


def test_the_issue_page_shows_its_audience_and_live_progress(editor_client, smtp):
    SubscriberFactory.create_batch(3)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    post = digest_with_parts(publish_at=timezone.now() - timedelta(minutes=1))
    issue = Issue.objects.create(post=post, send=True)
    page = editor_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    assert "3 confirmed subscribers" in page.content.decode()
    assert "newsletter/progress.js" in page.content.decode()
    tick.call()
    progress = editor_client.get(reverse("admin:newsletter_issue_progress", args=[issue.pk]))
    assert progress.json()["queued"] == 3 and progress.json()["remaining"] == 3
    run_jobs()
    done = editor_client.get(reverse("admin:newsletter_issue_progress", args=[issue.pk])).json()
    assert (done["sent"], done["remaining"], done["state"]) == (3, 0, "Sent")


def test_send_a_test_to_me(editor_client, smtp):
    post = digest_with_parts(publish_at=timezone.now() - timedelta(minutes=1))
    issue = Issue.objects.create(post=post, send=True)
    editor = editor_client.get(reverse("admin:index")).wsgi_request.user
    editor_client.post(
        reverse("admin:newsletter_issue_changelist"),
        {"action": "send_test", "_selected_action": [issue.pk]},
    )
    (message,) = smtp.to(editor.email)
    assert message["Subject"] == f"[Test] {post.title}"
    assert message.get_body(("html",)) is not None
    assert Issue.objects.get(pk=issue.pk).state == Issue.State.WAITING  # a test sends nothing else


def test_send_now_starts_an_old_post_and_refuses_unpublished_ones(editor_client, smtp):
    SubscriberFactory.create_batch(2)
    old = digest_with_parts(publish_at=timezone.now() - timedelta(days=90))
    future = digest_with_parts(publish_at=timezone.now() + timedelta(days=1))
    issues = [Issue.objects.create(post=post, send=False) for post in (old, future)]
    response = editor_client.post(
        reverse("admin:newsletter_issue_changelist"),
        {"action": "send_now", "_selected_action": [issue.pk for issue in issues]},
        follow=True,
    )
    assert "1 sending(s) started. 1 skipped" in response.content.decode()
    run_jobs()
    assert len(smtp.received()) == 2
    assert Issue.objects.get(post=old).state == Issue.State.SENT
    assert Issue.objects.get(post=future).state == Issue.State.WAITING


def test_the_issue_list_costs_the_same_queries_for_3_or_30_issues(editor_client):
    def queries_for_the_list(count):
        for post in PostFactory.create_batch(count):
            Issue.objects.create(post=post, send=True)
        url = reverse("admin:newsletter_issue_changelist")
        editor_client.get(url)  # new posts changed the site's content state: read it once
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(url).status_code == 200
        return len(captured.captured_queries)

    assert queries_for_the_list(3) == queries_for_the_list(27)
