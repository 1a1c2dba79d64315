"""Links to the old site inside imported HTML point at this site's pages after the import:
posts keep their legacy address, categories become tags, the blog index the home page, the
feed the feed; files stay on the old host and links to other sites are untouched."""

from datetime import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from digest.importers.archive import import_archive
from digest.importers.feed import import_feed
from digest.importers.html_digest import clean_html
from digest.importers.old_links import new_address, rewrite_old_links
from digest.models import Post
from tests.digest.factories import PostFactory

FEB_19_OLD = (
    "http://highscalability.com/blog/2016/2/19/"
    "stuff-the-internet-says-on-scalability-for-february-19th-201.html"
)
FEB_19 = "/blog/2016/2/19/stuff-the-internet-says-on-scalability-for-february-19th-201.html"


def tag(slug):
    return reverse("digest:tag-detail", kwargs={"slug": slug})


# What is left alone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://eng.uber.com/trip-data-squeeze/",
        "http://nothighscalability.com/blog/2016/2/19/x.html",
        "http://highscalability.com.evil.example/blog/2016/2/19/x.html",
        "https://feeds.feedburner.com/HighScalability",
        "http://feedproxy.google.com/~r/HighScalability/~3/aBcDeF/stuff.html",
        "mailto:todd@highscalability.com",
        "ftp://highscalability.com/pub/file",
        "/blog/2016/2/19/already-relative.html",
        "#quote-7",
        "http://[highscalability.com/blog/",
        # The old site's files: this site does not serve them.
        "https://highscalability.com/storage/2016/03/cold-aisle.jpg",
        "http://highscalability.com/storage/scaling-slides.pdf?__SQUARESPACE_CACHEVERSION=1",
        "http://highscalability.com/wp-content/uploads/2016/03/diagram.png",
        "http://highscalability.com/display/diagram.gif",
    ],
)
def test_links_to_other_sites_and_to_the_old_sites_files_are_left_alone(url):
    assert new_address(url) is None


def test_html_without_old_links_comes_back_as_it_was():
    markup = (
        '<p>See <a href="https://eng.uber.com/trip-data-squeeze/" rel="noopener noreferrer">'
        "How Uber Engineering Evaluated JSON Encoding</a> &amp; more.</p>"
    )
    assert rewrite_old_links(markup) == markup
    assert rewrite_old_links("") == ""


# What is rewritten ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (FEB_19_OLD, FEB_19),
        (FEB_19_OLD.replace("http://", "https://www."), FEB_19),
        (FEB_19_OLD.replace("http:", ""), FEB_19),  # scheme-relative
        (FEB_19_OLD.replace("highscalability.com", "HighScalability.com:80"), FEB_19),
        (FEB_19_OLD.removesuffix(".html"), FEB_19),  # Squarespace links drop .html
        (FEB_19_OLD.replace("/2016/2/19/", "/2016/02/19/"), FEB_19),
        (
            FEB_19_OLD + "?utm_source=feedburner&utm_medium=feed&utm_campaign=Feed%3A+x",
            FEB_19,
        ),
        (FEB_19_OLD + "#comments", FEB_19 + "#comments"),
        (FEB_19_OLD + "?utm_source=twitter#quote-7", FEB_19 + "#quote-7"),
        ("https://www.highscalability.com/blog/category/example", tag("example")),
        ("http://highscalability.com/blog/category/Big%20Data/", tag("big-data")),
        (
            "http://highscalability.com/blog/category/hot-links?utm_source=x#top",
            tag("hot-links") + "#top",
        ),
        ("http://highscalability.com/blog/", "/"),
        ("http://highscalability.com/blog", "/"),
        ("http://highscalability.com", "/"),
        ("http://highscalability.com/blog/?currentPage=12", "/?page=12"),
        ("http://highscalability.com/blog/?currentPage=x&utm_medium=feed", "/"),
        ("http://highscalability.com/rss.xml", reverse("digest:feed-rss")),
        ("https://highscalability.com/blog/rss.xml", reverse("digest:feed-rss")),
        # Addresses this site redirects when they are followed (test_legacy_redirects).
        ("http://highscalability.com/blog/author/Todd%20Hoff", "/blog/author/Todd%20Hoff"),
        ("http://highscalability.com/blog/recommend/28815239", "/blog/recommend/28815239"),
        ("http://highscalability.com/all-time-favorites/", "/all-time-favorites/"),
        # Any other page: the same path here, its own parameters kept.
        (
            "http://highscalability.com/start-here/?section=rss&utm_source=x#about",
            "/start-here/?section=rss#about",
        ),
    ],
)
def test_an_old_address_becomes_this_sites_address(old, new):
    assert new_address(old) == new


def test_a_post_address_keeps_the_legacy_shape_of_this_sites_permalinks(db):
    post = PostFactory(
        title="Stuff The Internet Says On Scalability For February 19th, 2016",
        publish_at=timezone.make_aware(datetime(2016, 2, 19, 16, 0)),
    )
    assert new_address(FEB_19_OLD) == post.get_absolute_url()


def test_links_in_sanitised_html_are_rewritten_in_place():
    markup = clean_html(
        '<p>Last week: <a href="http://highscalability.com/blog/2016/2/12/'
        "stuff-the-internet-says-on-scalability-for-february-12th-201.html?utm_source=feedburner"
        '&amp;utm_medium=feed" title="The 12th > the 5th">Stuff for February 12th</a>, '
        'the <a href="https://www.highscalability.com/blog/category/example">example</a> tag, '
        '<a href="https://eng.uber.com/trip-data-squeeze/">Uber</a> and a picture '
        '<a href="https://highscalability.com/storage/2016/03/cold-aisle.jpg">'
        '<img src="https://highscalability.com/storage/2016/03/cold-aisle.jpg'
        '?__SQUARESPACE_CACHEVERSION=1457700960000" alt="Cold aisle"></a>.</p>'
    )

    assert markup == (
        '<p>Last week: <a href="/blog/2016/2/12/'
        'stuff-the-internet-says-on-scalability-for-february-12th-201.html" '
        'title="The 12th &gt; the 5th" rel="noopener noreferrer">Stuff for February 12th</a>, '
        'the <a href="/tags/example/" rel="noopener noreferrer">example</a> tag, '
        '<a href="https://eng.uber.com/trip-data-squeeze/" rel="noopener noreferrer">Uber</a> '
        'and a picture <a href="https://highscalability.com/storage/2016/03/cold-aisle.jpg" '
        'rel="noopener noreferrer"><img src="https://highscalability.com/storage/2016/03/'
        'cold-aisle.jpg?__SQUARESPACE_CACHEVERSION=1457700960000" alt="Cold aisle"></a>.</p>'
    )


def test_a_kept_query_is_escaped_again_in_the_attribute():
    markup = clean_html('<a href="http://highscalability.com/search?q=a&amp;b=c%20d">x</a>')
    assert 'href="/search?q=a&amp;b=c%20d"' in markup


def test_the_old_domains_come_from_the_settings(settings):
    settings.LEGACY_DOMAINS = ["old.example.org"]

    assert new_address("https://www.old.example.org/blog/category/queues") == tag("queues")
    assert new_address("https://old.example.org/blog/rss.xml") == reverse("digest:feed-rss")
    assert new_address(FEB_19_OLD) is None


# Through an import ----------------------------------------------------------------------------

# A FeedBurner feed: <link> is the click tracker, feedburner:origLink the old address; the
# bodies link to the old site's posts, a category, the blog index and the feed.
FEEDBURNER = (Path(__file__).resolve().parent / "fixtures" / "feedburner-old-links.rss").read_text()


def test_an_imported_feed_links_to_this_site_instead_of_the_old_one(db):
    report = import_feed(FEEDBURNER)
    assert report.total("created") == 2

    issue = Post.objects.get(kind=Post.Kind.DIGEST)
    assert issue.get_absolute_url() == FEB_19
    assert issue.legacy_id == "28815239"
    assert (
        '<a href="/blog/2016/2/12/stuff-the-internet-says-on-scalability-for-february-12th-201'
        '.html" rel="noopener noreferrer">last week</a>'
    ) in issue.excerpt
    items = [item.text for item in issue.items.all()]
    assert '<a href="/tags/queues/#top" rel="noopener noreferrer">' in items[0]
    assert '<a href="https://eng.uber.com/trip-data-squeeze/"' in items[0]
    assert issue.stats.first().figure_url == "https://www.apple.com/pr/"
    assert issue.quotes.first().source_url == "https://twitter.com/antirez"

    article = Post.objects.get(kind=Post.Kind.ARTICLE)
    text = article.excerpt + article.body
    assert f'href="{FEB_19}#item-3"' in text
    assert 'href="/?page=2"' in text
    assert f'href="{reverse("digest:feed-rss")}"' in text
    assert "highscalability.com" not in text
    assert "highscalability.com" not in "".join([issue.excerpt, issue.body, *items])


def test_imported_links_to_the_old_site_lead_to_pages_here(client, db):
    import_feed(FEEDBURNER)
    article = Post.objects.get(kind=Post.Kind.ARTICLE)

    page = client.get(article.get_absolute_url()).content.decode()

    assert f'href="{FEB_19}#item-3"' in page
    assert client.get(FEB_19).status_code == 200


def test_archive_text_makes_no_links_so_it_has_none_to_rewrite(db):
    # The archive pages were saved as text: an old address in them stays words, shown as
    # they were written (import_archive stores text, never links).
    text = (
        "Why We Moved Our Queues Off the Cloud\n\n"
        f"We wrote about this before: {FEB_19_OLD} has the numbers.\n\n"
        "Click to read more ...\n"
    )

    import_archive(text)

    post = Post.objects.get()
    assert "<a " not in post.excerpt + post.body
    assert FEB_19_OLD in post.excerpt
