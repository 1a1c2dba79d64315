"""Import RSS 2.0 and Atom feeds (WordPress, Squarespace, FeedBurner exports).

Each item becomes a published Post keyed by its guid (or link): title, publish time, author,
categories as tags, and the full HTML content, sanitised and kept as HTML. A link of the old
`/blog/<y>/<m>/<d>/<slug>.html` shape gives the post that very address. An item whose title is
a weekly digest has its HTML lists read back into stats, quotes and items.

As import_wxr does, an item is refused only when it cannot be stored: one with no title. One
with no text is stored empty; one with no date is dated like the feed (its own date, else the
time of the import), marked as a guessed date and kept as a draft (a post published "now"
would be news it is not); one whose old link holds an impossible date ("/blog/2016/2/30/…")
keeps its own date and a name from its title. Each is noted in the report.
"""

import calendar
import io
from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ..markdown import html_to_text
from ..models import SLUG_LENGTH, Post, slug_from_title
from .archive_format import GUEST_BYLINE_RE, SPONSORED_PREFIX, digest_date, guest_name
from .base import (
    LEGACY_LINK_RE,
    ImportedPost,
    Report,
    default_author,
    legacy_ref,
    run_import,
    writes,
)
from .html_digest import clean_html, read_digest_html, read_sponsored_html
from .html_tree import parse_html

EXCERPT_CHARACTERS = 500


def import_feed(data, *, author=None, dry_run=False, progress=None):
    """Import every item of one feed document (bytes or text); returns a Report."""
    report = Report()
    # A stream, always: given a string, feedparser would fetch URLs and open file names. Its own
    # sanitiser is off: it drops video iframes; fill_content sanitises everything with ours.
    # Nor does it rewrite the HTML to resolve links (against a base a stream does not have):
    # that reorders attributes, and an item must give the very post its WXR twin gives.
    feed = feedparser.parse(
        io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data),
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if feed.bozo and not feed.entries:
        report.skip("feed", "the file", f"is not a feed that can be read ({feed.bozo_exception})")
        return report
    feed_date = _published(feed.feed)
    with writes(dry_run):
        author = author or default_author()
        imported = []
        for number, item in enumerate(feed.entries, start=1):
            title = _title(item)
            where = f"item {number} (“{title[:50]}”)"
            try:
                imported.append(read_item(item, title, where, feed_date))
            except ValueError as error:
                report.skip(kind_of(title), where, str(error))
        run_import(report, imported, author, progress=progress, total=len(imported))
    return report


def kind_of(title):
    if digest_date(title):
        return Post.Kind.DIGEST
    if title.startswith(SPONSORED_PREFIX):
        return Post.Kind.SPONSORED
    return Post.Kind.ARTICLE


def _title(item):
    raw = item.get("title") or ""
    if (item.get("title_detail") or {}).get("type") == "text/html":
        raw = html_to_text(raw)  # WordPress writes Atom titles as HTML: "Google&#8217;s …"
    return " ".join(raw.split())


def _link(item):
    # FeedBurner points <link> at its click tracker and keeps the real address here.
    return item.get("feedburner_origlink") or item.get("link") or ""


def _published(item):
    """The item's (or the feed's) publish time, or None when it has none."""
    parsed = item.get("published_parsed") or item.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC) if parsed else None


def _content(item):
    """(HTML, whether it is only the excerpt): the full content when the feed carries it."""
    for content in item.get("content") or []:
        if content.get("value"):
            return content["value"], False
    return item.get("summary") or "", True


def address(link, title, published):
    """(slug, publish time): the old link's slug and day when it has the legacy shape."""
    match = LEGACY_LINK_RE.search(urlsplit(link).path)
    if not match:
        return slug_from_title(title), published
    slug = slugify(match["slug"])[:SLUG_LENGTH].strip("-") or slug_from_title(title)
    local = timezone.localtime(published)
    try:
        day = local.replace(year=int(match["y"]), month=int(match["m"]), day=int(match["d"]))
    except ValueError as error:
        raise ValueError(f"has a link with an impossible date: {link}") from error
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


def split_byline(markup):
    """(byline, the rest) of an article's sanitised HTML: a guest post's opening paragraph
    ("This is a guest post by …") as inline HTML, as the archive importer stores it."""
    blocks = parse_html(markup).children
    for index, block in enumerate(blocks):
        if isinstance(block, str) and not block.strip():
            continue
        if isinstance(block, str) or block.tag != "p":
            break
        if GUEST_BYLINE_RE.match(" ".join(block.text().split())):
            rest = [b if isinstance(b, str) else b.html() for b in blocks[index + 1 :]]
            return block.inner_html().strip(), "".join(rest).strip()
        break
    return "", markup


def natural_key(link, slug, publish_at, fallback):
    """The old address when the link has its shape (every importer finds the same post by
    it), else what the source calls the post."""
    if LEGACY_LINK_RE.search(urlsplit(link).path):
        return legacy_ref(reverse_post(slug, publish_at))
    return fallback


def fill_content(post, content):
    """The text and parts of `post` (an ImportedPost of known kind) from its HTML."""
    if post.kind == Post.Kind.DIGEST:
        read = read_digest_html(content)
        post.excerpt, post.support_html = read.intro, read.support
        post.stats, post.quotes, post.items = read.stats, read.quotes, read.items
        post.more_quotes = read.more_quotes
        post.notes += read.notes
        post.structured, post.as_text = read.structured, read.as_text
    elif post.kind == Post.Kind.SPONSORED:
        read = read_sponsored_html(content)
        post.sponsors = [
            name.strip() for name in post.title[len(SPONSORED_PREFIX) :].split(",") if name.strip()
        ]
        # Rows only: sponsors.importing makes the listings and renders the sections from
        # them. The post's own words outside the sections stay, after them.
        post.listings = read.listings
        post.body = "\n".join(read.intro)
        post.notes += read.notes
        post.structured, post.as_text = read.structured, read.as_text
    else:
        # Split before sanitising, which drops the comment: WXR keeps WordPress's <!--more-->.
        head, more, tail = content.partition("<!--more-->")
        post.excerpt, post.body = (
            (clean_html(head).strip(), clean_html(tail).strip())
            if more
            else split_excerpt(clean_html(content))
        )
        byline, post.excerpt = split_byline(post.excerpt)
        if byline:
            post.byline = byline
            post.author_name = guest_name(html_to_text(byline)) or post.author_name
        post.structured = 1
    parts = post.stats or post.quotes or post.items or post.listings
    if not (html_to_text(post.excerpt + post.body) or parts):
        raise ValueError("has no content")


def read_item(item, title, where, feed_date=None):
    """The ImportedPost of one feed item; ValueError when it cannot be stored (no title)."""
    if not title:
        raise ValueError("has no title, so it cannot be stored")
    notes, guid, link = [], item.get("id") or "", _link(item)
    published = _published(item)
    dated = published is not None
    fallback = "feed:" + (guid or link or f"{title}@{published.isoformat() if dated else ''}")
    if not dated:
        published, dated_by = _guessed_date(fallback, feed_date)
    try:
        slug, publish_at = address(link, title, published)
    except ValueError as error:
        notes.append(f"{error}; its own date and a name from its title are used instead")
        link, slug, publish_at = "", slug_from_title(title), published
    content, excerpt_only = _content(item)
    post = ImportedPost(
        ref=natural_key(link, slug, publish_at, fallback),
        title=title[:200],
        kind=kind_of(title),
        publish_at=publish_at,
        where=where,
        slug=slug,
        author_name=(item.get("author_detail") or {}).get("name") or item.get("author") or "",
        tags=sorted(
            {" ".join(t.get("term", "").split())[:100] for t in item.get("tags") or []} - {""}
        ),
        # Squarespace guids end with the item's own id ("1036891:10970307:21836478").
        legacy_id=guid.rsplit(":", 1)[-1] if guid.count(":") >= 2 else "",
        excerpt_only=excerpt_only and kind_of(title) == Post.Kind.ARTICLE,
        notes=notes,
    )
    if not dated and not LEGACY_LINK_RE.search(urlsplit(link).path):
        post.date_is_guessed, post.status = True, Post.Status.DRAFT
        notes.append(f"has no date: dated by {dated_by}, marked as guessed and kept as a draft")
    elif not dated:
        notes.append("has no date: dated by its old address")
    try:
        fill_content(post, content)
    except ValueError as error:  # a post with a title can be stored, even empty
        post.notes.append(f"{error}; stored as it is")
    return post


def _guessed_date(ref, feed_date):
    """The date of an item that has none: the one an earlier import of it guessed (so a re-run
    changes nothing), else the feed's own date, else the time of the import."""
    earlier = Post.objects.filter(import_ref=ref[:500], date_is_guessed=True).first()
    if earlier is not None:
        return earlier.publish_at, "the date an earlier import gave it"
    if feed_date is not None:
        return feed_date, "the feed's own date"
    return timezone.now().replace(microsecond=0), "the time of this import"
