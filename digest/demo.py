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

from .demo_text import TAGS, DemoWriter
from .models import SLUG_LENGTH, Item, Post, Quote, Stat, digest_title, slug_from_title


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
            caption = "This week's numbers, quotes and links."
        else:
            post.kind, (post.title, company) = Post.Kind.ARTICLE, writer.article_title()
            post.excerpt, post.body = writer.article()
            caption = writer.caption(company)
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
            post.lead_image_caption = caption
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
