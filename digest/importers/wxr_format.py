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

from dataclasses import dataclass, field
from datetime import tzinfo

from .wxr_item import SITE_TYPES, Fields, ItemReader, WxrComment, WxrItem, autop, clean_name
from .wxr_xml import (
    WP_NAMESPACE_RE,
    WxrError,
    item_lines,
    local_name,
    namespace_of,
    parse_xml,
    zone_of,
)


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
    fields = Fields(channel)
    authors = {}
    for entry in fields.all("wp:author"):
        author = Fields(entry)
        login = author.text("wp:author_login").strip()
        if login:
            authors[login] = clean_name(author.text("wp:author_display_name")) or login
    document = WxrDocument(
        title=clean_name(fields.text("title")),
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
        document.items.append(ItemReader(element, number, line, zone, authors).read())
    _check_ids(document.items)
    for item in document.items:
        problems.extend((item.where, what) for what in item.problems)
    return document


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


__all__ = ["SITE_TYPES", "WxrComment", "WxrDocument", "WxrError", "WxrItem", "autop", "read_wxr"]
