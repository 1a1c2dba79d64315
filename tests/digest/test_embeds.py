"""Embedded videos: YouTube and Vimeo iframes become privacy-friendly figures that load nothing
from the video's host until a reader plays them; other iframes become a link, or a marker when
their address could run script; outsiders' text never gets an embed; the CSP frames only the
two players."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from digest.embeds import PLAYER_URL, REMOVED
from digest.markdown import render_markdown, render_markdown_inline, sanitize_html
from tests.digest.factories import PostFactory
from tests.sponsors.factories import SponsorFactory

VIDEO = "dQw4w9WgXcQ"
NOCOOKIE = f"https://www.youtube-nocookie.com/embed/{VIDEO}?autoplay=1"
WATCH = f"https://www.youtube.com/watch?v={VIDEO}"
PLAYERS = {"https://www.youtube-nocookie.com", "https://player.vimeo.com"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html):
    parser = _Elements()
    parser.feed(html)
    return parser.found


def embeds(html):
    """[(figure class, data-embed, link href)] of every figure, attributes unescaped."""
    found, figure = [], None
    for tag, attrs in elements(html):
        if tag == "figure":
            figure = attrs
        elif tag == "a" and figure is not None:
            found.append((figure.get("class"), figure.get("data-embed"), attrs["href"]))
            figure = None
    return found


def assert_loads_nothing(html):
    for tag, attrs in elements(html):
        assert tag not in {"iframe", "img", "script", "object", "embed"}, html
        assert "src" not in attrs and "srcdoc" not in attrs, html
        assert not any(name.startswith("on") for name in attrs), html


# --- Allowed videos ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iframe", "provider", "player", "page"),
    [
        (
            f'<iframe width="560" height="315" src="https://www.youtube.com/embed/{VIDEO}'
            '?feature=oembed" frameborder="0" allow="accelerometer; autoplay; '
            'encrypted-media" allowfullscreen></iframe>',
            "embed embed-youtube",
            NOCOOKIE,
            WATCH,
        ),
        (
            f'<p><iframe src="https://youtube.com/embed/{VIDEO}?start=30"></iframe></p>',
            "embed embed-youtube",
            f"{NOCOOKIE}&start=30",
            f"{WATCH}&t=30s",
        ),
        (
            f"<IFRAME SRC='//www.youtube-nocookie.com/embed/{VIDEO}?rel=0&amp;t=1m5s' "
            "WIDTH='640' ALLOWFULLSCREEN></IFRAME>",
            "embed embed-youtube",
            f"{NOCOOKIE}&start=65",
            f"{WATCH}&t=65s",
        ),
        (
            '<iframe src="http://www.youtube.com/embed/a-B_c1D2e3F/"></iframe>',
            "embed embed-youtube",
            "https://www.youtube-nocookie.com/embed/a-B_c1D2e3F?autoplay=1",
            "https://www.youtube.com/watch?v=a-B_c1D2e3F",
        ),
        (
            '<iframe data-src="https://www.youtube.com/embed/dQw4w9WgXcQ" src="about:blank">'
            "</iframe>",
            "embed embed-youtube",
            NOCOOKIE,
            WATCH,
        ),
        (
            '<iframe src="https://player.vimeo.com/video/76979871?h=8272103f6e&amp;title=0'
            '&amp;byline=0" width="640" height="360" frameborder="0" '
            'allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>',
            "embed embed-vimeo",
            "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1&h=8272103f6e",
            "https://vimeo.com/76979871/8272103f6e",
        ),
        (
            "<P><IFRAME src='https://player.vimeo.com/video/76979871' "
            "webkitallowfullscreen mozallowfullscreen></IFRAME></P>",
            "embed embed-vimeo",
            "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1",
            "https://vimeo.com/76979871",
        ),
    ],
)
def test_an_allowed_video_becomes_a_figure_with_a_link_and_its_player(
    iframe, provider, player, page
):
    html = sanitize_html(iframe)

    assert embeds(html) == [(provider, player, page)]
    assert PLAYER_URL.fullmatch(player)
    assert_loads_nothing(html)
    assert "<p></p>" not in html
    assert "▶ Play video" in html and "nothing is loaded from" in html


def test_the_figure_is_built_from_the_id_alone():
    html = sanitize_html(
        f'<iframe src="https://www.youtube.com/embed/{VIDEO}?autoplay=1&amp;mute=1'
        '&amp;list=PLx&amp;origin=https://evil.example" class="x" style="color:red"></iframe>'
    )

    assert html == (
        f'<figure class="embed embed-youtube" data-embed="{NOCOOKIE}">'
        f'<a href="{WATCH}" rel="noopener noreferrer">▶ Play video (YouTube)</a>'
        "<figcaption>The video is on YouTube; nothing is loaded from YouTube until you play it."
        "</figcaption></figure>"
    )


def test_the_iframe_title_names_the_video_and_a_generic_one_is_left_out():
    named = sanitize_html(
        f'<iframe title="Scaling &amp; &lt;you&gt;" src="https://youtube.com/embed/{VIDEO}">'
        "</iframe>"
    )
    generic = sanitize_html(
        f'<iframe title="YouTube video player" src="https://youtube.com/embed/{VIDEO}"></iframe>'
    )

    assert "▶ Play video (YouTube): Scaling &amp; &lt;you&gt;</a>" in named
    assert 'title="Scaling &amp; &lt;you&gt;"' in named
    assert "▶ Play video (YouTube)</a>" in generic and "player" not in generic


def test_an_iframe_inside_a_paragraph_splits_it_and_keeps_the_text_around_it():
    html = sanitize_html(
        f'<p>Watch <em>this</em>: <iframe src="https://youtube.com/embed/{VIDEO}"></iframe>'
        " and more.</p>"
    )

    assert html.startswith("<p>Watch <em>this</em>: </p><figure ")
    assert html.endswith("</figure><p> and more.</p>")


def test_an_iframe_content_goes_and_an_unclosed_one_keeps_the_text_after_it():
    closed = sanitize_html(
        f'<iframe src="https://youtube.com/embed/{VIDEO}">Your browser <b>lacks</b> iframes'
        "</iframe><p>After</p>"
    )
    unclosed = sanitize_html(f'<iframe src="https://youtube.com/embed/{VIDEO}"><p>After</p>')

    assert "lacks" not in closed and closed.endswith("</figure><p>After</p>")
    assert len(embeds(unclosed)) == 1 and unclosed.endswith("</figure><p>After</p>")


def test_iframes_in_comments_and_code_are_not_embedded():
    html = render_markdown(
        f'`<iframe src="https://youtube.com/embed/{VIDEO}"></iframe>`\n\n'
        f'<!-- <iframe src="https://youtube.com/embed/{VIDEO}"></iframe> -->\n'
    )

    assert embeds(html) == []
    assert "<code>&lt;iframe" in html


def test_several_videos_keep_their_order():
    html = sanitize_html(
        '<iframe src="https://player.vimeo.com/video/1"></iframe><p>between</p>'
        f'<iframe src="https://youtube.com/embed/{VIDEO}"></iframe>'
    )

    assert [provider for provider, _, _ in embeds(html)] == [
        "embed embed-vimeo",
        "embed embed-youtube",
    ]
    assert "<p>between</p>" in html


def test_sanitising_an_embed_again_changes_nothing():
    once = sanitize_html(
        f'<p>See <iframe src="https://youtube.com/embed/{VIDEO}?start=9"></iframe></p>'
        '<iframe src="https://evil.example/x"></iframe><iframe src="javascript:x"></iframe>'
    )

    assert sanitize_html(once) == once
    assert render_markdown(once) == once


# --- Other iframes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "href", "host"),
    [
        ("https://evil.example/p?a=1&amp;b=2", "https://evil.example/p?a=1&b=2", "evil.example"),
        ("//maps.example.com/embed", "https://maps.example.com/embed", "maps.example.com"),
        (f"https://youtube.com.evil.example/embed/{VIDEO}", None, "youtube.com.evil.example"),
        (f"https://www.youtube.com@evil.example/embed/{VIDEO}", None, "evil.example"),
        ("https://www.youtube.com/embed/videoseries?list=PL123", None, "www.youtube.com"),
        ("https://www.youtube.com/embed/short", None, "www.youtube.com"),
        ("https://vimeo.com/76979871", None, "vimeo.com"),
        ("https://player.vimeo.com/video/abc", None, "player.vimeo.com"),
    ],
)
def test_any_other_web_iframe_becomes_a_link_to_it(src, href, host):
    html = sanitize_html(f'<iframe src="{src}" width="100"></iframe>')
    href = href or src

    assert embeds(html) == []
    assert elements(html) == [
        ("p", {"class": "embed-link"}),
        ("a", {"href": href, "rel": "noopener noreferrer"}),
    ]
    assert f">Embedded content: {host}</a></p>" in html


@pytest.mark.parametrize(
    "iframe",
    [
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe src="JaVaScRiPt:alert(1)"></iframe>',
        '<iframe src="java\nscript:alert(1)"></iframe>',
        '<iframe src="  javascript:alert(1)"></iframe>',
        '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
        '<iframe src="vbscript:msgbox(1)"></iframe>',
        '<iframe srcdoc="<script>top.__xss=1</script>"></iframe>',
        '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>',
        "<iframe onload=alert(1)></iframe>",
        '<iframe src="/relative/page.html"></iframe>',
        '<iframe src="https://[::1"></iframe>',
    ],
)
def test_an_iframe_that_could_run_script_leaves_only_a_marker(iframe):
    for html in (sanitize_html(iframe), render_markdown(iframe), render_markdown_inline(iframe)):
        assert REMOVED in html
        lowered = html.lower()
        for danger in ("<iframe", "srcdoc", "javascript", "script:", "data:", "onload", "href"):
            assert danger not in lowered, html


def test_srcdoc_never_survives_beside_an_allowed_address():
    html = sanitize_html(
        f'<iframe srcdoc="<script>alert(1)</script>" src="https://youtube.com/embed/{VIDEO}">'
        "</iframe>"
    )

    assert embeds(html) == [("embed embed-youtube", NOCOOKIE, WATCH)]
    assert "srcdoc" not in html and "script" not in html


# --- Hand-written figures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data_embed",
    [
        "javascript:alert(1)",
        "https://evil.example/",
        f"{NOCOOKIE}&amp;onload=1",
        f"{NOCOOKIE} ",
        f"http://www.youtube-nocookie.com/embed/{VIDEO}?autoplay=1",
        f"https://www.youtube.com/embed/{VIDEO}?autoplay=1",
        "https://player.vimeo.com/video/1?autoplay=1",
        "https://player.vimeo.com/video/1?autoplay=1&amp;dnt=1&amp;h=zz",
        f"https://www.youtube-nocookie.com.evil.example/embed/{VIDEO}?autoplay=1",
    ],
)
def test_a_hand_written_figure_keeps_no_other_data_embed(data_embed):
    html = sanitize_html(
        f'<figure class="embed embed-youtube" data-embed="{data_embed}" onclick="x">'
        '<a href="https://evil.example/">Play</a></figure>'
    )

    assert "data-embed" not in html
    assert "onclick" not in html


def test_a_hand_written_figure_keeps_no_other_class():
    html = sanitize_html(
        f'<figure class="embed embed-youtube evil" data-embed="{NOCOOKIE}">x</figure>'
        '<p class="evil">y</p><p class="embed-link">z</p>'
    )

    assert 'class="embed embed-youtube evil"' not in html
    assert 'class="evil"' not in html
    assert '<p class="embed-link">z</p>' in html


def test_a_picture_with_a_caption_keeps_its_figure():
    html = sanitize_html(
        '<figure><img src="https://i.example/a.png" alt="A"><figcaption>Cap</figcaption></figure>'
    )

    assert html == (
        '<figure><img src="https://i.example/a.png" alt="A"><figcaption>Cap</figcaption></figure>'
    )


# --- Markdown: editors yes, outsiders no ------------------------------------------------------


def test_an_editor_may_paste_an_iframe_into_markdown():
    html = render_markdown(
        f'Intro.\n\n<iframe src="https://www.youtube.com/embed/{VIDEO}?start=30"></iframe>\n\n'
        f'Inline <iframe src="https://player.vimeo.com/video/42"></iframe> too.\n'
    )

    assert embeds(html) == [
        ("embed embed-youtube", f"{NOCOOKIE}&start=30", f"{WATCH}&t=30s"),
        (
            "embed embed-vimeo",
            "https://player.vimeo.com/video/42?autoplay=1&dnt=1",
            "https://vimeo.com/42",
        ),
    ]
    assert html.startswith("<p>Intro.</p>\n<figure ")
    assert_loads_nothing(html)


@pytest.mark.parametrize("render", [render_markdown, render_markdown_inline])
def test_outsiders_text_never_gets_an_embed(render):
    html = render(
        f'<iframe src="https://www.youtube.com/embed/{VIDEO}"></iframe> '
        f'<figure class="embed embed-youtube" data-embed="{NOCOOKIE}">x</figure>',
        images=False,
    )

    assert embeds(html) == []
    assert "data-embed" not in html and "embed-youtube" not in html
    assert f'<a href="https://www.youtube.com/embed/{VIDEO}" rel="noopener noreferrer">' in html
    assert "Embedded content: www.youtube.com" in html
    assert_loads_nothing(html)


@pytest.mark.django_db
def test_a_sponsors_description_gets_a_link_at_most():
    sponsor = SponsorFactory(
        description=f'Our demo:\n\n<iframe src="https://www.youtube.com/embed/{VIDEO}"></iframe>'
    )

    assert "data-embed" not in sponsor.description_html
    assert "Embedded content: www.youtube.com" in sponsor.description_html


@pytest.mark.django_db
def test_a_post_body_stores_the_embed():
    post = PostFactory(
        body=f'<iframe src="https://youtu.be.evil/x"></iframe>\n\n<iframe src="https://www.youtube.com/embed/{VIDEO}"></iframe>'
    )
    post.refresh_from_db()

    assert embeds(post.body_html) == [("embed embed-youtube", NOCOOKIE, WATCH)]
    assert "Embedded content: youtu.be.evil" in post.body_html


# --- The page: CSP and the script -------------------------------------------------------------


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


def test_pages_frame_only_the_two_players_and_load_the_embed_script(client, db):
    response = client.get("/")

    directives = csp_directives(response["Content-Security-Policy"])
    assert sorted(directives["frame-src"]) == sorted(PLAYERS)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert f'<script src="{settings.STATIC_URL}js/embeds.js" defer></script>' in response.text


def test_the_script_accepts_exactly_the_sanitisers_player_addresses():
    script = (Path(settings.BASE_DIR) / "static" / "js" / "embeds.js").read_text()
    patterns = re.findall(r"^\s*/\^(.*)\$/,?$", script, re.MULTILINE)

    assert [p.replace(r"\/", "/") for p in patterns] == PLAYER_URL.pattern.split("|")
    for needed in ("allowfullscreen", "strict-origin-when-cross-origin", 'loading", "lazy'):
        assert needed in script
    assert "allow-scripts allow-same-origin allow-presentation allow-popups" in script
