"""A digest's pages make as many queries with 50 quotes as with 5: the parts are rendered on
save, never walked on a page view, and quote lists fetch each quote's issue with the quote.
Counted with an empty cache, the worst case."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.digest.factories import PostFactory, digest_with_parts


def build_digest(stats, quotes, items):
    return digest_with_parts(
        title=f"A digest with {quotes} quotes",
        excerpt="The intro line.",
        tags=["stuff", "weekly"],
        stats=[(f"{n}K", f"label of stat {n}") for n in range(stats)],
        quotes=[(f"@speaker{n % 7}", f"Quote {n}.", n % 3 != 0) for n in range(quotes)],
        items=[
            (f"[Item {n}](https://example.com/{n}) commentary.", n % 2 == 0) for n in range(items)
        ],
    )


def count_queries(client, url, expected_text):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert expected_text in response.content.decode()
    return len(queries)


def page_queries(client, post, last_quote):
    return {
        "post": count_queries(client, post.get_absolute_url(), last_quote),
        "index": count_queries(client, reverse("digest:post-index"), post.title),
        "rss": count_queries(client, reverse("digest:feed-rss"), last_quote),
        "quotes": count_queries(client, reverse("digest:quote-list"), last_quote),
        "speaker": count_queries(
            client, reverse("digest:quote-speaker", kwargs={"key": "speaker0"}), "Quote 0."
        ),
    }


@pytest.mark.django_db
def test_a_digest_with_50_quotes_makes_as_many_queries_as_one_with_5(client):
    PostFactory(title="An older article")
    small = build_digest(stats=2, quotes=5, items=3)
    few = page_queries(client, small, "Quote 4.")
    small.delete()

    big = build_digest(stats=20, quotes=50, items=30)
    assert (big.stats.count(), big.quotes.count(), big.items.count()) == (20, 50, 30)
    many = page_queries(client, big, "Quote 49.")

    assert many == few, f"queries grew with the parts of a digest: {few} -> {many}"
