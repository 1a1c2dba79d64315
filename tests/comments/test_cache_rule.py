"""The cache rule (caching.versions, docs/architecture.md): approving a comment renews only its
post's comment version, never the site-wide content token. The post's page, its comments feed
and the list pages that count its comments are rebuilt; every other cached page stays a hit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_http_date

import caching.content
from caching import versions
from caching.content import content_changed, content_state, shared
from comments.models import Comment, Thread
from tests.comments.factories import CommentFactory
from tests.digest.factories import PostFactory
from tests.digest.page_cache_helpers import set_clock

pytestmark = pytest.mark.django_db
HIT = "X-Page-Cache"


def cached_get(client, url):
    """(answer, whether it came from the page cache)."""
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer, answer.get(HIT) == "hit"


@pytest.fixture
def site():
    commented = PostFactory(title="Queues at scale")
    others = PostFactory.create_batch(12)
    return commented, others


def warm(client, urls):
    for url in urls:
        client.get(url)
    assert all(cached_get(client, url)[1] for url in urls), "pages were not cached"


def test_an_approval_rebuilds_the_post_and_the_index_and_nothing_else(client, site):
    commented, others = site
    held = CommentFactory(post=commented, status=Comment.Status.PENDING, name="Barbara")
    post_url, index = commented.get_absolute_url(), reverse("digest:post-index")
    feed = reverse("comments:post-feed", args=[commented.pk])
    unrelated = [post.get_absolute_url() for post in others] + [
        reverse("digest:archive"),
        reverse("comments:post-feed", args=[others[0].pk]),
    ]
    warm(client, [post_url, index, feed, *unrelated])
    page, _ = cached_get(client, post_url)
    assert "Barbara" not in page.content.decode()
    token = content_state().token

    held.approve()

    assert content_state().token == token, "an approval must not renew the content token"
    page, hit = cached_get(client, post_url)
    assert not hit and "Barbara" in page.content.decode()
    assert 'id="comment-' in page.content.decode() and "1 comment" in page.content.decode()
    listing, hit = cached_get(client, index)
    assert not hit and "1 comment" in listing.content.decode()
    answer, hit = cached_get(client, feed)
    assert not hit and "Barbara" in answer.content.decode()
    assert all(cached_get(client, url)[1] for url in unrelated)
    # And the rebuilt pages are cached again.
    assert cached_get(client, post_url)[1] and cached_get(client, index)[1]


def test_spam_and_deletion_rebuild_the_post_page_too(client, site, editor):
    commented, _ = site
    comment = CommentFactory(post=commented, name="Vanishing")
    url = commented.get_absolute_url()
    warm(client, [url])
    assert "Vanishing" in client.get(url).content.decode()
    comment.mark_spam(by=editor)
    page, hit = cached_get(client, url)
    assert not hit and "Vanishing" not in page.content.decode()


def test_the_control_a_content_change_rebuilds_every_page(client, site):
    """What the narrow version avoids: renewing the token makes every page a miss."""
    _, others = site
    urls = [post.get_absolute_url() for post in others]
    warm(client, urls)
    content_changed()
    assert not any(cached_get(client, url)[1] for url in urls)


APPROVALS = 100


def test_unrelated_pages_stay_hits_across_a_hundred_approvals(client, site):
    commented, others = site
    held = CommentFactory.create_batch(APPROVALS, post=commented, status=Comment.Status.PENDING)
    unrelated = [post.get_absolute_url() for post in others[:10]]
    warm(client, unrelated)
    hits = asked = 0
    for comment in held:
        comment.approve()
        client.get(commented.get_absolute_url())  # the post's own page is rebuilt meanwhile
        for url in unrelated:
            hits += cached_get(client, url)[1]
            asked += 1
    ratio = hits / asked
    print(f"\nunrelated pages across {APPROVALS} approvals: {hits}/{asked} hits ({ratio:.1%})")
    assert ratio == 1.0
    assert Comment.objects.visible().filter(post=commented).count() == APPROVALS


def test_a_reader_holding_the_dated_page_from_before_an_approval_gets_the_new_page(
    client, site, monkeypatch
):
    """Last-Modified covers the comment versions a page depends on, so a revalidation by date
    alone (feed readers do that) is not answered 304 with the page from before."""
    commented, _ = site
    held = CommentFactory(post=commented, status=Comment.Status.PENDING, name="Dated")
    url = commented.get_absolute_url()
    start = timezone.now()
    set_clock(monkeypatch, start + timedelta(seconds=1))
    content_state()  # the content's state, made in its own second
    set_clock(monkeypatch, start + timedelta(seconds=3))
    before = client.get(url)
    assert "Last-Modified" in before

    set_clock(monkeypatch, start + timedelta(seconds=10))
    held.approve()
    set_clock(monkeypatch, start + timedelta(seconds=13))
    after = client.get(url, headers={"If-Modified-Since": before["Last-Modified"]})
    assert after.status_code == 200 and "Dated" in after.content.decode()
    assert parse_http_date(after["Last-Modified"]) > parse_http_date(before["Last-Modified"])
    again = client.get(url, headers={"If-Modified-Since": after["Last-Modified"]})
    assert again.status_code == 304


def test_held_comments_rebuild_nothing(client, site):
    """A flood that is held, or spam, costs the cache nothing: readers see no change."""
    commented, _ = site
    url = commented.get_absolute_url()
    warm(client, [url, reverse("digest:post-index")])
    for n in range(3):
        Comment.submit(commented, name="Robot", email=f"bot{n}@spam.example", body="Buy")
    assert cached_get(client, url)[1] and cached_get(client, reverse("digest:post-index"))[1]


class VersionsRefused:
    """The default cache, except that it refuses to write comment versions (a blip of the
    cache server while an editor approves)."""

    def __init__(self, cache):
        self.cache = cache

    def __getattr__(self, name):
        return getattr(self.cache, name)

    def set(self, key, *args, **kwargs):
        if key.startswith(versions.PREFIX):
            raise ConnectionError("cache server not answering")
        return self.cache.set(key, *args, **kwargs)


def test_an_approval_the_cache_did_not_record_still_rebuilds_the_page(client, site, monkeypatch):
    """A version renewal lost to a cache blip must not leave the page from before served for
    its lifetime: the change is recorded as a content change once the cache answers."""
    commented, _ = site
    held = CommentFactory(post=commented, status=Comment.Status.PENDING, name="Blip")
    url = commented.get_absolute_url()
    warm(client, [url])
    real = caching.content.cache
    monkeypatch.setattr(caching.content, "cache", VersionsRefused(real))

    held.approve()

    monkeypatch.setattr(caching.content, "cache", real)
    shared.closed_until = 0.0  # the breaker's pause is over
    page, hit = cached_get(client, url)
    assert not hit and "Blip" in page.content.decode()


def test_removing_a_posts_closed_thread_record_reopens_its_cached_page(client, site):
    commented, _ = site
    url = commented.get_absolute_url()
    Thread.set_open(commented, False)
    warm(client, [url])
    assert "Comments are closed." in cached_get(client, url)[0].content.decode()

    Thread.objects.get(post=commented).delete()

    page, hit = cached_get(client, url)
    assert not hit and "Leave a comment" in page.content.decode()
