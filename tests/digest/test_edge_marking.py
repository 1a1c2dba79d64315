"""Which responses the app lets nginx keep (X-Accel-Expires), whatever nginx is configured to do.

nginx stores a response only when the app marks it (deploy/nginx/scalepress.conf.template),
so these rules are what keeps a personal page out of the shared edge cache.
"""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone

from caching.content import content_changed
from caching.pages import public_page
from tests.digest.factories import PostFactory

EDGE = "X-Accel-Expires"


@pytest.fixture
def post(db):
    return PostFactory(title="Caching at the edge", tags=["architecture"])


def test_a_public_page_for_an_anonymous_reader_is_kept_for_a_second(client, post, settings):
    for url in (
        reverse("digest:post-index"),
        post.get_absolute_url(),
        reverse("digest:feed-rss"),
        reverse("digest:tag-detail", args=["architecture"]),
        reverse("digest:search") + "?q=edge",
    ):
        before = int(time.time())
        response = client.get(url)
        assert response.status_code == 200
        # Until the end of this second (EDGE_CACHE_SECONDS = 1): an absolute second, since
        # nginx would keep a relative "1" for 1 to 2 s.
        assert response[EDGE] in {f"@{before}", f"@{int(time.time())}"}, url
        assert response["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_a_page_kept_longer_at_the_edge_ends_on_the_last_of_its_seconds(client, post, settings):
    settings.EDGE_CACHE_SECONDS = 5
    before = int(time.time())
    expires = int(client.get(reverse("digest:post-index"))[EDGE].lstrip("@"))

    assert before + 4 <= expires <= int(time.time()) + 4


def test_a_missing_address_is_kept_at_the_edge_for_anonymous_readers_only(client, post):
    """A bot asking for /wp-login.php many times a second is answered by nginx's copy."""
    missing = client.get("/wp-login.php")
    assert missing.status_code == 404
    assert missing[EDGE].startswith("@")
    assert "We couldn’t find that page" in missing.content.decode()
    # A tag that does not exist: the view's own 404, with its reason, kept the same way.
    assert client.get(reverse("digest:tag-detail", args=["no-such-tag"]))[EDGE].startswith("@")

    assert EDGE not in client.get("/wp-login.php?attempt=1")
    assert EDGE not in Client(headers={"Cookie": "sessionid=abc"}).get("/wp-login.php")
    assert EDGE not in client.post("/wp-login.php")


def test_no_edge_lifetime_keeps_nothing(client, post, settings):
    settings.EDGE_CACHE_SECONDS = 0

    assert client.get(reverse("digest:post-index"))[EDGE] == "0"


def test_a_failed_precondition_is_not_marked(client, post):
    url = reverse("digest:post-index")
    client.get(url)

    refused = client.get(url, headers={"If-Match": '"another version"'})

    assert refused.status_code == 412
    assert EDGE not in refused


def test_a_304_renews_the_copy_nginx_revalidated_and_a_replayed_page_is_given_a_new_second(
    client, post, monkeypatch
):
    """nginx revalidates an expired copy with If-None-Match; the 304 carries the new expiry
    (or nginx would keep the copy's old one) and says whether the app rebuilt the page. A page
    the app replays from its own cache is given this second, not the one it was stored in."""
    url = reverse("digest:post-index")
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"

    stored_at = int(first[EDGE].lstrip("@"))
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=30))
    replayed = client.get(url)
    revalidated = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert replayed["X-Page-Cache"] == "hit"
    assert int(replayed[EDGE].lstrip("@")) >= stored_at + 30
    assert revalidated.status_code == 304
    assert revalidated["X-Page-Cache"] == "hit"
    assert int(revalidated[EDGE].lstrip("@")) >= stored_at + 30


def test_a_304_to_a_page_just_rebuilt_is_marked_and_says_so(client, post):
    url = reverse("digest:post-index")
    etag = client.get(url)["ETag"]

    content_changed()  # a new token: the page is rebuilt, and is the same as before
    answer = client.get(url, headers={"If-None-Match": etag})

    assert answer.status_code == 304
    assert answer["X-Page-Cache"] == "miss"
    assert answer[EDGE].startswith("@")


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "sessionid=abc"},
        {"Cookie": "messages=abc"},
        {"Cookie": "theme=dark; csrftoken=abc"},
        {"Authorization": "Basic YTpi"},
    ],
)
def test_a_reader_with_a_session_messages_csrf_cookie_or_credentials_is_never_marked(post, headers):
    response = Client(headers=headers).get(reverse("digest:post-index"))

    assert response.status_code == 200
    assert EDGE not in response


def test_a_page_asked_for_with_a_parameter_the_view_does_not_read_is_not_marked(client, post):
    response = client.get(reverse("digest:post-index") + "?utm_source=flood1")

    assert response.status_code == 200
    assert EDGE not in response


def sets_a_cookie(request):
    response = HttpResponse("a public page that remembers something")
    response.set_cookie("seen", "1")
    return response


def plain(request):
    return HttpResponse("a public page")


urlpatterns = [path("cookie/", public_page(sets_a_cookie)), path("plain/", public_page(plain))]


@pytest.mark.urls(__name__)
def test_a_public_page_that_sets_a_cookie_is_never_marked(client, db):
    assert client.get("/plain/")[EDGE]  # the same view without the cookie is marked

    response = client.get("/cookie/")

    assert response.cookies
    assert EDGE not in response


def test_a_post_request_is_never_marked(client, post):
    response = client.post(reverse("digest:post-index"))

    assert EDGE not in response


def test_a_draft_preview_is_never_marked(client, db):
    draft = PostFactory(draft=True)
    client.force_login(
        get_user_model().objects.create_superuser("ed", "ed@example.com", "pw-not-used-1")
    )
    response = client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assert EDGE not in response


def test_nothing_is_marked_with_the_page_cache_off(client, post, settings):
    settings.PAGE_CACHE = False

    response = client.get(reverse("digest:post-index"))

    assert EDGE not in response
