import pytest

from tests.digest.conftest import editor  # noqa: F401 -- shared fixture
from tests.sponsors.factories import SponsorFactory, SponsorUserFactory


@pytest.fixture
def sponsor_user(db):
    return SponsorUserFactory()


@pytest.fixture
def sponsor(sponsor_user):
    return SponsorFactory(managers=[sponsor_user])


@pytest.fixture
def other_sponsor(db):
    """Sponsor B, managed by a different account."""
    return SponsorFactory(managers=[SponsorUserFactory()])
