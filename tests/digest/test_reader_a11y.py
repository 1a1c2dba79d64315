"""Details readers with assistive technology and small screens notice: distinct search
landmarks, headings without gaps, tag links large enough to tap, a placeholder that fits,
and counts with thousands separators."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from sponsors.compiling import render_sections
from tests.accounts.factories import UserFactory
from tests.digest.factories import PostFactory, bulk_posts
from tests.sponsors.factories import ListingFactory

pytestmark = pytest.mark.django_db

SITE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


def search_landmarks(html):
    return re.findall(r"<form[^>]*role=\"search\"[^>]*>", html)


def test_the_search_page_names_its_two_search_landmarks_apart(client):
    PostFactory(title="Kafka at scale")
    html = client.get(reverse("digest:search") + "?q=kafka").content.decode()
    forms = search_landmarks(html)
    assert len(forms) == 2
    names = [re.search(r'aria-label="([^"]+)"', form) for form in forms]
    assert all(names), forms
    assert names[0].group(1) != names[1].group(1)


def test_the_sidebar_search_placeholder_fits_its_box(client):
    html = client.get(reverse("digest:post-index")).content.decode()
    placeholder = re.search(r'id="sidebar-q"[^>]*placeholder="([^"]*)"', html).group(1)
    assert placeholder == "Search"


def test_sponsored_post_sections_are_h2_under_the_posts_h1(client):
    listing = ListingFactory()
    markup = render_sections([listing], more_below=False)
    assert "<h3" not in markup
    assert re.findall(r"<h2>(.*?)</h2>", markup)


def test_tag_links_are_at_least_24px_tall():
    css = SITE_CSS.read_text()
    for selector in (".tag-cloud a", ".entry-tags a"):
        rule = re.search(rf"{re.escape(selector)}[^{{]*\{{([^}}]*)\}}", css)
        assert rule, selector
        assert re.search(r"min-height:\s*24px", rule.group(1)), (selector, rule.group(1))
        assert "inline-block" in rule.group(1) or "inline-flex" in rule.group(1), selector


def test_large_counts_have_thousands_separators(client):
    bulk_posts(1000, UserFactory(), tags=["latency"])
    sidebar = client.get(reverse("digest:post-index")).content.decode()
    assert re.search(r'latency</a> <span class="count">1,000</span>', sidebar)
    results = client.get(reverse("digest:search") + "?q=entry").content.decode()
    # Search counts up to 1,000 and says "More than 1,000" beyond.
    assert "1,000 results for" in results
    tag_page = client.get(reverse("digest:tag-detail", kwargs={"slug": "latency"}))
    assert "1,000 entries" in tag_page.content.decode()
