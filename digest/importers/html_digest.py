"""Read a digest or a sponsored post written as HTML (feeds, WXR) back into its parts.

The HTML is the original site's: an intro (pictures, captions, videos), the support paragraph,
then one list whose first bullet is the stats line ("<a>200K</a> : msgs per second; …"), whose
"Quotable Quotes:" bullet holds one nested bullet per quote ("<a href=tweet>@antirez</a>: …"),
and whose other bullets are the items. Everything is kept as sanitised HTML: a stat keeps its
figure's link, a quote its source link (on the speaker or on the text, where the original had
it), and whatever fits no part (a paragraph between the lists, a quote with no speaker, a stats
chunk without its colon) is kept in place as the nearest part, with a note.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings

from ..markdown import sanitize_html
from ..parsing import MORE_QUOTES_RE, fold_for_matching, looks_like_speaker, split_stat
from .archive_format import (
    CLOSING_PREFIX,
    EMPTY_SECTION_PREFIX,
    SECTIONS,
    SPONSOR_CLOSING_PREFIX,
    SUPPORT_PREFIX,
    looks_like_stats,
)
from .html_tree import Node, parse_html
from .old_links import rewrite_old_links
from .text import html_to_markdown

_READ_MORE_RE = re.compile(r"^click to read more\s*(?:\.\.\.|…|\.)?$")
_INLINE = {"a", "strong", "b", "em", "i", "span", "code", "mark", "abbr", "sub", "sup", "br"}


def clean_html(markup):
    """Imported HTML as it is stored: sanitised, with its links to the old site's pages
    pointed at this site's addresses (old_links)."""
    return rewrite_old_links(sanitize_html(markup or ""))


@dataclass
class DigestHtml:
    intro: str = ""
    support: str = ""
    stats: list = field(default_factory=list)
    quotes: list = field(default_factory=list)
    items: list = field(default_factory=list)
    more_quotes: bool = False
    notes: list = field(default_factory=list)
    structured: int = 0
    as_text: int = 0

    def keep_as_text(self, where, text, reason):
        self.notes.append(f"{where}: “{_clip(text)}” {reason}")
        self.as_text += 1


def read_digest_html(markup):
    """The parts of a digest's HTML (sanitised first); see the module's docstring."""
    read = DigestHtml()
    intro, seen_list = [], False
    for number, block in enumerate(_blocks(parse_html(clean_html(markup))), start=1):
        text = _text(block)
        folded = fold_for_matching(text)
        if not text and not _has_media(block):
            continue
        if text.startswith(SUPPORT_PREFIX) and not read.support:
            read.support = block.html()
        elif text.startswith(CLOSING_PREFIX) or _READ_MORE_RE.match(folded):
            continue
        elif block.tag in ("ul", "ol"):
            seen_list = True
            for entry in block.elements("li"):
                _read_bullet(read, entry)
        elif not seen_list:
            intro.append(block.html())
            read.structured += 1
        else:
            read.items.append({"text": block.html(), "text_format": "html"})
            read.keep_as_text(
                f"block {number}", text, "kept as an item (a paragraph between the lists)"
            )
    read.intro = "\n".join(intro)
    return read


def _read_bullet(read, entry):
    nested = entry.elements("ul") + entry.elements("ol")
    own = [child for child in entry.children if child not in nested]
    own_text = _text(Node("li", children=own))
    if nested and own_text.lower().startswith("quotable quotes"):
        for sublist in nested:
            for line in sublist.elements("li"):
                _read_quote(read, line)
        return
    if not read.stats and not read.items and not read.quotes and _is_stats_line(own_text):
        _read_stats(read, own)
        return
    if own_text or _has_media(entry):
        read.items.append({"text": entry.inner_html().strip(), "text_format": "html"})
        read.structured += 1


def _is_stats_line(text):
    return ";" in text and ":" in text and looks_like_stats(text)


def _read_stats(read, children):
    for segment in _split_all(children, ";"):
        text = _text(Node("span", children=segment))
        if not text:
            continue
        figure, label, problem = split_stat(text)
        parts = _split_first(segment, r"\s*:\s*")
        if problem or parts is None:
            read.stats.append({"figure": "", "label": _html(segment), "text_format": "html"})
            read.keep_as_text("stats", text, f"kept as text in the stats line: {problem}")
            continue
        before, after = parts
        read.stats.append(
            {
                "figure": _text(Node("span", children=before)),
                "figure_url": _only_link(before),
                "label": _html(after),
                "text_format": "html",
            }
        )
        read.structured += 1


def _read_quote(read, line):
    children = list(line.children)
    text = _text(line)
    folded = fold_for_matching(text)
    if not text:
        return
    if folded.startswith("there are more quotable quotes"):
        read.more_quotes = True
        return
    parts = _split_first(children, r"\s*[:~]\s*")
    speaker = _text(Node("span", children=parts[0])) if parts else ""
    if parts and speaker and _text(Node("span", children=parts[1])) and looks_like_speaker(speaker):
        before, after = parts
        quote = {"speaker": speaker, "text": _html(after), "text_format": "html"}
        link = _only_link(before)
        if link:
            quote.update(source_url=link, source_on="speaker")
        elif _only_link(after) and len(_elements(after)) == 1:
            anchor = _elements(after)[0]
            quote.update(
                source_url=link or _href(anchor), source_on="text", text=anchor.inner_html()
            )
        read.quotes.append(quote)
        read.structured += 1
        return
    if MORE_QUOTES_RE.search(folded):
        read.more_quotes = True
        read.keep_as_text("quotes", text, "read as the “more Quotable Quotes” line")
        return
    read.quotes.append({"speaker": "", "text": line.inner_html().strip(), "text_format": "html"})
    reason = f"“{_clip(speaker)}” is not a name" if speaker else "no “speaker : text” separator"
    read.keep_as_text("quotes", text, f"kept as a quote with no speaker: {reason}")


@dataclass
class SponsoredHtml:
    intro: list = field(default_factory=list)  # HTML blocks before the sections
    listings: list = field(default_factory=list)  # (section key, Markdown)
    notes: list = field(default_factory=list)
    structured: int = 0
    as_text: int = 0


def read_sponsored_html(markup):
    """A sponsored post's listings, section by section, as Markdown (as sponsors write them)."""
    read, section = SponsoredHtml(), None
    for block in _blocks(parse_html(clean_html(markup))):
        text = _text(block)
        if not text or text.startswith(SPONSOR_CLOSING_PREFIX):
            continue
        if text.rstrip(":") in SECTIONS or text in SECTIONS:
            section = SECTIONS.get(text, SECTIONS.get(text.rstrip(":")))
        elif block.tag in ("ul", "ol") and section is not None:
            for entry in block.elements("li"):
                listing = _text(entry)
                if listing.strip(" :") and not listing.startswith(EMPTY_SECTION_PREFIX):
                    read.listings.append((section, html_to_markdown(entry.inner_html())))
                    read.structured += 1
        else:
            read.intro.append(block.html())
            read.notes.append(f"“{_clip(text)}” kept as text of the post (not a listing)")
            read.as_text += 1
    return read


# -- walking the tree -------------------------------------------------------------------------


def _blocks(tree):
    """Top-level blocks; loose text and inline elements between them wrapped in paragraphs."""
    blocks, loose = [], []

    def flush():
        if _text(Node("p", children=loose)) or any(isinstance(c, Node) for c in loose):
            blocks.append(Node("p", children=list(loose)))
        loose.clear()

    for child in tree.children:
        if isinstance(child, str) or child.tag in _INLINE or child.tag == "img":
            loose.append(child)
        else:
            flush()
            blocks.append(child)
    flush()
    return blocks


def _split_first(children, pattern):
    """(before, after) of `children` at the first match of `pattern` in top-level text (or at
    the end of a top-level element's text: "<strong>Name:</strong> text"); None if none."""
    regex = re.compile(pattern)
    for index, child in enumerate(children):
        if isinstance(child, str):
            match = regex.search(child)
            if match:
                before = [*children[:index], child[: match.start()]]
                after = [child[match.end() :], *children[index + 1 :]]
                return before, after
        elif child.tag in _INLINE and child.tag != "a":
            inner = child.text()
            match = regex.search(inner)
            if match and not inner[match.end() :].strip() and child.children:
                last = child.children[-1]
                if isinstance(last, str) and regex.search(last):
                    trimmed = Node(
                        child.tag,
                        child.attrs,
                        [*child.children[:-1], last[: regex.search(last).start()]],
                    )
                    return [*children[:index], trimmed], list(children[index + 1 :])
    return None


def _split_all(children, separator):
    segments, current = [], []
    for child in children:
        if isinstance(child, str) and separator in child:
            pieces = child.split(separator)
            current.append(pieces[0])
            for piece in pieces[1:]:
                segments.append(current)
                current = [piece]
        else:
            current.append(child)
    segments.append(current)
    return segments


def _elements(children):
    return [c for c in children if isinstance(c, Node)]


def _only_link(children):
    """The href of the one link that makes up `children` (apart from spaces and punctuation)."""
    elements = _elements(children)
    loose = "".join(c for c in children if isinstance(c, str))
    if len(elements) == 1 and elements[0].tag == "a" and not loose.strip(" \xa0\"“”'’.,"):
        return _href(elements[0])
    return ""


def _href(node):
    """A link's address as a figure or source link stores it: absolute, since those fields
    hold web addresses (a link to the old site's page was made a path of this site)."""
    href = next((value or "" for name, value in node.attrs if name == "href"), "")
    if href.startswith("/") and not href.startswith("//"):
        return settings.SITE_URL.rstrip("/") + href
    return href


def _html(children):
    return Node("span", children=children).inner_html().strip()


def _text(node):
    return " ".join(node.text().split())


def _has_media(node):
    if node.tag in ("img", "figure", "iframe"):
        return True
    return any(_has_media(child) for child in node.elements())


def _clip(value, length=60):
    return value if len(value) <= length else value[: length - 1] + "…"
