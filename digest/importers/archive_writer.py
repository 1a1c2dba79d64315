"""Write posts in the archive text format that `import_archive` reads (the round trip).

A digest is written whole (every stat, quote and item, as on its post page), so importing
the text back gives the same parts in the same order; articles give their byline and excerpt;
sponsored posts their sections and listings. Like an archive page saved from a browser, the
text is what readers see (rendered, then read as text): the importer keeps text as text, so
Markdown source written here would come back as literal asterisks and brackets. Links and
emphasis need the WXR export (`export_archive --format wxr`).
"""

from ..markdown import html_to_text
from ..models import Post
from ..models.site import DEFAULT_CLOSING_LINE, DEFAULT_SUPPORT_BLURB
from .html_tree import parse_html

READ_MORE = "Click to read more ..."


def one_line(text):
    return " ".join((text or "").split())


def _seen(html):
    """What a reader sees of rendered HTML, on one line."""
    return one_line(html_to_text(html))


def write_digest(post):
    # The format's own boilerplate lines, whatever the site settings say today: they are how
    # the reader finds where the intro ends and where the digest is over.
    support = html_to_text(post.support_html) or DEFAULT_SUPPORT_BLURB
    lines = [post.title, "", _seen(post.excerpt_html), "", "", support]
    stats = list(post.stats.all())
    if stats:
        chunks = [
            f"{s.figure} : {_seen(s.label_html)};" if s.figure else f"{_seen(s.label_html)};"
            for s in stats
        ]
        lines.append("  • " + " ".join(chunks))
        lines.append("")
    quotes = list(post.quotes.all())
    if quotes:
        lines.append("  • Quotable Quotes:")
        lines += [
            f"    • {q.speaker} : {_seen(q.text_html)}"
            if q.speaker
            else f"    • {_seen(q.text_html)}"
            for q in quotes
        ]
        if post.more_quotes_marker:
            lines.append("    • There are more Quotable Quotes in the full article.")
        lines.append("")
    for item in post.items.all():
        lines += [f"  • {_seen(item.text_html)}", ""]
    lines += [DEFAULT_CLOSING_LINE, "", READ_MORE]
    return lines


def write_article(post):
    lines = [post.title, ""]
    if post.byline:
        lines += [_seen(post.byline_html), ""]
    for block in _blocks(post.excerpt_html):
        lines += [*block, ""]
    return [*lines, READ_MORE]


def _blocks(html):
    """The lines of each paragraph or list of rendered HTML, list entries as "  • " bullets."""
    blocks = []
    for block in parse_html(html).children:
        if isinstance(block, str):
            if block.strip():
                blocks.append([one_line(block)])
        elif block.tag in ("ul", "ol"):
            blocks.append([f"  • {_seen(entry.html())}" for entry in block.elements("li")])
        elif _seen(block.html()):
            blocks.append([_seen(block.html())])
    return blocks


def write_sponsored(post):
    # Its section headings, listings (as bullets) and own words, as readers see them.
    lines = [post.title, ""]
    for block in _blocks(post.excerpt_html):
        lines += [*block, ""]
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
