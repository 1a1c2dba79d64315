"""The whole-page cache (caching.pages) stores what is the same for every anonymous reader:
a second GET is a hit with no SQL, through the test client and the real WSGI callable; each
host and query string is its own page; off means off; a cache outage builds pages uncached."""

import runpy
import socket
import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from digest.models import Post
from tests.digest.factories import PostFactory
from tests.digest.page_cache_helpers import (
    HOST,
    PAGES,
    SETTINGS_FILE,
    cache_status,
    stored,
    text,
    wsgi_request,
)

pytestmark = pytest.mark.django_db


# Hits: a second anonymous GET is served from the cache with no SQL ----------------------------


@pytest.mark.parametrize("kind", PAGES)
def test_the_second_anonymous_get_of_a_public_page_is_a_hit_with_no_queries(
    client, every_page, kind, django_assert_num_queries
):
    url = every_page[kind]

    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert cache_status(first) == "miss"
    assert cache_status(second) == "hit"
    assert second.content == first.content
    for header in ("Content-Type", "ETag", "Cache-Control", "Vary"):
        assert second.get(header) == first.get(header), header
    # Last-Modified appears once the second after the change has begun (the validator
    # tests below freeze the clock to check it).
    assert "public" in second["Cache-Control"]


@pytest.mark.parametrize("kind", PAGES)
def test_the_wsgi_callable_answers_a_stored_page_with_no_queries(every_page, kind):
    url = every_page[kind]

    first = wsgi_request(url)
    with CaptureQueriesContext(connection) as queries:
        second = wsgi_request(url)

    assert len(queries) == 0, [query["sql"] for query in queries]
    assert first.status_code == second.status_code == 200
    assert second.status == "200 OK"
    assert cache_status(first) == "miss"
    assert cache_status(second) == "hit"
    assert second.content == first.content
    assert int(second["Content-Length"]) == len(second.content)
    for header in ("Content-Type", "ETag", "X-Content-Type-Options"):
        assert second.get(header) == first.get(header), header


def test_a_page_stored_through_the_client_is_served_by_the_wsgi_callable_and_back(posts, client):
    url = reverse("digest:post-index")

    built = client.get(url)
    fast = wsgi_request(url)
    again = client.get(url)

    assert cache_status(built) == "miss"
    assert cache_status(fast) == cache_status(again) == "hit"
    assert fast.content == built.content == again.content


# The cache key: host and query string ---------------------------------------------------------


def test_page_two_is_not_served_page_one(client, every_page):
    first_page = stored(client, every_page["index"])
    second_title = Post.objects.published()[django_settings.POSTS_PER_PAGE].title

    second_page = client.get(every_page["index page 2"])
    fast = wsgi_request(every_page["index page 2"])

    assert cache_status(second_page) == "miss"
    assert second_title in text(second_page)
    assert second_title not in text(first_page)
    assert cache_status(fast) == "hit"  # the client's host, so the client's stored page 2
    assert fast.content == second_page.content


def test_each_search_is_its_own_page(client, posts):
    search = reverse("digest:search")
    stored(client, search + "?" + urlencode({"q": "edge"}))

    other = client.get(search + "?" + urlencode({"q": "antirez"}))

    assert cache_status(other) == "miss"
    assert "Stuff The Internet Says On Scalability" in text(other)
    assert "Caching at the edge" not in text(other)


def test_another_allowed_host_is_another_page(posts, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]
    url = reverse("digest:feed-rss")
    stored(wsgi_request, url)

    mirror = wsgi_request(url, host="mirror.example")

    assert cache_status(mirror) == "miss"
    assert "http://mirror.example/" in text(mirror)
    assert f"http://{HOST}/" not in text(mirror)


@pytest.mark.parametrize("via", ["client", "wsgi"])
def test_an_unknown_host_gets_a_400_never_a_stored_page(client, posts, via):
    url = reverse("digest:post-index")
    stored(client, url)

    for _ in range(2):
        if via == "client":
            response = client.get(url, headers={"host": "evil.example"})
        else:
            response = wsgi_request(url, host="evil.example")
        assert response.status_code == 400
        assert cache_status(response) is None


def test_a_host_no_longer_allowed_gets_a_400_not_its_stored_page(posts, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "old.example"]
    url = reverse("digest:post-index")
    stored(lambda u: wsgi_request(u, host="old.example"), url)

    settings.ALLOWED_HOSTS = [host for host in settings.ALLOWED_HOSTS if host != "old.example"]
    response = wsgi_request(url, host="old.example")

    assert response.status_code == 400


# Turning it off -------------------------------------------------------------------------------


def test_with_the_page_cache_off_nothing_is_served_from_it(client, posts, settings):
    url = reverse("digest:post-index")
    stored(client, url)

    settings.PAGE_CACHE = False
    responses = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            responses.append(client.get(url))
        assert len(queries) > 0
        responses.append(wsgi_request(url))

    for response in responses:
        assert response.status_code == 200
        assert cache_status(response) is None
        assert "Caching at the edge" in text(response)


# A cache outage -------------------------------------------------------------------------------


def production_caches(monkeypatch, redis_url):
    """The CACHES config/settings.py builds for production with REDIS_URL set."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("SECRET_KEY", "tests-only-not-a-secret")
    return runpy.run_path(str(SETTINGS_FILE))["CACHES"]


def test_with_the_cache_server_down_pages_are_built_uncached(client, posts, settings, monkeypatch):
    settings.CACHES = production_caches(monkeypatch, "redis://127.0.0.1:1/0")
    assert settings.CACHES["default"]["BACKEND"] == "caching.redis_client.SharedClientRedisCache"
    pages = {
        reverse("digest:post-index"): "Caching at the edge",
        posts.article.get_absolute_url(): "The full story of the edge.",
        reverse("digest:feed-rss"): "Caching at the edge",
        reverse("digest:quote-list"): "Latency is the mother of all problems.",
        reverse("sponsors:about"): "This week's sponsors",
    }

    for url, snippet in pages.items():
        for response in (client.get(url), client.get(url), wsgi_request(url)):
            assert response.status_code == 200, url
            assert cache_status(response) is None
            assert snippet in text(response), url


@pytest.mark.django_db(transaction=True)
class HungRedis:
    """A server that takes connections and reads what is sent, and never answers: a hung
    Redis. It counts the commands it was sent (each one a RESP array, "*N\\r\\n")."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.received, self.connections = b"", []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                peer, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(peer)
            threading.Thread(target=self.read, args=(peer,), daemon=True).start()

    def read(self, peer):
        while chunk := peer.recv(65536):
            self.received += chunk

    @property
    def commands(self):
        return self.received.count(b"\r\n*") + self.received.startswith(b"*")

    def close(self):
        self.listener.close()
        for peer in self.connections:
            peer.close()


def test_with_the_cache_server_hung_a_page_waits_for_one_cache_call_at_most(
    client, settings, monkeypatch
):
    PostFactory(title="Caching at the edge")
    hung = HungRedis()
    settings.CACHES = production_caches(monkeypatch, hung.url)
    try:
        response = client.get(reverse("digest:post-index"))
    finally:
        hung.close()

    assert response.status_code == 200
    assert "Caching at the edge" in text(response)
    # One call waited its timeout (REDIS_TIMEOUT); the breaker kept the page's other cache
    # calls away, so a hung Redis costs a request one timeout, whatever the machine's speed.
    assert hung.commands == 1, (len(hung.connections), hung.received)
