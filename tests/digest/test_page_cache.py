"""The whole-page cache (caching.pages, issue 7), through the test client and through the
real WSGI callable config.wsgi.application, with the real cache (local memory in tests).

Anonymous readers get stored pages with no SQL; every change a reader could see shows on the
very next request with no purge; nobody is ever served a page made for someone else; stored
pages answer conditional GETs with 304s.
"""

import math
import runpy
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date, urlencode
from taggit.models import Tag

from caching.content import content_changed, content_state
from digest.models import Post, SiteSettings
from sponsors.models import Listing, this_week
from sponsors.showcase import next_week_starts
from tests.accounts.factories import PASSWORD, UserFactory
from tests.digest.factories import PostFactory, bulk_posts, digest_with_parts
from tests.digest.page_cache_helpers import (
    HOST,
    cache_status,
    client_cookies,
    stored,
    text,
    wsgi_request,
)
from tests.sponsors.factories import ListingFactory, SponsorFactory

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"


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


def local_day(post):
    return timezone.localtime(post.publish_at)


# Each public page kind, as a URL built from the `posts` fixture.
PAGES = {
    "index": lambda p: reverse("digest:post-index"),
    "index page 2": lambda p: reverse("digest:post-index") + "?" + urlencode({"page": 2}),
    "post": lambda p: p.article.get_absolute_url(),
    "tag": lambda p: reverse("digest:tag-detail", kwargs={"slug": "caching"}),
    "archive": lambda p: reverse("digest:archive"),
    "year": lambda p: reverse("digest:archive-year", kwargs={"year": local_day(p.article).year}),
    "month": lambda p: reverse(
        "digest:archive-month",
        kwargs={"year": local_day(p.article).year, "month": local_day(p.article).month},
    ),
    "author": lambda p: reverse("digest:author-detail", kwargs={"username": "ada"}),
    "quotes": lambda p: reverse("digest:quote-list"),
    "speaker": lambda p: reverse("digest:quote-speaker", kwargs={"key": p.quote.speaker_key}),
    "search": lambda p: reverse("digest:search") + "?" + urlencode({"q": "caching"}),
    "rss": lambda p: reverse("digest:feed-rss"),
    "atom": lambda p: reverse("digest:feed-atom"),
    "tag feed": lambda p: reverse("digest:tag-feed", kwargs={"slug": "caching"}),
    "sitemap": lambda p: reverse("digest:sitemap"),
    "sitemap section": lambda p: reverse("digest:sitemap-section", kwargs={"section": "posts"}),
    "robots": lambda p: reverse("digest:robots"),
    "sponsors": lambda p: reverse("sponsors:about"),
}


@pytest.fixture
def every_page(posts):
    """Enough posts for a second index page; the URL of each public page kind."""
    bulk_posts(django_settings.POSTS_PER_PAGE + 2, posts.author)
    return {name: url(posts) for name, url in PAGES.items()}


# Hits: a second anonymous GET is served from the cache with no SQL ----------------------------


@pytest.mark.parametrize("kind", PAGES)
def test_the_second_anonymous_get_of_a_public_page_is_a_hit_with_no_queries(
    client, every_page, kind, django_assert_num_queries
):
    url = every_page[kind]

    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert cache_status(first) == "miss"
    assert cache_status(second) == "hit"
    assert second.content == first.content
    for header in ("Content-Type", "ETag", "Cache-Control", "Vary"):
        assert second.get(header) == first.get(header), header
    # Last-Modified appears once the second after the change has begun (the validator
    # tests below freeze the clock to check it).
    assert "public" in second["Cache-Control"]


@pytest.mark.parametrize("kind", PAGES)
def test_the_wsgi_callable_answers_a_stored_page_with_no_queries(every_page, kind):
    url = every_page[kind]

    first = wsgi_request(url)
    with CaptureQueriesContext(connection) as queries:
        second = wsgi_request(url)

    assert len(queries) == 0, [query["sql"] for query in queries]
    assert first.status_code == second.status_code == 200
    assert second.status == "200 OK"
    assert cache_status(first) == "miss"
    assert cache_status(second) == "hit"
    assert second.content == first.content
    assert int(second["Content-Length"]) == len(second.content)
    for header in ("Content-Type", "ETag", "X-Content-Type-Options"):
        assert second.get(header) == first.get(header), header


def test_a_page_stored_through_the_client_is_served_by_the_wsgi_callable_and_back(posts, client):
    url = reverse("digest:post-index")

    built = client.get(url)
    fast = wsgi_request(url)
    again = client.get(url)

    assert cache_status(built) == "miss"
    assert cache_status(fast) == cache_status(again) == "hit"
    assert fast.content == built.content == again.content


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


# Never someone else's page --------------------------------------------------------------------


@pytest.fixture
def grace(db):
    return UserFactory(username="grace", display_name="Grace Hopper")


def test_a_logged_in_reader_gets_their_own_page_and_the_next_anonymous_reader_does_not(
    client, posts, grace
):
    url = reverse("digest:post-index")
    stored(client, url)
    client.force_login(grace)

    own = client.get(url)
    anonymous = Client().get(url)

    assert own.status_code == 200
    assert cache_status(own) is None
    assert "Grace Hopper" in text(own)
    assert "public" not in own.get("Cache-Control", "")
    assert cache_status(anonymous) == "hit"
    assert "Grace Hopper" not in text(anonymous)


def test_a_logged_in_readers_page_is_never_stored(client, posts, grace):
    client.force_login(grace)
    urls = [reverse("digest:post-index"), posts.article.get_absolute_url()]
    for url in urls:
        assert "Grace Hopper" in text(client.get(url))
        assert "Grace Hopper" in text(client.get(url))

    for url in urls:
        anonymous = Client().get(url)
        assert cache_status(anonymous) == "miss"
        assert "Grace Hopper" not in text(anonymous)


def test_the_wsgi_callable_never_serves_a_stored_page_to_a_logged_in_reader(client, posts, grace):
    url = reverse("digest:post-index")
    stored(wsgi_request, url)
    client.force_login(grace)

    own = wsgi_request(url, cookies=client_cookies(client))
    anonymous = wsgi_request(url)

    assert own.status_code == 200
    assert cache_status(own) is None
    assert "Grace Hopper" in text(own)
    assert cache_status(anonymous) == "hit"
    assert "Grace Hopper" not in text(anonymous)


def test_a_request_with_credentials_is_not_served_from_the_cache(posts):
    url = reverse("digest:post-index")
    stored(wsgi_request, url)

    response = wsgi_request(url, headers={"Authorization": "Basic Z3JhY2U6c2VjcmV0"})

    assert response.status_code == 200
    assert cache_status(response) is None


def messages_cookie(message):
    """The cookie Django's message framework sets to carry `message` to the next page."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(message_levels.SUCCESS, message)
    response = HttpResponse()
    storage.update(response)
    return response.cookies[storage.cookie_name].value


@pytest.mark.parametrize("via", ["client", "wsgi"])
def test_a_reader_with_a_message_waiting_gets_it_not_a_stored_page(client, posts, via):
    url = reverse("digest:post-index")
    stored(client, url)
    cookie = messages_cookie("Your listing was sent for review.")

    if via == "client":
        client.cookies["messages"] = cookie
        response = client.get(url)
    else:
        response = wsgi_request(url, cookies={"messages": cookie})
    after = Client().get(url)

    assert response.status_code == 200
    assert cache_status(response) is None
    assert "Your listing was sent for review." in text(response)
    assert cache_status(after) == "hit"
    assert "Your listing was sent for review." not in text(after)


def login_token(response):
    marker = 'name="csrfmiddlewaretoken" value="'
    body = text(response)
    start = body.index(marker) + len(marker)
    return body[start : body.index('"', start)]


def test_the_login_page_is_never_stored_and_each_reader_gets_a_working_token(db):
    user = UserFactory(username="grace")
    url = reverse("accounts:login")
    readers = [Client(enforce_csrf_checks=True) for _ in range(2)]

    pages = [reader.get(url) for reader in readers]
    again = readers[0].get(url)

    cookie = django_settings.CSRF_COOKIE_NAME
    for page in [*pages, again]:
        assert page.status_code == 200
        assert cache_status(page) is None
        assert cookie in page.cookies
    assert pages[0].cookies[cookie].value != pages[1].cookies[cookie].value
    for reader, page in zip(readers, pages, strict=True):
        response = reader.post(
            url,
            {"username": "grace", "password": PASSWORD, "csrfmiddlewaretoken": login_token(page)},
        )
        assert response.status_code == 302
        assert reader.session["_auth_user_id"] == str(user.pk)


def test_the_wsgi_callable_never_stores_the_login_page(db):
    url = reverse("accounts:login")

    pages = [wsgi_request(url) for _ in range(3)]

    cookie = django_settings.CSRF_COOKIE_NAME
    for page in pages:
        assert page.status_code == 200
        assert cache_status(page) is None
        assert login_token(page)
    assert len({page.cookies[cookie] for page in pages}) == 3


def test_a_reader_with_a_csrf_cookie_is_never_served_a_stored_page(client, posts):
    # nginx bypasses its cache for the same cookie (deploy/nginx): one rule at both layers.
    url = reverse("digest:post-index")
    stored(Client(), url)
    client.get(reverse("accounts:login"))
    assert django_settings.CSRF_COOKIE_NAME in client.cookies

    response = client.get(url)

    assert cache_status(response) is None
    assert "X-Accel-Expires" not in response
    assert "csrfmiddlewaretoken" not in text(response)


def test_a_staff_preview_is_never_stored(client, posts):
    draft = PostFactory(draft=True, title="Not out yet", author=posts.author)
    editor = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(editor)

    preview = client.get(draft.get_absolute_url())
    client.logout()
    anonymous = [client.get(draft.get_absolute_url()) for _ in range(2)]
    fast = wsgi_request(draft.get_absolute_url())

    assert preview.status_code == 200
    assert "Not out yet" in text(preview)
    assert "no-store" in preview["Cache-Control"]
    for response in [*anonymous, fast]:
        assert response.status_code == 404
        assert cache_status(response) is None
        assert "Not out yet" not in text(response)


def test_a_secret_preview_link_is_never_stored(client, posts):
    draft = PostFactory(draft=True, title="Not out yet", author=posts.author)
    url = reverse("digest:secret-preview", kwargs={"token": draft.make_preview_token()})

    pages = [client.get(url), client.get(url), wsgi_request(url), wsgi_request(url)]

    for page in pages:
        assert page.status_code == 200
        assert cache_status(page) is None
        assert "Not out yet" in text(page)
        assert "no-store" in page["Cache-Control"]
    draft.revoke_preview_token()
    assert client.get(url).status_code == 404
    assert wsgi_request(url).status_code == 404


def test_a_404_is_not_stored(client, posts):
    url = reverse("digest:tag-detail", kwargs={"slug": "no-such-tag"})

    responses = [client.get(url), client.get(url), wsgi_request(url), wsgi_request(url)]

    for response in responses:
        assert response.status_code == 404
        assert cache_status(response) is None


def test_a_page_that_was_a_404_is_there_once_it_exists(client, posts):
    url = reverse("digest:tag-detail", kwargs={"slug": "queues"})
    assert client.get(url).status_code == 404

    PostFactory(title="Queues everywhere", tags=["queues"])

    assert "Queues everywhere" in text(client.get(url))


def test_a_post_to_a_public_url_is_never_answered_from_the_cache(client, posts):
    index, feed = reverse("digest:post-index"), reverse("digest:feed-rss")
    stored(client, index)
    stored(client, feed)

    responses = [
        client.post(index),
        client.post(feed),
        wsgi_request(index, method="POST", body=b"a=1"),
        wsgi_request(feed, method="POST", body=b"a=1"),
    ]

    for response in responses:
        assert cache_status(response) is None
    assert responses[0].status_code == 405
    assert responses[2].status_code == 403  # no CSRF token: the real handler checks it
    assert cache_status(client.get(index)) == cache_status(client.get(feed)) == "hit"


# Conditional GET ------------------------------------------------------------------------------


def set_clock(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


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


CONDITIONAL_PAGES = ["index", "post", "tag", "quotes", "rss", "atom", "tag feed", "sitemap"]


def validator(response, header):
    return response["ETag"] if header == "If-None-Match" else response["Last-Modified"]


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


# The cache key: host and query string ---------------------------------------------------------


def test_page_two_is_not_served_page_one(client, every_page):
    first_page = stored(client, every_page["index"])
    second_title = Post.objects.published()[django_settings.POSTS_PER_PAGE].title

    second_page = client.get(every_page["index page 2"])
    fast = wsgi_request(every_page["index page 2"])

    assert cache_status(second_page) == "miss"
    assert second_title in text(second_page)
    assert second_title not in text(first_page)
    assert cache_status(fast) == "hit"  # the client's host, so the client's stored page 2
    assert fast.content == second_page.content


def test_each_search_is_its_own_page(client, posts):
    search = reverse("digest:search")
    stored(client, search + "?" + urlencode({"q": "edge"}))

    other = client.get(search + "?" + urlencode({"q": "antirez"}))

    assert cache_status(other) == "miss"
    assert "Stuff The Internet Says On Scalability" in text(other)
    assert "Caching at the edge" not in text(other)


def test_another_allowed_host_is_another_page(posts, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]
    url = reverse("digest:feed-rss")
    stored(wsgi_request, url)

    mirror = wsgi_request(url, host="mirror.example")

    assert cache_status(mirror) == "miss"
    assert "http://mirror.example/" in text(mirror)
    assert f"http://{HOST}/" not in text(mirror)


@pytest.mark.parametrize("via", ["client", "wsgi"])
def test_an_unknown_host_gets_a_400_never_a_stored_page(client, posts, via):
    url = reverse("digest:post-index")
    stored(client, url)

    for _ in range(2):
        if via == "client":
            response = client.get(url, headers={"host": "evil.example"})
        else:
            response = wsgi_request(url, host="evil.example")
        assert response.status_code == 400
        assert cache_status(response) is None


def test_a_host_no_longer_allowed_gets_a_400_not_its_stored_page(posts, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "old.example"]
    url = reverse("digest:post-index")
    stored(lambda u: wsgi_request(u, host="old.example"), url)

    settings.ALLOWED_HOSTS = [host for host in settings.ALLOWED_HOSTS if host != "old.example"]
    response = wsgi_request(url, host="old.example")

    assert response.status_code == 400


# Turning it off -------------------------------------------------------------------------------


def test_with_the_page_cache_off_nothing_is_served_from_it(client, posts, settings):
    url = reverse("digest:post-index")
    stored(client, url)

    settings.PAGE_CACHE = False
    responses = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            responses.append(client.get(url))
        assert len(queries) > 0
        responses.append(wsgi_request(url))

    for response in responses:
        assert response.status_code == 200
        assert cache_status(response) is None
        assert "Caching at the edge" in text(response)


# A cache outage -------------------------------------------------------------------------------


def production_caches(monkeypatch, redis_url):
    """The CACHES config/settings.py builds for production with REDIS_URL set."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("SECRET_KEY", "tests-only-not-a-secret")
    return runpy.run_path(str(SETTINGS_FILE))["CACHES"]


def test_with_the_cache_server_down_pages_are_built_uncached(client, posts, settings, monkeypatch):
    settings.CACHES = production_caches(monkeypatch, "redis://127.0.0.1:1/0")
    assert settings.CACHES["default"]["BACKEND"] == "caching.redis_client.SharedClientRedisCache"
    pages = {
        reverse("digest:post-index"): "Caching at the edge",
        posts.article.get_absolute_url(): "The full story of the edge.",
        reverse("digest:feed-rss"): "Caching at the edge",
        reverse("digest:quote-list"): "Latency is the mother of all problems.",
        reverse("sponsors:about"): "This week's sponsors",
    }

    for url, snippet in pages.items():
        for response in (client.get(url), client.get(url), wsgi_request(url)):
            assert response.status_code == 200, url
            assert cache_status(response) is None
            assert snippet in text(response), url


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_server_hung_pages_still_answer_within_a_second_or_two(
    client, settings, monkeypatch
):
    PostFactory(title="Caching at the edge")
    hung = socket.create_server(("127.0.0.1", 0))  # accepts (in the backlog), never answers
    settings.CACHES = production_caches(monkeypatch, f"redis://127.0.0.1:{hung.getsockname()[1]}/0")
    answered = []

    def read_index():
        began = time.monotonic()
        response = client.get(reverse("digest:post-index"))
        answered.append((response, time.monotonic() - began))

    request = threading.Thread(target=read_index, daemon=True)
    try:
        request.start()
        request.join(timeout=30)
    finally:
        hung.close()  # resets the waiting connections, so the request ends either way
        request.join(timeout=30)

    response, took = answered[0]
    assert response.status_code == 200
    assert "Caching at the edge" in text(response)
    assert took < 2, f"{took:.1f} s"
