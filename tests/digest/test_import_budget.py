"""How long a large feed takes to import: a generous bound, and the figure for the closing note.

Not a benchmark: the bound only catches an importer that became many times slower (a query per
tag per post, a re-render of every post per item). Run with `-s` to see the time.
"""

import io
import time
from datetime import UTC, datetime, timedelta

from django.core.management import call_command

from digest.models import Post

ITEMS = 2000
BOUND_SECONDS = 60
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


def big_feed(path):
    start = datetime(2010, 1, 1, 9, 0, tzinfo=UTC)
    items = []
    for n in range(ITEMS):
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


def test_timing_two_thousand_feed_items_import_well_within_a_minute(
    db, tmp_path, capsys, django_capture_on_commit_callbacks
):
    feed = tmp_path / "big.rss"
    big_feed(feed)
    assert 1800 < len(article_html(1)) < 2400
    out = io.StringIO()

    started = time.monotonic()
    # The search index is refreshed after commit; run that work too, as a real import does.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_feed", str(feed), stdout=out)
    elapsed = time.monotonic() - started

    assert f"article: {ITEMS} created, 0 updated, 0 unchanged, 0 skipped" in out.getvalue()
    assert Post.objects.published().count() == ITEMS
    assert f"{ITEMS}/{ITEMS} items" in capsys.readouterr().err  # progress on a long run
    with capsys.disabled():
        print(
            f"\n{ITEMS} feed items ({feed.stat().st_size // 1024} KB) imported in {elapsed:.1f} s"
        )
    assert elapsed < BOUND_SECONDS
