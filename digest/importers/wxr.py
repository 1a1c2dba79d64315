"""Import a WordPress eXtended RSS export (WXR, also what Squarespace's blog export writes).

`import_wxr` reads the file with wxr_format and writes each post through the importers' one
write path (base.write_post), so it makes of an item exactly the post import_feed makes of the
same item in a feed: the same natural key (the old `/blog/<y>/<m>/<d>/<slug>.html` address),
digests read into stats, quotes and items and sponsored posts into listings by the same code
(feed.fill_content). A WXR post fills in a post that an excerpt-only feed created.

What becomes of each item:
- Posts (`post`): full text, author (the channel's display name; a local account whose username
  is the WordPress login when there is one), categories and tags as tags, the publish date
  (`wp:post_date_gmt`, else `wp:post_date` in the site's TIME_ZONE), slug and address from the
  old link or `wp:post_name`. Statuses: publish → published; future → published at its future
  date (scheduled); draft, pending and private → draft; trash and auto-draft → not imported,
  with a note; any other status → draft, with a note. A post readers needed a password for
  is kept as a draft.
- Pages and post types WordPress plugins add are kept as draft articles, with a note giving
  their old address: Scalepress has no pages, and a draft keeps the text for an editor to
  publish or to point the old address at. Menus, revisions, templates, styles and other
  site-building types are not imported; each is noted.
- Attachments are copied from a local folder when posts use them (wxr_attachments); never
  fetched.
- Comments are kept aside (ImportedComment) for the posts that were written.
- An item written by Scalepress's own export carries a `_scalepress_post` record
  (wxr_meta), which is preferred over re-reading its HTML: the post comes back with its text,
  parts and anchors exactly.

Nothing is silently left out: the reader's problems, every line kept loosely as text, whatever
has no place here (a hand-written excerpt, a post format, a featured image) and every item not
imported are in the report with their place ("item 12 (line 340, “Title”)"). An item is refused
only when it cannot be stored: one with no title.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from ..markdown import html_to_text, render_markdown, sanitize_html
from ..models import SLUG_LENGTH, ImportedComment, Post, SiteSettings, slug_from_title
from .base import LEGACY_LINK_RE, ImportedPost, Report, default_author, run_import, writes
from .feed import address, fill_content, kind_of, natural_key
from .html_digest import clean_html, read_sponsored_html
from .sections import is_placeholder, section_key
from .wxr_attachments import Attachments
from .wxr_format import SITE_TYPES, WxrError, autop, read_wxr
from .wxr_meta import META_KEY, read_post_data

PUBLISHED_STATUSES = {"publish", "future"}
DRAFT_STATUSES = {"draft", "pending", "private"}
SKIPPED_STATUSES = {
    "trash": "is in WordPress's trash",
    "auto-draft": "is an auto-draft (WordPress makes one whenever the editor opens)",
}
COMMENT_FIELDS = (
    "source_id",
    "parent_source_id",
    "author_name",
    "author_email",
    "author_url",
    "posted_at",
    "body_html",
    "status",
    "kind",
)
COMMENT_STATUSES = {"1": "1", "0": "0", "spam": "spam", "trash": "trash", "post-trashed": "trash"}
# Squarespace guids end with the item's own id ("1036891:10970307:21836478"), as in feeds.
SQUARESPACE_GUID_PARTS = 3


def import_wxr(data, *, author=None, dry_run=False, attachments_dir=None, progress=None):
    """Import every post of one WXR export (bytes or text); returns a Report. Writes nothing
    (no rows, no files) when `dry_run`."""
    report = Report()
    try:
        document = read_wxr(data, time_zone=settings.TIME_ZONE)
    except (WxrError, ValueError) as error:
        report.skip("file", "the file", str(error))
        return report
    for where, problem in document.problems:
        report.note(where, problem)
    with writes(dry_run):
        author = author or default_author()
        reader = _Reader(document, Attachments(document, folder=attachments_dir, dry_run=dry_run))
        imported, comments = [], {}
        for item in document.items:
            post = reader.read(item, report)
            if post is not None:
                imported.append(post)
                comments[post.ref[:500]] = item.comments
        reader.attachments.report(report)
        run_import(report, imported, author, progress=progress, total=len(imported))
        keep_comments(comments)
    return report


class _Reader:
    """Turns the export's items into ImportedPosts."""

    def __init__(self, document, attachments):
        self.attachments = attachments
        self.newest = max((i.published for i in document.items if i.published), default=None)
        logins = {item.author_login for item in document.items if item.author_login}
        self.local_logins = set(
            get_user_model().objects.filter(username__in=logins).values_list("username", flat=True)
        )

    def read(self, item, report):
        """The post of `item`, or None when it is not imported (the report says why)."""
        if item.post_type == "attachment":
            return None
        if item.post_type in SITE_TYPES:
            report.skip(item.post_type, item.where, f"is a WordPress {item.post_type}: not a post")
            return None
        is_post = item.post_type == "post"
        meta, notes = self._meta(item) if is_post else (None, [])
        kind = (meta.kind if meta else kind_of(item.title)) if is_post else Post.Kind.ARTICLE
        if item.status in SKIPPED_STATUSES:
            report.skip(kind, item.where, f"{SKIPPED_STATUSES[item.status]}: not imported")
            return None
        if not item.title:
            report.skip(kind, item.where, "has no title, so it cannot be stored: not imported")
            return None
        post = ImportedPost(
            source="wxr",
            ref="",
            title=item.title[:200],
            kind=kind,
            publish_at=None,
            where=item.where,
            author_name=self._author(item),
            tags=_tags(item),
            legacy_id=_legacy_id(item),
            notes=notes,
        )
        link = self._place(item, post)
        post.ref = natural_key(link, post.slug, post.publish_at, _fallback_ref(item))
        if not is_post:
            post.status = Post.Status.DRAFT
            old = urlsplit(item.link).path or "no address"
            post.notes.append(
                f"is a WordPress {item.post_type} (its address was {old}): Scalepress has no "
                "pages, so it is kept as a draft article"
            )
        item_notes = list(post.notes)
        content = self.attachments.rewrite(item.content, post.notes)
        try:
            fill_content(post, content)
        except ValueError as error:  # a post with a title can be stored, even empty
            post.notes.append(f"{error}; stored as it is")
        if meta:
            # What the HTML reading noted is moot: the record's text and parts are used.
            post.notes = item_notes
            _apply(post, meta, self._author(item))
        else:
            _keep_excerpt(post, item.excerpt, content)
        for domain, names in item.terms.items():
            post.notes.append(
                f"its {domain} “{', '.join(names)}” is not kept (Scalepress has no such terms)"
            )
        return post

    def _meta(self, item):
        raw = item.meta.get(META_KEY)
        if raw is None:
            return None, []
        meta, problem = read_post_data(raw)
        if meta is None:
            return None, [f"its {META_KEY} record {problem}; its HTML is read instead"]
        return meta, []

    def _author(self, item):
        # The same account again when this site has the login (its own export), else a guest
        # named as the old site showed the author (import_feed names them the same way).
        if item.author_login in self.local_logins:
            return item.author_login
        return item.author_name

    def _place(self, item, post):
        """Set the post's status, publish time and slug; returns its old address (or "")."""
        published = item.published
        if item.status in PUBLISHED_STATUSES:
            post.status = Post.Status.PUBLISHED
        else:
            post.status = Post.Status.DRAFT
            if item.status not in DRAFT_STATUSES:
                post.notes.append(f"has the status “{item.status}”; kept as a draft")
            elif item.status == "private":
                post.notes.append("was private; kept as a draft")
        if item.other.get("wp:post_password", "").strip() and post.status != Post.Status.DRAFT:
            # Readers needed a password for it: it must not become public by moving here.
            post.status = Post.Status.DRAFT
            post.notes.append("was protected by a password; kept as a draft")
        if published is None:
            published = self.newest or timezone.now().replace(microsecond=0)
            if post.status == Post.Status.PUBLISHED:
                post.status = Post.Status.DRAFT
                post.notes.append("has no date; kept as a draft dated like the newest item")
        links = (item.link, "/" + item.slug.lstrip("/"))
        link = next((x for x in links if LEGACY_LINK_RE.search(urlsplit(x).path)), "")
        if link:
            try:
                post.slug, post.publish_at = address(link, post.title, published)
                return link
            except ValueError as error:
                post.notes.append(f"{error}; its date and name are used instead")
        post.slug = _slug(item.slug) or slug_from_title(post.title)
        post.publish_at = published
        return ""


def _apply(post, meta, author_name):
    """Scalepress's own record wins over what was read from the HTML."""
    post.ref = meta.ref or post.ref
    if meta.publish_at and abs((meta.publish_at - post.publish_at).total_seconds()) < 1:
        post.publish_at = meta.publish_at  # with its microseconds
    post.author_name = author_name
    post.text_format, post.excerpt, post.body = meta.text_format, meta.excerpt, meta.body
    post.byline, post.support_html = meta.byline, meta.support_html
    post.more_quotes, post.legacy_id = meta.more_quotes, meta.legacy_id
    post.date_is_guessed, post.excerpt_only = meta.date_is_guessed, meta.excerpt_only
    if meta.kind == Post.Kind.DIGEST:
        post.stats, post.quotes, post.items = meta.stats, meta.quotes, meta.items
        post.structured = len(meta.stats) + len(meta.quotes) + len(meta.items)
        post.as_text = 0
    elif meta.kind == Post.Kind.SPONSORED:
        _apply_sponsored(post, meta)
    else:
        post.structured, post.as_text = 1, 0


def _apply_sponsored(post, meta):
    """Rows again from the record: its sections' listings (sponsors.importing renders the post
    from them, as it was) and the post's own words around them."""
    if meta.text_format == Post.Format.MARKDOWN:
        # A record from before sponsored posts were rendered from their listings.
        intro, post.listings = listings_of(meta.excerpt)
        post.excerpt, post.body = render_markdown(intro), render_markdown(meta.body)
    else:
        read = read_sponsored_html(meta.excerpt)
        post.listings, post.excerpt, post.body = read.listings, "\n".join(read.intro), meta.body
    post.text_format = Post.Format.HTML
    post.structured, post.as_text = len(post.listings), 0


def listings_of(markdown):
    """(the Markdown before the sections, the (section, Markdown) listings) of a sponsored
    post's sections written as Markdown: "### <section>", a blank line, then one "- " bullet
    each (the empty section's placeholder is none)."""
    listings, section, in_list = [], None, False
    lines = markdown.splitlines()
    first = next((n for n, line in enumerate(lines) if line.startswith("### ")), len(lines))
    empty_text = SiteSettings.load().empty_section_text
    for line in lines[first:]:
        if line.startswith("### "):
            section, in_list = section_key(line[4:]), False
        elif section and line.startswith("- "):
            text, in_list = line[2:], True
            if text != empty_text and not is_placeholder(text):
                listings.append([section, text])
        elif in_list and line.strip() and listings and listings[-1][0] == section:
            listings[-1][1] += "\n" + line  # a listing of several lines
        elif not line.strip() and in_list:
            section, in_list = None, False
    return "\n".join(lines[:first]).strip(), [tuple(listing) for listing in listings]


def _keep_excerpt(post, excerpt, content):
    """A hand-written excerpt that is not part of the text is kept too, and noted."""
    manual = clean_html(autop(excerpt))
    text = html_to_text(manual)
    if not text or text in html_to_text(clean_html(content)):
        return
    if post.kind == Post.Kind.ARTICLE:
        post.body = "\n".join(part for part in (post.excerpt, post.body) if part)
        post.excerpt = manual
        where = "is the excerpt, and the whole text the body"
    elif post.kind == Post.Kind.DIGEST:
        post.excerpt = "\n".join(part for part in (manual, post.excerpt) if part)
        where = "starts the intro"
    else:
        post.body = "\n".join(part for part in (manual, post.body) if part)
        where = "starts the text after the listings"
    post.notes.append(f"has a hand-written excerpt that is not in its text: “{text[:60]}” {where}")
    post.as_text += 1


def keep_comments(comments_by_ref):
    """Keep each written post's comments aside (ImportedComment), exactly those of the file;
    a post whose comments are already kept as they are is not touched."""
    posts = list(Post.objects.filter(import_ref__in=list(comments_by_ref)).only("pk", "import_ref"))
    kept = {}
    for row in ImportedComment.objects.filter(post__in=posts).values("post_id", *COMMENT_FIELDS):
        kept.setdefault(row.pop("post_id"), {})[row["source_id"]] = row
    for post in posts:
        comments = [_comment(c, n) for n, c in enumerate(comments_by_ref[post.import_ref], 1)]
        for comment in comments:
            # Our own export leaves addresses out: a re-import keeps the ones already stored.
            stored = kept.get(post.pk, {}).get(comment["source_id"])
            if stored and not comment["author_email"]:
                comment["author_email"] = stored["author_email"]
        wanted = {
            c["source_id"]: {**c, "body_html": sanitize_html(c["body_html"])} for c in comments
        }
        if wanted != kept.get(post.pk, {}):
            ImportedComment.keep(post, comments)


def _comment(comment, number):
    return {
        "source_id": (comment.id or f"number-{number}")[:64],
        "parent_source_id": comment.parent_id[:64],
        "author_name": comment.author[:255],
        "author_email": comment.email[:255],
        "author_url": comment.url[:500],
        "posted_at": comment.date,
        "body_html": autop(comment.content),
        "status": COMMENT_STATUSES.get(comment.approved, "0"),
        "kind": (comment.type or "comment")[:20],
    }


def _tags(item):
    """Categories and tags, as import_feed takes a feed's categories."""
    names = {}
    for name in [*item.categories, *item.tags]:
        name = " ".join(name.split())[:100]
        names.setdefault(name.casefold(), name)
    return sorted(names.values())


def _legacy_id(item):
    parts = item.guid.split(":")
    if len(parts) == SQUARESPACE_GUID_PARTS and all(p.isdigit() for p in parts):
        return parts[-1]
    return item.post_id


def _fallback_ref(item):
    """What the post is called when its link is not an old address (as import_feed keys it
    by the guid); a WordPress post id when there is nothing else."""
    if item.guid:
        return f"feed:{item.guid}"
    if urlsplit(item.link).scheme in ("http", "https"):
        return f"feed:{item.link}"
    return f"wxr:{item.post_id or item.number}"


def _slug(post_name):
    # Squarespace writes "name.html" and sometimes the whole path "blog/2016/3/7/name".
    name = post_name.strip().rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
    return slugify(name)[:SLUG_LENGTH].strip("-")
