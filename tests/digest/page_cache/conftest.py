"""Fixtures of the page-cache tests: an article and a digest, every public page kind, a
logged-in reader, and a settled clock for conditional requests."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from caching.content import content_state
from tests.accounts.factories import UserFactory
from tests.digest.factories import PostFactory, bulk_posts, digest_with_parts
from tests.digest.page_cache_helpers import (
    PAGES,
    set_clock,
)


@pytest.fixture
def posts(db):
    """An article and a digest (with a stat, a quote and an item), both tagged "caching"."""
    author = UserFactory(username="ada", display_name="Ada Lovelace")
    article = PostFactory(
        title="Caching at the edge",
        excerpt="Why edges matter.",
        body="The full story of the edge.",
        tags=["caching"],
        author=author,
    )
    issue = digest_with_parts(
        title="Stuff The Internet Says On Scalability",
        stats=[("200K", "msgs per second")],
        quotes=[("@antirez", "Latency is the mother of all problems.", True)],
        items=[("[Redis](https://redis.io) got faster.", True)],
        author=author,
        tags=["caching"],
    )
    return SimpleNamespace(author=author, article=article, issue=issue, quote=issue.quotes.get())


@pytest.fixture
def every_page(posts):
    """Enough posts for a second index page; the URL of each public page kind."""
    bulk_posts(django_settings.POSTS_PER_PAGE + 2, posts.author)
    return {name: url(posts) for name, url in PAGES.items()}


@pytest.fixture
def grace(db):
    return UserFactory(username="grace", display_name="Grace Hopper")


@pytest.fixture
def settled(posts, monkeypatch):
    """The content some seconds after its last change, a change alone in its second: its
    pages have a Last-Modified (sent only once that second has passed)."""
    start = timezone.now()
    set_clock(monkeypatch, start + timedelta(seconds=2))
    article = posts.article
    article.refresh_from_db()
    article.body = "The full story of the edge, revised."
    article.save()
    content_state()  # the change takes effect (at the commit in production; here, when read)
    set_clock(monkeypatch, start + timedelta(seconds=5))
    return posts
