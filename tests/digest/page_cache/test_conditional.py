"""Stored pages answer conditional GETs: ETag and Last-Modified validators that a hit repeats,
304s without a body, dates that name one version, HEAD requests."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from caching.content import content_changed, content_state
from tests.digest.factories import PostFactory
from tests.digest.page_cache_helpers import (
    PAGES,
    cache_status,
    set_clock,
    stored,
    text,
    validator,
    wsgi_request,
)

pytestmark = pytest.mark.django_db


# Conditional GET ------------------------------------------------------------------------------


CONDITIONAL_PAGES = ["index", "post", "tag", "quotes", "rss", "atom", "tag feed", "sitemap"]


@pytest.mark.parametrize("kind", CONDITIONAL_PAGES)
def test_public_pages_and_feeds_carry_validators_that_a_hit_repeats(client, settled, kind):
    url = PAGES[kind](settled)

    first = client.get(url)
    second = client.get(url)

    assert first["ETag"].startswith('"')
    assert parse_http_date(first["Last-Modified"]) <= timezone.now().timestamp()
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert (second["ETag"], second["Last-Modified"]) == (first["ETag"], first["Last-Modified"])


@pytest.mark.parametrize("kind", ["index", "rss"])
@pytest.mark.parametrize("header", ["If-None-Match", "If-Modified-Since"])
def test_revalidating_a_stored_page_through_the_middleware_is_a_304_without_a_body(
    client, settled, kind, header
):
    url = PAGES[kind](settled)
    first = client.get(url)

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, headers={header: validator(first, header)})

    assert cache_status(first) == "miss"
    assert len(queries) == 0
    assert again.status_code == 304
    assert again.content == b""
    assert cache_status(again) == "hit"
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]


@pytest.mark.parametrize("kind", CONDITIONAL_PAGES)
def test_the_wsgi_callable_answers_revalidations_with_a_304(settled, kind):
    url = PAGES[kind](settled)
    first = wsgi_request(url)

    with CaptureQueriesContext(connection) as queries:
        by_tag = wsgi_request(url, headers={"If-None-Match": first["ETag"]})
        by_date = wsgi_request(url, headers={"If-Modified-Since": first["Last-Modified"]})
        listed = wsgi_request(url, headers={"If-None-Match": f'"other", {first["ETag"]}'})
        weak = wsgi_request(url, headers={"If-None-Match": "W/" + first["ETag"]})

    assert cache_status(first) == "miss"
    assert len(queries) == 0
    for response in (by_tag, by_date, listed, weak):
        assert response.status == "304 Not Modified"
        assert response.content == b""
        assert cache_status(response) == "hit"
        assert response["ETag"] == first["ETag"]
        assert response["Last-Modified"] == first["Last-Modified"]
        assert response["Cache-Control"] == first["Cache-Control"]
        assert "Content-Type" not in response


def an_hour_after(response):
    """A date a client may send: when it fetched the page, later than its Last-Modified."""
    return http_date(parse_http_date(response["Last-Modified"]) + 3600)


@pytest.mark.parametrize("via", ["client", "wsgi"])
def test_a_later_if_modified_since_is_a_304_too(client, settled, via):
    get = client.get if via == "client" else wsgi_request
    url = reverse("digest:post-index")
    page = stored(get, url)

    response = get(url, headers={"If-Modified-Since": an_hour_after(page)})

    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.parametrize("via", ["client", "wsgi"])
def test_a_weak_etag_from_a_compressing_proxy_is_a_304(client, settled, via):
    get = client.get if via == "client" else wsgi_request
    url = reverse("digest:post-index")
    page = stored(get, url)

    response = get(url, headers={"If-None-Match": "W/" + page["ETag"]})

    assert response.status_code == 304


@pytest.mark.parametrize("via", ["client", "wsgi"])
def test_a_stored_page_sends_one_last_modified(client, settled, via):
    """Feeds and sitemap sections set their own Last-Modified (the newest entry's date);
    a page says one date, the content's."""
    get = client.get if via == "client" else wsgi_request
    for kind in ["index", "sitemap"]:
        page = stored(get, PAGES[kind](settled))
        if via == "wsgi":
            dates = [value for name, value in page.header_list if name == "Last-Modified"]
            assert len(dates) == 1, (kind, dates)


@pytest.mark.parametrize("kind", ["rss", "atom", "tag feed", "sitemap section"])
def test_a_stored_feed_sends_one_last_modified_through_the_wsgi_callable(settled, kind):
    page = stored(wsgi_request, PAGES[kind](settled))

    dates = [value for name, value in page.header_list if name == "Last-Modified"]

    assert len(dates) == 1, dates


def test_a_reader_holding_the_previous_versions_date_gets_the_new_page(client, posts, monkeypatch):
    """Two versions never share a date: a reader who fetched the page after the first change
    gets the second in full, right after it and later, even within the same second."""
    url = reverse("digest:post-index")
    second = math.floor(timezone.now().timestamp()) + 2
    article = posts.article
    article.refresh_from_db()

    def at(offset):
        set_clock(monkeypatch, datetime.fromtimestamp(second + offset, tz=UTC))

    # Each change takes effect when it is made (at its commit in production; here a read).
    at(0.1)
    article.title = "First take"
    article.save()
    content_state()
    at(1.5)
    first = client.get(url)
    at(1.6)
    article.title = "Second take"
    article.save()
    content_state()

    assert "First take" in text(first)
    for offset in (1.7, 2.5, 4.0):
        at(offset)
        again = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
        assert again.status_code == 200, offset
        assert "Second take" in text(again)


@pytest.mark.parametrize("via", ["client", "wsgi"])
def test_a_feed_reader_revalidating_by_date_after_an_edit_gets_the_new_feed(client, settled, via):
    """Editing a quote (or renaming a tag) leaves the newest post's date alone: the feed's
    date must be the content's, not the view's own."""
    get = client.get if via == "client" else wsgi_request
    url = reverse("digest:feed-rss")
    first = stored(get, url)
    quote = settled.quote
    quote.text = "Tail latency is the mother of all problems."
    quote.save()
    quote.post.refresh_parts()

    response = get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert response.status_code == 200
    assert "Tail latency is the mother of all problems." in text(response)


@pytest.mark.django_db(transaction=True)
def test_after_a_committed_edit_pages_carry_a_last_modified_again(client, monkeypatch):
    article = PostFactory(title="Caching at the edge")
    start = timezone.now()
    set_clock(monkeypatch, start + timedelta(seconds=2))
    article.title = "Edge caching, two years later"
    article.save()
    set_clock(monkeypatch, start + timedelta(seconds=5))

    page = client.get(reverse("digest:post-index"))

    assert "Edge caching, two years later" in text(page)
    assert "Last-Modified" in page


def test_a_revalidation_that_finds_no_stored_page_is_a_304_too(client, posts):
    url = reverse("digest:post-index")
    first = client.get(url)
    content_changed()  # a new token; nothing a reader sees changed

    by_tag = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert by_tag.status_code == 304
    assert by_tag.content == b""
    assert by_tag["ETag"] == first["ETag"]
    assert cache_status(wsgi_request(url)) == "hit"  # the rebuilt page was stored


@pytest.mark.parametrize("via", ["client", "wsgi"])
def test_after_a_change_the_old_etag_gets_the_new_page(client, posts, via):
    get = client.get if via == "client" else wsgi_request
    url = reverse("digest:post-index")
    first = stored(get, url)
    article = posts.article
    article.refresh_from_db()
    article.title = "Edge caching, two years later"
    article.save()

    response = get(url, headers={"If-None-Match": first["ETag"]})

    assert response.status_code == 200
    assert "Edge caching, two years later" in text(response)
    assert response["ETag"] != first["ETag"]


def test_a_different_etag_gets_the_whole_page(posts):
    url = reverse("digest:post-index")
    first = stored(wsgi_request, url)

    response = wsgi_request(url, headers={"If-None-Match": '"not-this-page"'})

    assert response.status_code == 200
    assert response.content == first.content


def test_head_of_a_stored_page_returns_its_headers_and_no_body(client, posts):
    url = reverse("digest:post-index")
    page = stored(client.get, url)

    with CaptureQueriesContext(connection) as queries:
        head = client.head(url)

    assert len(queries) == 0
    assert head.status_code == 200
    assert cache_status(head) == "hit"
    assert head.content == b""
    assert head["Content-Length"] == str(len(page.content))
    assert head["ETag"] == page["ETag"]
    assert head["Content-Type"] == page["Content-Type"]


def test_a_head_that_is_a_miss_does_not_store_a_page(client, posts):
    url = reverse("digest:post-index")

    head = client.head(url)

    assert head.status_code == 200
    assert head.content == b""
    assert "ETag" in head
    assert cache_status(client.get(url)) == "miss"
    assert cache_status(client.head(url)) == "hit"
