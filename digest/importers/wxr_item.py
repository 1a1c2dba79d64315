"""One <item> of a WXR export read into plain dataclasses: its fields, dates, terms, meta and
comments, with the problems found (see wxr_format for the rules of reading)."""

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .wxr_xml import (
    prefixed_name,
    rss_date,
    utc_date,
    wp_date,
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


class Fields:
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


class ItemReader:
    def __init__(self, element, number, line, zone, authors):
        self.fields = Fields(element)
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
            title=clean_name(f.text("title")),
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
            name = clean_name("".join(element.itertext()))
            name = name or clean_name(element.get("nicename") or "")
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
            meta = Fields(element)
            pairs.append((meta.text("wp:meta_key").strip(), meta.text("wp:meta_value")))
        return pairs

    def _comments(self):
        comments = []
        for index, element in enumerate(self.fields.all("wp:comment"), start=1):
            f = Fields(element)
            problems = []
            comment = WxrComment(
                id=f.text("wp:comment_id").strip(),
                parent_id=_parent(f.text("wp:comment_parent")),
                author=clean_name(f.text("wp:comment_author")),
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


def clean_name(text):
    """Text of a title or name: HTML entities decoded once, whitespace (NBSP too) collapsed."""
    return " ".join(html.unescape(text).split())


def _parent(value):
    value = value.strip()
    return "" if value == "0" else value
