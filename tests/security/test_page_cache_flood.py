"""Nobody can fill the page cache with junk addresses (issue 19): a public page is stored only
when every query parameter is one its view reads and validates, spelt the canonical way and
given once, and at most a bounded number of free-text pages (searches) are kept per content
version. Checked through the real WSGI callable, where stored pages are answered."""

import pytest
from django.urls import reverse

from caching import pages as page_cache
from tests.digest.factories import PostFactory, bulk_posts
from tests.digest.page_cache_helpers import wsgi_request
from tests.sponsors.factories import ListingFactory

pytestmark = pytest.mark.django_db


def stored(url):
    """Whether a second request for `url` is answered from the cache."""
    first = wsgi_request(url)
    assert first.status_code in (200, 404), (url, first.status_code)
    return wsgi_request(url).get(page_cache.HIT_HEADER) == "hit"


JUNK = [
    "/?p=flood1",
    "/?utm_source=flood2",
    "/?page=1&page=2",
    "/?page=%32",
    "/?page=2&x=",
    "/sponsors/?page=flood3",
    "/archive/?q=flood4",
    "/feed/?page=flood5",
    "/tags/caching/?q=flood6",
]


@pytest.fixture
def site(db):
    bulk_posts(12, PostFactory().author, tags=("caching",))
    ListingFactory(approved=True)


@pytest.mark.parametrize("url", JUNK)
def test_a_junk_query_string_is_answered_but_never_stored(site, url):
    assert not stored(url)


@pytest.mark.parametrize(
    "url",
    ["/", "/?page=2", "/tags/caching/?page=2", "/sponsors/", "/archive/", "/search/?q=caching"],
)
def test_the_parameters_a_view_reads_are_stored_as_before(site, url):
    assert stored(url)


def test_only_a_bounded_number_of_searches_is_kept(site, settings):
    settings.PAGE_CACHE_FREE_TEXT_PAGES = 5
    url = reverse("digest:search")

    kept = [stored(f"{url}?q=flood{n}") for n in range(12)]

    assert kept == [True] * 5 + [False] * 7
    assert stored("/?page=2")  # other pages are still stored
