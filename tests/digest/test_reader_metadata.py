"""What crawlers and share cards read: Twitter cards, a BlogPosting in JSON-LD that no title
can break out of, the site's icons, and an h1 on the index."""

import io
import json
import re
from datetime import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static
from django.urls import reverse
from PIL import Image

from digest.models import SiteSettings
from tests.digest.factories import PostFactory

pytestmark = pytest.mark.django_db

HOSTILE = "Scaling </script><script>alert(1)</script> & <b>more</b>"


def picture():
    output = io.BytesIO()
    Image.new("RGB", (1200, 630), "teal").save(output, "JPEG")
    return SimpleUploadedFile("lead.jpg", output.getvalue(), "image/jpeg")


def meta(html, name):
    match = re.search(rf'<meta name="{re.escape(name)}" content="([^"]*)"', html)
    return match and match.group(1)


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


def test_a_post_without_a_lead_image_has_a_summary_card(client):
    post = PostFactory(title="Queues at scale", excerpt="Why queues back up.")
    html = client.get(post.get_absolute_url()).content.decode()
    assert meta(html, "twitter:card") == "summary"
    assert meta(html, "twitter:title") == "Queues at scale"
    assert meta(html, "twitter:description") == "Why queues back up."
    assert meta(html, "twitter:image") is None


def test_a_post_with_a_lead_image_has_a_large_image_card(client):
    post = PostFactory(title="Queues at scale", lead_image=picture())
    html = client.get(post.get_absolute_url()).content.decode()
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == f"{settings.SITE_URL}{post.lead_image.url}"


def test_other_pages_have_a_summary_card_of_the_site(client):
    html = client.get(reverse("digest:archive")).content.decode()
    assert meta(html, "twitter:card") == "summary"
    assert meta(html, "twitter:title")


def test_a_post_page_describes_itself_as_a_blog_posting(client):
    post = PostFactory(title="Queues at scale", lead_image=picture())
    html = client.get(post.get_absolute_url()).content.decode()
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Queues at scale"
    published = datetime.fromisoformat(data["datePublished"])
    assert published == post.publish_at.replace(microsecond=0)
    assert datetime.fromisoformat(data["dateModified"]) >= published
    author_url = settings.SITE_URL + reverse("digest:author-detail", args=[post.author.username])
    assert data["author"] == {"@type": "Person", "name": post.author.name, "url": author_url}
    assert data["image"] == f"{settings.SITE_URL}{post.lead_image.url}"
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"]
    assert data["mainEntityOfPage"]["@id"] == f"{settings.SITE_URL}{post.get_absolute_url()}"


def test_the_json_ld_cannot_be_broken_out_of_by_a_title(client):
    post = PostFactory(title=HOSTILE)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    data = json_ld(html)
    assert data["headline"] == HOSTILE
    assert "image" not in data


def test_every_page_links_the_site_icons(client):
    html = client.get(reverse("digest:post-index")).content.decode()
    for rel, name in [
        ("icon", "favicon.svg"),
        ("icon", "favicon.ico"),
        ("apple-touch-icon", "apple-touch-icon.png"),
    ]:
        assert re.search(rf'<link rel="{rel}"[^>]*href="{re.escape(static("img/" + name))}"', html)


def test_the_index_has_one_h1_naming_the_site(client):
    PostFactory()
    html = client.get(reverse("digest:post-index")).content.decode()
    h1s = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert len(h1s) == 1
    assert h1s[0].strip() == SiteSettings.load().site_name
