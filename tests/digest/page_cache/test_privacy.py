"""Nobody is served a page made for someone else: logged-in readers, credentials, messages,
CSRF and login tokens, previews, 404s and POSTs never come from or go into the page cache."""

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.accounts.factories import PASSWORD, UserFactory
from tests.digest.factories import PostFactory
from tests.digest.page_cache_helpers import (
    cache_status,
    client_cookies,
    stored,
    text,
    wsgi_request,
)

pytestmark = pytest.mark.django_db


# Never someone else's page --------------------------------------------------------------------


def test_a_logged_in_reader_gets_their_own_page_and_the_next_anonymous_reader_does_not(
    client, posts, grace
):
    url = reverse("digest:post-index")
    stored(client, url)
    client.force_login(grace)

    own = client.get(url)
    anonymous = Client().get(url)

    assert own.status_code == 200
    assert cache_status(own) is None
    assert "Grace Hopper" in text(own)
    assert "public" not in own.get("Cache-Control", "")
    assert cache_status(anonymous) == "hit"
    assert "Grace Hopper" not in text(anonymous)


def test_a_logged_in_readers_page_is_never_stored(client, posts, grace):
    client.force_login(grace)
    urls = [reverse("digest:post-index"), posts.article.get_absolute_url()]
    for url in urls:
        assert "Grace Hopper" in text(client.get(url))
        assert "Grace Hopper" in text(client.get(url))

    for url in urls:
        anonymous = Client().get(url)
        assert cache_status(anonymous) == "miss"
        assert "Grace Hopper" not in text(anonymous)


def test_the_wsgi_callable_never_serves_a_stored_page_to_a_logged_in_reader(client, posts, grace):
    url = reverse("digest:post-index")
    stored(wsgi_request, url)
    client.force_login(grace)

    own = wsgi_request(url, cookies=client_cookies(client))
    anonymous = wsgi_request(url)

    assert own.status_code == 200
    assert cache_status(own) is None
    assert "Grace Hopper" in text(own)
    assert cache_status(anonymous) == "hit"
    assert "Grace Hopper" not in text(anonymous)


def test_a_request_with_credentials_is_not_served_from_the_cache(posts):
    url = reverse("digest:post-index")
    stored(wsgi_request, url)

    response = wsgi_request(url, headers={"Authorization": "Basic Z3JhY2U6c2VjcmV0"})

    assert response.status_code == 200
    assert cache_status(response) is None


def messages_cookie(message):
    """The cookie Django's message framework sets to carry `message` to the next page."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(message_levels.SUCCESS, message)
    response = HttpResponse()
    storage.update(response)
    return response.cookies[storage.cookie_name].value


@pytest.mark.parametrize("via", ["client", "wsgi"])
def test_a_reader_with_a_message_waiting_gets_it_not_a_stored_page(client, posts, via):
    url = reverse("digest:post-index")
    stored(client, url)
    cookie = messages_cookie("Your listing was sent for review.")

    if via == "client":
        client.cookies["messages"] = cookie
        response = client.get(url)
    else:
        response = wsgi_request(url, cookies={"messages": cookie})
    after = Client().get(url)

    assert response.status_code == 200
    assert cache_status(response) is None
    assert "Your listing was sent for review." in text(response)
    assert cache_status(after) == "hit"
    assert "Your listing was sent for review." not in text(after)


def login_token(response):
    marker = 'name="csrfmiddlewaretoken" value="'
    body = text(response)
    start = body.index(marker) + len(marker)
    return body[start : body.index('"', start)]


def test_the_login_page_is_never_stored_and_each_reader_gets_a_working_token(db):
    user = UserFactory(username="grace")
    url = reverse("accounts:login")
    readers = [Client(enforce_csrf_checks=True) for _ in range(2)]

    pages = [reader.get(url) for reader in readers]
    again = readers[0].get(url)

    cookie = django_settings.CSRF_COOKIE_NAME
    for page in [*pages, again]:
        assert page.status_code == 200
        assert cache_status(page) is None
        assert cookie in page.cookies
    assert pages[0].cookies[cookie].value != pages[1].cookies[cookie].value
    for reader, page in zip(readers, pages, strict=True):
        response = reader.post(
            url,
            {"username": "grace", "password": PASSWORD, "csrfmiddlewaretoken": login_token(page)},
        )
        assert response.status_code == 302
        assert reader.session["_auth_user_id"] == str(user.pk)


def test_the_wsgi_callable_never_stores_the_login_page(db):
    url = reverse("accounts:login")

    pages = [wsgi_request(url) for _ in range(3)]

    cookie = django_settings.CSRF_COOKIE_NAME
    for page in pages:
        assert page.status_code == 200
        assert cache_status(page) is None
        assert login_token(page)
    assert len({page.cookies[cookie] for page in pages}) == 3


def test_a_reader_with_a_csrf_cookie_is_never_served_a_stored_page(client, posts):
    # nginx bypasses its cache for the same cookie (deploy/nginx): one rule at both layers.
    url = reverse("digest:post-index")
    stored(Client(), url)
    client.get(reverse("accounts:login"))
    assert django_settings.CSRF_COOKIE_NAME in client.cookies

    response = client.get(url)

    assert cache_status(response) is None
    assert "X-Accel-Expires" not in response
    assert "csrfmiddlewaretoken" not in text(response)


def test_a_staff_preview_is_never_stored(client, posts):
    draft = PostFactory(draft=True, title="Not out yet", author=posts.author)
    editor = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(editor)

    preview = client.get(draft.get_absolute_url())
    client.logout()
    anonymous = [client.get(draft.get_absolute_url()) for _ in range(2)]
    fast = wsgi_request(draft.get_absolute_url())

    assert preview.status_code == 200
    assert "Not out yet" in text(preview)
    assert "no-store" in preview["Cache-Control"]
    for response in [*anonymous, fast]:
        assert response.status_code == 404
        assert cache_status(response) is None
        assert "Not out yet" not in text(response)


def test_a_secret_preview_link_is_never_stored(client, posts):
    draft = PostFactory(draft=True, title="Not out yet", author=posts.author)
    url = reverse("digest:secret-preview", kwargs={"token": draft.make_preview_token()})

    pages = [client.get(url), client.get(url), wsgi_request(url), wsgi_request(url)]

    for page in pages:
        assert page.status_code == 200
        assert cache_status(page) is None
        assert "Not out yet" in text(page)
        assert "no-store" in page["Cache-Control"]
    draft.revoke_preview_token()
    assert client.get(url).status_code == 404
    assert wsgi_request(url).status_code == 404


def test_a_404_is_not_stored(client, posts):
    url = reverse("digest:tag-detail", kwargs={"slug": "no-such-tag"})

    responses = [client.get(url), client.get(url), wsgi_request(url), wsgi_request(url)]

    for response in responses:
        assert response.status_code == 404
        assert cache_status(response) is None


def test_a_page_that_was_a_404_is_there_once_it_exists(client, posts):
    url = reverse("digest:tag-detail", kwargs={"slug": "queues"})
    assert client.get(url).status_code == 404

    PostFactory(title="Queues everywhere", tags=["queues"])

    assert "Queues everywhere" in text(client.get(url))


def test_a_post_to_a_public_url_is_never_answered_from_the_cache(client, posts):
    index, feed = reverse("digest:post-index"), reverse("digest:feed-rss")
    stored(client, index)
    stored(client, feed)

    responses = [
        client.post(index),
        client.post(feed),
        wsgi_request(index, method="POST", body=b"a=1"),
        wsgi_request(feed, method="POST", body=b"a=1"),
    ]

    for response in responses:
        assert cache_status(response) is None
    assert responses[0].status_code == 405
    assert responses[2].status_code == 403  # no CSRF token: the real handler checks it
    assert cache_status(client.get(index)) == cache_status(client.get(feed)) == "hit"
