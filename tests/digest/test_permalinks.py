"""Addresses of the original site keep working: permalinks, /blog/ pages and categories."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.digest.factories import PostFactory

FEB_19_DIGEST_URL = (
    "/blog/2016/2/19/stuff-the-internet-says-on-scalability-for-february-19th-201.html"
)


@pytest.fixture
def feb_19_digest(db):
    return PostFactory(
        title="Stuff The Internet Says On Scalability For February 19th, 2016",
        digest=True,
        publish_at=timezone.make_aware(datetime(2016, 2, 19, 9, 0)),
    )


def test_digest_permalink_has_the_original_shape(feb_19_digest):
    assert feb_19_digest.slug == "stuff-the-internet-says-on-scalability-for-february-19th-201"
    assert feb_19_digest.get_absolute_url() == FEB_19_DIGEST_URL


def test_original_address_shows_the_digest(client, feb_19_digest):
    response = client.get(FEB_19_DIGEST_URL)
    assert response.status_code == 200
    title = "Stuff The Internet Says On Scalability For February 19th, 2016"
    assert f'<h1 class="entry-title">{title}</h1>' in response.content.decode()


def test_same_slug_on_another_year_is_another_post(client, feb_19_digest):
    other = PostFactory(
        title="Stuff The Internet Says On Scalability For February 19th, 2016 (repeat)",
        slug=feb_19_digest.slug,
        publish_at=timezone.make_aware(datetime(2017, 2, 19, 9, 0)),
    )
    assert client.get(FEB_19_DIGEST_URL).context["post"] == feb_19_digest
    assert client.get(other.get_absolute_url()).context["post"] == other


@pytest.mark.parametrize(
    "variant",
    [
        "/blog/2016/02/19/stuff-the-internet-says-on-scalability-for-february-19th-201.html",
        "/blog/2016/2/20/stuff-the-internet-says-on-scalability-for-february-19th-201.html",
    ],
)
def test_near_miss_addresses_redirect_permanently_to_the_permalink(client, feb_19_digest, variant):
    response = client.get(variant)
    assert response.status_code == 301
    assert response["Location"] == FEB_19_DIGEST_URL


@pytest.mark.parametrize(
    "url",
    [
        "/blog/2016/13/40/nothing-here.html",
        "/blog/99999/1/1/nothing.html",
        "/blog/2016/2/19/no-such-post.html",
    ],
)
def test_impossible_or_unknown_permalinks_are_404(client, feb_19_digest, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_blog_index_redirects_permanently_home(client, db):
    response = client.get("/blog/")
    assert response.status_code == 301
    assert response["Location"] == reverse("digest:post-index")


def test_blog_current_page_redirects_to_page(client, db):
    response = client.get("/blog/", {"currentPage": "7"})
    assert response.status_code == 301
    assert response["Location"] == reverse("digest:post-index") + "?page=7"


def test_blog_current_page_that_is_not_a_number_is_404(client, db):
    response = client.get("/blog/", {"currentPage": "seven"})
    assert response.status_code == 404


def test_category_redirects_permanently_to_tag(client, db):
    response = client.get("/blog/category/caching")
    assert response.status_code == 301
    assert response["Location"] == reverse("digest:tag-detail", kwargs={"slug": "caching"})


def test_previous_and_next_links_follow_reading_order(client, db):
    older = PostFactory(title="Older post", publish_at=timezone.now() - timezone.timedelta(days=3))
    middle = PostFactory(
        title="Middle post", publish_at=timezone.now() - timezone.timedelta(days=2)
    )
    newer = PostFactory(title="Newer post", publish_at=timezone.now() - timezone.timedelta(days=1))
    PostFactory(
        title="Draft in between",
        draft=True,
        publish_at=timezone.now() - timezone.timedelta(days=2, hours=1),
    )

    page = client.get(middle.get_absolute_url()).content.decode()

    assert f'rel="prev" href="{older.get_absolute_url()}">« Older post</a>' in page
    assert f'rel="next" href="{newer.get_absolute_url()}">Newer post »</a>' in page
    assert "Draft in between" not in page
