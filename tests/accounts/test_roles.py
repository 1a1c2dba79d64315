"""Roles give admin access: joining Editors or Authors makes an account staff, leaving the
last of them takes it away, from either side of the relation; the admin's sections read like
the product."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role
from tests.accounts.factories import UserFactory


@pytest.mark.parametrize("role", [Role.EDITORS, Role.AUTHORS])
def test_joining_an_admin_role_gives_admin_access_and_leaving_takes_it(client, db, role):
    user = UserFactory(is_staff=False)
    group = Group.objects.get(name=role)
    user.groups.add(group)
    user.refresh_from_db()
    assert user.is_staff
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200

    user.groups.remove(group)
    user.refresh_from_db()
    assert not user.is_staff
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_group_side_and_clear_work_too_and_one_role_left_keeps_access(db):
    first, second = UserFactory(), UserFactory()
    editors, authors = Group.objects.get(name=Role.EDITORS), Group.objects.get(name=Role.AUTHORS)
    editors.user_set.add(first, second)
    authors.user_set.add(first)
    editors.user_set.clear()
    first.refresh_from_db(), second.refresh_from_db()
    assert first.is_staff  # still an author
    assert not second.is_staff
    first.groups.clear()
    first.refresh_from_db()
    assert not first.is_staff


def test_sponsors_and_superusers_are_left_as_they_are(db):
    sponsor = UserFactory(is_staff=False)
    sponsor.groups.add(Group.objects.get(name=Role.SPONSORS))
    sponsor.refresh_from_db()
    assert not sponsor.is_staff
    boss = UserFactory(is_staff=True, is_superuser=True)
    editors = Group.objects.get(name=Role.EDITORS)
    boss.groups.add(editors)
    boss.groups.remove(editors)
    boss.refresh_from_db()
    assert boss.is_staff


def test_admin_sections_have_product_names(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:index")).content.decode()
    assert ">Tags<" in page and ">Login attempts<" in page
    assert "Taggit" not in page and ">Axes<" not in page
