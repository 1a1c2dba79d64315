"""Write posts as a WordPress eXtended RSS 1.2 export (`export_archive --format wxr`).

Every post is an item WordPress and other tools can read: title, permalink, author, dates
(local and GMT), slug, tags, and its HTML as readers see it. A digest's HTML is written in the
original site's shape (intro, support paragraph, one list: the stats line, "Quotable Quotes:"
with one nested bullet per quote, the items), which import_wxr and import_feed read back into
parts. An article's excerpt and body are separated by WordPress's <!--more-->; a guest post's
byline comes first. Comments kept aside from an earlier import (ImportedComment) are written as
the item's comments.

Each item also carries Scalepress's own record of the post in the `_scalepress_post` postmeta
(wxr_meta): its stored text, byline, kind, natural key, exact publish time and, for a digest,
the parts with their anchors, so importing the file into an empty database gives the same
posts, addresses, parts and anchors. Lead images are not written (the file holds no files).
Authors' e-mail addresses are left out: an export is a file that travels.
"""

import re
from datetime import UTC
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.utils import timezone

from ..models import Post, SiteSettings
from .wxr_meta import META_KEY, dump, post_data

WXR_VERSION = "1.2"
NAMESPACES = (
    'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:wp="http://wordpress.org/export/1.2/"'
)
# Characters XML 1.0 cannot hold at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MORE_QUOTES = "There are more Quotable Quotes in the full article."


def write_wxr(posts, *, site_url=None):
    """The WXR document (text) of `posts`, in the order given. Digests need their stats,
    quotes and items; every post its tags, author and imported comments (prefetch them)."""
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    site = SiteSettings.load()
    posts = list(posts)
    authors = {post.author_id: post.author for post in posts}
    tags = {tag.slug: tag.name for post in posts for tag in post.tags.all()}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!-- A WordPress eXtended RSS file written by Scalepress (export_archive). -->",
        f'<rss version="2.0" {NAMESPACES}>',
        "<channel>",
        f"  <title>{name(site.site_name)}</title>",
        f"  <link>{text(site_url)}</link>",
        f"  <description>{text(site.tagline)}</description>",
        f"  <pubDate>{format_datetime(timezone.now().replace(microsecond=0))}</pubDate>",
        "  <language>en-US</language>",
        f"  <wp:wxr_version>{WXR_VERSION}</wp:wxr_version>",
        f"  <wp:base_site_url>{text(site_url)}</wp:base_site_url>",
        f"  <wp:base_blog_url>{text(site_url)}</wp:base_blog_url>",
    ]
    for user in sorted(authors.values(), key=lambda u: u.username):
        lines += [
            "  <wp:author>",
            f"    <wp:author_id>{user.pk}</wp:author_id>",
            f"    <wp:author_login>{cdata(user.username)}</wp:author_login>",
            f"    <wp:author_display_name>{name(_display_name(user))}</wp:author_display_name>",
            "  </wp:author>",
        ]
    for slug, tag_name in sorted(tags.items()):
        lines.append(
            f"  <wp:tag><wp:tag_slug>{cdata(slug)}</wp:tag_slug>"
            f"<wp:tag_name>{name(tag_name)}</wp:tag_name></wp:tag>"
        )
    for post in posts:
        lines += _item(post, site_url)
    lines += ["</channel>", "</rss>", ""]
    return "\n".join(lines)


def _item(post, site_url):
    link = site_url + post.get_absolute_url()
    local = timezone.localtime(post.publish_at)
    lines = [
        "  <item>",
        f"    <title>{name(post.title)}</title>",
        f"    <link>{text(link)}</link>",
        f"    <pubDate>{format_datetime(post.publish_at.astimezone(UTC))}</pubDate>",
        f"    <dc:creator>{cdata(post.author.username)}</dc:creator>",
        f'    <guid isPermaLink="true">{text(link)}</guid>',
        "    <description></description>",
        f"    <content:encoded>{cdata(post_html(post))}</content:encoded>",
        "    <excerpt:encoded><![CDATA[]]></excerpt:encoded>",
        f"    <wp:post_id>{post.pk}</wp:post_id>",
        f"    <wp:post_date>{local:%Y-%m-%d %H:%M:%S}</wp:post_date>",
        f"    <wp:post_date_gmt>{post.publish_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}"
        "</wp:post_date_gmt>",
        "    <wp:comment_status>closed</wp:comment_status>",
        "    <wp:ping_status>closed</wp:ping_status>",
        f"    <wp:post_name>{cdata(post.slug)}</wp:post_name>",
        "    <wp:status>publish</wp:status>",
        "    <wp:post_parent>0</wp:post_parent>",
        "    <wp:menu_order>0</wp:menu_order>",
        "    <wp:post_type>post</wp:post_type>",
        "    <wp:post_password></wp:post_password>",
        "    <wp:is_sticky>0</wp:is_sticky>",
    ]
    for tag in sorted(post.tags.all(), key=lambda t: t.name):
        lines.append(
            f'    <category domain="post_tag" nicename={quoteattr(tag.slug)}>'
            f"{name(tag.name)}</category>"
        )
    lines += [
        "    <wp:postmeta>",
        f"      <wp:meta_key>{META_KEY}</wp:meta_key>",
        f"      <wp:meta_value>{cdata(dump(post_data(post)))}</wp:meta_value>",
        "    </wp:postmeta>",
    ]
    for comment in post.imported_comments.all():
        lines += _comment(comment)
    lines.append("  </item>")
    return lines


def _comment(comment):
    posted = comment.posted_at
    dates = []
    if posted is not None:
        dates = [
            f"      <wp:comment_date>{timezone.localtime(posted):%Y-%m-%d %H:%M:%S}"
            "</wp:comment_date>",
            f"      <wp:comment_date_gmt>{posted.astimezone(UTC):%Y-%m-%d %H:%M:%S}"
            "</wp:comment_date_gmt>",
        ]
    return [
        "    <wp:comment>",
        f"      <wp:comment_id>{text(comment.source_id)}</wp:comment_id>",
        f"      <wp:comment_author>{name(comment.author_name)}</wp:comment_author>",
        f"      <wp:comment_author_email>{text(comment.author_email)}</wp:comment_author_email>",
        f"      <wp:comment_author_url>{text(comment.author_url)}</wp:comment_author_url>",
        *dates,
        f"      <wp:comment_content>{cdata(comment.body_html)}</wp:comment_content>",
        f"      <wp:comment_approved>{text(comment.status)}</wp:comment_approved>",
        f"      <wp:comment_type>{text(comment.kind)}</wp:comment_type>",
        f"      <wp:comment_parent>{text(comment.parent_source_id or '0')}</wp:comment_parent>",
        "    </wp:comment>",
    ]


def post_html(post):
    """The post as readers see it, one HTML document (see the module's docstring)."""
    if post.kind == Post.Kind.DIGEST:
        blocks = [post.excerpt_html, post.support_html, digest_list(post), post.body_html]
    elif post.kind == Post.Kind.ARTICLE:
        byline = f"<p>{post.byline_html}</p>" if post.byline_html else ""
        more = "<!--more-->" if post.body_html else ""
        blocks = [byline, post.excerpt_html, more, post.body_html]
    else:
        blocks = [post.excerpt_html, post.body_html]
    return "\n".join(block.strip() for block in blocks if block and block.strip())


def digest_list(post):
    """The stats line, the quotes and the items as the original site's one list."""
    bullets = []
    stats = list(post.stats.all())
    if stats:
        bullets.append("<li>" + " ".join(f"{_stat(stat)};" for stat in stats) + "</li>")
    quotes = list(post.quotes.all())
    if quotes:
        lines = [f"<li>{_quote(quote)}</li>" for quote in quotes]
        if post.more_quotes_marker:
            lines.append(f"<li>{MORE_QUOTES}</li>")
        bullets.append("<li>Quotable Quotes:<ul>\n" + "\n".join(lines) + "\n</ul></li>")
    bullets += [f"<li>{item.text_html.strip()}</li>" for item in post.items.all()]
    return "<ul>\n" + "\n".join(bullets) + "\n</ul>" if bullets else ""


def _stat(stat):
    label = stat.label_html.strip()
    if not stat.figure:
        return label
    figure = escape(stat.figure, quote=False)
    if stat.figure_url:
        figure = f'<a href="{escape(stat.figure_url)}">{figure}</a>'
    return f"{figure}: {label}"


def _quote(quote):
    words = quote.text_html.strip()
    if not quote.speaker:
        return words
    speaker = escape(quote.speaker, quote=False)
    url = escape(quote.source_url)
    if quote.source_url and quote.source_on == quote.SourceOn.SPEAKER:
        speaker = f'<a href="{url}">{speaker}</a>'
    elif quote.source_url and quote.source_on == quote.SourceOn.TEXT:
        words = f'<a href="{url}">{words}</a>'
    elif quote.source_url:
        words = f'{words} (<a href="{url}">source</a>)'
    return f"{speaker}: {words}"


def _display_name(user):
    return getattr(user, "display_name", "") or user.get_full_name() or user.username


def text(value):
    """Element text, escaped, without what XML cannot hold."""
    return xml_escape(_NOT_XML.sub("", value or ""))


def name(value):
    """A title or name: WordPress writes them HTML-escaped once (and readers unescape them)."""
    return cdata(escape(value or "", quote=False))


def cdata(value):
    """A CDATA section of any text: "]]>" inside it is split across two sections."""
    value = _NOT_XML.sub("", value or "")
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
