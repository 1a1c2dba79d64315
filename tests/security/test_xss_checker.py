"""The XSS checker itself: it catches every live vector of xss_payloads.txt served raw, and
lets our own markup through (so a clean page in the sweep means the vectors were made harmless)."""

from collections import Counter

from markdown_it import MarkdownIt

from tests.security.xss_helpers import PAYLOADS, SECTIONED, TEXT_ONLY_SECTION, check_html

# --- the checker itself ------------------------------------------------------------------------

# Vectors no current browser runs even when served raw, and why.
DEAD_VECTORS = {
    '<a href="java\\0script:window.__xss=1">x</a>': "a backslash-zero was an old IE quirk",
    '<a href="%6A%61%76%61%73%63%72%69%70%74:alert(1)">x</a>': "a percent-encoded scheme is a path",
    "[x](java&#x09;script:alert(1))": "Markdown percent-encodes the tab: no scheme is left",
    "[x](java%0Ascript:alert(1))": "a percent-encoded newline leaves no scheme",
    "<scr\x00ipt>alert(1)</scr\x00ipt>": "a NUL makes the tag name an unknown element",
    "<img src=`javascript:window.__xss=1`>": "backticks quoted attributes in old IE only",
    "<![CDATA[<script>alert(1)</script>]]>": "in HTML the comment swallows the <script> tag",
    "<div markdown=1>[x](javascript:alert(1))</div>": "CommonMark keeps HTML blocks as they are",
    "<textarea><script>window.__xss=1</script></textarea>": "textarea content is text",
    "<title><img src=x onerror=alert(1)></title>": "title content is text",
    "<xmp><img src=x onerror=alert(1)></xmp>": "xmp content is text",
    "<plaintext><img src=x onerror=window.__xss=1>": "plaintext content is text",
    "<noscript><img src=x onerror=alert(1)></noscript>": "noscript content is text",
    "<noembed><img src=x onerror=window.__xss=1></noembed>": "noembed content is text",
    '[x](https://example.com "\\"onmouseover=\\"alert(1)")': "only for a title left unescaped",
}
# The places a careless template puts a value, for the checker's self-test.
NAIVE_CONTEXTS = (
    "<p>{}</p>", '<img alt="{}">', "<img alt='{}'>", "<img alt={}>", "<title>{}</title>",
    "<textarea>{}</textarea>", "<style>{}</style>", "<noscript>{}</noscript>", "<xmp>{}</xmp>",
    "<noembed>{}</noembed>", "<noframes>{}</noframes>", "<select><option>{}</option></select>",
)  # fmt: skip


def naive_markdown(text):
    """Markdown as a careless site renders it: raw HTML kept and every link scheme allowed."""
    renderer = MarkdownIt("commonmark", {"html": True, "linkify": True})
    renderer.enable(["table", "strikethrough", "linkify"])
    renderer.validateLink = lambda url: True
    return renderer.render(text)


def test_the_payload_list_is_long_and_distinct():
    assert len(PAYLOADS) >= 150
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    sections = Counter(section for section, _ in SECTIONED)
    assert len(sections) >= 10, sections
    assert sum("alert(1)" in p for p in PAYLOADS) > 50
    assert sum("window.__xss=1" in p for p in PAYLOADS) > 50


def test_the_checker_sees_every_vector_served_raw():
    """Unsanitised (as HTML, or as careless Markdown) each live vector is caught: so a clean
    page means the vectors were made harmless, not that the checker looked away."""
    assert set(DEAD_VECTORS) <= set(PAYLOADS)
    missed = [
        payload
        for section, payload in SECTIONED
        if section != TEXT_ONLY_SECTION
        and payload not in DEAD_VECTORS
        and not any(check_html(context.format(payload)) for context in NAIVE_CONTEXTS)
        and not check_html(naive_markdown(payload))
    ]
    assert missed == []


def test_the_checker_lets_our_own_markup_through():
    ours = (
        '<script src="/static/js/charcount.js" defer></script>'
        '<script id="x" type="application/json">{"a": "\\u003C/script\\u003E"}</script>'
        '<a href="/blog/2016/2/19/x.html">x</a><a href="mailto:a@example.com">mail</a>'
        '<img src="https://example.com/a.png" alt="javascript:alert(1)" title="onerror=x">'
        "<p>onload=alert(1) &lt;script&gt; javascript:alert(1)</p>"
        '<div style="color: red">x</div><style>.x { color: red }</style>'
    )
    assert check_html(ours) == []
    assert check_html('<svg class="base-svgs"></svg>', svgs={"admin"}) == []
    assert check_html('<svg class="base-svgs"></svg>') != []
