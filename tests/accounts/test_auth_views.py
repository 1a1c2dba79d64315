"""Logging in and out, changing and resetting a password, and editing one's profile."""

import io
import os
import re
from pathlib import PurePosixPath

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from digest.models import SiteSettings
from tests.accounts.factories import PASSWORD, UserFactory
from tests.helpers import log_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase for 2026"
SESSION_USER_KEY = "_auth_user_id"


def png_upload(name="avatar.png", size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color=(200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- Login ---------------------------------------------------------------------------------------


def test_login_page_renders_a_form_with_a_csrf_token(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="username"' in page
    assert 'name="password"' in page


def test_the_login_page_carries_the_sites_name_not_its_host(client, db):
    site = SiteSettings.load()
    site.site_name = "Stuff Weekly"
    site.save()

    page = client.get(reverse("accounts:login"), HTTP_HOST="127.0.0.1:8101").content.decode()

    assert "<title>Log in – Stuff Weekly</title>" in page
    assert "127.0.0.1:8101" not in page.split("<body")[1]


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(client):
    user = UserFactory()

    response = log_in(client, user.username, "not the password")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert SESSION_USER_KEY not in client.session


def test_good_credentials_log_in_and_go_to_the_front_page(client):
    user = UserFactory()

    response = log_in(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:after-login")
    assert client.get(response.url).url == reverse("digest:post-index") == "/"
    assert client.session[SESSION_USER_KEY] == str(user.pk)


@pytest.mark.parametrize(
    ("role", "staff", "landing"),
    [
        (Role.EDITORS, True, "admin:index"),
        (Role.SPONSORS, False, "sponsors:dashboard"),
        (None, False, "digest:post-index"),
    ],
)
def test_login_without_next_lands_where_the_role_works(client, role, staff, landing):
    user = UserFactory(is_staff=staff, roles=[role] if role else None)

    response = log_in(client, user.email, PASSWORD)  # the e-mail address works as a login

    assert client.get(response.url).url == reverse(landing)


@pytest.mark.parametrize(
    "next_url",
    ["//evil.example", "https://evil.example/", "///evil.example/", "https:evil.example"],
)
def test_login_does_not_follow_next_to_another_site(client, next_url):
    user = UserFactory()

    response = client.post(
        f"{reverse('accounts:login')}?next={next_url}",
        {"username": user.username, "password": PASSWORD, "next": next_url},
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:after-login")
    assert client.session[SESSION_USER_KEY] == str(user.pk)


def test_login_follows_next_within_the_site(client):
    user = UserFactory()

    response = log_in(client, user.username, PASSWORD, next=reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


# --- Logout --------------------------------------------------------------------------------------


def test_logout_by_get_is_refused_and_keeps_the_user_logged_in(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert client.session[SESSION_USER_KEY] == str(user.pk)


def test_logout_by_post_logs_out(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response.url == reverse("digest:post-index")
    assert SESSION_USER_KEY not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302


# --- Password change -----------------------------------------------------------------------------


def test_password_change_requires_login(client):
    url = reverse("accounts:password_change")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


def test_password_change_with_a_wrong_old_password_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "not the password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_sets_the_new_password_and_keeps_the_user_logged_in(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200


# --- Password reset ------------------------------------------------------------------------------


def test_reset_for_an_unknown_email_shows_the_same_page_and_sends_nothing(client, mailoutbox):
    UserFactory(email="known@example.com")

    response = client.post(
        reverse("accounts:password_reset"), {"email": "nobody@example.com"}, follow=True
    )

    assert response.redirect_chain == [(reverse("accounts:password_reset_done"), 302)]
    assert "Check your e-mail" in response.content.decode()
    assert mailoutbox == []


def test_reset_link_is_built_from_site_url_and_sets_a_password_that_logs_in(client, mailoutbox):
    user = UserFactory(email="ada@example.com")

    response = client.post(
        reverse("accounts:password_reset"), {"email": "ada@example.com"}, follow=True
    )

    assert response.redirect_chain == [(reverse("accounts:password_reset_done"), 302)]
    assert "Check your e-mail" in response.content.decode()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ada@example.com"]
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1, message.body
    link = links[0]
    # Built from SITE_URL, not from the Host header of the request ("testserver").
    assert link.startswith(f"{settings.SITE_URL}/")
    assert "testserver" not in link

    form_page = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert form_page.status_code == 200
    page = form_page.content.decode()
    assert "Choose a new password" in page
    assert 'name="new_password1"' in page
    set_password_url = form_page.redirect_chain[-1][0]

    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done.url == reverse("accounts:password_reset_complete")

    assert log_in(client, user.username, PASSWORD).status_code == 200
    assert SESSION_USER_KEY not in client.session
    assert log_in(client, user.username, NEW_PASSWORD).url == reverse("accounts:after-login")
    assert client.session[SESSION_USER_KEY] == str(user.pk)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_reset_link_works_only_once(client, mailoutbox):
    UserFactory(email="ada@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})
    link = re.search(r"https?://\S+", mailoutbox[0].body).group(0)
    form_page = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = client.get(link.removeprefix(settings.SITE_URL), follow=True)

    assert again.status_code == 200
    page = again.content.decode()
    assert "This link has already been used or has expired" in page
    assert 'name="new_password1"' not in page


# --- Profile -------------------------------------------------------------------------------------


def test_profile_requires_login(client):
    url = reverse("accounts:profile")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


def test_profile_with_an_invalid_website_shows_an_error_and_saves_nothing(client):
    user = UserFactory(display_name="Before")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), {"display_name": "After", "website": "not a web address"}
    )

    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "Before"
    assert user.website == ""


def test_profile_saves_display_name_bio_and_website(client):
    user = UserFactory(display_name="Before")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "Ada Lovelace",
            "bio": "Wrote the first program.",
            "website": "https://ada.example/",
            "handle": "@ada",
        },
        follow=True,
    )

    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]
    assert "Your profile was saved." in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "Ada Lovelace"
    assert user.bio == "Wrote the first program."
    assert user.website == "https://ada.example/"
    assert user.handle == "@ada"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("avatar.png", b"this is plain text, not a picture"),
        ("avatar.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("avatar.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # a PNG signature, then garbage
    ],
    ids=["text", "svg", "truncated-png"],
)
def test_profile_refuses_a_file_that_is_not_an_image(client, name, content):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "Ada",
            "avatar": SimpleUploadedFile(name, content, content_type="image/png"),
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "is not a JPEG, PNG, WebP or GIF picture" in page or "is damaged" in page
    user.refresh_from_db()
    assert not user.avatar


def test_profile_refuses_an_avatar_larger_than_two_megabytes(client):
    user = UserFactory()
    client.force_login(user)
    # Random pixels do not compress: this PNG is about 2.1 MB (a much larger body is refused
    # before the form reads it: tests/security/test_body_limit.py).
    noise = Image.frombytes("RGB", (850, 850), os.urandom(850 * 850 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert 2 * 1024 * 1024 < buffer.tell() < 2 * 1024 * 1024 + 200_000

    response = client.post(
        reverse("accounts:profile"),
        {"avatar": SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")},
    )

    assert response.status_code == 200
    assert "the largest allowed is 2.0\xa0MB" in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar


def test_profile_stores_a_png_avatar_under_a_name_the_server_chose(client):
    user = UserFactory()
    client.force_login(user)
    client_name = "My Holiday Photo.PNG"

    response = client.post(
        reverse("accounts:profile"), {"display_name": "Ada", "avatar": png_upload(client_name)}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    stored = PurePosixPath(user.avatar.name)
    assert stored.parent == PurePosixPath("avatars")
    assert re.fullmatch(r"[0-9a-f]{32}\.png", stored.name), stored.name
    assert "Holiday" not in user.avatar.name
    assert default_storage.exists(user.avatar.name)
    with default_storage.open(user.avatar.name) as stored_file, Image.open(stored_file) as image:
        assert image.format == "PNG"
        assert image.size == (8, 8)
