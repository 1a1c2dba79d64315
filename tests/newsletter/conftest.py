import pytest
from django_tasks_db.models import DBTaskResult

from newsletter.emails import render_issue
from tests.newsletter.smtp_sink import SmtpSink, send_mail_to


@pytest.fixture
def smtp(settings):
    """Mail goes through Django's SMTP backend to a real server started for the test."""
    sink = SmtpSink().start()
    send_mail_to(sink, settings)
    yield sink
    sink.stop()


@pytest.fixture(autouse=True)
def _newsletter_settings(settings):
    settings.SITE_URL = "https://news.example.org"
    settings.NEWSLETTER_RATE = 0  # the next batch is due at once: the tests run every job
    settings.NEWSLETTER_RETRY_SECONDS = 0
    settings.NEWSLETTER_BLOCKS = []
    render_issue.cache_clear()
    yield
    render_issue.cache_clear()


def run_jobs(limit=1000):
    """Run every job that is due, as the worker does (django-tasks-db's rows, in its order),
    in this process and this test's transaction. Returns how many ran."""
    ran = 0
    while ran < limit:
        row = DBTaskResult.objects.ready().first()
        if row is None:
            return ran
        row.claim("tests")
        result = row.task_result
        row.task.call(*result.args, **result.kwargs)
        row.set_successful(None)
        ran += 1
    raise AssertionError(f"still jobs to run after {limit}")
