"""Every reader page has a title, a description, a canonical link and OpenGraph tags; the
service pages (robots, sitemap, healthz) and error pages answer as crawlers and people expect."""

import re
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from digest.models import Post
from tests.digest.factories import PostFactory


@pytest.fixture
def post(db):
    return PostFactory(
        title="How Example Scaled Search",
        excerpt="A short story about *search* at scale.",
        tags=["search"],
    )


def head_of(response):
    html = response.content.decode()
    return {
        "title": re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip(),
        "description": re.search(r'<meta name="description" content="([^"]*)"', html).group(1),
        "canonical": re.search(r'<link rel="canonical" href="([^"]*)"', html).group(1),
        "og_title": re.search(r'<meta property="og:title" content="([^"]*)"', html).group(1),
        "og_url": re.search(r'<meta property="og:url" content="([^"]*)"', html).group(1),
    }


def test_every_reader_page_has_title_description_canonical_and_og(client, post):
    local = timezone.localtime(post.publish_at)
    urls = [
        reverse("digest:post-index"),
        post.get_absolute_url(),
        reverse("digest:tag-detail", kwargs={"slug": "search"}),
        reverse("digest:archive"),
        reverse("digest:archive-year", kwargs={"year": local.year}),
        reverse("digest:archive-month", kwargs={"year": local.year, "month": local.month}),
        reverse("digest:author-detail", kwargs={"username": post.author.username}),
        reverse("digest:search") + "?q=search",
        reverse("accounts:login"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        head = head_of(response)
        assert head["title"] and head["description"] and head["og_title"], url
        assert head["canonical"].startswith(settings.SITE_URL + "/"), url


def test_post_page_metadata_describes_the_post(client, post):
    head = head_of(client.get(post.get_absolute_url()))
    assert head["title"] == f"How Example Scaled Search – {settings.SITE_NAME}"
    assert head["description"] == "A short story about search at scale."
    assert head["canonical"] == settings.SITE_URL + post.get_absolute_url()
    assert head["og_url"] == settings.SITE_URL + post.get_absolute_url()


def test_later_index_pages_are_their_own_canonical(client, db):
    PostFactory.create_batch(11)
    head = head_of(client.get(reverse("digest:post-index"), {"page": 2}))
    assert head["canonical"] == settings.SITE_URL + "/?page=2"


def test_index_entry_shows_title_date_excerpt_and_read_more(client, post):
    page = client.get(reverse("digest:post-index")).content.decode()
    assert f'<a href="{post.get_absolute_url()}">How Example Scaled Search</a>' in page
    assert timezone.localtime(post.publish_at).strftime("%B") in page
    assert "<em>search</em>" in page
    assert "Click to read more ..." in page


def test_a_post_without_more_has_no_read_more_link(client, db):
    PostFactory(body="")
    assert "Click to read more" not in client.get(reverse("digest:post-index")).content.decode()


def test_guest_byline_is_shown(client, db):
    PostFactory(byline="This is a guest repost by Bryan Helmig, CTO at Zapier.")
    page = client.get(reverse("digest:post-index")).content.decode()
    assert '<p class="byline">This is a guest repost by Bryan Helmig, CTO at Zapier.</p>' in page


def test_archive_shows_years_and_months_with_counts(client, post):
    local = timezone.localtime(post.publish_at)
    page = client.get(reverse("digest:archive")).content.decode()
    month_url = reverse("digest:archive-month", kwargs={"year": local.year, "month": local.month})
    assert f'<a href="{month_url}">{local:%B}</a> <span class="count">1</span>' in page


@pytest.mark.parametrize("url", ["/archive/1999/", "/archive/2016/13/", "/archive/0/"])
def test_empty_or_impossible_archive_pages_are_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_unknown_tag_and_author_are_404(client, db):
    assert client.get(reverse("digest:tag-detail", kwargs={"slug": "nope"})).status_code == 404
    assert (
        client.get(reverse("digest:author-detail", kwargs={"username": "nobody"})).status_code
        == 404
    )


def test_unknown_address_gets_a_friendly_404_page(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We couldn’t find that page" in page
    assert 'action="/search/"' in page


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_sitemap_lists_published_posts(client, post):
    index = ElementTree.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 -- our own output
    sections = [loc.text for loc in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(section.endswith("/sitemap-posts.xml") for section in sections)
    posts = ElementTree.fromstring(client.get("/sitemap-posts.xml").content)  # noqa: S314
    locations = [loc.text for loc in posts.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locations == [f"http://testserver{post.get_absolute_url()}"]


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_seed_demo_fills_an_empty_site_once(db, capsys):
    call_command("seed_demo", posts=60)
    assert Post.objects.published().count() == 60
    assert Post.objects.drafts().count() == 1
    assert Post.objects.scheduled().count() == 1
    assert Post.objects.published().filter(kind=Post.Kind.DIGEST).exists()
    assert Post.objects.published().exclude(byline="").exists()
    assert Post.objects.published().exclude(lead_image="").exists()

    call_command("seed_demo", posts=60)
    assert Post.objects.count() == 62
    assert "already present" in capsys.readouterr().out


def test_the_sitemap_lists_posts_tags_with_posts_and_years(client, db):
    old = PostFactory(publish_at=timezone.now().replace(year=2014), tags=["kafka"])
    PostFactory(draft=True, tags=["secret-plans"])

    index = client.get(reverse("digest:sitemap")).content.decode()
    tags = client.get(reverse("digest:sitemap-section", args=["tags"])).content.decode()
    years = client.get(reverse("digest:sitemap-section", args=["years"])).content.decode()

    assert "sitemap-tags.xml" in index and "sitemap-years.xml" in index
    assert "/tags/kafka/" in tags and "secret-plans" not in tags
    assert reverse("digest:archive-year", args=[2014]) in years
    assert (
        old.get_absolute_url()
        in client.get(reverse("digest:sitemap-section", args=["posts"])).content.decode()
    )


def test_favicon_ico_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    name = response["Location"].removeprefix(settings.STATIC_URL)
    assert name.startswith("img/favicon") and name.endswith(".ico")
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
