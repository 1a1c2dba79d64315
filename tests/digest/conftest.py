import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from tests.accounts.factories import UserFactory


def staff(role):
    """A staff account in one role group."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db):
    return staff(Role.EDITORS)


@pytest.fixture
def author(db):
    return staff(Role.AUTHORS)
