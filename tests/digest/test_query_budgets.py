"""Every public page makes a fixed, small number of queries that doesn't grow with content.

Counts are taken with an empty cache (the worst case: the sidebar and page counts are built
too); with a warm cache pages make fewer. HTML pages include one query for the sidebar block of
this week's sponsors (sponsors.showcase), cached like the rest.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sponsors.models import Listing, this_week
from tests.digest.factories import PostFactory, digest_with_parts
from tests.sponsors.factories import ListingFactory

TAGS = ["caching", "queues", "databases", "cloud", "latency", "storage"]


def build_site(posts_count):
    """Posts with more tags, digests with more quotes, and more sponsors running this week,
    all growing with `posts_count`."""
    posts = [
        PostFactory(title=f"Kafka lesson {n}", tags=TAGS[: 1 + n % len(TAGS)])
        for n in range(posts_count)
    ]
    for n in range(max(1, posts_count // 3)):
        digest_with_parts(
            title=f"Stuff about Kafka {posts_count}-{n}",
            tags=["caching"],
            stats=[(f"{k}M", f"Kafka messages {k}") for k in range(n + 1)],
            quotes=[("@antirez", f"Kafka quote {k} of {n}", True) for k in range(n + 1)],
            items=[(f"Kafka item {k}", True) for k in range(n + 1)],
        )
    ListingFactory.create_batch(
        max(1, posts_count // 3), status=Listing.Status.APPROVED, weeks=[this_week()]
    )
    return posts[len(posts) // 2]


def pages(post):
    local = timezone.localtime(post.publish_at)
    return {
        # name: (url, budget)
        "index": (reverse("digest:post-index"), 8),
        "post": (post.get_absolute_url(), 9),
        "tag": (reverse("digest:tag-detail", kwargs={"slug": "caching"}), 9),
        "archive": (reverse("digest:archive"), 6),
        "year": (reverse("digest:archive-year", kwargs={"year": local.year}), 7),
        "month": (
            reverse("digest:archive-month", kwargs={"year": local.year, "month": local.month}),
            8,
        ),
        "author": (reverse("digest:author-detail", kwargs={"username": post.author.username}), 9),
        "quotes": (reverse("digest:quote-list"), 7),
        "speaker": (reverse("digest:quote-speaker", kwargs={"key": "antirez"}), 7),
        "sponsors": (reverse("sponsors:about"), 5),
        "search": (reverse("digest:search") + "?q=kafka", 8),
        "rss": (reverse("digest:feed-rss"), 4),
        "atom": (reverse("digest:feed-atom"), 4),
        "tag-feed": (reverse("digest:tag-feed", kwargs={"slug": "caching"}), 6),
        "sitemap": (reverse("digest:sitemap"), 4),
        "sitemap-posts": (reverse("digest:sitemap-section", kwargs={"section": "posts"}), 4),
        "robots": (reverse("digest:robots"), 1),
    }


def count_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
def test_query_counts_are_small_and_do_not_grow_with_content(client):
    few = {name: count_queries(client, url) for name, (url, _) in pages(build_site(3)).items()}
    middle = build_site(27)  # 30 posts now, ten times as many
    budgets = pages(middle)
    many = {name: count_queries(client, url) for name, (url, _) in budgets.items()}

    assert many == few, "query counts grew with the number of posts"
    over = {
        name: (many[name], budget) for name, (_, budget) in budgets.items() if many[name] > budget
    }
    assert not over, f"pages over their query budget (made, budget): {over}"


@pytest.mark.django_db
def test_a_warm_cache_saves_the_sidebar_and_count_queries(client):
    build_site(5)
    url = reverse("digest:post-index")
    cold = count_queries(client, url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) <= 2 < cold
