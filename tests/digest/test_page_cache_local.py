"""Each worker's own copies of pages (digest.page_cache.LocalPages): hits without a round
trip to the shared cache, a change made through this worker shown at once, a change made
elsewhere within PAGE_CACHE_SYNC_SECONDS."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from digest.cache import STATE_KEY, _read_state, shared
from digest.models import Post
from digest.page_cache import local_pages
from tests.digest.factories import PostFactory
from tests.digest.page_cache_helpers import wsgi_request

pytestmark = pytest.mark.django_db

WINDOW = 0.5


@pytest.fixture(autouse=True)
def local_copies(settings):
    settings.PAGE_CACHE_SYNC_SECONDS = WINDOW


def status(response):
    return response.get("X-Page-Cache")


def test_a_hit_within_the_window_needs_nothing_from_the_shared_cache():
    PostFactory(title="Caching at the edge")
    url = reverse("digest:post-index")
    assert status(wsgi_request(url)) == "miss"

    cache.clear()  # the shared cache loses everything; this worker still has its copy
    response = wsgi_request(url)

    assert status(response) == "hit"
    assert "Caching at the edge" in response.content.decode()


def test_a_change_made_through_this_worker_shows_at_once():
    post = PostFactory(title="Caching at the edge")
    url = reverse("digest:post-index")
    wsgi_request(url)
    assert status(wsgi_request(url)) == "hit"

    post.title = "Edge caching, two years later"
    post.save()
    response = wsgi_request(url)

    assert status(response) == "miss"
    assert "Edge caching, two years later" in response.content.decode()


def test_a_change_made_elsewhere_shows_once_the_window_has_passed():
    post = PostFactory(title="Caching at the edge")
    url = reverse("digest:post-index")
    wsgi_request(url)
    seen = shared.noted_state
    # Another app server edits the post and renews the shared token; this worker is not told
    # (no signal runs here) and still trusts the token it read.
    Post.objects.filter(pk=post.pk).update(title="Edited through the other server")
    cache.set(STATE_KEY, _read_state(timezone.now()), timeout=None)
    shared.note_state(seen)
    noted = time.monotonic()

    within = wsgi_request(url)
    assert time.monotonic() - noted < WINDOW
    assert status(within) == "hit"
    assert "Caching at the edge" in within.content.decode()

    time.sleep(WINDOW - (time.monotonic() - noted) + 0.05)
    after = wsgi_request(url)
    assert status(after) == "miss"
    assert "Edited through the other server" in after.content.decode()


def test_copies_stay_within_their_byte_budget(settings):
    settings.PAGE_CACHE_LOCAL_MB = 1
    local_pages.clear()
    body = b"x" * 100_000
    for n in range(30):
        local_pages.put(f"page:{n}", {"token": "t", "body": body})
    assert local_pages.size <= 1024 * 1024
    assert local_pages.get("page:29") is not None  # the newest stay
    assert local_pages.get("page:0") is None  # the oldest went first
    assert local_pages.size == sum(local_pages.cost(e) for e in local_pages.pages.values())


def test_with_the_window_at_zero_every_request_asks_the_shared_cache(settings):
    settings.PAGE_CACHE_SYNC_SECONDS = 0
    PostFactory(title="Caching at the edge")
    url = reverse("digest:post-index")
    wsgi_request(url)
    cache.clear()
    assert status(wsgi_request(url)) == "miss"


def test_kept_sidebar_and_entries_change_with_the_content(settings):
    """The sidebar, counts and entries this worker keeps are keyed by the content token: a
    renamed tag shows in the sidebar and in every entry on the next request."""
    settings.PAGE_CACHE = False  # the parts, not the whole page
    PostFactory(title="Caching at the edge", tags=["caching"])
    url = reverse("digest:post-index")
    assert ">caching</a>" in wsgi_request(url).content.decode()

    tag = Tag.objects.get(name="caching")
    tag.name = "edge-caching"
    tag.save()
    html = wsgi_request(url).content.decode()

    assert ">caching</a>" not in html
    assert html.count(">edge-caching</a>") == 2  # the sidebar and the entry's tags


# What a review of the page cache found ---------------------------------------------------------


def test_a_page_asked_for_with_an_unknown_parameter_is_not_stored():
    PostFactory(title="Caching at the edge")
    url = reverse("digest:post-index")
    for n in range(3):
        response = wsgi_request(f"{url}?utm_source=feed{n % 2}")
        assert response.status_code == 200
        assert status(response) is None
    wsgi_request(f"{url}?page=1")
    assert status(wsgi_request(f"{url}?page=1")) == "hit"


def test_a_failing_lookup_falls_back_to_django(monkeypatch):
    PostFactory(title="Caching at the edge")

    def broken(environ, now):
        raise RuntimeError("cache client bug")

    monkeypatch.setattr("digest.page_cache.lookup", broken)
    response = wsgi_request(reverse("digest:post-index"))
    assert response.status_code == 200
    assert "Caching at the edge" in response.content.decode()


def test_with_the_rate_limit_store_unreachable_a_limited_form_still_answers(client, settings):
    from django.contrib.auth import get_user_model

    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "digest.redis_cache.FailSoftRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    user = get_user_model().objects.create_user("ada", "ada@example.com", "an-old-pass-phrase")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "an-old-pass-phrase",
            "new_password1": "a-new-long-pass-phrase",
            "new_password2": "a-new-long-pass-phrase",
        },
    )
    assert response.status_code == 302  # counted nowhere, let through: not a 500
    user.refresh_from_db()
    assert user.check_password("a-new-long-pass-phrase")
