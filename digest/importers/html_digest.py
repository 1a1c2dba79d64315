"""Read a digest or a sponsored post written as HTML (feeds, WXR) back into its parts.

The HTML is the original site's: an intro (pictures, captions, videos), the support paragraph,
then one list whose first bullet is the stats line ("<a>200K</a> : msgs per second; …"), whose
"Quotable Quotes:" bullet holds one nested bullet per quote ("<a href=tweet>@antirez</a>: …";
many editors put that list beside the bullet instead), and whose other bullets are the items.
Everything is kept as sanitised HTML: a stat keeps its figure's link, a quote its source link
(on the speaker or on the text, where the original had it), and whatever fits no part (a
paragraph between the lists, a quote with no speaker, a stats chunk without its colon, a
picture in the stats line, a link too long for a figure or source link) is kept in place as
the nearest part, with a note.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings

from ..markdown import sanitize_html
from ..models import Quote, Stat
from ..parsing import (
    MAX_FIGURE_LENGTH,
    MAX_LABEL_LENGTH,
    fold_for_matching,
    is_more_quotes_marker,
    is_more_quotes_teaser,
    looks_like_speaker,
    split_stat,
)
from . import archive_format as fmt
from .html_tree import Node, parse_html
from .old_links import rewrite_old_links
from .sections import is_placeholder, section_key
from .text import html_to_markdown

_READ_MORE_RE = re.compile(r"^click to read more\s*(?:\.\.\.|…|\.)?$")
_INLINE = {"a", "strong", "b", "em", "i", "span", "code", "mark", "abbr", "sub", "sup", "br"}
_LISTS = ("ul", "ol")
# The longest figure or source link stored; a longer one stays in the text, as a link.
URL_LENGTH = min(Stat._meta.get_field("figure_url").max_length, Quote.source_url.field.max_length)


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
        if text.startswith(fmt.SUPPORT_PREFIX) and not read.support:
            read.support = block.html()
        elif text.startswith(fmt.CLOSING_PREFIX) or _READ_MORE_RE.match(folded):
            continue
        elif block.tag in _LISTS:
            seen_list = True
            _read_list(read, block, number)
        elif not seen_list:
            intro.append(block.html())
            read.structured += 1
        else:
            _keep_as_item(read, f"block {number}", block, "a paragraph between the lists")
    read.intro = "\n".join(intro)
    return read


def _read_list(read, block, number):
    """The bullets of the digest's list. A list right after a "Quotable Quotes:" bullet (beside
    it, as many editors nest it) holds the quotes; anything else in the list that is no bullet
    (a stray paragraph, a nested list elsewhere) is kept as an item, with a note."""
    children, index = _blocks(block), 0
    while index < len(children):
        child, index = children[index], index + 1
        beside = children[index] if index < len(children) else Node("")
        if child.tag == "li" and _is_quotes_header(_text(child)) and beside.tag in _LISTS:
            child, index = Node("li", child.attrs, [*child.children, beside]), index + 1
        if child.tag == "li":
            _read_bullet(read, child)
        elif _text(child) or _has_media(child):
            _keep_as_item(read, f"block {number}", child, "not a bullet of the list")


def _read_bullet(read, entry):
    nested = [child for child in entry.elements() if child.tag in _LISTS]
    own = [child for child in entry.children if child not in nested]
    own_text = _text(Node("li", children=own))
    if fold_for_matching(own_text).startswith("quotable quotes") and nested:
        if not _is_quotes_header(own_text) or _has_media(Node("span", children=own)):
            _keep_as_item(read, "quotes", Node("span", children=own), "beside the quotes' header")
        _read_quotes(read, nested)
        return
    stats_line = ";" in own_text and ":" in own_text and fmt.looks_like_stats(own_text)
    if not read.stats and not read.items and not read.quotes and stats_line:
        _read_stats(read, own)
        for sublist in nested:
            _keep_as_item(read, "stats", sublist, "a list inside the stats line")
        return
    if own_text or _has_media(entry):
        read.items.append({"text": entry.inner_html().strip(), "text_format": "html"})
        read.structured += 1


def _is_quotes_header(text):
    return fold_for_matching(text).rstrip(":").strip() == "quotable quotes"


def _read_stats(read, children):
    for segment in _split_all(children, ";"):
        text = _text(Node("span", children=segment))
        if not text and not _has_media(Node("span", children=segment)):
            continue
        whole = _html(segment)
        if len(whole) > MAX_LABEL_LENGTH:  # as an item: longer than a stat's label can be
            _keep_as_item(read, "stats", Node("span", children=segment), "too long for a stat")
            continue
        _figure, _label, problem = split_stat(text)
        parts = _split_first(segment, r"\s*:\s*")
        if not problem and parts is None:
            problem = "no “figure : label” separator outside its markup"
        problem = problem or _figure_problem(parts[0])
        if problem:
            read.stats.append({"figure": "", "label": whole, "text_format": "html"})
            read.keep_as_text("stats", text, f"kept as text in the stats line: {problem}")
            continue
        before, after = parts
        stat = {"figure": _text(Node("span", children=before)), "figure_url": ""}
        stat.update(label=_html(after), text_format="html")
        for link in _links(before):
            stat["figure_url"] = _href(link)
        read.stats.append(stat)
        read.structured += 1


def _figure_problem(before):
    """Why the part before a stat's colon cannot be its figure (plain text and one link)."""
    links = _links(before)
    if links and len(_href(links[0])) > URL_LENGTH:
        return f"its figure's link is longer than a figure link can be ({URL_LENGTH} characters)"
    if len(_text(Node("span", children=before))) > MAX_FIGURE_LENGTH:
        return f"the figure is longer than {MAX_FIGURE_LENGTH} characters"
    return _holds_more(before, "its figure")


def _holds_more(before, what):
    """Why the part before a colon holds more than a name or figure can keep, or ""."""
    if _has_media(Node("span", children=before)):
        return f"{what} holds a picture"
    return f"{what} holds more than one link" if len(_links(before)) > 1 else ""


def _read_quotes(read, sublists):
    """The quotes: one per bullet of `sublists` (anything else in them is a quote too). Only
    the last line may be the free-form teaser that more quotes follow."""
    lines = []
    for sublist in sublists:
        for child in _blocks(sublist):
            line = child if child.tag == "li" else Node("li", children=[child])
            if child.tag == "p":
                line = Node("li", children=child.children)
            text = _text(line)
            if text or _has_media(line):
                lines.append(line)
    for index, line in enumerate(lines):
        if is_more_quotes_marker(fold_for_matching(_text(line))):
            read.more_quotes = True
        else:
            _read_quote(read, line, last=index == len(lines) - 1)


def _read_quote(read, line, *, last):
    children = list(line.children)
    text = _text(line)
    parts = _split_first(children, r"\s*[:~]\s*")
    speaker = _text(Node("span", children=parts[0])) if parts else ""
    reason = f"“{_clip(speaker)}” is not a name" if speaker else "no “speaker : text” separator"
    if parts and speaker and _text(Node("span", children=parts[1])) and looks_like_speaker(speaker):
        reason = _holds_more(parts[0], "the speaker")
        if not reason:
            read.quotes.append(_quote(read, text, speaker, *parts))
            read.structured += 1
            return
    if is_more_quotes_teaser(fold_for_matching(text), last=last):
        read.more_quotes = True
        read.keep_as_text("quotes", text, "read as the “more Quotable Quotes” line")
        return
    read.quotes.append({"speaker": "", "text": line.inner_html().strip(), "text_format": "html"})
    read.keep_as_text("quotes", text, f"kept as a quote with no speaker: {reason}")


def _quote(read, text, speaker, before, after):
    """A quote with its source link where the original had it: on the speaker, or on the text
    when the text is that one link and nothing else. A link too long for the source link stays
    in the text (after it as "(source)" when it was on the speaker), with a note."""
    quote = {"speaker": speaker, "text": _html(after), "text_format": "html"}
    on_speaker = [link for link in _links(before) if _href(link)]
    on_text = [link for link in _elements(after) if _is_one_link(after) and _href(link)]
    for link in (on_speaker or on_text)[:1]:
        if len(_href(link)) > URL_LENGTH:
            if on_speaker:
                quote["text"] += f" ({Node('a', link.attrs, ['source']).html()})"
            read.notes.append(
                f"quotes: “{_clip(text)}” keeps its link in its text: longer than a source "
                f"link can be ({URL_LENGTH} characters)"
            )
        elif on_speaker:
            quote.update(source_url=_href(link), source_on="speaker")
        else:
            quote.update(source_url=_href(link), source_on="text", text=link.inner_html().strip())
    return quote


def _keep_as_item(read, where, node, why):
    read.items.append({"text": node.html(), "text_format": "html"})
    read.keep_as_text(where, _text(node) or "a picture", f"kept as an item ({why})")


@dataclass
class SponsoredHtml:
    intro: list = field(default_factory=list)  # HTML blocks before the sections
    listings: list = field(default_factory=list)  # (section key, Markdown)
    notes: list = field(default_factory=list)
    structured: int = 0
    as_text: int = 0

    def keep_as_text(self, node, reason):
        self.intro.append(node.html())
        note = f"“{_clip(_text(node) or 'a picture')}” kept as text of the post ({reason})"
        self.notes.append(note)
        self.as_text += 1


def read_sponsored_html(markup):
    """A sponsored post's listings, section by section, as Markdown (as sponsors write them).
    A heading of no known section ends the section before it: the list under it is kept as
    text of the post, as is anything else outside the sections' lists."""
    read, section = SponsoredHtml(), None
    for block in _blocks(parse_html(clean_html(markup))):
        text = _text(block)
        if (not text and not _has_media(block)) or text.startswith(fmt.SPONSOR_CLOSING_PREFIX):
            continue
        if key := section_key(text):
            section = key
        elif block.tag in _LISTS and section is not None:
            _read_listings(read, block, section)
        elif block.tag in _LISTS:
            read.keep_as_text(block, "not a listing: under no known section")
        else:
            where = "before any section" if section is None else "not a known section"
            read.keep_as_text(block, where)
            section = None
    return read


def _read_listings(read, block, section):
    for entry in _blocks(block):
        listing, media = _text(entry), _has_media(entry)
        empty = not (listing.strip(" :") or media) or is_placeholder(listing)
        if entry.tag != "li" and (listing or media):
            read.keep_as_text(entry, "not a bullet of the section's list")
        elif entry.tag == "li" and not empty:
            read.listings.append((section, html_to_markdown(entry.inner_html())))
            read.structured += 1


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


def _links(children):
    """Every link in `children`, at any depth."""
    found = []
    for child in _elements(children):
        found += [child] if child.tag == "a" else _links(child.children)
    return found


def _is_one_link(children):
    """Whether `children` are one link and nothing else but spaces."""
    elements = _elements(children)
    loose = "".join(c for c in children if isinstance(c, str))
    return len(elements) == 1 and elements[0].tag == "a" and not loose.strip()


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
    return node.tag in ("img", "figure", "iframe") or any(map(_has_media, node.elements()))


def _clip(value, length=60):
    return value if len(value) <= length else value[: length - 1] + "…"
