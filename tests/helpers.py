"""Helpers shared by the test files of every app (fixtures live in tests/conftest.py,
factories in tests/<app>/factories.py)."""

import html

from django.conf import settings
from django.urls import resolve, reverse

from tests.accounts.factories import PASSWORD


def text(page):
    """A response's (or an HTML string's) words as a reader sees them: entities such as
    &#x27; decoded, the markup left in place."""
    markup = page if isinstance(page, str) else page.content.decode()
    return html.unescape(markup)


def snapshot(obj):
    """The stored fields of a row, to show that a refused request changed nothing."""
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def log_in(client, username, password=PASSWORD, **extra):
    """POST the login form; `extra` adds form fields (such as `next`)."""
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def verification_path(message):
    """The site-relative path of the one confirmation link in a verification e-mail."""
    links = [line for line in message.body.splitlines() if line.startswith(settings.SITE_URL)]
    assert len(links) == 1, message.body
    path = links[0].removeprefix(settings.SITE_URL)
    assert resolve(path).view_name == "accounts:verify"
    return path
