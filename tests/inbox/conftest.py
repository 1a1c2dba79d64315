import pytest

from tests.inbox.target import Target


@pytest.fixture
def target():
    """A loopback HTTP server, not yet allowed to the fetcher (see `allow_loopback`)."""
    with Target() as server:
        yield server


@pytest.fixture
def allow_loopback(settings):
    """The explicit test-only allow-list: 127.0.0.1 alone (other loopback addresses, such as
    127.0.0.2, stay refused)."""
    settings.INBOX_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
