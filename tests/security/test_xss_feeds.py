"""Feeds and tag names: a feed describes itself inertly, and control characters or odd tag
names in a post break neither its feeds nor its pages."""

import xml.etree.ElementTree as ET  # noqa: S405 -- parses our own feeds and sitemaps

import pytest
from django.urls import reverse

from digest.models import Post, SiteSettings
from tests.accounts.factories import UserFactory
from tests.security.xss_helpers import check_xml

# --- weaknesses found (strict xfail: they turn red when fixed, so the mark comes off) --------


@pytest.mark.parametrize("feed", ["tag", "site"])
def test_a_feed_describes_itself_inertly(client, db, feed):
    payload = "<img src=x onerror=alert(1)>"
    SiteSettings.objects.update_or_create(pk=1, defaults={"tagline": payload})
    post = Post.objects.create(
        title="Tagged", status=Post.Status.PUBLISHED, author=UserFactory(), excerpt="x"
    )
    post.tags.add(payload)
    url = (
        reverse("digest:tag-feed", args=[post.tags.get().slug])
        if feed == "tag"
        else reverse("digest:feed-rss")
    )
    response = client.get(url)
    assert response.status_code == 200
    assert check_xml(response.content) == []


def post_with_control_characters(where):
    """A post with a form feed (as pasted from a PDF) or a vertical tab in one field."""
    post = Post.objects.create(
        title="Feed \x0c test" if where == "title" else "Feed test",
        excerpt="Page\x0cbreak" if where == "excerpt" else "x",
        status=Post.Status.PUBLISHED,
        author=UserFactory(),
    )
    post.tags.add("vertical\x0btab" if where == "tag" else "plain")
    return post


@pytest.mark.parametrize("where", ["title", "excerpt", "tag"])
def test_a_control_character_in_a_post_breaks_no_site_feed(client, db, where):
    post_with_control_characters(where)
    for name in ("digest:feed-rss", "digest:feed-atom"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        ET.fromstring(response.content)  # noqa: S314 -- our own response


def test_a_control_character_in_a_tag_name_breaks_not_its_feed(client, db):
    post = post_with_control_characters("tag")
    client.raise_request_exception = False
    response = client.get(reverse("digest:tag-feed", args=[post.tags.get().slug]))
    assert response.status_code == 200
    ET.fromstring(response.content)  # noqa: S314 -- our own response


@pytest.mark.parametrize("name", ["Café", "<>", "🚀"])
def test_a_tag_of_any_name_leaves_the_pages_up(client, db, name):
    post = Post.objects.create(
        title="Tagged", status=Post.Status.PUBLISHED, author=UserFactory(), excerpt="x"
    )
    post.tags.add(name)
    client.raise_request_exception = False
    assert client.get(reverse("digest:post-index")).status_code == 200
    assert client.get(post.get_absolute_url()).status_code == 200
