"""Markdown is rendered and sanitised once, on save; slugs and versions follow the rules."""

from datetime import datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from digest.models import Post, StaleEdit, slug_from_title
from tests.digest.factories import PostFactory


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, [(name, value or "") for name, value in attrs]))


def elements(html):
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_slugs_from_titles_are_cut_at_60_characters():
    slug = slug_from_title("Stuff The Internet Says On Scalability For February 19th, 2016")
    assert slug == "stuff-the-internet-says-on-scalability-for-february-19th-201"
    assert len(slug) == 60


def test_slug_never_ends_with_a_dash_or_is_empty():
    assert not slug_from_title("A" * 59 + " b").endswith("-")
    assert slug_from_title("!!!") == "post"


@pytest.mark.django_db
def test_markdown_is_rendered_on_save():
    post = PostFactory(
        excerpt="Some *emphasis* and a [link](https://example.com).", body="## Part two"
    )
    post.refresh_from_db()
    link = '<a href="https://example.com" rel="noopener noreferrer">link</a>'
    assert post.excerpt_html == f"<p>Some <em>emphasis</em> and a {link}.</p>\n"
    assert post.body_html == "<h2>Part two</h2>\n"
    assert post.description == "Some emphasis and a link."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        "<style>body{display:none}</style>",
    ],
)
def test_hostile_markup_is_removed(hostile):
    post = PostFactory(excerpt=hostile, body=hostile, byline=hostile)
    for html in (post.excerpt_html, post.body_html, post.byline_html):
        for tag, attrs in elements(html):
            assert tag not in {"script", "iframe", "svg", "style", "object", "embed"}, html
            for name, value in attrs:
                assert not name.startswith("on"), html
                if name in {"href", "src"}:
                    assert not value.strip().lower().startswith(("javascript:", "data:")), html


@pytest.mark.django_db
def test_two_posts_with_the_same_title_on_one_day_get_distinct_slugs():
    day = timezone.make_aware(datetime(2016, 2, 19, 9))
    first = PostFactory(title="Same title", publish_at=day)
    second = PostFactory(title="Same title", publish_at=day.replace(hour=15))
    assert first.slug == "same-title"
    assert second.slug == "same-title-2"


@pytest.mark.django_db
def test_every_save_increments_the_version():
    post = PostFactory()
    assert post.version == 0
    post.title = "Edited"
    post.save()
    post.refresh_from_db()
    assert post.version == 1


@pytest.mark.django_db
def test_a_save_from_a_stale_copy_is_refused_and_nothing_is_overwritten():
    post = PostFactory(title="Original")
    mine, theirs = Post.objects.get(pk=post.pk), Post.objects.get(pk=post.pk)
    theirs.title = "Their edit"
    theirs.save()

    mine.title = "My edit"
    with pytest.raises(StaleEdit):
        mine.save()

    post.refresh_from_db()
    assert post.title == "Their edit"
    assert post.version == 1
