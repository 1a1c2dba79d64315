import pytest

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


@pytest.fixture
def sponsor_client(client, sponsor):
    """A client logged in as the verified manager of `sponsor`."""
    client.force_login(sponsor.managers.get())
    return client


@pytest.fixture
def unverified_sponsor(db):
    """A sponsor whose one manager has not confirmed the e-mail address yet."""
    return SponsorFactory(managers=[SponsorUserFactory(email_verified_at=None)])
