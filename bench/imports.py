"""Time the importers on a whole archive: import_feed and import_wxr, first run and re-run.

    .venv/bin/python bench/imports.py [--posts 2000] [--runs 3] [--seed 2016]

Generates a feed of N items and a WXR export of N posts (the same posts: weekly-digest-shaped
entries with linked stats, quotes of every shape and items, articles with guest bylines,
sponsored posts; comments and tags in the export), then, `--runs` times: empties the database,
imports the feed (first run), imports it again (nothing changes), empties the database, imports
the export, imports it again. Prints seconds as min / median / max over the runs, and what the
last report counted. Uses a throwaway SQLite file in a temporary folder unless DATABASE_URL is
set; a DATABASE_URL database must hold no posts (the benchmark deletes every post it finds
between runs, and refuses to start on one that has any).
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="scalepress-bench-imports-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH / 'imports.sqlite3'}")
os.environ.setdefault("MEDIA_ROOT", str(SCRATCH / "media"))
os.environ.setdefault("CACHE_DIR", str(SCRATCH / "cache"))

FIRST_DAY = datetime(2008, 1, 7, 14, 0, tzinfo=UTC)
SITE = "http://highscalability.com"
NAMES = ["@antirez", "@mjpt777", "Joseph Bradley", "Rob Joyce (NSA)", "@adrianco", "Werner Vogels"]
WORDS = [
    "latency", "throughput", "shard", "replica", "queue", "cache", "consistency", "partition",
    "failover", "kafka", "postgres", "redis", "cluster", "container", "scheduler", "quorum",
    "backpressure", "idempotent", "index", "tenant", "region", "vacuum", "compaction", "gossip",
    "consensus", "raft", "paxos", "lambda", "serverless", "edge", "cdn",
]  # fmt: skip


def sentence(rng, words=12):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def ordinal(day):
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def digest_html(rng, number):
    stats = "; ".join(
        f'<a href="https://example.org/s/{number}/{i}">{rng.randint(2, 900)}K</a>: '
        f"{sentence(rng, 5)[:-1]}"
        for i in range(rng.randint(5, 10))
    )
    quotes = []
    for i in range(rng.randint(8, 16)):
        speaker = rng.choice(NAMES)
        shape = rng.random()
        if shape < 0.1:
            quotes.append(f"<li>{sentence(rng, 15)}</li>")  # no speaker
        elif shape < 0.2:
            quotes.append(f"<li>{speaker} ~ {sentence(rng)}</li>")
        else:
            link = f"https://twitter.com/x/status/{number}{i}"
            quotes.append(f'<li><a href="{link}">{speaker}</a>: {sentence(rng)}</li>')
    items = "".join(
        f'<li><a href="https://example.org/i/{number}/{i}">{sentence(rng, 4)[:-1]}</a> '
        f"{sentence(rng, 30)} <em>{sentence(rng, 6)}</em></li>\n"
        for i in range(rng.randint(10, 20))
    )
    return (
        f'<p><img src="https://example.org/pictures/{number}.jpg" alt="A picture" /></p>\n'
        f"<p><em>{sentence(rng)}</em></p>\n"
        "<p>If you like this sort of Stuff then please consider offering your support on "
        '<a href="https://www.patreon.com/toddhoff">Patreon</a>.</p>\n'
        f"<ul>\n<li>{stats};</li>\n<li>Quotable Quotes:<ul>\n{''.join(quotes)}\n"
        "<li>Don't miss all the Quotable Quotes, there are many more in the full post...</li>"
        f"</ul></li>\n{items}</ul>\n"
        "<p>Don't miss all that the Internet has to say on Scalability, click below and "
        "become eventually consistent with all scalability knowledge...</p>"
    )


def article_html(rng, guest):
    byline = "<p>This is a guest post by Jane Doe, CTO of Example.</p>\n" if guest else ""
    paragraphs = "\n".join(f"<p>{sentence(rng, 60)}</p>" for _ in range(rng.randint(4, 10)))
    return byline + paragraphs


def sponsored_html(rng):
    sections = [("Who's Hiring?", 2), ("Fun and Informative Events", 1)]
    sections.append(("Cool Products and Services", 3))
    blocks = []
    for title, count in sections:
        listings = "".join(
            f"<li><strong>Example Corp</strong> {sentence(rng, 20)} "
            '<a href="https://example.com/apply">Apply here</a>.</li>'
            for _ in range(count)
        )
        blocks.append(f"<h3>{title}</h3>\n<ul>{listings}</ul>")
    blocks.append(
        "<p>If any of these items interest you there's a full description of each sponsor "
        "below...</p>"
    )
    return "\n".join(blocks)


def archive(count, seed):
    """N posts as (title, path, moment, author, tags, HTML, comments), one a day."""
    from django.utils.text import slugify

    rng = random.Random(seed)
    posts = []
    for number in range(count):
        moment = FIRST_DAY + timedelta(days=number)
        kind = number % 10
        if kind < 4:
            title = (
                "Stuff The Internet Says On Scalability For "
                f"{moment:%B} {ordinal(moment.day)}, {moment.year}"
            )
            html, tags = digest_html(rng, number), ["Stuff The Internet Says On Scalability"]
        elif kind == 4:
            title, html, tags = "Sponsored Post: Example Corp", sponsored_html(rng), []
        else:
            title = f"How Example {number} Scaled {rng.choice(WORDS).title()} to Millions"
            html = article_html(rng, guest=kind == 9)
            tags = sorted({rng.choice(WORDS).title() for _ in range(3)})
        slug = slugify(title)[:60].strip("-")
        path = f"/blog/{moment.year}/{moment.month}/{moment.day}/{slug}.html"
        comments = [
            (f"{number}{c}", sentence(rng, 20), moment + timedelta(hours=c + 1))
            for c in range(rng.choice([0, 0, 0, 1, 3]))
        ]
        posts.append((title, path, moment, tags, html, comments))
    return posts


def feed(posts):
    items = []
    for number, (title, path, moment, tags, html, _) in enumerate(posts):
        categories = "".join(f"<category>{tag}</category>" for tag in tags)
        items.append(
            f"<item><title>{title}</title><dc:creator>Todd Hoff</dc:creator>{categories}"
            f"<pubDate>{format_datetime(moment)}</pubDate><link>{SITE}{path}</link>"
            f'<guid isPermaLink="false">1036891:10970307:{20000000 + number}</guid>'
            f"<content:encoded><![CDATA[{html}]]></content:encoded></item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>High Scalability</title>'
        f"<link>{SITE}/blog/</link><description>Bench</description>\n"
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


def wxr(posts):
    items = []
    for number, (title, path, moment, tags, html, comments) in enumerate(posts):
        categories = "".join(
            f'<category domain="post_tag" nicename="{tag.lower()}"><![CDATA[{tag}]]></category>'
            for tag in tags
        )
        kept = "".join(
            f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
            "<wp:comment_author><![CDATA[A Reader]]></wp:comment_author>"
            f"<wp:comment_date_gmt>{posted:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>"
            f"<wp:comment_content><![CDATA[{text}]]></wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>"
            "<wp:comment_parent>0</wp:comment_parent></wp:comment>"
            for cid, text, posted in comments
        )
        items.append(
            f"<item><title>{title}</title><link>{SITE}{path}</link>"
            "<dc:creator>toddhoff</dc:creator>"
            f'<guid isPermaLink="false">1036891:10970307:{20000000 + number}</guid>'
            f"<content:encoded><![CDATA[{html}]]></content:encoded>"
            "<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
            f"<wp:post_id>{number + 1}</wp:post_id>"
            f"<wp:post_date_gmt>{moment:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
            f"<wp:post_name>{path.rsplit('/', 1)[1][:-5]}</wp:post_name>"
            "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            f"{categories}{kept}</item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>High Scalability</title>'
        f"<link>{SITE}</link><wp:wxr_version>1.2</wp:wxr_version>"
        f"<wp:base_site_url>{SITE}</wp:base_site_url>"
        "<wp:author><wp:author_login>toddhoff</wp:author_login>"
        "<wp:author_display_name><![CDATA[Todd Hoff]]></wp:author_display_name></wp:author>\n"
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


def empty_database():
    from django.contrib.auth import get_user_model
    from taggit.models import Tag

    from digest.models import Post
    from sponsors.models import Listing, Sponsor

    Post.objects.all().delete()
    Listing.objects.all().delete()
    Sponsor.objects.all().delete()
    Tag.objects.all().delete()
    get_user_model().objects.filter(email__endswith="@guests.invalid").delete()


def timed(function, data):
    started = time.perf_counter()
    report = function(data)
    return time.perf_counter() - started, report


def spread(samples):
    return " / ".join(
        f"{value:6.1f}" for value in (min(samples), statistics.median(samples), max(samples))
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from digest.importers.feed import import_feed
    from digest.importers.wxr import import_wxr
    from digest.models import Post

    call_command("migrate", verbosity=0)
    if Post.objects.exists():
        sys.exit("The database holds posts: give bench/imports.py an empty database.")
    posts = archive(args.posts, args.seed)
    documents = {"import_feed": (import_feed, feed(posts)), "import_wxr": (import_wxr, wxr(posts))}
    print(
        f"{connection.vendor}, {args.posts} posts, {args.runs} runs (seconds: min / median / max)"
    )
    for name, (function, data) in documents.items():
        first, again = [], []
        for number in range(1, args.runs + 1):
            empty_database()
            seconds, report = timed(function, data)
            first.append(seconds)
            seconds, rerun = timed(function, data)
            again.append(seconds)
            print(
                f"  {name} run {number}: {first[-1]:.1f}s, re-run {again[-1]:.1f}s", file=sys.stderr
            )
        size = len(data) / 1024 / 1024
        print(f"{name:<12} {size:5.1f} MB  first run {spread(first)}   re-run {spread(again)}")
        print(f"{'':<12} first: {report.summary()[-1]}; re-run: {rerun.summary()[-1]}")
    empty_database()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
