"""Embedded videos: iframes of an allow-list become privacy-friendly embeds, others a link.

Stored HTML never holds an iframe. A YouTube or Vimeo iframe becomes

    <figure class="embed embed-youtube"
            data-embed="https://www.youtube-nocookie.com/embed/ID?autoplay=1&amp;start=30">
      <a href="https://www.youtube.com/watch?v=ID&amp;t=30s">▶ Play video (YouTube)</a>
      <figcaption>The video is on YouTube; nothing is loaded from YouTube until you play
      it.</figcaption>
    </figure>

(on one line), built here with `format_html` from the validated video id and parameters only.
Nothing in it contacts the video's host (no thumbnail): static/js/embeds.js swaps the link for
the player when the reader clicks, and without JavaScript the link opens the video's page.

Any other iframe with an http(s) address becomes `<p class="embed-link">` holding a link to it
("Embedded content: host.example"), so readers and editors still see that something was there;
an iframe with no usable address (javascript:, data:, relative, srcdoc only) becomes the text
"[embedded content removed]". Text written by outsiders (`embeds=False`: sponsors) gets that
link or marker for every iframe, YouTube's included, and never an embed.

The order is what keeps it safe: `replace_iframes` runs on the raw markup before the sanitiser,
and the sanitiser (digest.markdown) keeps a figure's `class` and `data-embed` only through
`filter_attribute`, which accepts exactly the values built here, so a hand-written
`<figure data-embed="javascript:…">` loses the attribute.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from django.utils.html import format_html

YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
VIMEO_HOSTS = {"player.vimeo.com"}
# "videoseries" (a playlist) has the shape of an id; playlists are not allowed.
YOUTUBE_PATH = re.compile(r"/embed/(?!videoseries\b)([A-Za-z0-9_-]{11})/?")
VIMEO_PATH = re.compile(r"/video/([0-9]{1,12})/?")
VIMEO_HASH = re.compile(r"[0-9a-f]{4,32}")
# YouTube's start time: `start=90`, or `t=90`, `t=90s`, `t=1m30s`, `t=1h2m3s`.
SECONDS = re.compile(r"([0-9]{1,6})s?")
HMS = re.compile(r"(?:([0-9]{1,2})h)?(?:([0-9]{1,3})m)?(?:([0-9]{1,5})s)?")
MAX_START = 999_999

# The only values the sanitiser keeps on a figure: what `_figure` writes, nothing else.
FIGURE_CLASSES = {"embed embed-youtube", "embed embed-vimeo"}
PLAYER_URL = re.compile(
    r"https://www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{11}\?autoplay=1(?:&start=[0-9]{1,6})?"
    r"|https://player\.vimeo\.com/video/[0-9]{1,12}\?autoplay=1&dnt=1(?:&h=[0-9a-f]{4,32})?"
)
LINK_CLASS = "embed-link"
REMOVED = "[embedded content removed]"
# Titles embed codes carry when the author gave none; a link saying so adds nothing.
GENERIC_TITLES = {"youtube video player", "vimeo video player", "youtube video", "vimeo video"}
MAX_TITLE = 200


@dataclass(frozen=True)
class Video:
    provider: str  # "youtube" or "vimeo": the figure's class
    name: str  # shown to readers
    player_url: str  # what embeds.js loads on click (matches PLAYER_URL)
    page_url: str  # the video's own page, for readers without JavaScript


def filter_attribute(element, attribute, value):
    """nh3's attribute filter: the value to keep, or None to drop the attribute. A figure's
    `class` and `data-embed` survive only with our own values (a paragraph's `class` is
    limited to LINK_CLASS by nh3 itself)."""
    if element == "figure" and attribute == "class":
        return value if value in FIGURE_CLASSES else None
    if element == "figure" and attribute == "data-embed":
        return value if PLAYER_URL.fullmatch(value) else None
    return value


def _start_seconds(query):
    for key in ("start", "t"):
        for value in query.get(key, ()):
            match = SECONDS.fullmatch(value) or HMS.fullmatch(value)
            if not match or not any(match.groups()):
                continue
            if match.re is SECONDS:
                seconds = int(match[1])
            else:
                hours, minutes, secs = (int(part or 0) for part in match.groups())
                seconds = hours * 3600 + minutes * 60 + secs
            if 0 < seconds <= MAX_START:
                return seconds
    return None


def video(url):
    """The allowed video an iframe address shows, or None. Accepts http, https and
    protocol-relative addresses (old embed codes use `//www.youtube.com/embed/…`)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # an unbalanced IPv6 bracket
        return None
    if parts.scheme.lower() not in {"http", "https", ""} or not parts.netloc:
        return None
    query = parse_qs(parts.query)
    if host in YOUTUBE_HOSTS and (match := YOUTUBE_PATH.fullmatch(parts.path)):
        video_id, start = match[1], _start_seconds(query)
        player = {"autoplay": 1, **({"start": start} if start else {})}
        page = {"v": video_id, **({"t": f"{start}s"} if start else {})}
        return Video(
            "youtube",
            "YouTube",
            f"https://www.youtube-nocookie.com/embed/{video_id}?{urlencode(player)}",
            f"https://www.youtube.com/watch?{urlencode(page)}",
        )
    if host in VIMEO_HOSTS and (match := VIMEO_PATH.fullmatch(parts.path)):
        video_id = match[1]
        secret = next((h for h in query.get("h", ()) if VIMEO_HASH.fullmatch(h)), None)
        player = {"autoplay": 1, "dnt": 1, **({"h": secret} if secret else {})}
        page = f"https://vimeo.com/{video_id}" + (f"/{secret}" if secret else "")
        return Video(
            "vimeo",
            "Vimeo",
            f"https://player.vimeo.com/video/{video_id}?{urlencode(player)}",
            page,
        )
    return None


def _web_address(url):
    """`url` as an absolute http(s) address, or None (javascript:, data:, relative…).
    urlsplit drops tabs and line breaks as browsers do, so `java\\nscript:` is javascript:."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    scheme = parts.scheme.lower() or ("https" if url.startswith("//") else "")
    if scheme not in {"http", "https"} or not host:
        return None
    return urlunsplit(parts._replace(scheme=scheme))


def _title(attrs):
    title = " ".join((attrs.get("title") or "").split())[:MAX_TITLE]
    return "" if title.lower() in GENERIC_TITLES else title


def _figure(found, title):
    label = format_html("▶ Play video ({}): {}", found.name, title) if title else None
    return format_html(
        '<figure class="embed embed-{}" data-embed="{}"><a href="{}"{}>{}</a>'
        "<figcaption>The video is on {}; nothing is loaded from {} until you play it."
        "</figcaption></figure>",
        found.provider,
        found.player_url,
        found.page_url,
        format_html(' title="{}"', title) if title else "",
        label or format_html("▶ Play video ({})", found.name),
        found.name,
        found.name,
    )


def replacement(attrs, embeds=True):
    """The markup that stands for one iframe, from its (HTML-unescaped) attributes."""
    src = (attrs.get("src") or "").strip()
    if not src or src.lower() == "about:blank":
        # Lazy-loading plugins keep the real address in data-src.
        src = (attrs.get("data-src") or "").strip()
    found = video(src) if embeds and src else None
    if found:
        return _figure(found, _title(attrs))
    address = _web_address(src) if src else None
    if not address:
        return format_html('<p class="{}">{}</p>', LINK_CLASS, REMOVED)
    return format_html(
        '<p class="{}"><a href="{}">Embedded content: {}</a></p>',
        LINK_CLASS,
        address,
        urlsplit(address).hostname,
    )


# Start tags that end an open paragraph (so an iframe after them is not inside one).
_ENDS_PARAGRAPH = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
}  # fmt: skip
_IFRAME_END = re.compile(r"</iframe(?=[\s/>])[^>]*>", re.IGNORECASE)
_PIECE = 16_384


class _IframeFinder(HTMLParser):
    """Finds the next iframe start tag, reading as a browser would where it matters: the
    content of raw-text elements (and comments) holds no tags."""

    CDATA_CONTENT_ELEMENTS = (
        "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea",
        "title",
    )  # fmt: skip

    def __init__(self, in_paragraph):
        super().__init__(convert_charrefs=False)
        self.in_paragraph = in_paragraph

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            raise _Found(self.getpos(), self.get_starttag_text(), attrs, self.in_paragraph)
        if tag in _ENDS_PARAGRAPH:
            self.in_paragraph = tag == "p"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag in _ENDS_PARAGRAPH or tag in {"td", "th", "body"}:
            self.in_paragraph = False


class _Found(Exception):
    def __init__(self, line_and_column, tag_text, attrs, in_paragraph):
        super().__init__()
        self.line_and_column, self.tag_text = line_and_column, tag_text
        # A repeated attribute: the first one counts, as in browsers.
        self.attrs, self.in_paragraph = dict(reversed(attrs)), in_paragraph


def _next_iframe(markup, position, in_paragraph):
    """(start, end of its start tag, found) of the first iframe at or after `position`, or
    None. Fed in pieces, so finding each iframe reads only up to it."""
    finder = _IframeFinder(in_paragraph)
    try:
        for piece in range(position, len(markup), _PIECE):
            finder.feed(markup[piece : piece + _PIECE])
        finder.close()
    except _Found as found:
        (line, column), start = found.line_and_column, position
        for _ in range(line - 1):
            start = markup.index("\n", start) + 1
        start += column
        return start, start + len(found.tag_text), found
    return None


def replace_iframes(markup, embeds=True):
    """`markup` with every iframe (its content too: browsers show it to no one) replaced by
    `replacement`, and how many were replaced. An iframe inside a paragraph splits it, since
    a figure cannot sit in a <p>; the sanitiser drops the empty paragraphs that leaves."""
    if not markup or "iframe" not in markup.lower():
        return markup, 0
    pieces, position, count, in_paragraph, closed = [], 0, 0, False, True
    while next_one := _next_iframe(markup, position, in_paragraph):
        start, end, found = next_one
        closing = _IFRAME_END.search(markup, end) if closed else None
        # An unclosed iframe: only its tag goes, the text after it stays.
        closed = closing is not None
        end = closing.end() if closing else end
        pieces.append(markup[position:start])
        made = replacement(found.attrs, embeds=embeds)
        pieces.append(format_html("</p>{}<p>", made) if found.in_paragraph else made)
        position, count, in_paragraph = end, count + 1, found.in_paragraph
    pieces.append(markup[position:])
    return "".join(pieces), count
