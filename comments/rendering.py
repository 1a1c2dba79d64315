"""A comment's Markdown, limited to what a conversation needs: emphasis, links, code (inline
and blocks) and quotes. Rendered and sanitised once, when the comment is saved.

Raw HTML is not Markdown here (it shows as typed), headings, lists, images and tables are not
parsed, and nh3 keeps only the tags below, whatever the parser wrote. Every link gets
`rel="nofollow ugc noopener"`: readers' links must earn no ranking from us (spam's motive).
"""

import nh3
from markdown_it import MarkdownIt

TAGS = {"p", "br", "em", "strong", "a", "code", "pre", "blockquote"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https"}
LINK_REL = "nofollow ugc noopener"

_markdown = MarkdownIt("zero", {"html": False, "linkify": True, "breaks": True}).enable(
    ["emphasis", "link", "linkify", "backticks", "fence", "code", "blockquote", "newline"]
)


def sanitize(html):
    """Only TAGS, http(s) links, each with LINK_REL."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


def render(markdown):
    return sanitize(_markdown.render(markdown))


def link_count(markdown):
    """Links a text would show: what the "more than N links" rule counts."""
    tokens = _markdown.parse(markdown)
    count = 0
    for token in tokens:
        for child in token.children or ():
            count += child.type == "link_open"
    return count
