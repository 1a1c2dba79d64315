"""Real-shaped 2018 material through every input path: nothing is lost.

The fixtures hold what real weeks of the original site contain and the 2016 sample does not:
quotes with no speaker, "~" instead of ":", a free-form teaser closing the quotes, phrases
before a colon, an attribution after a name, links on stat figures and quote speakers (or on
the quote's text), an intro picture with a caption line and a YouTube iframe, literal
*asterisks* and dotted words (InMemory.Net), a paragraph between the lists, a line after the
closing line, a guest post by "This is a guest post by …", and two archive pages that overlap.
- tests/digest/fixtures/archive-2018-page{1,2}.txt: archive pages saved as text
- tests/digest/fixtures/feedburner-2018.rss: the same weeks as FeedBurner served them
The WXR path has its own file (test_import_wxr.py).
"""

import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from digest.importers.base import ImportedPost, default_author, write_post
from digest.importers.html_digest import read_digest_html
from digest.markdown import html_to_text
from digest.models import Item, Post, Quote, Stat
from digest.models.parts import sync_parts
from sponsors.models import Listing, Sponsor
from tests.digest.factories import PostFactory
from tests.digest.helpers import new_digest_url, submit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGE_1 = FIXTURES / "archive-2018-page1.txt"
PAGE_2 = FIXTURES / "archive-2018-page2.txt"
FEED = FIXTURES / "feedburner-2018.rss"
MARCH_9 = "Stuff The Internet Says On Scalability For March 9th, 2018"
QUEUE = "Sure, You Can Build Your Own Queue"
MOVED = "Why We Moved Our Queues Off the Cloud"
# Lines of the format itself, which the importers recognise and do not store as content.
BOILERPLATE = (
    "Quotable Quotes:",
    "If you like this sort of Stuff",
    "Don't miss all that the Internet has to say",
    "Don't miss all the Quotable Quotes",
    "Click to read more",
    "This is a guest post by",
)


def run(command, path):
    out = io.StringIO()
    call_command(command, str(path), stdout=out)
    return out.getvalue()


def squeezed(text):
    """Text compared as readers read it: separators and spacing do not count."""
    return re.sub(r"\s*[:~;•]\s*|\s+", " ", text).strip()


def seen(post):
    """Everything a reader can read of `post` on its page."""
    parts = [post.title, post.byline_html, post.excerpt_html, post.support_html, post.body_html]
    parts.append(post.parts_full_html)
    return squeezed(html_to_text(" ".join(parts)))


def entry_lines(path, title, blank=False):
    """The content lines of one entry of an archive page (its title up to "Click to read")."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(title) + 1
    end = next(n for n in range(start, len(lines)) if lines[n].startswith("Click to read more"))
    return [line for line in lines[start:end] if blank or line.strip()]


def test_no_line_of_an_archive_digest_is_lost(db):
    run("import_archive", PAGE_1)
    post = Post.objects.get(title=MARCH_9)

    shown = seen(post)
    lost = [
        line
        for line in entry_lines(PAGE_1, MARCH_9)
        if not line.strip(" •").startswith(BOILERPLATE)
        and any(squeezed(chunk) not in shown for chunk in line.strip(" •").split(";") if chunk)
    ]
    assert lost == []


def test_an_archive_digest_keeps_every_odd_line_in_place_and_reports_it_by_number(db):
    output = run("import_archive", PAGE_1)

    post = Post.objects.get(title=MARCH_9)
    assert (post.stats.count(), post.quotes.count(), post.items.count()) == (6, 9, 3)
    assert [s.figure for s in post.stats.all()] == [
        "10x",
        "$1.2 billion",
        "8,000 X",
        "~a day",
        "way too many",
        "400ms",
    ]
    speakers = [q.speaker for q in post.quotes.all()]
    assert speakers == [
        "@jessfraz",
        "Rob Joyce (NSA)",
        "Rob Joyce",
        "Werner Vogels",
        "@mipsytipsy",
        "",
        "",
        "",
        "Kelsey Hightower",
    ]
    assert post.more_quotes_marker is True
    assert set(post.quotes.filter(speaker__startswith="Rob").values_list("speaker_key", flat=True))
    assert {q.speaker_key for q in post.quotes.filter(speaker__startswith="Rob")} == {"rob-joyce"}
    kelsey = post.quotes.get(speaker="Kelsey Hightower")
    assert html_to_text(kelsey.text_html) == "The best code is no code at all: it never fails."
    for number in (15, 16, 17, 19, 27):
        assert f"line {number}:" in output
    assert "lines: 17 kept structured, 5 kept as text" in output
    assert [q.anchor for q in post.quotes.all()] == list(range(1, 10))


def test_archive_text_stays_text(db):
    run("import_archive", PAGE_1)
    post = Post.objects.get(title=MARCH_9)

    assert "*cognitive*" in html_to_text(post.excerpt_html)
    assert "<em>" not in post.excerpt_html
    assert "<a " not in post.excerpt_html  # "InMemory.Net" is a name, not a link
    assert "*you*" in html_to_text(post.items.first().text_html)
    # The post's own support paragraph, not the site's blurb.
    assert "My Patreon thanks you." in html_to_text(post.support_html)


def test_a_guest_post_by_line_gives_the_byline_and_the_guest_author(db):
    run("import_archive", PAGE_1)
    post = Post.objects.get(title=QUEUE)

    assert (
        html_to_text(post.byline_html) == "This is a guest post by Jane Doe, CTO of Example Corp."
    )
    assert post.author.display_name == "Jane Doe"
    assert "*measure*" in html_to_text(post.excerpt_html)


def test_overlapping_archive_pages_give_each_entry_once(db):
    run("import_archive", PAGE_1)
    guessed = Post.objects.get(title=MOVED).publish_at

    output = run("import_archive", PAGE_2)

    assert Post.objects.filter(title=MOVED).count() == 1
    moved = Post.objects.get(title=MOVED)
    assert moved.date_is_guessed
    assert abs((moved.publish_at - guessed).days) < 60
    assert "0 skipped" in output
    # A cut-off entry at the end of the page is kept as far as it goes, and said so.
    assert "ends inside this entry" in output
    assert Post.objects.filter(title__startswith="Gone in Sixty Seconds").exists()


def test_a_feed_gives_a_guessed_entry_its_real_date_and_address_without_a_copy(client, db):
    run("import_archive", PAGE_1)
    run("import_archive", PAGE_2)

    run("import_feed", FEED)

    queue = Post.objects.get(title=QUEUE)
    assert Post.objects.filter(title=QUEUE).count() == 1
    assert not queue.date_is_guessed
    assert timezone.localtime(queue.publish_at).date() == date(2018, 3, 7)
    assert queue.get_absolute_url() == "/blog/2018/3/7/sure-you-can-build-your-own-queue.html"
    assert client.get(queue.get_absolute_url()).status_code == 200
    assert Post.objects.filter(title=MARCH_9).count() == 1


@pytest.fixture
def feed(db):
    return run("import_feed", FEED)


def test_a_feed_digest_keeps_every_figure_link_and_quote_source_link(feed):
    post = Post.objects.get(title=MARCH_9)

    stats = list(post.stats.all())
    assert [(s.figure, s.figure_url) for s in stats] == [
        ("10x", "https://redis.io/threads"),
        ("$1.2 billion", "https://news.example/chips"),
        ("~a day", "https://tpu.example/"),
        ("8,000 X", ""),
        ("", ""),
        ("400ms", "https://shop.example/p99"),
    ]
    assert html_to_text(stats[4].label_html) == "way too many JavaScript frameworks"
    quotes = {q.speaker: q for q in post.quotes.all()}
    assert post.quotes.count() == 7
    assert (quotes["@jessfraz"].source_url, quotes["@jessfraz"].source_on) == (
        "https://twitter.com/jessfraz/status/1",
        Quote.SourceOn.SPEAKER,
    )
    assert quotes["Werner Vogels"].source_url == "https://twitter.com/Werner/status/2"
    assert (quotes["@mipsytipsy"].source_url, quotes["@mipsytipsy"].source_on) == (
        "https://twitter.com/mipsytipsy/status/3",
        Quote.SourceOn.TEXT,
    )
    assert quotes["Rob Joyce (NSA)"].speaker_key == "rob-joyce"
    assert "<code>chroot</code> is *enough*" in quotes["jsmthrowaway"].text_html
    assert Quote.objects.exclude(source_url="").count() == 4
    assert Stat.objects.exclude(figure_url="").count() == 4
    assert post.more_quotes_marker is True


def test_a_feed_digest_keeps_its_intro_picture_video_support_and_stray_paragraph(client, feed):
    post = Post.objects.get(title=MARCH_9)

    assert '<img src="https://static1.squarespace.com/static/chip.jpg" alt="A chip">' in (
        post.excerpt_html
    )
    assert "*cognitive*" in post.excerpt_html  # literal asterisks, never re-read as Markdown
    assert 'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ' in post.excerpt_html
    assert 'href="https://www.patreon.com/toddhoff"' in post.support_html
    # A link to the old site's page now points at this site's page.
    assert (
        'href="/blog/2018/3/2/stuff-the-internet-says-on-scalability-for-march-2nd-2018.html"'
        in (post.support_html)
    )
    items = [html_to_text(i.text_html) for i in post.items.all()]
    assert items[-1] == "A paragraph the editor left between the lists."
    assert len(items) == 3
    assert "block 6:" in feed and "kept as an item" in feed
    page = client.get(post.get_absolute_url()).content.decode()
    assert "A paragraph the editor left between the lists." in page


def test_a_feed_re_import_touches_no_part_row(feed):
    before = {
        model.__name__: list(model.objects.values_list("pk", "anchor", "position"))
        for model in (Stat, Quote, Item)
    }
    versions = list(Post.objects.values_list("pk", "version"))

    output = run("import_feed", FEED)

    assert "total: 0 created, 0 updated, 3 unchanged, 0 skipped" in output
    assert "3 unchanged" in output
    after = {
        model.__name__: list(model.objects.values_list("pk", "anchor", "position"))
        for model in (Stat, Quote, Item)
    }
    assert after == before
    assert list(Post.objects.values_list("pk", "version")) == versions


def test_a_sponsored_post_in_a_feed_becomes_sponsors_and_listings(feed):
    post = Post.objects.get(kind=Post.Kind.SPONSORED)

    assert sorted(Sponsor.objects.values_list("name", flat=True)) == ["InMemory.Net", "Varnish"]
    assert Listing.objects.count() == 3
    assert Listing.objects.filter(section=Listing.Section.HIRING).count() == 1
    assert Listing.objects.filter(section=Listing.Section.PRODUCT).count() == 2
    assert not Listing.objects.filter(text__contains="Your event could be here").exists()
    assert "This week's sponsors, in no particular order." in html_to_text(
        post.excerpt_html + post.body_html
    )


def test_a_feed_item_with_only_its_excerpt_is_marked_so(feed):
    queue = Post.objects.get(title=QUEUE)

    assert queue.excerpt_only
    assert html_to_text(queue.byline_html).startswith("This is a guest post by Jane Doe")
    assert queue.author.display_name == "Jane Doe"


# The admin's paste boxes: the same week pasted by an editor


def boxes_of(path, title):
    """The stats line, the quote lines and the item lines of an archive digest."""
    lines = entry_lines(path, title, blank=True)
    start = next(n for n, line in enumerate(lines) if "Quotable Quotes:" in line)
    end = next(n for n in range(start + 1, len(lines)) if not lines[n].startswith("    "))
    stats = next(line for line in lines if line.lstrip().startswith("• 10x"))
    return stats, "\n".join(lines[start:end]), "\n".join(lines[end:])


def test_the_same_week_pasted_into_the_boxes_keeps_every_line(client, editor):
    stats, quotes, items = boxes_of(PAGE_1, MARCH_9)
    client.force_login(editor)

    response = submit(
        client,
        new_digest_url(),
        paste_stats=stats,
        paste_quotes=quotes,
        paste_items=items,
        _continue="1",
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert (post.stats.count(), post.quotes.count()) == (6, 9)
    assert post.quotes.filter(speaker="").count() == 3
    items = [html_to_text(item.text_html) for item in post.items.all()]
    # The paste boxes take Markdown, the editor's own format.
    assert "The cloud providers say <em>you</em> do." in post.items.first().text_html
    assert items[1] == "This line was pasted in between the items by mistake."
    page = client.get(response["Location"]).content.decode()
    for number in (7, 8, 9):  # the three speakerless quotes, counted in the quotes box
        assert f"line {number}:" in page


def test_a_source_link_to_the_old_sites_page_becomes_this_sites_address(settings):
    settings.SITE_URL = "https://scalepress.example"
    read = read_digest_html(
        "<ul><li>Quotable Quotes:<ul><li>"
        '<a href="http://highscalability.com/blog/2016/2/19/a-post.html">Todd Hoff</a>: '
        "Read last week's issue.</li></ul></li></ul>"
    )

    [quote] = read.quotes
    assert quote["source_url"] == "https://scalepress.example/blog/2016/2/19/a-post.html"


# Importers combined: a poorer source never replaces what a richer one brought


def test_archive_text_after_the_feed_keeps_the_feeds_links_pictures_and_time(feed):
    post = Post.objects.get(title=MARCH_9)
    before = (
        list(post.quotes.values_list("anchor", "speaker", "source_url")),
        list(post.stats.values_list("figure", "figure_url")),
        post.excerpt_html,
        post.publish_at,
        list(post.tags.names()),
    )

    output = run("import_archive", PAGE_1)

    post.refresh_from_db()
    assert before == (
        list(post.quotes.values_list("anchor", "speaker", "source_url")),
        list(post.stats.values_list("figure", "figure_url")),
        post.excerpt_html,
        post.publish_at,
        list(post.tags.names()),
    )
    assert "kept as the feed brought it" in output
    assert Post.objects.filter(title=MARCH_9).count() == 1
    # And again, the other way round: nothing moves back and forth between runs.
    assert "0 updated" in run("import_feed", FEED)
    assert "0 updated" in run("import_archive", PAGE_1)


def imported(**fields):
    values = {
        "ref": "url:/blog/2018/3/8/a-protected-post.html",
        "title": "A protected post",
        "kind": Post.Kind.ARTICLE,
        "publish_at": timezone.make_aware(datetime(2018, 3, 8, 9)),
        "slug": "a-protected-post",
        "excerpt": "<p>The whole protected text.</p>",
        **fields,
    }
    return ImportedPost(**values)


def test_a_draft_from_a_wxr_export_is_not_published_by_a_feed_that_lists_it(db):
    author = default_author()
    write_post(imported(source="wxr", status=Post.Status.DRAFT), author, set())

    outcome = write_post(
        imported(source="feed", excerpt="<p>There is no excerpt.</p>", excerpt_only=True),
        author,
        set(),
    )

    post = Post.objects.get()
    assert outcome == "unchanged"
    assert post.status == Post.Status.DRAFT
    assert "The whole protected text." in post.excerpt_html


def test_the_same_title_twice_in_one_archive_file_gives_two_posts(db, tmp_path):
    page = tmp_path / "two-weeks.txt"
    page.write_text(
        "Ask HighScalability: What Should I Read?\n\nMy team wants a reading list.\n\n"
        "Click to read more ...\n\n\n"
        "Ask HighScalability: What Should I Read?\n\nA different reader, a different list.\n\n"
        "Click to read more ...\n",
        encoding="utf-8",
    )

    output = run("import_archive", page)

    posts = Post.objects.filter(title="Ask HighScalability: What Should I Read?")
    assert posts.count() == 2
    assert "2 created" in output
    texts = sorted(html_to_text(p.excerpt_html) for p in posts)
    assert texts == ["A different reader, a different list.", "My team wants a reading list."]


def test_a_part_edited_in_place_does_not_keep_its_predecessors_link(db):
    post = PostFactory(kind=Post.Kind.DIGEST)
    sync_parts(
        post,
        quotes=[{"speaker": "Werner Vogels", "text": "Everything fails.",
                 "source_url": "https://twitter.com/Werner/status/2", "source_on": "speaker"}],
    )  # fmt: skip
    anchor = post.quotes.get().anchor

    sync_parts(post, quotes=[{"speaker": "Rob Joyce", "text": "The patch is the product."}])

    quote = post.quotes.get()
    assert (quote.anchor, quote.speaker, quote.source_url, quote.source_on) == (
        anchor,
        "Rob Joyce",
        "",
        Quote.SourceOn.AFTER,
    )
