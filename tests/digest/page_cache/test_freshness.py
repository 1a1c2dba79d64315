"""Every change a reader could see shows on the very next request, through the page cache,
with nothing purged: publishing, editing, tags, authors, settings, digest parts, scheduled
posts, sponsors and their weeks, and pages built during a transaction."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from digest.models import Post, SiteSettings
from sponsors.models import this_week
from sponsors.showcase import next_week_starts
from tests.accounts.factories import UserFactory
from tests.digest.factories import PostFactory
from tests.digest.page_cache_helpers import (
    PAGES,
    cache_status,
    stored,
    text,
    wsgi_request,
)
from tests.sponsors.factories import ListingFactory, SponsorFactory

pytestmark = pytest.mark.django_db


# Invalidation: the very next request shows the change, with nothing purged --------------------


def assert_next_request_shows(client, urls, present=(), absent=()):
    """Each URL, requested right after a change, is rebuilt and shows it."""
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert cache_status(response) == "miss", url
        body = text(response)
        for snippet in present:
            assert snippet in body, (url, snippet)
        for snippet in absent:
            assert snippet not in body, (url, snippet)


def reader_urls(posts):
    return [
        reverse("digest:post-index"),
        posts.article.get_absolute_url(),
        reverse("digest:tag-detail", kwargs={"slug": "caching"}),
        reverse("digest:feed-rss"),
        reverse("digest:tag-feed", kwargs={"slug": "caching"}),
    ]


def test_publishing_a_draft_shows_it_on_the_next_request(client, posts):
    draft = PostFactory(
        draft=True, title="Sharding the queue", tags=["caching"], author=posts.author
    )
    listings = [url for url in reader_urls(posts) if url != posts.article.get_absolute_url()]
    listings.append(reverse("digest:author-detail", kwargs={"username": "ada"}))
    for url in listings:
        assert "Sharding the queue" not in text(stored(client, url))
    assert client.get(draft.get_absolute_url()).status_code == 404

    draft.status = Post.Status.PUBLISHED
    draft.save()

    assert_next_request_shows(client, listings, present=["Sharding the queue"])
    assert "Sharding the queue" in text(client.get(draft.get_absolute_url()))


def test_editing_a_published_posts_title_and_excerpt_shows_everywhere_next_request(client, posts):
    urls = reader_urls(posts)
    for url in urls:
        assert "Caching at the edge" in text(stored(client, url))
    article = posts.article
    article.refresh_from_db()

    article.title = "Edge caching, two years later"
    article.excerpt = "Edges matter more than ever."
    article.save()

    assert article.get_absolute_url() == posts.article.get_absolute_url()
    assert_next_request_shows(
        client,
        urls,
        present=["Edge caching, two years later", "Edges matter more than ever."],
        absent=["Caching at the edge", "Why edges matter."],
    )


def test_unpublishing_a_post_removes_it_on_the_next_request(client, posts):
    listings = [url for url in reader_urls(posts) if url != posts.article.get_absolute_url()]
    for url in [*listings, posts.article.get_absolute_url()]:
        stored(client, url)
    article = posts.article
    article.refresh_from_db()

    article.status = Post.Status.DRAFT
    article.save()

    assert client.get(article.get_absolute_url()).status_code == 404
    assert_next_request_shows(client, listings, absent=["Caching at the edge"])


def test_deleting_a_post_removes_it_on_the_next_request(client, posts):
    listings = [url for url in reader_urls(posts) if url != posts.article.get_absolute_url()]
    for url in [*listings, posts.article.get_absolute_url()]:
        stored(client, url)

    posts.article.delete()

    assert client.get(posts.article.get_absolute_url()).status_code == 404
    assert_next_request_shows(client, listings, absent=["Caching at the edge"])


def test_renaming_a_tag_shows_on_the_next_request(client, posts):
    urls = [
        reverse("digest:post-index"),
        posts.article.get_absolute_url(),
        reverse("digest:tag-detail", kwargs={"slug": "caching"}),
        reverse("digest:feed-rss"),
    ]
    for url in urls:
        assert "Edge delivery" not in text(stored(client, url))
    tag = Tag.objects.get(slug="caching")

    tag.name = "Edge delivery"
    tag.save()

    assert_next_request_shows(client, urls, present=["Edge delivery"])


def test_renaming_an_author_shows_on_the_next_request(client, posts):
    urls = [
        posts.article.get_absolute_url(),
        reverse("digest:author-detail", kwargs={"username": "ada"}),
    ]
    for url in urls:
        assert "Ada Lovelace" in text(stored(client, url))

    posts.author.display_name = "Countess of Lovelace"
    posts.author.save()

    assert_next_request_shows(
        client, urls, present=["Countess of Lovelace"], absent=["Ada Lovelace"]
    )


def test_changing_the_site_settings_shows_on_the_next_request(client, posts):
    urls = [
        reverse("digest:post-index"),
        posts.article.get_absolute_url(),
        reverse("digest:quote-list"),
        reverse("digest:feed-rss"),
        reverse("sponsors:about"),
    ]
    for url in urls:
        assert "Caches all the way down" not in text(stored(client, url))
    site = SiteSettings.objects.get_or_create(pk=1)[0]

    site.tagline = "Caches all the way down"
    site.save()

    assert_next_request_shows(client, urls, present=["Caches all the way down"])


@pytest.mark.parametrize(
    ("part", "field", "old", "new", "url_names"),
    [
        (
            "quotes",
            "text",
            "Latency is the mother of all problems.",
            "Tail latency is the mother of all problems.",
            ["post", "quotes", "speaker", "index"],
        ),
        ("stats", "figure", "200K", "450K", ["post", "index"]),
        ("items", "text", "got faster.", "got a lot faster.", ["post", "index"]),
    ],
)
def test_editing_a_digest_part_shows_on_the_next_request(
    client, posts, part, field, old, new, url_names
):
    pages = {**{name: PAGES[name](posts) for name in PAGES}, "post": posts.issue.get_absolute_url()}
    urls = [pages[name] for name in url_names]
    for url in urls:
        assert old in text(stored(client, url)), url
    record = getattr(posts.issue, part).get()

    setattr(record, field, new)
    record.save()
    posts.issue.refresh_parts()  # the part's row, then its post: the one write path

    assert_next_request_shows(client, urls, present=[new])


def test_a_scheduled_post_appears_when_its_time_comes_with_no_purge(client, posts, monkeypatch):
    coming = PostFactory(scheduled=True, title="Tomorrow, at nine", tags=["caching"])
    urls = [
        reverse("digest:post-index"),
        reverse("digest:tag-detail", kwargs={"slug": "caching"}),
        reverse("digest:feed-rss"),
        reverse("digest:feed-atom"),
    ]
    # Stored a second before its time, so nothing else due sooner (a new week of sponsors)
    # can be what retires them.
    monkeypatch.setattr(timezone, "now", lambda: coming.publish_at - timedelta(seconds=1))
    for url in urls:
        assert "Tomorrow, at nine" not in text(stored(client, url))
    assert client.get(coming.get_absolute_url()).status_code == 404

    monkeypatch.setattr(timezone, "now", lambda: coming.publish_at)
    assert_next_request_shows(client, urls, present=["Tomorrow, at nine"])
    assert "Tomorrow, at nine" in text(client.get(coming.get_absolute_url()))


def test_a_scheduled_post_appears_through_the_wsgi_callable_too(posts, monkeypatch):
    coming = PostFactory(scheduled=True, title="Tomorrow, at nine")
    url = reverse("digest:post-index")
    stored(wsgi_request, url)

    monkeypatch.setattr(timezone, "now", lambda: coming.publish_at + timedelta(seconds=1))
    response = wsgi_request(url)

    assert cache_status(response) == "miss"
    assert "Tomorrow, at nine" in text(response)


def sponsor_pages():
    return [reverse("digest:post-index"), reverse("sponsors:about")]


def test_approving_a_listing_for_this_week_puts_its_sponsor_in_the_sidebar(client, posts):
    listing = ListingFactory(sponsor=SponsorFactory(name="Queuemaster"), weeks=[this_week()])
    for url in sponsor_pages():
        assert "Queuemaster" not in text(stored(client, url))

    listing.approve(by=UserFactory(is_staff=True))

    assert_next_request_shows(client, sponsor_pages(), present=["Queuemaster"])


def test_renaming_a_sponsor_shows_in_the_sidebar(client, posts):
    sponsor = SponsorFactory(name="Queuemaster")
    ListingFactory(sponsor=sponsor, approved=True, weeks=[this_week()])
    for url in sponsor_pages():
        assert "Queuemaster" in text(stored(client, url))

    sponsor.name = "Streamwright"
    sponsor.save()

    assert_next_request_shows(
        client, sponsor_pages(), present=["Streamwright"], absent=["Queuemaster"]
    )


def test_a_new_week_replaces_last_weeks_sponsors_with_no_write(client, posts, monkeypatch):
    ListingFactory(sponsor=SponsorFactory(name="Queuemaster"), approved=True, weeks=[this_week()])
    ListingFactory(
        sponsor=SponsorFactory(name="Streamwright"),
        approved=True,
        weeks=[this_week() + timedelta(days=7)],
    )
    for url in sponsor_pages():
        page = text(stored(client, url))
        assert "Queuemaster" in page
        assert "Streamwright" not in page
    monday = next_week_starts(timezone.now())

    monkeypatch.setattr(timezone, "now", lambda: monday - timedelta(seconds=1))
    assert all(cache_status(client.get(url)) == "hit" for url in sponsor_pages())

    monkeypatch.setattr(timezone, "now", lambda: monday)
    assert_next_request_shows(
        client, sponsor_pages(), present=["Streamwright"], absent=["Queuemaster"]
    )


@pytest.mark.django_db(transaction=True)
def test_a_page_built_before_the_commit_is_not_served_after_it(client):
    """The token is renewed at the save and again when the transaction commits, so a page
    built in between (here in the same connection; in production by another worker that
    still read the old rows) is never served once the change is committed."""
    article = PostFactory(title="Caching at the edge")
    url = reverse("digest:post-index")
    stored(client, url)

    with transaction.atomic():
        article.title = "Edge caching, two years later"
        article.save()
        during = client.get(url)
        assert cache_status(during) == "miss"
        assert cache_status(client.get(url)) == "hit"

    after = client.get(url)
    assert cache_status(after) == "miss"
    assert "Edge caching, two years later" in text(after)
    assert cache_status(client.get(url)) == "hit"
