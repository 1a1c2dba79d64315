"""Digests and sponsored posts written as HTML (feeds, WXR) the way real editors write them:
nothing a post holds is dropped, and nothing is stored that the database would refuse.

Each case is one the HTML reader (digest.importers.html_digest) got wrong: a quotes list
beside its "Quotable Quotes:" bullet instead of inside it, a picture in the stats line, a quote
whose link is only part of its text, links longer than a figure or source link can hold, a
stats chunk longer than a stat's label, a heading of no known section in a sponsored post (in
HTML and in the archive text), a sponsor's dotted name or picture through Markdown.
"""

import re
from pathlib import Path

from digest.importers.archive import import_archive
from digest.importers.archive_format import read_archive
from digest.importers.feed import import_feed
from digest.importers.html_digest import read_digest_html, read_sponsored_html
from digest.importers.text import html_to_markdown
from digest.markdown import html_to_text, render_markdown_inline
from digest.models import Post, Quote, Stat
from digest.parsing import MAX_LABEL_LENGTH
from sponsors.models import Listing

FIXTURES = Path(__file__).resolve().parent / "fixtures"
URL_LENGTH = Stat._meta.get_field("figure_url").max_length  # and Quote.source_url's
TRACKER = "https://click.example/track?to=" + "a1b2c3d4" * 70  # 568 characters
LONG_LABEL = " ".join(["the slowest replica holds back every write"] * 55)  # 2,364 characters


def texts(parts, key="text"):
    return [html_to_text(part[key]) for part in parts]


def feed_of(title, content, day="Fri, 09 Mar 2018 17:00:00 +0000"):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>High Scalability</title><link>http://highscalability.com/blog/</link>"
        f"<item><title>{title}</title><pubDate>{day}</pubDate><guid>1</guid>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item></channel></rss>"
    )


# Quotes in a list beside their "Quotable Quotes:" bullet, and what else a list holds

SIBLING_QUOTES = """
<p>A short week.</p>
<ul>
<li><a href="https://redis.io/threads">10x</a>: faster Redis with threads; 400ms: p99;</li>
<li>Quotable Quotes:</li>
<ul>
<li><a href="https://twitter.com/jessfraz/status/1">@jessfraz</a>: Containers are no wall.</li>
<li>Werner Vogels: Everything fails, all the time.</li>
</ul>
<li>Dropbox moved 500 petabytes off <a href="https://aws.example/">AWS</a>.</li>
<p>A paragraph the editor left inside the list.</p>
<ul><li>A nested list under no quotes header.</li></ul>
<li>The last item.</li>
</ul>
"""


def test_a_quotes_list_beside_its_header_bullet_holds_the_quotes():
    read = read_digest_html(SIBLING_QUOTES)

    assert [q["speaker"] for q in read.quotes] == ["@jessfraz", "Werner Vogels"]
    assert read.quotes[0]["source_url"] == "https://twitter.com/jessfraz/status/1"
    assert "Quotable Quotes:" not in " ".join(texts(read.items))


def test_what_a_list_holds_besides_bullets_is_kept_as_items_in_order_and_noted():
    read = read_digest_html(SIBLING_QUOTES)

    assert texts(read.items) == [
        "Dropbox moved 500 petabytes off AWS.",
        "A paragraph the editor left inside the list.",
        "A nested list under no quotes header.",
        "The last item.",
    ]
    noted = [note for note in read.notes if "not a bullet of the list" in note]
    assert len(noted) == 2
    assert "A paragraph the editor left" in noted[0]
    assert "A nested list under no quotes header" in noted[1]


def test_a_header_bullet_with_no_quotes_beside_it_stays_an_item():
    read = read_digest_html("<ul><li>An item.</li><li>Quotable Quotes:</li></ul>")

    assert texts(read.items) == ["An item.", "Quotable Quotes:"]
    assert read.quotes == []


# Pictures in the stats line

CHART = "https://static1.squarespace.com/static/chart.png"
DIAGRAM = "https://static1.squarespace.com/static/diagram.png"


def test_a_picture_in_the_stats_line_is_kept_in_the_stats():
    read = read_digest_html(
        "<ul><li>"
        f'<img src="{CHART}" alt="Throughput chart"> <a href="https://redis.io/">10x</a>: '
        f'faster Redis; <img src="{DIAGRAM}" alt="A diagram">; 400ms: p99 on checkout;'
        "</li><li>An item.</li></ul>"
    )

    labels = " ".join(stat["label"] for stat in read.stats)
    assert CHART in labels
    assert DIAGRAM in labels
    assert (read.stats[-1]["figure"], read.stats[-1]["label"]) == ("400ms", "p99 on checkout")
    assert sum("holds a picture" in note for note in read.notes) == 1
    assert len([note for note in read.notes if note.startswith("stats:")]) == 2


# A quote whose link is only part of its text


def test_a_link_that_is_only_part_of_the_quotes_text_stays_in_the_text():
    read = read_digest_html(
        "<ul><li>Quotable Quotes:<ul>"
        '<li>Grace Hopper: “<a href="https://quotes.example/hopper">It is easier to ask '
        "forgiveness than it is to get permission</a>.”</li>"
        '<li>@mipsytipsy: <a href="https://twitter.com/mipsytipsy/status/3">Observability '
        "is not monitoring.</a> </li>"
        "</ul></li></ul>"
    )

    hopper, charity = read.quotes
    assert html_to_text(hopper["text"]) == (
        "“It is easier to ask forgiveness than it is to get permission.”"
    )
    assert 'href="https://quotes.example/hopper"' in hopper["text"]
    assert hopper.get("source_url", "") == ""
    assert charity["source_on"] == "text"
    assert charity["source_url"] == "https://twitter.com/mipsytipsy/status/3"
    assert charity["text"] == "Observability is not monitoring."


# Links and labels longer than the database holds


def test_links_too_long_for_a_figure_or_source_link_stay_in_the_text():
    read = read_digest_html(
        f'<ul><li><a href="{TRACKER}">200K</a>: msgs per second; 3 TB: a day;</li>'
        "<li>Quotable Quotes:<ul>"
        f'<li><a href="{TRACKER}&s=1">@antirez</a>: Redis 5 streams are here.</li>'
        f'<li>@levie: <a href="{TRACKER}&s=2">Software is eating the world.</a></li>'
        "</ul></li></ul>"
    )

    figure, plain = read.stats
    assert (figure["figure"], figure.get("figure_url", "")) == ("", "")
    assert TRACKER in figure["label"]
    assert plain["figure"] == "3 TB"
    antirez, levie = read.quotes
    assert (antirez["speaker"], levie["speaker"]) == ("@antirez", "@levie")
    assert f"{TRACKER}&amp;s=1" in antirez["text"]
    assert f"{TRACKER}&amp;s=2" in levie["text"]
    assert html_to_text(levie["text"]) == "Software is eating the world."
    assert all(len(q.get("source_url", "")) <= URL_LENGTH for q in read.quotes)
    assert sum("longer than" in note for note in read.notes) == 3


def test_a_stats_chunk_longer_than_a_label_is_kept_as_an_item():
    read = read_digest_html(
        f"<ul><li>10x: faster; 1 replica: {LONG_LABEL}; 20ms: p99; "
        f'3 TB: a day, see <a href="https://x.example/{"q" * 2100}">the graph</a>;</li></ul>'
    )

    assert [stat["figure"] for stat in read.stats] == ["10x", "20ms"]
    assert all(len(stat["label"]) <= MAX_LABEL_LENGTH for stat in read.stats)
    assert texts(read.items) == [f"1 replica: {LONG_LABEL}", "3 TB: a day, see the graph"]
    assert sum("too long for a stat" in note for note in read.notes) == 2


def test_a_digest_with_overlong_links_and_labels_is_stored_within_the_columns_limits(db):
    report = import_feed(
        feed_of(
            "Stuff The Internet Says On Scalability For March 9th, 2018",
            f'<ul><li><a href="{TRACKER}">200K</a>: msgs; 1 replica: {LONG_LABEL}; 3 TB: a day;'
            "</li><li>Quotable Quotes:<ul>"
            f'<li><a href="{TRACKER}">@antirez</a>: Redis 5 streams are here.</li>'
            "</ul></li><li>An item.</li></ul>",
        )
    )

    assert report.total("created") == 1
    post = Post.objects.get()
    limits = {
        (Stat, "figure_url"): URL_LENGTH,
        (Stat, "label"): MAX_LABEL_LENGTH,
        (Quote, "source_url"): Quote._meta.get_field("source_url").max_length,
    }
    for (model, name), limit in limits.items():
        assert all(len(value) <= limit for value in model.objects.values_list(name, flat=True))
    assert TRACKER in post.stats.first().label_html
    assert TRACKER in post.quotes.get().text_html
    assert LONG_LABEL in html_to_text(post.items.first().text_html)


# The "more Quotable Quotes" teaser is the last line only


def test_a_quote_about_quotes_before_other_quotes_is_a_quote():
    read = read_digest_html(
        "<ul><li>Quotable Quotes:<ul>"
        "<li>Not all quotes attributed to Einstein were said by him.</li>"
        "<li>@b: The second quote.</li>"
        "<li>Don't miss all the Quotable Quotes, there are many more in the full post...</li>"
        "</ul></li></ul>"
    )

    assert [(q["speaker"], html_to_text(q["text"])) for q in read.quotes] == [
        ("", "Not all quotes attributed to Einstein were said by him."),
        ("@b", "The second quote."),
    ]
    assert read.more_quotes is True
    assert "kept as a quote with no speaker" in read.notes[0]
    assert "more Quotable Quotes" in read.notes[1]


def test_a_quote_about_quotes_with_the_exact_marker_after_it_is_a_quote():
    read = read_digest_html(
        "<ul><li>Quotable Quotes:<ul>"
        "<li>@a: one</li>"
        "<li>Not all quotes attributed to Einstein were said by him.</li>"
        "<li>There are more Quotable Quotes in the full article.</li>"
        "</ul></li></ul>"
    )

    assert len(read.quotes) == 2
    assert read.more_quotes is True


# Sponsored posts: a heading of no known section ends the section before it

SPONSORED = """
<p>This week's sponsors, in no particular order.</p>
<p><strong>Who's Hiring?</strong></p>
<ul><li><strong>InMemory.Net</strong> is hiring a senior engineer_in_test.</li></ul>
<p><strong>Events That Matter</strong></p>
<ul><li>Varnish Summit in Berlin.</li></ul>
<p><strong>Cool Products and Services</strong></p>
<ul>
<li><a href="https://varnish.example/">Varnish Software</a>: cache *all* the things.</li>
<p>Ask about our <em>startup</em> prices.</p>
</ul>
"""


def test_a_list_under_an_unknown_heading_is_text_of_the_post_not_listings():
    read = read_sponsored_html(SPONSORED)

    assert [section for section, _ in read.listings] == ["hiring", "product"]
    kept = html_to_text("\n".join(read.intro))
    assert "Events That Matter" in kept
    assert "Varnish Summit in Berlin." in kept
    assert "Ask about our startup prices." in kept
    assert any("Varnish Summit" in note and "no known section" in note for note in read.notes)


def test_a_sponsored_feed_item_makes_no_listing_of_an_unknown_section(db):
    import_feed(feed_of("Sponsored Post: InMemory.Net, Varnish", SPONSORED))

    assert not Listing.objects.filter(text__contains="Varnish Summit").exists()
    assert Listing.objects.count() == 2
    post = Post.objects.get()
    assert "Varnish Summit in Berlin." in html_to_text(post.excerpt_html + post.body_html)


def test_archive_text_makes_no_listing_of_an_unknown_section(db):
    page = (FIXTURES / "archive-2018-page2.txt").read_text()
    [sponsored] = [entry for entry in read_archive(page)[0] if entry.kind == "sponsored"]

    assert [section for section, _ in sponsored.listings] == ["hiring", "product"]
    assert "Varnish Summit in Berlin." in sponsored.intro
    assert any("Events That Matter" in note.reason for note in sponsored.notes)

    import_archive(page)
    assert not Listing.objects.filter(text__contains="Varnish Summit").exists()
    post = Post.objects.get(kind=Post.Kind.SPONSORED)
    assert "Varnish Summit in Berlin." in html_to_text(post.excerpt_html)


# A sponsor's listing through Markdown


def test_a_listings_dotted_words_stay_words_and_its_markup_stays():
    markdown = html_to_markdown(
        "<strong>InMemory.Net</strong> runs natively on .Net (see e.g. Node.js). "
        '<a href="https://inmemory.example/jobs?a=1&amp;b=2">Apply here</a>, '
        "or mail <code>jobs@inmemory.example</code> or visit https://inmemory.example/x_y."
    )
    shown = render_markdown_inline(markdown, images=False)

    assert html_to_text(shown) == (
        "InMemory.Net runs natively on .Net (see e.g. Node.js). Apply here, or mail "
        "jobs@inmemory.example or visit https://inmemory.example/x_y."
    )
    assert re.findall(r'href="([^"]*)"', shown) == [
        "https://inmemory.example/jobs?a=1&amp;b=2",
        "https://inmemory.example/x_y",
    ]
    assert "<strong>InMemory.Net</strong>" in shown
    assert "<code>jobs@inmemory.example</code>" in shown


def test_a_listings_picture_is_kept_as_a_link_to_it():
    markdown = html_to_markdown(
        'Wow!<img src="https://cdn.example/varnish logo.png" alt="Varnish logo"> '
        '<a href="https://varnish.example/"><img src="https://cdn.example/badge.png"></a>'
    )
    shown = render_markdown_inline(markdown, images=False)

    assert "<img" not in render_markdown_inline(markdown)
    assert '<a href="https://cdn.example/varnish%20logo.png"' in shown
    assert html_to_text(shown).startswith("Wow!Varnish logo")
    assert "https://cdn.example/badge.png" in html_to_text(shown)
    assert 'href="https://varnish.example/"' in shown
