"""Feeds parse as valid RSS 2.0 and Atom in an independent parser, with full content."""

import feedparser
import pytest
from django.urls import reverse

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
