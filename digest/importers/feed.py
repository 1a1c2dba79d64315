"""Import RSS 2.0 and Atom feeds (WordPress, Squarespace, FeedBurner exports).

Each item becomes a published Post keyed by its guid (or link): title, publish time, author,
categories as tags, and the full HTML content, sanitised and kept as HTML. A link of the old
`/blog/<y>/<m>/<d>/<slug>.html` shape gives the post that very address. An item whose title is
a weekly digest has its HTML lists read back into stats, quotes and items.
"""

import calendar
import io
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ..markdown import html_to_text, sanitize_html
from ..models import SLUG_LENGTH, Post, slug_from_title
from ..parsing import parse_quotes, parse_stats
from .archive_format import CLOSING_PREFIX, SUPPORT_PREFIX, digest_date
from .base import Report, default_author, fingerprint, legacy_ref, person, replace_parts, writes
from .html_tree import parse_html

LEGACY_LINK_RE = re.compile(
    r"/blog/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<slug>[^/]+)\.html$"
)
EXCERPT_CHARACTERS = 500


def import_feed(data, *, author=None, dry_run=False, progress=None):
    """Import every item of one feed document (bytes or text); returns a Report."""
    report = Report()
    # A stream, always: given a string, feedparser would fetch URLs and open file names.
    feed = feedparser.parse(io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data))
    if feed.bozo and not feed.entries:
        report.skip("feed", "the file", f"is not a feed that can be read ({feed.bozo_exception})")
        return report
    with writes(dry_run):
        author = author or default_author()
        for number, item in enumerate(feed.entries, start=1):
            title = _title(item)
            kind = "digest" if digest_date(title) else "article"
            where = f"item {number} (“{title[:50]}”)"
            try:
                with transaction.atomic():
                    report.add(kind, _write(item, title, kind, author))
            except ValueError as error:
                report.skip(kind, where, str(error))
            except DatabaseError as error:
                report.skip(kind, where, f"could not be saved: {error}")
            if progress and (number % 100 == 0 or number == len(feed.entries)):
                progress(number, len(feed.entries))
    return report


def _title(item):
    raw = item.get("title") or ""
    if (item.get("title_detail") or {}).get("type") == "text/html":
        raw = html_to_text(raw)  # WordPress writes Atom titles as HTML: "Google&#8217;s …"
    return " ".join(raw.split())


def _link(item):
    # FeedBurner points <link> at its click tracker and keeps the real address here.
    return item.get("feedburner_origlink") or item.get("link") or ""


def _published(item):
    parsed = item.get("published_parsed") or item.get("updated_parsed")
    if not parsed:
        raise ValueError("has no publish date")
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _content(item):
    for content in item.get("content") or []:
        if content.get("value"):
            return content["value"]
    return item.get("summary") or ""


def _address(item, title, published):
    """(slug, publish time): the old link's slug and day when it has the legacy shape."""
    match = LEGACY_LINK_RE.search(urlsplit(_link(item)).path)
    if not match:
        return slug_from_title(title), published
    slug = slugify(match["slug"])[:SLUG_LENGTH].strip("-") or slug_from_title(title)
    local = timezone.localtime(published)
    try:
        day = local.replace(year=int(match["y"]), month=int(match["m"]), day=int(match["d"]))
    except ValueError as error:
        raise ValueError(f"has a link with an impossible date: {_link(item)}") from error
    # Keep the time of day; the day is the one in the address readers have bookmarked.
    return slug, day if day.date() != local.date() else published


def reverse_post(slug, publish_at):
    local = timezone.localtime(publish_at)
    return reverse(
        "digest:post-detail",
        kwargs={"year": local.year, "month": local.month, "day": local.day, "slug": slug},
    )


def split_excerpt(markup):
    """(excerpt, body) of an article's HTML: the first blocks up to ~500 characters, the rest."""
    if "<!--more-->" in markup:
        head, _, tail = markup.partition("<!--more-->")
        return head, tail
    blocks, length = parse_html(markup).children, 0
    for index, block in enumerate(blocks):
        length += len(block if isinstance(block, str) else block.text())
        if length >= EXCERPT_CHARACTERS:
            cut = index + 1
            break
    else:
        return markup, ""
    as_html = [b if isinstance(b, str) else b.html() for b in blocks]
    return "".join(as_html[:cut]), "".join(as_html[cut:])


def read_digest(markup):
    """(intro HTML, stats, quotes, items) of a digest's HTML, in the shape the site renders."""
    tree = parse_html(sanitize_html(markup))
    intro, stats, quotes, items = [], [], [], []
    for block in tree.elements():
        text = " ".join(block.text().split())
        if block.tag not in ("ul", "ol"):
            if text and not text.startswith((SUPPORT_PREFIX, CLOSING_PREFIX)):
                intro.append(block.html())
            continue
        for entry in block.elements("li"):
            nested = entry.elements("ul") + entry.elements("ol")
            own_text = " ".join(
                (c if isinstance(c, str) else c.text()) for c in entry.children if c not in nested
            ).split()
            own_text = " ".join(own_text)
            if nested and own_text.lower().startswith("quotable quotes"):
                lines = [" ".join(li.text().split()) for ul in nested for li in ul.elements("li")]
                parsed = parse_quotes("\n".join(lines))
                if parsed.errors:
                    raise ValueError(f"has a quote that cannot be read: {parsed.errors[0].line}")
                quotes += [(q.speaker, q.text) for q in parsed.entries]
            elif not stats and not items and not quotes and ";" in own_text and ":" in own_text:
                parsed = parse_stats(own_text)
                if parsed.errors:
                    raise ValueError(
                        f"has a stats line that cannot be read: {parsed.errors[0].reason}"
                    )
                stats = [(s.figure, s.label) for s in parsed.entries]
            elif own_text:
                items.append(entry.inner_html().strip())
    return "\n".join(intro), stats, quotes, items


def _write(item, title, kind, author):
    if not title:
        raise ValueError("has no title")
    published = _published(item)
    slug, publish_at = _address(item, title, published)
    if LEGACY_LINK_RE.search(urlsplit(_link(item)).path):
        # The old address is the key: the archive importer finds the very same post.
        ref = legacy_ref(reverse_post(slug, publish_at))
    else:
        ref = "feed:" + (item.get("id") or _link(item) or f"{title}@{published.isoformat()}")
    content = _content(item)
    tags = sorted(
        {" ".join(t.get("term", "").split())[:100] for t in item.get("tags") or []} - {""}
    )
    name = (item.get("author_detail") or {}).get("name") or item.get("author") or ""
    if kind == "digest":
        intro, stats, quotes, items = read_digest(content)
        excerpt, body, text_format = intro, "", Post.Format.MARKDOWN
    else:
        stats = quotes = items = ()
        excerpt, body = split_excerpt(sanitize_html(content))
        text_format = Post.Format.HTML
    data = [title, slug, publish_at, name, tags, excerpt, body, stats, quotes, items]
    digest = fingerprint(data)
    post = Post.objects.filter(import_ref=ref[:500]).first()
    if post is not None and post.import_hash == digest:
        return "unchanged"
    outcome = "created" if post is None else "updated"
    post = post or Post(import_ref=ref[:500])
    post.title, post.slug, post.kind, post.text_format = title[:200], slug, kind, text_format
    post.status, post.publish_at = Post.Status.PUBLISHED, publish_at
    post.author = person(name.strip()[:100], author)
    post.excerpt, post.body, post.import_hash = excerpt, body, digest
    if not html_to_text(post.excerpt + post.body) and not stats and not quotes:
        raise ValueError("has no content")
    post.save()
    post.tags.set(tags)
    if kind == "digest":
        replace_parts(post, stats=stats, quotes=quotes, items=items)
    return outcome
