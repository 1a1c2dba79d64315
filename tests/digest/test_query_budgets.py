"""Every public page makes a fixed, small number of queries that doesn't grow with content.

Counts are taken with an empty cache (the worst case: the sidebar and page counts are built
too); with a warm cache pages make fewer. HTML pages include one query for the sidebar block of
this week's sponsors (sponsors.showcase), cached like the rest, two for the sidebar's year
counts (the years' bounds, then one count per year in one statement) and two for its tag
counts (every tag's items and those of posts readers cannot see, in one statement, then the
names of the tags left: a third of the time of one query that joins them; digest.queries).

A list page or feed reads its posts' ids and versions first and whole posts only for entries
and feed items not kept yet: one query more with an empty cache, and with a warm one (the
page cache off, as at the origin when the edge misses) nothing but the ids and versions.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from digest import search
from sponsors.models import Listing, this_week
from tests.accounts.factories import UserFactory
from tests.digest.factories import PostFactory, bulk_posts, digest_with_parts
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
        # Comments (comments app), kept like the rest with a warm cache: list pages read their
        # entries' comment counts (one query), a post page the comment settings, its
        # comments and whether its thread is closed.
        "index": (reverse("digest:post-index"), 12),
        "post": (post.get_absolute_url(), 14),
        "tag": (reverse("digest:tag-detail", kwargs={"slug": "caching"}), 13),
        "archive": (reverse("digest:archive"), 8),
        "year": (reverse("digest:archive-year", kwargs={"year": local.year}), 9),
        "month": (
            reverse("digest:archive-month", kwargs={"year": local.year, "month": local.month}),
            11,
        ),
        "author": (reverse("digest:author-detail", kwargs={"username": post.author.username}), 12),
        "quotes": (reverse("digest:quote-list"), 9),
        "speaker": (reverse("digest:quote-speaker", kwargs={"key": "antirez"}), 9),
        "sponsors": (reverse("sponsors:about"), 7),
        "search": (reverse("digest:search") + "?q=kafka", 10),
        "rss": (reverse("digest:feed-rss"), 5),
        "atom": (reverse("digest:feed-atom"), 5),
        "tag-feed": (reverse("digest:tag-feed", kwargs={"slug": "caching"}), 7),
        # one count a section: pages, posts, tags, years
        "sitemap": (reverse("digest:sitemap"), 6),
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


# With the page cache off (the origin, when the edge has no copy), a page whose fragments are
# kept reads only what tells it which fragments to show.
WARM_BUDGETS = {
    # the page's ids and versions
    "index": 1,
    # the tag; its page's ids and versions (the tag's ids in order are kept)
    "tag": 2,
    # the twenty ids and versions; items are kept
    "rss": 1,
    "atom": 1,
    "tag-feed": 2,
    # the page's ids (PostgreSQL: the newest matches with their rank, which also count them
    # when they are fewer than search.RANKED), its posts with their snippets, the quotes
    "search": 3,
}


@pytest.mark.django_db
def test_origin_pages_with_a_warm_cache_read_only_ids_and_versions(client, settings):
    settings.PAGE_CACHE = False
    build_site(3)
    urls = {name: url for name, (url, _) in pages(build_site(27)).items()}
    made = {}
    for name in WARM_BUDGETS:
        client.get(urls[name])
        with CaptureQueriesContext(connection) as warm:
            assert client.get(urls[name]).status_code == 200
        made[name] = len(warm)
    assert made == WARM_BUDGETS


@pytest.mark.django_db
def test_a_deep_page_reads_ids_from_the_order_index_and_ten_whole_rows(client, settings):
    settings.PAGE_CACHE = False
    bulk_posts(1300, author=UserFactory())
    url = reverse("digest:post-index") + "?page=60"
    client.get(url)
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200

    (query,) = warm.captured_queries
    sql = query["sql"].replace('"', "")
    # The skipped rows are read in a subquery that selects the id alone (a covering index
    # answers it); the outer query reads ten rows.
    skipping = sql[sql.index("(SELECT") :]
    assert "OFFSET" in skipping
    assert skipping.startswith("(SELECT U0.id AS pk FROM digest_post U0")


@pytest.mark.django_db
def test_every_page_of_a_tag_costs_what_its_first_does(client, settings):
    settings.PAGE_CACHE = False
    bulk_posts(60, author=UserFactory(), tags=["caching"])
    url = reverse("digest:tag-detail", kwargs={"slug": "caching"})
    counts = []
    for number in (1, 3, 6):
        client.get(url, {"page": number})
        with CaptureQueriesContext(connection) as warm:
            client.get(url, {"page": number})
        counts.append(len(warm))
        assert "OFFSET" not in " ".join(q["sql"] for q in warm.captured_queries)
    assert counts == [2, 2, 2]


@pytest.mark.django_db
def test_a_common_word_is_ranked_from_a_bounded_set_and_counted_once(
    client, settings, monkeypatch, is_postgres, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE = False
    monkeypatch.setattr(search, "RANKED", 5)
    with django_capture_on_commit_callbacks(execute=True):
        PostFactory.create_batch(30, body="Notes on sharding.")
    url = reverse("digest:search") + "?q=sharding"
    client.get(url)
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200

    sqls = [query["sql"] for query in warm.captured_queries]
    # The count is kept; the ranked matches are read LIMIT 5 (and 20 by title), never all.
    assert not any("COUNT(" in sql for sql in sqls)
    ranked = [sql for sql in sqls if ("ts_rank" if is_postgres else "bm25(") in sql]
    assert len(ranked) == 2
    assert all(sql.rstrip().endswith(("LIMIT 5", "LIMIT 20")) for sql in ranked)
    # and, the page reaching past the ranked five, the next ids newest first; the page's
    # posts with their snippets; the quotes
    assert len(sqls) == 5
