from datetime import timedelta

import pytest
from django.utils import timezone

from comments.forms import trap_token
from tests.newsletter.conftest import run_jobs  # noqa: F401 -- shared with these tests
from tests.newsletter.smtp_sink import SmtpSink


@pytest.fixture
def smtp(settings):
    """Mail goes through Django's SMTP backend to a real server started for the test."""
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
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
