"""Write posts in the archive text format that `import_archive` reads (the round trip).

A digest is written whole (every stat, quote and item, as on its post page), so importing
the text back gives the same parts in the same order; articles give their byline and excerpt;
sponsored posts their sections and listings.
"""

import re

from ..markdown import html_to_text
from ..models import Post
from ..models.site import DEFAULT_CLOSING_LINE, DEFAULT_SUPPORT_BLURB
from .archive_format import SPONSOR_CLOSING_PREFIX

READ_MORE = "Click to read more ..."
_HEADING_RE = re.compile(r"^#{1,6}\s*(.+?)\s*$")
_LIST_ITEM_RE = re.compile(r"^[-*]\s+(.*)$")


def one_line(text):
    return " ".join((text or "").split())


def _plain(part, value):
    return one_line(html_to_text(value) if part.text_format == Post.Format.HTML else value)


def write_digest(post):
    # The format's own boilerplate lines, whatever the site settings say today: they are how
    # the reader finds where the intro ends and where the digest is over.
    support = html_to_text(post.support_html) or DEFAULT_SUPPORT_BLURB
    lines = [post.title, "", one_line(_text_of(post, "excerpt")), "", "", support]
    stats = list(post.stats.all())
    if stats:
        chunks = [
            f"{s.figure} : {_plain(s, s.label)};" if s.figure else f"{_plain(s, s.label)};"
            for s in stats
        ]
        lines.append("  • " + " ".join(chunks))
        lines.append("")
    quotes = list(post.quotes.all())
    if quotes:
        lines.append("  • Quotable Quotes:")
        lines += [
            f"    • {q.speaker} : {_plain(q, q.text)}"
            if q.speaker
            else f"    • {_plain(q, q.text)}"
            for q in quotes
        ]
        if post.more_quotes_marker:
            lines.append("    • There are more Quotable Quotes in the full article.")
        lines.append("")
    for item in post.items.all():
        lines += [f"  • {_plain(item, item.text)}", ""]
    lines += [DEFAULT_CLOSING_LINE, "", READ_MORE]
    return lines


def _text_of(post, field):
    value = getattr(post, field)
    return html_to_text(value) if post.text_format == Post.Format.HTML else value


def write_article(post):
    lines = [post.title, ""]
    if post.byline:
        lines += [one_line(post.byline), ""]
    for paragraph in re.split(r"\n\s*\n", _text_of(post, "excerpt").strip()):
        for line in paragraph.splitlines():
            bullet = _LIST_ITEM_RE.match(line.strip())
            lines.append(f"  • {bullet[1]}" if bullet else line.strip())
        lines.append("")
    return [*lines, READ_MORE]


def write_sponsored(post):
    lines = [post.title, ""]
    for line in post.excerpt.splitlines():
        heading, bullet = _HEADING_RE.match(line.strip()), _LIST_ITEM_RE.match(line.strip())
        if heading:
            lines += [heading[1], ""]
        elif bullet:
            lines += [f"  • {bullet[1]}", ""]
        elif line.strip().startswith(SPONSOR_CLOSING_PREFIX):
            lines += [line.strip(), ""]
    return [*lines, READ_MORE]


def write_archive(posts):
    """The archive text of `posts`, in the order given."""
    blocks = []
    for post in posts:
        if post.kind == Post.Kind.DIGEST:
            blocks.append(write_digest(post))
        elif post.kind == Post.Kind.SPONSORED:
            blocks.append(write_sponsored(post))
        else:
            blocks.append(write_article(post))
    return "\n\n\n".join("\n".join(block) for block in blocks) + "\n"
