"""Odd addresses and parameters get a 404 page or a redirect, never a server error."""

import pytest
from django.urls import reverse

from tests.digest.factories import PostFactory

ODD_URLS = [
    "/blog/category/foo%20bar",
    "/blog/category/c++",
    "/blog/category/caf%C3%A9",
    "/blog/category/%00",
    "/blog/category/Caching",
    "/authors/%00/",
    "/authors/a%20b/",
    "/blog/2016/2/19/a%00.html",
    "/blog/2016/2/19/caf%C3%A9.html",
    "/blog/9999/12/31/x.html",
    "/blog/0001/1/1/x.html",
    "/blog/1/1/1/x.html",
    "/blog/2016/0/0/x.html",
    "/blog/2016/99/99/x.html",
    "/archive/0001/",
    "/archive/1/",
    "/archive/9999/",
    "/archive/9999/12/",
    "/archive/2016/0/",
    "/archive/99999999999999999999/",
    "/tags/%00/",
    "/tags/%00/feed/",
    "/tags/caf%C3%A9/feed/",
    "/?page=%00",
    "/?page=1e3",
    "/blog/?currentPage=%00",
    "/search/?q=%00&page=%00",
    "/sitemap-nothing.xml",
    "/sitemap-posts.xml?p=%00",
    "/sitemap-posts.xml?p=99",
]


@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Tokyo", "America/New_York"])
@pytest.mark.django_db
def test_odd_urls_are_a_redirect_or_a_friendly_404(client, settings, time_zone):
    settings.TIME_ZONE = time_zone
    PostFactory(title="Something to find", tags=["caching"])
    for url in ODD_URLS:
        response = client.get(url)
        assert response.status_code in (301, 302, 404), (url, response.status_code)
        if response.status_code == 404 and "sitemap" not in url:
            assert "We couldn’t find that page" in response.content.decode(), url


@pytest.mark.django_db
def test_404_page_does_not_show_internal_messages(client):
    response = client.get(reverse("digest:tag-detail", kwargs={"slug": "never-used"}))
    page = response.content.decode()
    assert response.status_code == 404
    assert "matches the given query" not in page
    assert "There is nothing at this address" in page


@pytest.mark.django_db
def test_legacy_category_with_capitals_or_spaces_finds_its_tag(client):
    response = client.get("/blog/category/Big%20Data")
    assert response.status_code == 301
    assert response["Location"] == reverse("digest:tag-detail", kwargs={"slug": "big-data"})


@pytest.mark.django_db
def test_pages_still_work_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    post = PostFactory(title="Served without a cache", tags=["caching"])
    for url in (
        reverse("digest:post-index"),
        post.get_absolute_url(),
        reverse("digest:tag-detail", kwargs={"slug": "caching"}),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Served without a cache" in response.content.decode()
