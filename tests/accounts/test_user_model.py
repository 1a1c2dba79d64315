"""The custom user: its origin, e-mail rules, name, roles and the admin account command."""

import re
import stat

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import CreateModel

from accounts.management.commands import ensure_admin
from accounts.models import Role, User
from tests.accounts.factories import UserFactory, staff

# --- The model itself ----------------------------------------------------------------------------


def test_the_user_model_is_accounts_user():
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert get_user_model() is User


def test_the_first_accounts_migration_creates_the_user_model():
    loader = MigrationLoader(None, ignore_no_migrations=True)  # files only, no database
    first = loader.get_migration("accounts", "0001_initial")

    assert loader.graph.root_nodes("accounts") == [("accounts", "0001_initial")]
    assert first.initial
    created = [op.name for op in first.operations if isinstance(op, CreateModel)]
    assert created == ["User"]
    state = loader.project_state(("accounts", "0001_initial"))
    assert state.models["accounts", "user"].fields["email"].unique


# --- E-mail --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_user_cannot_take_an_email_that_differs_only_in_case():
    UserFactory(username="first", email="foo@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User(username="second", email="Foo@Example.com").save()

    assert list(User.objects.values_list("username", flat=True)) == ["first"]


@pytest.mark.django_db
def test_the_database_itself_refuses_case_variants_of_an_email():
    # update() skips save(), so only the case-insensitive constraint stands in the way.
    UserFactory(username="first", email="foo@example.com")
    second = UserFactory(username="second", email="bar@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=second.pk).update(email="Foo@Example.com")

    second.refresh_from_db()
    assert second.email == "bar@example.com"


@pytest.mark.django_db
def test_email_is_stored_in_lower_case():
    user = UserFactory(email="Mixed.Case@EXAMPLE.COM")
    made_by_manager = User.objects.create_user("ada", email="Ada.Lovelace@Example.ORG")

    user.refresh_from_db()
    made_by_manager.refresh_from_db()
    assert user.email == "mixed.case@example.com"
    assert made_by_manager.email == "ada.lovelace@example.org"


# --- Name ----------------------------------------------------------------------------------------


def test_name_is_the_display_name_when_there_is_one():
    user = User(username="ada", first_name="Ada", last_name="Lovelace", display_name="Countess")

    assert user.name == "Countess"
    assert str(user) == "Countess"


def test_name_falls_back_to_the_full_name():
    user = User(username="ada", first_name="Ada", last_name="Lovelace", display_name="")

    assert user.name == "Ada Lovelace"
    assert str(user) == "Ada Lovelace"


def test_name_falls_back_to_the_username_last():
    user = User(username="ada", first_name="", last_name="", display_name="")

    assert user.name == "ada"
    assert str(user) == "ada"


# --- Roles ---------------------------------------------------------------------------------------


def post_permissions(group_name):
    group = Group.objects.get(name=group_name)
    return set(
        group.permissions.filter(
            content_type__app_label="digest", content_type__model="post"
        ).values_list("codename", flat=True)
    )


@pytest.mark.django_db
def test_the_three_role_groups_exist_after_migrations():
    names = set(Group.objects.values_list("name", flat=True))

    assert {"Editors", "Authors", "Sponsors"} <= names


@pytest.mark.django_db
def test_sponsors_have_no_permissions_at_all():
    sponsor = UserFactory(roles=["Sponsors"])

    assert not Group.objects.get(name="Sponsors").permissions.exists()
    assert sponsor.get_all_permissions() == set()
    assert not sponsor.has_perm("digest.view_post")


@pytest.mark.django_db
def test_authors_may_add_change_and_view_posts_but_not_delete_them():
    author = UserFactory(roles=["Authors"])

    assert post_permissions("Authors") == {"add_post", "change_post", "view_post"}
    assert not author.has_perm("digest.delete_post")
    assert not author.has_perm("digest.edit_others_posts")
    assert author.has_perm("digest.add_post")
    assert author.has_perm("digest.change_post")
    assert author.has_perm("digest.view_post")


@pytest.mark.django_db
def test_editors_may_add_change_delete_and_view_posts_of_any_author():
    editor = UserFactory(roles=["Editors"])

    assert post_permissions("Editors") == {
        "add_post",
        "change_post",
        "delete_post",
        "view_post",
        "edit_others_posts",
    }
    for action in ("add", "change", "delete", "view"):
        assert editor.has_perm(f"digest.{action}_post")
    assert editor.has_perm("digest.edit_others_posts")


@pytest.mark.django_db
def test_role_querysets_return_only_members_of_that_role():
    editor = UserFactory(roles=["Editors"])
    author = UserFactory(roles=["Authors"])
    sponsor = UserFactory(roles=["Sponsors"])
    editor_and_author = UserFactory(roles=["Editors", "Authors"])
    UserFactory()  # no role at all

    assert set(User.objects.editors()) == {editor, editor_and_author}
    assert set(User.objects.authors()) == {author, editor_and_author}
    assert set(User.objects.sponsors()) == {sponsor}


# --- ensure_admin --------------------------------------------------------------------------------

ADMIN_LOGIN = re.compile(r"Admin login: admin / (\S+)")


@pytest.fixture
def login_file(tmp_path, monkeypatch):
    path = tmp_path / ".admin-login"
    monkeypatch.setattr(ensure_admin, "LOGIN_FILE", path)
    return path


def run_ensure_admin(capsys):
    call_command("ensure_admin")
    output = capsys.readouterr().out
    match = ADMIN_LOGIN.search(output)
    assert match, output
    return match.group(1)


@pytest.mark.django_db
def test_ensure_admin_creates_a_superuser_in_editors_and_prints_its_login(login_file, capsys):
    assert not User.objects.filter(username="admin").exists()

    password = run_ensure_admin(capsys)

    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.is_active
    assert admin.has_role("Editors")
    assert admin.check_password(password)
    assert login_file.read_text().strip() == password
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_ensure_admin_run_twice_prints_the_same_password_without_changing_it(login_file, capsys):
    first_password = run_ensure_admin(capsys)
    stored_hash = User.objects.get(username="admin").password

    second_password = run_ensure_admin(capsys)

    admin = User.objects.get(username="admin")
    assert second_password == first_password
    assert admin.password == stored_hash
    assert admin.check_password(first_password)
    assert User.objects.filter(username="admin").count() == 1


def test_reviewers_are_active_editors_and_superusers_once(db):
    editor = staff(Role.EDITORS)
    admin = UserFactory(is_superuser=True)
    both = UserFactory(is_superuser=True)
    both.groups.add(Group.objects.get(name=Role.EDITORS))
    UserFactory(is_active=False, is_superuser=True)
    staff(Role.AUTHORS)

    assert sorted(User.objects.reviewers(), key=lambda u: u.pk) == [editor, admin, both]
