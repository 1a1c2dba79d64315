"""Plain text as the importers store it: as HTML that shows exactly those characters, or as
Markdown that renders exactly them (no `*emphasis*`, no "InMemory.Net" turned into a link)."""

import re
from html import escape

from markdownify import markdownify

# What Markdown (with our tables, strikethrough and linkify) would read as markup in a line of
# text: emphasis and code marks, brackets, tags, pipes and tildes anywhere; a dot inside a
# word ("InMemory.Net" would become a link); an entity; a block marker at the start.
_MARKUP = re.compile(r"[\\`*_\[\]<>|~]|(?<=\w)\.(?=\w)|&(?=#?\w+;)|^\s*(?:[#+\-=>]|\d+[.)])")


def text_to_html(text):
    """One paragraph of plain text as HTML; its line breaks kept as <br>."""
    lines = [escape(" ".join(line.split()), quote=False) for line in text.splitlines()]
    return "<br>\n".join(line for line in lines if line)


def paragraphs_to_html(paragraphs):
    """Paragraphs of plain text as <p>s; a paragraph of "• " lines as a list."""
    blocks = []
    for paragraph in paragraphs:
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        if lines and all(line.startswith("• ") for line in lines):
            bullets = "".join(f"<li>{text_to_html(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{bullets}</ul>")
        elif lines:
            blocks.append(f"<p>{text_to_html(chr(10).join(lines))}</p>")
    return "\n".join(blocks)


# A web address written out in the text: left as it is, so that it still reads (and links) as
# one; escaping its dots would cut the link at "http://InMemory".
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\"().,;:!?'’”]")


def text_to_markdown(text):
    """Plain text as Markdown that renders to the same characters, readable as it stands:
    only what Markdown would read as markup is escaped (a backslash before it); web addresses
    are left whole."""
    text = " ".join(text.split())
    pieces, start = [], 0
    for url in _URL.finditer(text):
        pieces += [_MARKUP.sub(_escape, text[start : url.start()]), url.group()]
        start = url.end()
    return "".join([*pieces, _MARKUP.sub(_escape, text[start:])])


def _escape(match):
    found = match.group()
    if found[:-1].strip().isdigit():  # "1. item" at the start: the dot or bracket is escaped
        return found[:-1] + "\\" + found[-1]
    stripped = found.lstrip()
    return found[: len(found) - len(stripped)] + "\\" + stripped


def html_to_markdown(markup):
    """Sanitised HTML (a listing of an imported sponsored post) as the Markdown sponsors
    write: links, emphasis and code kept, literal * and _ escaped."""
    return markdownify(markup, escape_misc=True, strip=["img"]).strip()
