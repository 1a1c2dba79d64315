from datetime import timedelta

import pytest
from django.utils import timezone

from comments.forms import trap_token
from tests.newsletter.conftest import run_jobs  # noqa: F401 -- shared with these tests
from tests.newsletter.smtp_sink import SmtpSink, send_mail_to


@pytest.fixture
def smtp(settings):
    """Mail goes through Django's SMTP backend to a real server started for the test."""
    sink = SmtpSink().start()
    send_mail_to(sink, settings)
    settings.SITE_URL = "https://news.example.org"
    yield sink
    sink.stop()


def form_data(**fields):
    """A comment form as a person sends it: its time trap fetched a minute before."""
    return {
        "name": "Grace",
        "email": "grace@example.net",
        "website": "",
        "body": "Queues *decouple* things.",
        "trap": trap_token(now=timezone.now() - timedelta(minutes=1)),
        "homepage": "",
        **fields,
    }
