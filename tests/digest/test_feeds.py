"""Feeds parse as valid RSS 2.0 and Atom in an independent parser, with full content."""

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import parse_http_date

from digest.feeds import AtomPostFeed, PostFeed
from tests.digest.factories import PostFactory


@pytest.fixture
def posts(db):
    first = PostFactory(
        title="Caching at the edge",
        excerpt="Excerpt with **bold** words.",
        body="The full body mentions *consistent hashing*.",
        tags=["caching", "cdn"],
    )
    second = PostFactory(title="Queues everywhere", tags=["queues"])
    PostFactory(title="Unfinished draft", draft=True, tags=["caching"])
    return first, second


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


def test_rss_feed_is_valid_rss2_with_full_content(client, posts):
    first, _ = posts
    response, feed = parse(client, reverse("digest:feed-rss"))

    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20"
    assert [entry.title for entry in feed.entries] == ["Caching at the edge", "Queues everywhere"]
    entry = feed.entries[0]
    assert entry.link.endswith(first.get_absolute_url())
    assert "<strong>bold</strong>" in entry.content[0].value
    assert "<em>consistent hashing</em>" in entry.content[0].value
    assert {tag.term for tag in entry.tags} == {"caching", "cdn"}


def test_atom_feed_is_valid_atom_with_full_content(client, posts):
    response, feed = parse(client, reverse("digest:feed-atom"))

    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    entry = feed.entries[0]
    assert entry.title == "Caching at the edge"
    assert "<em>consistent hashing</em>" in entry.content[0].value
    assert entry.author == posts[0].author.name


def test_tag_feed_has_only_that_tags_posts(client, posts):
    _, feed = parse(client, reverse("digest:tag-feed", kwargs={"slug": "caching"}))

    assert [entry.title for entry in feed.entries] == ["Caching at the edge"]
    assert "caching" in feed.feed.title


def test_feed_of_unknown_tag_is_404(client, db):
    assert client.get(reverse("digest:tag-feed", kwargs={"slug": "nope"})).status_code == 404


def test_feed_links_are_absolute(client, posts):
    _, feed = parse(client, reverse("digest:feed-rss"))
    assert all(entry.link.startswith("http") for entry in feed.entries)


# Items are kept per content version --------------------------------------------------------


@pytest.mark.parametrize("feed", [PostFeed(), AtomPostFeed()], ids=["rss", "atom"])
def test_a_feed_from_kept_items_is_the_feed_written_afresh(rf, posts, feed):
    written = feed(rf.get("/feed/"))
    kept = feed(rf.get("/feed/"))

    assert kept.content == written.content
    assert "<strong>bold</strong>" in feedparser.parse(kept.content).entries[0].content[0].value
    # Last-Modified: the latest change of a post in the feed (the page cache may replace it
    # with the content version's date).
    latest = max(max(post.publish_at, post.updated) for post in posts)
    assert parse_http_date(kept["Last-Modified"]) == int(latest.timestamp())
    assert kept["Last-Modified"] == written["Last-Modified"]


def test_an_edit_shows_in_the_feed_at_once(client, posts, settings):
    settings.PAGE_CACHE = False
    first, _ = posts
    client.get(reverse("digest:feed-rss"))
    first.title = "Caching at the edge, revised"
    first.save()

    _, feed = parse(client, reverse("digest:feed-rss"))
    assert feed.entries[0].title == "Caching at the edge, revised"


def test_items_keep_links_to_the_host_they_were_asked_for(client, posts, settings):
    settings.PAGE_CACHE = False
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    client.get(reverse("digest:feed-rss"))
    feed = feedparser.parse(client.get(reverse("digest:feed-rss"), HTTP_HOST="localhost").content)

    assert all(entry.link.startswith("http://localhost/") for entry in feed.entries)


def test_a_feed_reads_ids_and_versions_only_once_its_items_are_kept(client, db, settings):
    settings.PAGE_CACHE = False
    PostFactory.create_batch(25, tags=["caching"])
    for name, kwargs in (("digest:feed-rss", {}), ("digest:tag-feed", {"slug": "caching"})):
        url = reverse(name, kwargs=kwargs)
        client.get(url)
        with CaptureQueriesContext(connection) as warm:
            _, feed = parse(client, url)
        assert len(feed.entries) == 20
        assert not any("body_html" in query["sql"] for query in warm.captured_queries)
