import pytest

from accounts.models import Role
from tests.accounts.factories import staff


@pytest.fixture
def author(db):
    return staff(Role.AUTHORS)
