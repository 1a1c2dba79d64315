"""Markdown to safe HTML, done once when content is saved, never on a page view.

Everything written by a person (editor, guest author, sponsor) goes through `render_markdown`;
HTML that arrives already formed (imported feeds) goes through `sanitize_html`. Both turn
iframes into privacy-friendly video embeds or links first (digest.embeds).
"""

import html
import re
from functools import partial

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from hardening.text import xml_safe

from .embeds import LINK_CLASS, filter_attribute, replace_iframes

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "mark", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    # Classes only of the shapes CLASS_RULES allows: column alignment, a code block's
    # language and Pygments' token names (no style attribute: CSS gives them their look).
    "td": {"align", "class"},
    "th": {"align", "class"},
    "code": {"class"},
    "span": {"class"},
    "ol": {"start"},
}
_ALIGNED = re.compile(r"align-(left|right|center)").fullmatch
PYGMENTS_CLASSES = frozenset(STANDARD_TYPES.values()) - {""}
CLASS_RULES = {
    "td": _ALIGNED,
    "th": _ALIGNED,
    "code": re.compile(r"language-[a-z0-9+#_.-]{1,30}").fullmatch,
    "span": PYGMENTS_CLASSES.__contains__,
}
# A figure's class and data-embed, only with the values digest.embeds writes: its
# filter_attribute drops any other. Only markup that has a figure pays for the filter (a
# Python call per attribute), and outsiders' text never keeps them.
WITH_EMBEDS = {**ALLOWED_ATTRIBUTES, "figure": {"class", "data-embed"}}
ATTRIBUTE_VALUES = {"p": {"class": {LINK_CLASS}}}
URL_SCHEMES = {"http", "https", "mailto"}
# Content browsers never show, dropped with its tag (an iframe replace_iframes did not see).
CLEAN_CONTENT_TAGS = {"script", "style", "iframe"}
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")

# Fenced code is highlighted here, when the post is saved, so readers' pages need no script.
# Longer blocks are left plain: highlighting is not worth a slow save.
HIGHLIGHT_MAX_CHARS = 50_000
_CODE_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code, language, attrs):
    """Pygments' token spans for a fenced block in a language it knows; "" lets markdown-it
    escape the code as usual. markdown-it wraps either in <pre><code class="language-…">."""
    if not language or len(code) > HIGHLIGHT_MAX_CHARS:
        return ""
    try:
        lexer = get_lexer_by_name(language.strip().lower())
    except ClassNotFound:
        return ""
    return highlight(code, lexer, _CODE_FORMATTER)


_ALIGN = re.compile(r"text-align:(left|right|center)")


def _alignment_as_class(state):
    """A table column's alignment as a class (align-right), which the sanitiser keeps, rather
    than the style attribute markdown-it writes, which it drops with every other style."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs.get("style"):
            match = _ALIGN.fullmatch(str(token.attrs.pop("style")))
            if match:
                token.attrs["class"] = f"align-{match[1]}"


# html=True lets editors mix in raw HTML; the sanitiser below decides what survives.
_markdown = MarkdownIt(
    "commonmark",
    {"html": True, "linkify": True, "typographer": False, "highlight": _highlight},
)
_markdown.enable(["table", "strikethrough", "linkify"])
_markdown.core.ruler.push("alignment_as_class", _alignment_as_class)


def sanitize_html(markup, images=True):
    """Safe HTML of `markup`. In this order: iframes are replaced by markup built from
    validated addresses only (digest.embeds), then nh3 cleans everything, keeping an embed's
    attributes only with exactly the values digest.embeds writes. `images=False` (outsiders'
    text) also means no video embeds: an iframe there is a link at most."""
    markup, replaced = replace_iframes(markup, embeds=images)
    embeds = images and "<figure" in markup.lower()
    cleaned = nh3.clean(
        markup,
        tags=ALLOWED_TAGS if images else ALLOWED_TAGS - {"img"},
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=WITH_EMBEDS if embeds else ALLOWED_ATTRIBUTES,
        attribute_filter=partial(_filter_attribute, embeds=embeds),
        tag_attribute_values=ATTRIBUTE_VALUES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # A figure cannot sit in a paragraph, so an embed split the one it was in.
    return _EMPTY_PARAGRAPH.sub("", cleaned) if replaced else cleaned


# A scheme as a browser reads it: spaces, tabs and control characters inside it do not count.
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_SQUEEZE = re.compile(r"[\s\x00-\x1f\x7f]+")


def _filter_attribute(element, attribute, value, embeds):
    """Drop a link or source whose scheme is not allowed once the spaces hidden in it are
    taken out ("jav ascript:" passes nh3 as a relative address; some readers squeeze it).
    Classes only of the shapes CLASS_RULES allows for their element."""
    if attribute == "class" and element in CLASS_RULES:
        kept = [c for c in value.split() if CLASS_RULES[element](c)]
        return " ".join(kept) or None
    if attribute in ("href", "src"):
        scheme = _SCHEME.match(_SQUEEZE.sub("", value).lower())
        if scheme and scheme[1] not in URL_SCHEMES:
            return None
    return filter_attribute(element, attribute, value) if embeds else value


def render_markdown(text, images=True):
    """`images=False` for text written by outsiders (sponsors): an image there would make
    every reader's browser fetch an address of the writer's choosing."""
    if not text or not text.strip():
        return ""
    return sanitize_html(_markdown.render(text), images=images)


def render_markdown_inline(text, images=True):
    """One line of Markdown without the surrounding paragraph (captions, quotes, bylines)."""
    if not text or not text.strip():
        return ""
    return sanitize_html(_markdown.renderInline(text), images=images)


def strip_control(text):
    """Text without the characters XML cannot hold (feeds would fail on them) nor Unicode
    non-characters (hardening.text); tabs and line breaks stay. Input is cleaned already;
    this is the output filter, for rows stored before that rule."""
    return xml_safe(text)


def html_to_text(markup):
    """Plain text of sanitised HTML, for meta descriptions and search snippets."""
    text = html.unescape(nh3.clean(markup, tags=set()))
    return " ".join(text.split())


def summarize(markup, limit=200):
    text = html_to_text(markup)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
