"""Read WordPress eXtended RSS (WXR) exports, the format of Squarespace's blog export too.

`read_wxr()` turns one export file into plain dataclasses; it touches no model and no database,
so the importer that stores posts decides what to do with each item. The reader's promise is
that nothing is silently dropped: an item with no title, an impossible date, an unknown post
type or a comment without content is still returned, and the document's `problems` list says
where it is ("item 12 (line 340, “Title”)") and what is wrong with it.

How values are read:

- Export versions 1.0, 1.1 and 1.2 are read alike: an element belongs to WordPress when its
  namespace is `http://wordpress.org/export/<version>/` (its excerpt namespace ends in
  `excerpt/`), whichever version that is.
- Titles, author display names, category and tag names have their whitespace collapsed
  (non-breaking spaces too) and are HTML-unescaped once: WordPress writes `&amp;#8217;` in titles,
  which XML turns into `&#8217;` and this reader into `’`.
- Dates are aware and in UTC. A post's date is `wp:post_date_gmt`; when that is missing or
  WordPress's zero date `0000-00-00 00:00:00` (its drafts have it), `wp:post_date` read in the
  `time_zone` given to `read_wxr` (UTC when none is given), else the RSS `pubDate`. Comments
  read `wp:comment_date_gmt`, else `wp:comment_date` in the same time zone. Falling back is
  recorded as a problem, except for drafts, pending and trashed posts and attachments (WordPress
  exports those without a GMT date); an impossible date is recorded and the next source tried.
  A published, scheduled or private item with no date at all is recorded too.
- `content` is `content:encoded` as in the file, except when it contains no block-level tag at
  all (WordPress stores classic-editor posts that way and adds paragraphs when it shows them):
  then text separated by blank lines becomes `<p>` paragraphs and a single line break inside one
  becomes `<br />`, like WordPress's `wpautop`; a line holding only an HTML comment
  (`<!--more-->`) stays between paragraphs, unwrapped. No character of text is removed;
  `raw_content` keeps the element exactly as exported.
- Category and tag names keep their order; repeats (compared without regard to case) are left
  out. Terms of other taxonomies go to `terms`, by their domain.
- `wp:post_parent` and `wp:comment_parent` of "0" (no parent) are read as "".
- Links and `wp:post_name` are given as exported (Squarespace writes `/blog/2016/3/11/slug` and
  sometimes the whole path as the post name); this module does not interpret them.
- A file that is not XML, declares entities (entity bombs, external entities), or is XML but not
  a WordPress export raises `WxrError`. One repair is made, because Squarespace writes them: a
  bare `&` or an HTML entity such as `&mdash;` outside CDATA is read as the text it stands for,
  and the lines where that happened are listed as a problem.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from .wxr_xml import (
    WP_NAMESPACE_RE,
    WxrError,
    item_lines,
    local_name,
    namespace_of,
    parse_xml,
    prefixed_name,
    rss_date,
    utc_date,
    wp_date,
    zone_of,
)

# WordPress types that hold how the old site was built, not what it published.
SITE_TYPES = frozenset(
    {
        "revision",
        "nav_menu_item",
        "custom_css",
        "customize_changeset",
        "oembed_cache",
        "user_request",
        "wp_block",
        "wp_template",
        "wp_template_part",
        "wp_global_styles",
        "wp_navigation",
    }
)
KNOWN_POST_TYPES = {"post", "page", "attachment", *SITE_TYPES}
KNOWN_STATUSES = {
    "publish",
    "draft",
    "future",
    "private",
    "pending",
    "trash",
    "inherit",
    "auto-draft",
}
# WordPress writes the zero date as the GMT date of posts that were never published.
UNDATED_STATUSES = {"draft", "pending", "auto-draft", "inherit", "trash"}
DATED_STATUSES = {"publish", "future", "private"}
COMMENT_APPROVALS = {"1", "0", "spam", "trash", "post-trashed"}
COMMENT_TYPES = {"", "comment", "pingback", "trackback"}
ATTACHED_FILE_KEY = "_wp_attached_file"
LOCAL_DATES = {"wp:post_date", "wp:comment_date"}

# Tags after which WordPress's wpautop leaves a text alone (its list of block elements).
BLOCK_TAG_RE = re.compile(
    r"<(?:address|article|aside|blockquote|caption|col|colgroup|dd|details|div|dl|dt|fieldset|"
    r"figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|legend|li|main|map|math|menu|nav|"
    r"ol|p|pre|section|style|summary|table|tbody|td|tfoot|th|thead|tr|ul)\b",
    re.IGNORECASE,
)
COMMENT_LINE_RE = re.compile(r"^[ \t]*(<!--.*?-->)[ \t]*$", re.MULTILINE)
BLANK_LINES_RE = re.compile(r"\n[ \t]*\n\s*")
# CDATA sections and comments are skipped when looking for <item> tags or loose ampersands.


@dataclass
class WxrComment:
    """One `wp:comment` of an item, values as exported (see the module notes for dates)."""

    id: str
    parent_id: str
    author: str
    email: str
    url: str
    date: datetime | None
    content: str
    approved: str
    type: str
    user_id: str = ""
    author_ip: str = ""
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class WxrItem:
    """One `<item>`: a post, page, attachment or any other WordPress post type."""

    number: int
    line: int | None
    post_id: str
    title: str
    link: str
    slug: str
    post_type: str
    status: str
    published: datetime | None
    author_login: str
    author_name: str
    content: str
    excerpt: str
    categories: list[str]
    tags: list[str]
    parent_id: str
    attachment_url: str
    attached_file: str
    comments: list[WxrComment]
    meta: dict[str, str]
    guid: str = ""
    raw_content: str = ""
    # Other taxonomies (post_format, custom ones): domain -> names.
    terms: dict[str, list[str]] = field(default_factory=dict)
    # Every postmeta pair in file order, including repeated keys and _wp_attached_file.
    postmeta: list[tuple[str, str]] = field(default_factory=list)
    # Child elements this reader does not interpret, by prefixed name ("wp:is_sticky").
    other: dict[str, str] = field(default_factory=dict)
    # This item's problems (what only); the document's list has them with their place.
    problems: list[str] = field(default_factory=list)

    @property
    def where(self):
        place = [f"line {self.line}"] if self.line else []
        if self.title:
            short = self.title if len(self.title) <= 50 else self.title[:49] + "…"
            place.append(f"“{short}”")
        return f"item {self.number}" + (f" ({', '.join(place)})" if place else "")


@dataclass
class WxrDocument:
    """The channel of an export: its site, its authors and every item, with the problems found."""

    title: str
    link: str
    base_site_url: str
    base_blog_url: str
    items: list[WxrItem]
    problems: list[tuple[str, str]]
    wxr_version: str = ""
    # Login -> display name, from the channel's wp:author entries.
    authors: dict[str, str] = field(default_factory=dict)


def read_wxr(data: bytes | str, *, time_zone: tzinfo | str | None = None) -> WxrDocument:
    """Read one WXR export (bytes, or text already decoded).

    `time_zone` (a tzinfo or an IANA name) is the site's zone, in which WordPress's local dates
    are read when an item has no GMT date. Raises WxrError when the file is not well-formed XML,
    declares entities, or is not a WordPress export.
    """
    zone = zone_of(time_zone)
    problems = []
    root, data = parse_xml(data, problems)
    channel = root.find("channel") if local_name(root.tag) == "rss" else None
    if channel is None:
        raise WxrError(
            f"is not a WordPress export: its root element is <{local_name(root.tag)}>, "
            "not <rss> with a <channel>"
        )
    versions = {
        match[1]
        for element in channel.iter()
        if (match := WP_NAMESPACE_RE.match(namespace_of(element.tag)))
    }
    if not versions:
        raise WxrError(
            "is an RSS feed, not a WordPress export: it has no wp: elements "
            "(namespace http://wordpress.org/export/1.2/)"
        )
    fields = _Fields(channel)
    authors = {}
    for entry in fields.all("wp:author"):
        author = _Fields(entry)
        login = author.text("wp:author_login").strip()
        if login:
            authors[login] = _clean(author.text("wp:author_display_name")) or login
    document = WxrDocument(
        title=_clean(fields.text("title")),
        link=fields.text("link").strip(),
        base_site_url=fields.text("wp:base_site_url").strip(),
        base_blog_url=fields.text("wp:base_blog_url").strip(),
        items=[],
        problems=problems,
        wxr_version=fields.text("wp:wxr_version").strip() or max(versions),
        authors=authors,
    )
    if len(versions) > 1:
        problems.append(
            ("the file", f"mixes WordPress export versions {', '.join(sorted(versions))}")
        )
    elements = fields.all("item")
    lines = item_lines(data, len(elements))
    for number, (element, line) in enumerate(zip(elements, lines, strict=True), start=1):
        document.items.append(_ItemReader(element, number, line, zone, authors).read())
    _check_ids(document.items)
    for item in document.items:
        problems.extend((item.where, what) for what in item.problems)
    return document


def autop(text):
    """Paragraphs for a text with no block-level tags, the way WordPress shows such posts."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text or BLOCK_TAG_RE.search(text):
        return text
    text = COMMENT_LINE_RE.sub(r"\n\n\1\n\n", text)
    blocks = []
    for block in BLANK_LINES_RE.split(text):
        block = block.strip()
        if not block:
            continue
        if block.startswith("<!--") and block.endswith("-->"):
            blocks.append(block)
        else:
            blocks.append("<p>" + re.sub(r"[ \t]*\n[ \t]*", "<br />\n", block) + "</p>")
    return "\n".join(blocks)


class _Fields:
    """An element's children by prefixed name: "title", "wp:post_id", "content:encoded"."""

    def __init__(self, element):
        self.children = {}
        for child in element:
            if isinstance(child.tag, str):
                self.children.setdefault(prefixed_name(child.tag), []).append(child)
        self.used = set()

    def all(self, name):
        self.used.add(name)
        return self.children.get(name, [])

    def first(self, name):
        found = self.all(name)
        return found[0] if found else None

    def text(self, name):
        element = self.first(name)
        return "" if element is None else "".join(element.itertext())

    def unused(self):
        return {name: found for name, found in self.children.items() if name not in self.used}


class _ItemReader:
    def __init__(self, element, number, line, zone, authors):
        self.fields = _Fields(element)
        self.number, self.line, self.zone, self.authors = number, line, zone, authors
        self.problems = []

    def read(self):
        f = self.fields
        status = f.text("wp:status").strip()
        post_type = f.text("wp:post_type").strip()
        login = f.text("dc:creator").strip()
        raw_content = f.text("content:encoded")
        categories, tags, terms = self._terms()
        postmeta = self._postmeta(f.all("wp:postmeta"))
        meta = {}
        for key, value in postmeta:
            if key != ATTACHED_FILE_KEY:
                meta.setdefault(key, value)
        item = WxrItem(
            number=self.number,
            line=self.line,
            post_id=f.text("wp:post_id").strip(),
            title=_clean(f.text("title")),
            link=f.text("link").strip(),
            slug=f.text("wp:post_name").strip(),
            post_type=post_type,
            status=status,
            published=self._published(status),
            author_login=login,
            author_name=self.authors.get(login, login),
            content=autop(raw_content),
            excerpt=f.text("excerpt:encoded"),
            categories=categories,
            tags=tags,
            parent_id=_parent(f.text("wp:post_parent")),
            attachment_url=f.text("wp:attachment_url").strip(),
            attached_file=next((v for k, v in postmeta if k == ATTACHED_FILE_KEY), ""),
            comments=[],
            meta=meta,
            guid=f.text("guid").strip(),
            raw_content=raw_content,
            terms=terms,
            postmeta=postmeta,
            problems=self.problems,
        )
        item.comments = self._comments()
        for name, found in f.unused().items():
            item.other[name] = "\n".join("".join(e.itertext()).strip() for e in found)
        for name in ("content:encoded", "excerpt:encoded", "title"):
            element = f.first(name)
            if element is not None and len(element):
                self.problems.append(f"has XML elements inside {name}; only their text is kept")
        self._check(item)
        return item

    def _check(self, item):
        if not item.title:
            self.problems.append("has no title")
        if not item.post_id:
            self.problems.append("has no wp:post_id")
        if item.post_type not in KNOWN_POST_TYPES:
            self.problems.append(f"has an unknown post type “{item.post_type}”")
        if item.status not in KNOWN_STATUSES:
            self.problems.append(f"has an unknown status “{item.status}”")
        if item.post_type in ("post", "page"):
            if not item.author_login:
                self.problems.append("has no author (dc:creator)")
            elif self.authors and item.author_login not in self.authors:
                self.problems.append(
                    f"has the author “{item.author_login}”, who is not among the channel's "
                    "wp:author entries"
                )
        if item.post_type == "attachment" and not (item.attachment_url or item.attached_file):
            self.problems.append("is an attachment with no wp:attachment_url or attached file")

    def _published(self, status):
        f = self.fields
        sources = [
            ("wp:post_date_gmt", f.text("wp:post_date_gmt"), lambda v: wp_date(v, UTC)),
            ("wp:post_date", f.text("wp:post_date"), lambda v: wp_date(v, self.zone)),
            ("pubDate", f.text("pubDate"), rss_date),
        ]
        published = self._first_date(sources, quiet=status in UNDATED_STATUSES)
        if published is None and status in DATED_STATUSES:
            self.problems.append("has no publish date")
        return published

    def _first_date(self, sources, *, quiet, problems=None):
        """The first readable date of (label, raw value, parse) sources; problems noted."""
        problems = self.problems if problems is None else problems
        for index, (label, raw, parse) in enumerate(sources):
            try:
                value = parse(raw)
            except ValueError:
                problems.append(f"has an impossible {label} “{raw.strip()}”")
                continue
            if value is None:
                continue
            if index and not quiet:
                zone = f" read in {self.zone}" if label in LOCAL_DATES else ""
                problems.append(f"has no usable {sources[0][0]}; its date is {label}{zone}")
            return value
        return None

    def _terms(self):
        categories, tags, terms = [], [], {}
        for element in self.fields.all("category"):
            domain = (element.get("domain") or "category").strip()
            name = _clean("".join(element.itertext())) or _clean(element.get("nicename") or "")
            if not name:
                self.problems.append(f"has an empty {domain}")
                continue
            if domain == "category":
                names = categories
            elif domain in ("post_tag", "tag"):
                names = tags
            else:
                names = terms.setdefault(domain, [])
            if name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
        return categories, tags, terms

    def _postmeta(self, elements):
        pairs = []
        for element in elements:
            meta = _Fields(element)
            pairs.append((meta.text("wp:meta_key").strip(), meta.text("wp:meta_value")))
        return pairs

    def _comments(self):
        comments = []
        for index, element in enumerate(self.fields.all("wp:comment"), start=1):
            f = _Fields(element)
            problems = []
            comment = WxrComment(
                id=f.text("wp:comment_id").strip(),
                parent_id=_parent(f.text("wp:comment_parent")),
                author=_clean(f.text("wp:comment_author")),
                email=f.text("wp:comment_author_email").strip(),
                url=f.text("wp:comment_author_url").strip(),
                date=self._first_date(
                    [
                        ("wp:comment_date_gmt", f.text("wp:comment_date_gmt"), utc_date),
                        (
                            "wp:comment_date",
                            f.text("wp:comment_date"),
                            lambda v: wp_date(v, self.zone),
                        ),
                    ],
                    quiet=False,
                    problems=problems,
                ),
                content=f.text("wp:comment_content"),
                approved=f.text("wp:comment_approved").strip(),
                type=f.text("wp:comment_type").strip(),
                user_id=f.text("wp:comment_user_id").strip(),
                author_ip=f.text("wp:comment_author_IP").strip(),
                meta=dict(self._postmeta(f.all("wp:commentmeta"))),
            )
            if comment.date is None:
                problems.append("has no date")
            if not comment.content.strip():
                problems.append("has no content")
            if comment.approved not in COMMENT_APPROVALS:
                problems.append(f"has an unknown approval “{comment.approved}”")
            if comment.type not in COMMENT_TYPES:
                problems.append(f"has an unknown comment type “{comment.type}”")
            if not comment.id:
                problems.append("has no wp:comment_id")
            label = f"comment {comment.id}" if comment.id else f"comment number {index}"
            self.problems.extend(f"{label} {what}" for what in problems)
            comments.append(comment)
        ids = [c.id for c in comments if c.id]
        for comment in comments:
            if comment.parent_id and comment.parent_id not in ids:
                self.problems.append(
                    f"comment {comment.id} answers comment {comment.parent_id}, "
                    "which is not in this item"
                )
        for repeated in sorted({i for i in ids if ids.count(i) > 1}):
            self.problems.append(f"has several comments with the id {repeated}")
        return comments


def _check_ids(items):
    first = {}
    for item in items:
        if not item.post_id:
            continue
        if item.post_id in first:
            item.problems.append(
                f"has the wp:post_id {item.post_id} of item {first[item.post_id]} too"
            )
        else:
            first[item.post_id] = item.number


def _clean(text):
    """Text of a title or name: HTML entities decoded once, whitespace (NBSP too) collapsed."""
    return " ".join(html.unescape(text).split())


def _parent(value):
    value = value.strip()
    return "" if value == "0" else value
