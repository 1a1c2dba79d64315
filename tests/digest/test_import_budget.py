"""What a long feed costs to import, as a budget of queries per item (bench/imports.py times it)."""

import io
from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digest.models import Post

# Measured: about 25 (the post, its author, three tags and their links, the search text).
QUERIES_PER_ITEM = 30
AUTHORS = ["Todd Hoff", "Bryan Helmig", "Barzan Mozafari", "Greg Ferro", "Jonas Luster"]
CATEGORIES = [f"Topic {n}" for n in range(20)]


def article_html(n):
    """About 2 KB of HTML: paragraphs, a list, links, a heading."""
    paragraph = (
        f"<p>Entry {n} looks at how a team moved a busy service from one database to a cluster "
        f'of them, what broke on the way, and what the <a href="https://example.com/{n}">'
        "numbers</a> looked like before and after. Latency went down, the bill went up, and "
        "the on-call rotation finally slept through the night.</p>"
    )
    listing = "".join(f"<li>Lesson {k}: measure first, then shard.</li>" for k in range(8))
    return (
        f"{paragraph}<h3>What changed</h3><ul>{listing}</ul>{paragraph}"
        f"<blockquote><p>It is always the cache.</p></blockquote>{paragraph}{paragraph}{paragraph}"
    )


def big_feed(path, count):
    start = datetime(2010, 1, 1, 9, 0, tzinfo=UTC)
    items = []
    for n in range(count):
        moment = start + timedelta(hours=36 * n)
        slug = f"lesson-{n}-how-a-team-scaled-its-queue"
        categories = "".join(
            f"<category>{CATEGORIES[(n + k) % len(CATEGORIES)]}</category>" for k in range(3)
        )
        items.append(
            f"<item><title>Lesson {n}: how a team scaled its queue</title>"
            f"<dc:creator>{AUTHORS[n % len(AUTHORS)]}</dc:creator>{categories}"
            f"<pubDate>{moment:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
            f"<link>http://highscalability.com/blog/{moment.year}/{moment.month}/{moment.day}/"
            f"{slug}.html</link>"
            f'<guid isPermaLink="false">1036891:10970307:{n}</guid>'
            f"<description>Entry {n} in short.</description>"
            f"<content:encoded><![CDATA[{article_html(n)}]]></content:encoded></item>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel>'
        "<title>High Scalability</title><link>http://highscalability.com/blog/</link>"
        "<description>Building bigger, faster, more reliable websites.</description>"
        + "".join(items)
        + "</channel></rss>",
        encoding="utf-8",
    )


def imported_with_queries(tmp_path, items, name):
    """Queries made importing a feed of `items` articles (commit callbacks included)."""
    feed = tmp_path / name
    big_feed(feed, items)
    with CaptureQueriesContext(connection) as queries:
        call_command("import_feed", str(feed), stdout=io.StringIO())
    return len(queries)


def test_the_import_costs_the_same_queries_per_item_however_long_the_feed(db, tmp_path):
    # A budget that does not depend on the machine: an importer that became many times slower
    # (a query per tag per post, a re-render of every post per item) shows here as queries.
    # The time itself is measured by bench/imports.py.
    assert 1800 < len(article_html(1)) < 2400
    small = imported_with_queries(tmp_path, 20, "small.rss")
    Post.objects.all().delete()
    large = imported_with_queries(tmp_path, 60, "large.rss")

    per_item = (large - small) / 40
    assert Post.objects.published().count() == 60
    print(f"\n{per_item:.1f} queries per item")
    assert per_item <= QUERIES_PER_ITEM, f"{per_item:.1f} queries per item"
