"""Realistic demo content: ten years of weekly digests, architecture articles and guest posts.

Deterministic for a given seed, and fast: posts are rendered in Python and written with
bulk_create, so 2,000 entries take seconds even on SQLite. Load data (100,000 entries for the
benchmarks) is rendered in one process per core and spread over the years from `since`.
"""

import multiprocessing
import os
import random
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw
from taggit.models import Tag, TaggedItem

from caching import content as cache
from safe_images import make_renditions

from .models import SLUG_LENGTH, Item, Post, Quote, Stat, digest_title, slug_from_title

COMPANIES = [
    "Netflix", "Uber", "Twitter", "Instagram", "WhatsApp", "Stack Overflow", "Pinterest", "Etsy",
    "Dropbox", "Slack", "Spotify", "Airbnb", "Zapier", "Discord", "Shopify", "GitHub", "Reddit",
    "Wikipedia", "Tumblr", "LinkedIn", "Box", "Wistia", "Basecamp", "Cloudflare", "Tinder",
]  # fmt: skip
TECH = [
    "Cassandra", "Kafka", "Redis", "PostgreSQL", "MySQL", "Elasticsearch", "DynamoDB", "Go",
    "Erlang", "Kubernetes", "Docker", "nginx", "Varnish", "Memcached", "Spark", "Lambda",
    "Tarantool", "Riak", "MongoDB", "CockroachDB", "Aerospike", "HAProxy", "ZooKeeper",
]  # fmt: skip
THINGS = [
    "message queues", "feature flags", "a billion push notifications", "their search index",
    "real-time analytics", "global replication", "the timeline", "video transcoding",
    "photo storage", "payments", "rate limiting", "their monolith", "log processing",
]  # fmt: skip
TAGS = [
    "architecture", "scalability", "databases", "caching", "cloud", "aws", "google",
    "microservices", "performance", "distributed-systems", "nosql", "storage", "networking",
    "containers", "serverless", "monitoring", "devops", "security", "machine-learning",
    "real-time", "queues", "latency", "consistency", "load-balancing", "big-data",
    "example", "interview", "strategy", "hardware", "mobile",
]  # fmt: skip
SPEAKERS = [
    "@antirez", "@jaykreps", "@adrianco", "@mjpt777", "@kellabyte", "@aphyr", "@copyconstruct",
    "@brendangregg", "@jessfraz", "@mipsytipsy", "Werner Vogels", "Joseph Bradley",
    "Greg Ferro", "Fred George", "Rob Harrop", "Leslie Lamport", "Butler Lampson",
    "Emin Gün Sirer", "jsmthrowaway", "mbrock", "sharemywin", "Brave New Geek",
]  # fmt: skip
SAYINGS = [
    "Microservices are about scaling the number of engineers, not the number of requests.",
    "Better good service for fewer customers than bad service for all of them.",
    "The ideal is low coupling and high cohesion.",
    "Everything fails, all the time. Design for it.",
    "Caching is a great way to turn one problem into two.",
    "Consensus doesn't scale; partition your state instead.",
    "When in doubt, invest in benchmarking.",
    "We measured 300+ requests per second on a 2-core VM and stopped worrying.",
    "The network is reliable, until the day it isn't.",
    "Most outages are configuration changes wearing a disguise.",
    "If your queue isn't bounded, latency will find a way to remind you.",
    "Boring technology is a feature, not a bug.",
]  # fmt: skip
STATS = [
    ("200K", "msgs per second through {company}"), ("750 million", "transactions per week"),
    ("11 million", "paying subscribers"), (".7c", "speed of light in silicon"),
    ("360TB", "stored in a single crystal"), ("1.5 million", "cache replication msgs/s"),
    ("16 terabytes", "on one new SSD"), ("400 hours", "of video uploaded every minute"),
    ("10,000x", "lower power for Wi-Fi"), ("$1bn", "yearly cost of market share"),
    ("99.999%", "availability target"), ("5ms", "p99 read latency"),
]  # fmt: skip
SENTENCES = [
    "{company} moved {thing} onto {tech} and cut tail latency by an order of magnitude.",
    "The lesson is the usual one: measure first, then change one thing at a time.",
    "What surprised the team most was how much of the load came from a handful of hot keys.",
    "They run hot in several datacenters at once, so a failover is just load moving around.",
    "Every request carries a deadline, and every layer respects it.",
    "Backpressure turned out to be the feature that kept the system alive on launch day.",
    "A single {tech} cluster now handles what used to take three separate systems.",
    "Sharding by customer kept the blast radius of any one failure small.",
    "The write path is boring on purpose; all the cleverness lives in the read path.",
    "Capacity planning became a spreadsheet exercise once the metrics were trustworthy.",
    "It took two rewrites to learn that the bottleneck was never the language.",
    "Idempotent operations made retries safe, and safe retries made everything simpler.",
]  # fmt: skip
FIRST_NAMES = ["Bryan", "Barzan", "Alice", "Priya", "Diego", "Mei", "Olu", "Sven", "Hannah"]
LAST_NAMES = ["Helmig", "Mozafari", "Nguyen", "Sharma", "Alvarez", "Chen", "Adeyemi", "Berg"]


class DemoWriter:
    def __init__(self, seed=2016):
        self.rng = random.Random(seed)

    def fill(self, template):
        rng = self.rng
        return template.format(
            company=rng.choice(COMPANIES), tech=rng.choice(TECH), thing=rng.choice(THINGS)
        )

    def paragraph(self, sentences=3):
        return " ".join(self.fill(self.rng.choice(SENTENCES)) for _ in range(sentences))

    def item(self):
        company, tech = self.rng.choice(COMPANIES), self.rng.choice(TECH)
        link = (
            f"[How {company} uses {tech}](https://example.com/{company.lower().replace(' ', '-')})"
        )
        return f"{link}. {self.paragraph(2)}"

    def digest(self):
        """(intro, stats, quotes, items) of one weekly issue, as the admin would store them."""
        rng = self.rng
        stats = [(figure, self.fill(label)) for figure, label in rng.sample(STATS, 6)]
        quotes = [(rng.choice(SPEAKERS), rng.choice(SAYINGS)) for _ in range(rng.randint(8, 14))]
        shown_quotes = rng.randint(4, 6)
        items = [self.item() for _ in range(rng.randint(6, 10))]
        shown_items = rng.randint(2, 3)
        return (
            self.paragraph(1),
            stats,
            [(speaker, text, n < shown_quotes) for n, (speaker, text) in enumerate(quotes)],
            [(text, n < shown_items) for n, text in enumerate(items)],
        )

    def article_title(self):
        rng = self.rng
        company, tech, thing = rng.choice(COMPANIES), rng.choice(TECH), rng.choice(THINGS)
        return rng.choice(
            [
                f"How {company} Scaled {thing.title()} with {tech}",
                f"The Architecture {company} Uses to Handle {rng.randint(2, 900)} Million Users",
                f"{rng.randint(3, 21)} Lessons from Running {tech} at Scale",
                f"Ask HS: Is {tech} the Right Choice for {thing.title()}?",
                f"{company}'s Transition from a Monolith to {tech}",
                f"Building {thing.title()} on {tech}: A Journey Through {company}'s Stack",
            ]
        )

    def article(self):
        rng = self.rng
        excerpt = "\n\n".join(self.paragraph(rng.randint(2, 4)) for _ in range(rng.randint(1, 2)))
        sections = []
        for _ in range(rng.randint(2, 4)):
            heading = rng.choice(["The Stack", "Lessons Learned", "What Went Wrong", "The Numbers"])
            bullets = "\n".join(f"- {self.fill(rng.choice(SENTENCES))}" for _ in range(3))
            sections.append(f"## {heading}\n\n{self.paragraph(4)}\n\n{bullets}")
        if rng.random() < 0.3:
            sections.append("```\n$ wrk -t2 -c32 -d30s http://127.0.0.1:8000/\n```")
        return excerpt, "\n\n".join(sections)

    def guest_byline(self):
        rng = self.rng
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        role = rng.choice(["CTO", "Principal Engineer", "SRE lead"])
        return name, f"This is a guest repost by {name}, {role} at {rng.choice(COMPANIES)}."


def demo_images(count=8):
    """A few generated lead images (gradients with shapes), written once under MEDIA_ROOT."""
    media_root = Path(settings.MEDIA_ROOT)
    folder = media_root / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    rng = random.Random(7)
    for index in range(count):
        name = f"demo/lead-{index}.png"
        path = media_root / name
        if not path.exists():
            image = Image.new("RGB", (960, 400))
            draw = ImageDraw.Draw(image)
            a, b = [tuple(rng.randint(20, 235) for _ in range(3)) for _ in range(2)]
            for x in range(960):
                t = x / 959
                draw.line(
                    [(x, 0), (x, 400)], fill=tuple(int(a[i] + (b[i] - a[i]) * t) for i in range(3))
                )
            for _ in range(12):
                x, y, r = rng.randint(0, 960), rng.randint(0, 400), rng.randint(10, 90)
                draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 255, 255), width=3)
            image.save(path, optimize=True)
        names.append(name)
    return names


def demo_renditions(names):
    """The smaller copies a saved post would get (Post.make_lead_renditions), made once per
    demo picture rather than once per post."""
    storage = Post._meta.get_field("lead_image").storage
    return {
        name: {"source": name, "sizes": make_renditions(storage, name, Post.LEAD_IMAGE_WIDTHS)}
        for name in names
    }


def demo_authors():
    User = get_user_model()
    editor, _ = User.objects.get_or_create(
        username="todd",
        defaults={
            "email": "todd@example.com",
            "display_name": "Todd Hoff",
            "bio": "Editor. Writes the weekly Stuff The Internet Says On Scalability.",
        },
    )
    return editor


# Below this many objects, rendering in worker processes costs more than it saves.
PARALLEL_FROM = 5000
CHUNK = 500


def _render_chunk(objects):
    for obj in objects:
        obj.render()
    return objects


def rendered_chunks(objects):
    """Call render() on every object (bulk_create skips save(), which renders) and yield them
    in order, a chunk at a time, so the caller writes one chunk while the next is rendered.
    Many objects are rendered in one process per core: the chunks are then copies."""
    chunks = [objects[start : start + CHUNK] for start in range(0, len(objects), CHUNK)]
    workers = os.cpu_count() or 1
    if len(objects) < PARALLEL_FROM or workers < 2:
        yield from map(_render_chunk, chunks)
        return
    # Forked workers only render: they never touch the parent's database connection.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_render_chunk, chunks)


def create_parts(parts_by_post):
    """Write the stats, quotes and items of many digests at once, then render each digest."""
    stats, quotes, items = [], [], []
    # post_id rather than post: a part sent to a worker process then carries no copy of it.
    for post, (post_stats, post_quotes, post_items) in parts_by_post.items():

        def place(position, post=post):
            return {"post_id": post.pk, "position": position, "anchor": position + 1}

        for position, (figure, label) in enumerate(post_stats):
            stats.append(Stat(**place(position), figure=figure, label=label))
        for position, (speaker, text, on_index) in enumerate(post_quotes):
            quotes.append(Quote(**place(position), speaker=speaker, text=text, on_index=on_index))
        for position, (text, on_index) in enumerate(post_items):
            items.append(Item(**place(position), text=text, on_index=on_index))
    for chunk in rendered_chunks([*stats, *quotes, *items]):
        for model in (Stat, Quote, Item):
            model.objects.bulk_create([part for part in chunk if type(part) is model])
    for post in parts_by_post:
        post.refresh_parts()


def publishing_days(total, now, taken, rng, since=None):
    """The day of each of `total` posts, newest first, never a day in `taken`.

    By default one entry a day at most, on Fridays and on about half the other days (2,000
    entries reach back ten years). With `since`, the entries are spread evenly over every
    day from `since` to `now`, several a day when there are more entries than days (load data
    that stays within the site's calendar).
    """
    day = timezone.localdate(now)
    if since is None:
        days = []
        while len(days) < total:
            if day not in taken and (day.weekday() == 4 or rng.random() < 0.45):
                days.append(day)
            day -= timedelta(days=1)
        return days
    free = []
    while day >= since:
        if day not in taken:
            free.append(day)
        day -= timedelta(days=1)
    return [free[index * len(free) // total] for index in range(total)]


@transaction.atomic
def create_demo_content(total=2000, seed=2016, now=None, since=None):
    """Create `total` posts up to `now`, over ten years or evenly from the date `since`;
    returns how many were made."""
    now = now or timezone.now()
    writer, rng = DemoWriter(seed), random.Random(seed)
    editor = demo_authors()
    User = get_user_model()
    guests = {}
    images = demo_images()
    renditions = demo_renditions(images)
    tags = {name: Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in TAGS}

    # Newest ending today: a Friday's first entry is the digest. Days that already have a
    # post (the imported sample) are left to it.
    taken = {
        timezone.localtime(moment).date()
        for moment in Post.objects.values_list("publish_at", flat=True)
    }
    days = publishing_days(total, now, taken, rng, since)

    posts, post_tags, digest_parts, slugs = [], [], {}, set()
    for index, day in enumerate(days):
        is_digest = day.weekday() == 4 and (index == 0 or days[index - 1] != day)
        # Several entries on one day (load data): the digest at nine, articles at any hour.
        hour = 9 if since is None or is_digest else rng.randint(0, 23)
        publish_at = timezone.make_aware(datetime.combine(day, time(hour, rng.randint(0, 59))))
        if publish_at > now:
            publish_at = now - timedelta(minutes=1)
        post = Post(status=Post.Status.PUBLISHED, publish_at=publish_at, author=editor)
        if is_digest:
            post.kind, post.title = Post.Kind.DIGEST, digest_title(day)
            post.excerpt, *parts = writer.digest()
            digest_parts[len(posts)] = parts
            names = ["stuff-the-internet-says", "scalability"]
        else:
            post.kind, post.title = Post.Kind.ARTICLE, writer.article_title()
            post.excerpt, post.body = writer.article()
            names = rng.sample(TAGS, rng.randint(1, 3))
            if rng.random() < 0.2:
                name, post.byline = writer.guest_byline()
                username = slug_from_title(name)
                if username not in guests:
                    guests[username] = User.objects.get_or_create(
                        username=username,
                        defaults={"email": f"{username}@example.com", "display_name": name},
                    )[0]
                post.author = guests[username]
        if rng.random() < 0.3:
            post.lead_image = rng.choice(images)
            post.lead_image_width, post.lead_image_height = 960, 400
            post.lead_image_renditions = renditions[post.lead_image.name]
            post.lead_image_caption = f"{rng.choice(COMPANIES)} at a glance."
        post.slug = slug_from_title(post.title)
        counter = 2
        while (day, post.slug) in slugs:  # the same title twice on one day
            suffix = f"-{counter}"
            post.slug = slug_from_title(post.title)[: SLUG_LENGTH - len(suffix)] + suffix
            counter += 1
        slugs.add((day, post.slug))
        posts.append(post)
        post_tags.append(names)

    written = []
    for chunk in rendered_chunks(posts):
        written += Post.objects.bulk_create(chunk)
    posts = written
    create_parts({posts[index]: parts for index, parts in digest_parts.items()})
    content_type = ContentType.objects.get_for_model(Post)
    for name in {n for names in post_tags for n in names} - tags.keys():
        tags[name] = Tag.objects.get_or_create(name=name, defaults={"slug": name})[0]
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(tag=tags[name], content_type=content_type, object_id=post.pk)
            for post, names in zip(posts, post_tags, strict=True)
            for name in names
        ],
        batch_size=1000,
    )
    Post.objects.bulk_create(
        [
            Post(
                title="A draft nobody should see yet",
                slug="a-draft-nobody-should-see-yet",
                excerpt="Work in progress.",
                author=editor,
                status=Post.Status.DRAFT,
            ),
            Post(
                title=digest_title(timezone.localdate(now) + timedelta(days=7)),
                slug=slug_from_title(digest_title(timezone.localdate(now) + timedelta(days=7))),
                kind=Post.Kind.DIGEST,
                excerpt="Scheduled for next week.",
                author=editor,
                status=Post.Status.PUBLISHED,
                publish_at=now + timedelta(days=7),
            ),
        ]
    )
    Post.objects.refresh_search()
    cache.content_changed()
    return len(posts)
