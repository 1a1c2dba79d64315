"""Editors import and export the list (CSV) and choose which posts are sent."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from newsletter.models import Issue, Subscriber
from tests.digest.conftest import staff
from tests.digest.factories import PostFactory
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
