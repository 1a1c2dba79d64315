"""`manage.py import_feed`: RSS 2.0 and Atom exports become the posts readers open.

Fixtures (tests/digest/fixtures/): `feedburner.rss` in the shape of a FeedBurner RSS 2.0 export
of the original site (content:encoded, dc:creator, guid isPermaLink="false", one digest written
as HTML lists, one item whose link is not an old /blog/ address) and `wordpress.atom`, a WordPress
Atom export (content type="html", author name, category terms, one entry with only <updated>).
Smaller feeds for single failure cases are written inline.
"""

import io
import shutil
import socket
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from digest.markdown import html_to_text
from digest.models import Item, Post, Quote, Stat

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = Path(settings.BASE_DIR) / "digest" / "demo_data" / "archive-2016-02.txt"
FEEDBURNER = FIXTURES / "feedburner.rss"
WORDPRESS = FIXTURES / "wordpress.atom"

DIGEST = "Stuff The Internet Says On Scalability For March 11th, 2016"
FEB_19_DIGEST = "Stuff The Internet Says On Scalability For February 19th, 2016"
DIGEST_ADDRESS = "/blog/2016/3/11/stuff-the-internet-says-on-scalability-for-march-11th-2016.html"
ASYNCIO = "Asyncio Tarantool Queue, get in the queue"
ASYNCIO_ADDRESS = "/blog/2016/3/9/asyncio-tarantool-queue-get-in-the-queue.html"
CLOUD = "Why We Moved Our Queues Off the Cloud"
ZAPIER = "A Journey Through How Zapier Automates Billions of Workflow Automation Tasks"
ZAPIER_ADDRESS = "/blog/2016/3/7/a-journey-through-how-zapier-automates-billions-of-workflow.html"
MALICE = "Malice or Stupidity or Inattention? Using Code Reviews to Find Backdoors"
MALICE_ADDRESS = "/blog/2016/3/4/malice-or-stupidity-or-inattention-using-code-reviews-to-fin.html"
AQP = "When Should Approximate Query Processing Be Used?"
GOOGLE = (
    "Google’s Transition from Single Datacenter, to Failover, to a Native Multihomed Architecture"
)
GOOGLE_ADDRESS = "/blog/2016/2/24/googles-transition-from-single-datacenter-to-failover-to-a-n.html"
# What a feed may carry and a page must not: scripts, handlers, script links and (which
# feedparser's own cleaning lets through) a form asking for a password.
PAYLOADS = (
    "<script",
    "document.write",
    "onclick",
    "stealCookies",
    "javascript:",
    "alert(",
    "<form",
    "<input",
    "phish.example",
)


def import_feed(*args):
    """Run the command as an operator would; its report is what they read."""
    out = io.StringIO()
    call_command("import_feed", *map(str, args), stdout=out)
    return out.getvalue()


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def rss(*items):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
        "<channel><title>High Scalability</title><link>http://highscalability.com/blog/</link>"
        "<description>Building bigger, faster, more reliable websites.</description>"
        + "".join(items)
        + "</channel></rss>"
    )


def item(title=None, day=None, guid="1", link=None, content="<p>A few words of content.</p>"):
    parts = ["<item>"]
    if title is not None:
        parts.append(f"<title>{title}</title>")
    if day is not None:
        parts.append(f"<pubDate>{day}</pubDate>")
    if link is not None:
        parts.append(f"<link>{link}</link>")
    parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    parts.append(f"<content:encoded><![CDATA[{content}]]></content:encoded></item>")
    return "".join(parts)


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Post, Stat, Quote, Item, get_user_model())
    }


@pytest.fixture
def feedburner(db):
    return import_feed(FEEDBURNER)


@pytest.fixture
def wordpress(db):
    return import_feed(WORDPRESS)


# What is not a feed, and items that cannot be imported


def test_a_file_that_is_not_a_feed_is_reported_as_such(db, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Things to move over from the old site: the archive, the feed.\n")

    output = import_feed(notes)

    assert "is not a feed" in output
    assert "1 skipped" in output
    assert Post.objects.count() == 0


def test_a_file_holding_a_url_is_not_fetched_but_reported_as_not_a_feed(db, tmp_path):
    url_file = tmp_path / "feed-address.txt"
    url_file.write_text("http://127.0.0.1:9/feed")

    output = import_feed(url_file)

    assert "is not a feed" in output
    assert Post.objects.count() == 0


@pytest.fixture
def listening_server():
    """A real server on this machine that records every connection made to it (and closes it)."""
    connections, stop = [], threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.05)

        def serve():
            while not stop.is_set():
                try:
                    connection, _ = server.accept()
                except TimeoutError:
                    continue
                connections.append(connection.getpeername())
                connection.close()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.getsockname()[1]}/feed", connections
        stop.set()
        thread.join()


def test_the_importer_never_connects_to_a_url_it_is_given(db, tmp_path, listening_server):
    url, connections = listening_server
    url_file = tmp_path / "feed-address.xml"
    url_file.write_text(url)

    output = import_feed(url_file)

    assert "is not a feed" in output
    assert connections == []


def test_a_file_holding_the_name_of_a_feed_file_does_not_import_that_feed(db, tmp_path):
    pointer = tmp_path / "which-feed.txt"
    pointer.write_text(str(FEEDBURNER))

    output = import_feed(pointer)

    assert "is not a feed" in output
    assert Post.objects.count() == 0


def test_a_file_that_is_not_a_feed_is_not_said_to_be_imported_before(db, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Things to move over from the old site: the archive, the feed.\n")

    output = import_feed(notes)

    assert "imported before" not in output


def test_a_path_that_does_not_exist_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="neither a file nor a folder"):
        import_feed(tmp_path / "missing.rss")


def test_only_an_item_without_a_title_is_skipped_and_the_others_imported(client, db, tmp_path):
    feed = tmp_path / "broken.rss"
    feed.write_text(
        rss(
            item("First good entry", "Mon, 07 Mar 2016 10:00:00 +0000", guid="a"),
            item("An entry without a date", guid="b"),
            item(None, "Tue, 08 Mar 2016 10:00:00 +0000", guid="c"),
            item("Second good entry", "Wed, 09 Mar 2016 10:00:00 +0000", guid="d"),
        )
    )

    output = import_feed(feed)

    skipped = [line for line in output.splitlines() if "skipped item" in line]
    assert len(skipped) == 1
    assert "item 3" in skipped[0]
    assert "has no title, so it cannot be stored" in skipped[0]
    assert "total: 3 created, 0 updated, 0 unchanged, 1 skipped" in output
    assert "item 2 (“An entry without a date”): has no date" in output
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "An entry without a date",
        "First good entry",
        "Second good entry",
    ]
    for post in Post.objects.published():
        page(client, post.get_absolute_url())


def dated_feed(*items, channel_date=None):
    """A feed whose channel has a date (as WordPress and FeedBurner write lastBuildDate)."""
    channel = f"<lastBuildDate>{channel_date}</lastBuildDate>" if channel_date else ""
    return rss(*items).replace("<channel>", "<channel>" + channel, 1)


def test_an_item_without_a_date_is_kept_as_a_draft_dated_like_the_feed(db, tmp_path):
    feed = tmp_path / "undated.rss"
    feed.write_text(
        dated_feed(
            item("Sure, You Can Build Your Own Queue", guid="1036891:10970307:1"),
            channel_date="Fri, 09 Mar 2018 17:00:00 +0000",
        )
    )

    output = import_feed(feed)

    post = Post.objects.get()
    assert post.date_is_guessed
    assert post.status == Post.Status.DRAFT
    assert post.publish_at == datetime(2018, 3, 9, 17, 0, tzinfo=UTC)
    assert "A few words of content." in post.excerpt
    assert (
        "has no date: dated by the feed's own date, marked as guessed and kept as a draft"
    ) in output
    assert "total: 1 created" in output


def test_an_undated_item_of_an_undated_feed_gets_the_import_time_once(db, tmp_path):
    feed = tmp_path / "undated.rss"
    feed.write_text(rss(item("An entry without a date", guid=""), item("Another one", guid="")))
    started = timezone.now().replace(microsecond=0)

    output = import_feed(feed)
    again = import_feed(feed)

    assert "dated by the time of this import" in output
    assert Post.objects.count() == 2
    for post in Post.objects.all():
        assert post.date_is_guessed
        assert started <= post.publish_at <= timezone.now()
    assert "total: 0 created, 0 updated, 2 unchanged, 0 skipped" in again


def test_an_undated_item_with_an_old_address_takes_its_day_from_the_address(client, db, tmp_path):
    feed = tmp_path / "undated.rss"
    feed.write_text(dated_feed(item(ASYNCIO, link=f"http://highscalability.com{ASYNCIO_ADDRESS}")))

    output = import_feed(feed)

    post = Post.objects.get()
    assert post.get_absolute_url() == ASYNCIO_ADDRESS
    assert not post.date_is_guessed
    assert post.status == Post.Status.PUBLISHED
    assert "has no date: dated by its old address" in output
    page(client, ASYNCIO_ADDRESS)


def test_an_item_with_a_title_and_no_text_is_stored_empty_and_noted(client, db, tmp_path):
    feed = tmp_path / "empty.rss"
    feed.write_text(
        rss(
            item(
                "Stuff The Internet Says On Scalability For March 9th, 2018",
                "Fri, 09 Mar 2018 17:00:00 +0000",
                content="",
            ),
            item(CLOUD, "Wed, 07 Mar 2018 10:00:00 +0000", guid="2", content="<p> </p>"),
        )
    )

    output = import_feed(feed)

    assert "total: 2 created, 0 updated, 0 unchanged, 0 skipped" in output
    assert output.count("has no content; stored as it is") == 2
    article = Post.objects.get(title=CLOUD)
    assert article.body == ""
    assert html_to_text(article.excerpt) == ""
    for post in Post.objects.all():
        page(client, post.get_absolute_url())


def test_a_digest_of_items_alone_is_not_said_to_have_no_content(db, tmp_path):
    feed = tmp_path / "items.rss"
    feed.write_text(
        rss(
            item(
                "Stuff The Internet Says On Scalability For March 9th, 2018",
                "Fri, 09 Mar 2018 17:00:00 +0000",
                content="<ul><li>Dropbox moved 500 petabytes off AWS.</li></ul>",
            )
        )
    )

    output = import_feed(feed)

    assert "has no content" not in output
    assert Post.objects.get().items.count() == 1


def test_an_impossible_date_in_the_old_link_gives_way_to_the_items_own_date(client, db, tmp_path):
    feed = tmp_path / "impossible.rss"
    feed.write_text(
        rss(
            item(
                "Only a Title",
                "Tue, 01 Mar 2016 10:00:00 +0000",
                link="http://highscalability.com/blog/2016/2/30/only-a-title-here.html",
            )
        )
    )

    output = import_feed(feed)
    again = import_feed(feed)

    post = Post.objects.get()
    assert post.get_absolute_url() == "/blog/2016/3/1/only-a-title.html"
    assert post.status == Post.Status.PUBLISHED
    assert (
        "has a link with an impossible date: "
        "http://highscalability.com/blog/2016/2/30/only-a-title-here.html; its own date and a "
        "name from its title are used instead"
    ) in output
    assert "1 unchanged" in again
    page(client, post.get_absolute_url())


def test_a_dry_run_writes_nothing_but_reports_what_it_would_do(db):
    before = row_counts()

    output = import_feed(FEEDBURNER, "--dry-run")

    assert "digest: 1 created" in output
    assert "article: 4 created" in output
    assert "Dry run: nothing was written." in output
    assert row_counts() == before
    assert Post.objects.count() == 0


# The FeedBurner RSS export


def test_every_item_of_the_rss_feed_becomes_a_published_post(feedburner):
    assert "digest: 1 created, 0 updated, 0 unchanged, 0 skipped" in feedburner
    assert "article: 4 created, 0 updated, 0 unchanged, 0 skipped" in feedburner
    assert set(Post.objects.published().values_list("title", flat=True)) == {
        DIGEST,
        ASYNCIO,
        CLOUD,
        ZAPIER,
        MALICE,
    }


@pytest.mark.parametrize(
    ("title", "address"),
    [
        (DIGEST, DIGEST_ADDRESS),
        (ASYNCIO, ASYNCIO_ADDRESS),
        (ZAPIER, ZAPIER_ADDRESS),
        (MALICE, MALICE_ADDRESS),
    ],
)
def test_an_old_blog_link_stays_the_posts_permalink(client, feedburner, title, address):
    post = Post.objects.get(title=title)

    assert post.get_absolute_url() == address
    assert title in page(client, address)


def test_a_link_of_another_shape_gives_a_permalink_from_title_and_date(client, feedburner):
    post = Post.objects.get(title=CLOUD)

    assert post.slug == "why-we-moved-our-queues-off-the-cloud"
    assert post.publish_at == datetime(2016, 3, 8, 10, 0, tzinfo=UTC)
    assert CLOUD in page(client, post.get_absolute_url())
    assert client.get("/2016/03/08/why-we-moved-our-queues-off-the-cloud/").status_code == 404


def test_the_publish_time_is_the_items_date(feedburner):
    assert Post.objects.get(title=ASYNCIO).publish_at == datetime(2016, 3, 9, 14, 30, tzinfo=UTC)
    assert Post.objects.get(title=DIGEST).publish_at == datetime(2016, 3, 11, 16, 0, tzinfo=UTC)


def test_the_day_of_an_old_address_wins_over_a_date_in_another_time_zone(client, feedburner):
    # pubDate "Fri, 04 Mar 2016 23:30:00 -0800" is March 5th in UTC; the address says the 4th.
    post = Post.objects.get(title=MALICE)

    assert timezone.localtime(post.publish_at).date() == date(2016, 3, 4)
    response = client.get(MALICE_ADDRESS)
    assert response.status_code == 200


def test_the_author_is_an_account_named_after_the_item_author(client, feedburner):
    zapier = Post.objects.get(title=ZAPIER)
    asyncio = Post.objects.get(title=ASYNCIO)

    assert zapier.author.name == "Bryan Helmig"
    assert asyncio.author.name == "Todd Hoff"
    assert Post.objects.get(title=CLOUD).author == asyncio.author
    assert get_user_model().objects.filter(display_name="Todd Hoff").count() == 1
    author_page = page(client, reverse("digest:author-detail", args=[zapier.author.username]))
    assert "Bryan Helmig" in author_page
    assert ZAPIER_ADDRESS in author_page


def test_categories_become_tags(client, feedburner):
    asyncio = Post.objects.get(title=ASYNCIO)

    assert sorted(asyncio.tags.names()) == ["Example", "Python", "Queues"]
    assert sorted(Post.objects.get(title=ZAPIER).tags.names()) == ["Architecture", "Example"]
    tag_page = page(client, reverse("digest:tag-detail", args=["python"]))
    assert ASYNCIO_ADDRESS in tag_page
    assert ZAPIER_ADDRESS not in tag_page


def test_article_content_is_kept_as_sanitised_html(client, feedburner):
    post = Post.objects.get(title=ASYNCIO)
    stored = post.excerpt + post.body
    html = page(client, ASYNCIO_ADDRESS)

    assert post.text_format == Post.Format.HTML
    for payload in PAYLOADS:
        assert payload not in stored
        assert payload not in post.excerpt_html + post.body_html
    assert "stealCookies" not in html
    assert "alert('xss')" not in html
    assert "phish.example" not in html
    assert "<h3>The task of notifying the entire user base</h3>" in stored
    assert "Queue processing infrastructure on My World social network</a>" in html
    assert "We chose Tarantool Queue because it keeps its data in memory" in html


def test_every_article_of_a_feed_keeps_html_as_its_format(feedburner, wordpress):
    articles = Post.objects.filter(kind=Post.Kind.ARTICLE)

    assert articles.count() == 6
    assert set(articles.values_list("text_format", flat=True)) == {Post.Format.HTML}


def test_a_digest_in_a_feed_becomes_a_structured_digest(client, feedburner):
    post = Post.objects.get(title=DIGEST)

    assert post.kind == Post.Kind.DIGEST
    assert [(s.figure, s.label) for s in post.stats.all()] == [
        ("200K", "msgs send per second through iMessage"),
        ("750 million", "xactions per week in App and iTunes store"),
        ("11 million", "Apple Music subscribers"),
    ]
    quotes = list(post.quotes.all())
    assert [q.speaker for q in quotes] == ["@antirez", "@just_security", "Greg Ferro"]
    assert quotes[0].speaker_key == "antirez"
    assert quotes[1].text.startswith("Comey[FBI]: until these devices[smart phones], there was")
    items = list(post.items.all())
    assert len(items) == 2
    assert items[0].text.startswith("We never considered the possibility Skynet")
    assert "How Uber Engineering Evaluated JSON Encoding" in items[1].text
    assert "Exoplanet Travel Bureau" in post.excerpt
    for text in [post.excerpt, *(i.text for i in items), *(q.text for q in quotes)]:
        assert "support on" not in text
        assert "Don't miss all that the Internet" not in text
    speaker_page = page(client, quotes[0].speaker_url())
    assert "I’ve always this nice feeling" in speaker_page
    html = page(client, DIGEST_ADDRESS)
    assert "msgs send per second through iMessage" in html
    assert "The NSA’s SKYNET program may be killing thousands of innocent people</a>" in html


def test_a_second_import_of_a_feed_changes_nothing_and_says_so(feedburner):
    before = row_counts()
    versions = dict(Post.objects.values_list("pk", "version"))

    output = import_feed(FEEDBURNER)

    assert "total: 0 created, 0 updated, 5 unchanged, 0 skipped" in output
    assert "Nothing changed" in output
    assert row_counts() == before
    assert dict(Post.objects.values_list("pk", "version")) == versions


def test_an_item_changed_in_the_feed_is_updated(client, feedburner, tmp_path):
    changed = tmp_path / "feedburner.rss"
    text = FEEDBURNER.read_text(encoding="utf-8")
    changed.write_text(text.replace("First lesson learned", "The lesson"), encoding="utf-8")

    output = import_feed(changed)

    assert "total: 0 created, 1 updated, 4 unchanged, 0 skipped" in output
    assert Post.objects.get(title=DIGEST).items.count() == 2
    assert "The lesson: when in doubt, invest in benchmarking." in page(client, DIGEST_ADDRESS)


# The WordPress Atom export


def google_post():
    # Looked up by the end of its title: how the start is stored is a test of its own below.
    return Post.objects.get(title__endswith="to Failover, to a Native Multihomed Architecture")


def test_every_entry_of_the_atom_feed_becomes_a_published_post(wordpress):
    assert "article: 2 created, 0 updated, 0 unchanged, 0 skipped" in wordpress
    assert Post.objects.published().count() == 2
    assert Post.objects.get(title=AQP).is_published
    assert google_post().is_published


def test_an_atom_entry_has_its_date_author_tags_and_sanitised_content(client, wordpress):
    post = Post.objects.get(title=AQP)

    assert post.publish_at == datetime(2016, 2, 25, 17, 0, tzinfo=UTC)
    assert post.author.name == "Barzan Mozafari"
    assert sorted(post.tags.names()) == ["Big Data", "Databases"]
    assert post.text_format == Post.Format.HTML
    assert "<iframe" not in post.excerpt + post.body
    assert "onload" not in post.excerpt + post.body
    html = page(client, post.get_absolute_url())
    assert "approximate query processing (AQP) as a means of achieving interactive" in html
    assert "track()" not in html


def test_an_atom_entry_with_only_an_updated_date_keeps_its_old_address(client, wordpress):
    post = google_post()

    assert post.publish_at == datetime(2016, 2, 24, 17, 5, tzinfo=UTC)
    assert post.get_absolute_url() == GOOGLE_ADDRESS
    assert sorted(post.tags.names()) == ["Architecture", "Google"]
    html = page(client, GOOGLE_ADDRESS)
    assert "another excellent paper from Google</a>" in html
    assert "grab()" not in html


def test_a_second_import_of_an_atom_feed_changes_nothing(wordpress):
    output = import_feed(WORDPRESS)

    assert "total: 0 created, 0 updated, 2 unchanged, 0 skipped" in output
    assert "Nothing changed" in output


def test_an_html_atom_title_is_stored_as_the_text_readers_read(client, db, tmp_path):
    feed = tmp_path / "entities.atom"
    feed.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">High Scalability</title>'
        "<id>https://highscalability.wordpress.com/feed/atom/</id>"
        "<updated>2016-03-01T10:00:00Z</updated>"
        "<entry><author><name>Todd Hoff</name></author>"
        '<title type="html"><![CDATA[Tom &#038; Jerry&#8217;s Cache]]></title>'
        '<link rel="alternate" href="https://highscalability.wordpress.com/2016/03/01/tj/"/>'
        "<id>https://highscalability.wordpress.com/?p=4300</id>"
        "<published>2016-03-01T10:00:00Z</published><updated>2016-03-01T10:00:00Z</updated>"
        '<content type="html">&lt;p&gt;Two caches walk into a bar.&lt;/p&gt;</content>'
        "</entry></feed>"
    )

    import_feed(WORDPRESS, feed)

    assert google_post().title == GOOGLE
    post = Post.objects.get(title__endswith="Cache")
    assert post.title == "Tom & Jerry’s Cache"
    assert post.slug == "tom-jerrys-cache"
    assert '<h1 class="entry-title">Tom &amp; Jerry’s Cache</h1>' in page(
        client, post.get_absolute_url()
    )


# Folders


def test_a_folder_imports_every_feed_file_in_it(db, tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    shutil.copy(FEEDBURNER, export / "feedburner.rss")
    shutil.copy(WORDPRESS, export / "wordpress.atom")
    (export / "README.txt").write_text("Exported from the old site in March 2016.\n")

    output = import_feed(export)

    assert "feedburner.rss" in output
    assert "wordpress.atom" in output
    assert "README.txt" not in output
    assert Post.objects.count() == 7
    assert "Nothing changed" in import_feed(export)


def test_a_folder_without_feed_files_is_a_command_error(db, tmp_path):
    (tmp_path / "README.txt").write_text("Nothing here yet.\n")

    with pytest.raises(CommandError, match="holds no"):
        import_feed(tmp_path)


# The archive and the feed of the same site


def test_a_feed_item_at_an_address_already_imported_from_the_archive_is_not_a_second_post(
    db, tmp_path
):
    call_command("import_archive", str(SAMPLE), stdout=io.StringIO())
    feb_19 = Post.objects.get(title=FEB_19_DIGEST)
    feed = tmp_path / "feedburner.rss"
    feed.write_text(
        rss(
            item(
                FEB_19_DIGEST,
                "Fri, 19 Feb 2016 16:00:00 +0000",
                guid="1036891:10970307:99860001",
                link="http://highscalability.com" + feb_19.get_absolute_url(),
                content="<p>JPL is firing up their Exoplanet Travel Bureau.</p><ul>"
                "<li>200K : msgs send per second through iMessage; 11 million : Apple Music "
                "subscribers;</li><li>An item.</li></ul>",
            )
        )
    )

    import_feed(feed)

    local = timezone.localtime(feb_19.publish_at)
    same_address = Post.objects.in_period(local.year, local.month, local.day).filter(
        slug=feb_19.slug
    )
    assert [post.pk for post in same_address] == [feb_19.pk]


# FeedBurner's click tracking


def test_a_feedburner_orig_link_is_kept_as_the_permalink(client, db, tmp_path):
    feed = tmp_path / "feedburner-tracked.rss"
    feed.write_text(
        rss(
            "<item><title>Malice or Stupidity or Inattention? Using Code Reviews to Find "
            "Backdoors</title><pubDate>Fri, 04 Mar 2016 23:30:00 -0800</pubDate>"
            "<link>http://feedproxy.google.com/~r/HighScalability/~3/Xq2v0bSMbDo/"
            "malice-or-stupidity-or-inattention-using-code-reviews-to-fin.html</link>"
            '<guid isPermaLink="false">1036891:10970307:99871005</guid>'
            "<content:encoded><![CDATA[<p>The temptation to put a backdoor into a product is "
            "almost overwhelming.</p>]]></content:encoded>"
            f"<feedburner:origLink>http://highscalability.com{MALICE_ADDRESS}"
            "</feedburner:origLink></item>"
        )
    )

    import_feed(feed)

    assert Post.objects.get().get_absolute_url() == MALICE_ADDRESS
    assert client.get(MALICE_ADDRESS).status_code == 200
