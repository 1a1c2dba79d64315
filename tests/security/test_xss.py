"""No attacker's script runs: every vector of xss_payloads.txt, written into every field a
user or editor can fill, is inert on every page, feed and admin screen that shows the field.

Tried (the module prints this line at its end): 284 payloads × 29 fields = 7,008
payload-field pairs on SQLite (6,951 on PostgreSQL), checked in 3,028 responses: pages,
feeds, sitemaps and admin screens. tests/browser/test_xss_browser.py opens 118 of those pages
in Chromium.

How. `payload_site` writes the payloads once for the module: one published article per
payload (title, excerpt, body, byline, caption, one tag; its author's display name and bio;
an avatar and a lead image uploaded under the payload as file name), one "kitchen sink"
article holding every payload at once, one digest with a stat, a quote and an item per
payload, and per payload a sponsor (name, description, logo file name) with an approved
listing (compiled into last week's sponsored post) and a rejected one (text, link label, the
editor's note). The sweeps fetch each page once and run `check_html` over it: no <script> but
our own files, no on* attribute, no javascript:/vbscript:/data: URL in a link or source
attribute, no <iframe>, <object>, <embed>, <base> or meta refresh, no <svg>/<math> but the
admin's icons and the click chart, no srcdoc, no script in CSS. Feeds and sitemaps are parsed
as XML and the HTML inside their entries is checked the same way. Search queries, link URLs
(refused unless http or https), paste-box lines and the site texts editors set are tried too.

Display pages are fetched for every object. Form pages (admin change forms, the sponsor's
company and listing forms, profiles) are fetched for every seventh object, plus the change
forms of the kitchen sink, the digest and the sponsored post, which hold every payload: a
widget escapes character by character, and the sample holds each character many times.
PostgreSQL cannot store NUL (forms refuse it anyway): there the few vectors with a NUL stay out
of stored fields, and are still sent as queries and file names.
"""

import io
import json
import math
import re
import uuid
import xml.etree.ElementTree as ET  # noqa: S405 -- parses our own feeds and sitemaps
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from markdown_it import MarkdownIt
from taggit.models import Tag

from accounts.forms import ProfileForm
from accounts.models import Role
from digest.forms import LEAD_IMAGE_FIT
from digest.models import Item, Post, Quote, Revision, SiteSettings, Stat
from digest.models.parts import parts_batch
from digest.models.post import LEAD_IMAGE_MAX_BYTES
from digest.search import refresh_search_vectors
from safe_images import clean_image
from sponsors.admin import ListingAdminForm, SponsorAdminForm
from sponsors.compiling import compile_week
from sponsors.forms import CompanyForm, ListingForm, bookable_weeks
from sponsors.models import Listing, ListingWeek, Sponsor, this_week
from tests.accounts.factories import UserFactory
from tests.digest.test_digest_authoring import new_digest_url, submit
from tests.sponsors.factories import png_bytes

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")
# Characters a line of the file cannot hold, written as tokens there.
TOKENS = {
    "%NUL%": "\x00",
    "%TAB%": "\t",
    "%LF%": "\n",
    "%CR%": "\r",
    "%FF%": "\x0c",
    "%VT%": "\x0b",
}
TEXT_ONLY_SECTION = "text that only looks dangerous"


def load_payloads(path=PAYLOAD_FILE):
    """[(section, vector)] in file order; sections are the "# --- name" comment lines."""
    payloads, section = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# --- "):
            section = line.removeprefix("# --- ").split(" (")[0].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        for token, char in TOKENS.items():
            line = line.replace(token, char)
        payloads.append((section, line))
    return payloads


SECTIONED = load_payloads()
PAYLOADS = [payload for _, payload in SECTIONED]

# --- the checker ----------------------------------------------------------------------------

URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "xlink:href", "background", "poster",
    "lowsrc", "dynsrc", "codebase", "cite", "longdesc", "ping", "manifest", "icon", "srcset",
    "to", "from", "values", "by",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
FORBIDDEN_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "svg",
    "math", "bgsound", "isindex",
}  # fmt: skip
CSS_DANGERS = ("javascript:", "vbscript:", "expression(", "behavior:", "-moz-binding", "@import")
OUR_SCRIPTS = (settings.STATIC_URL, reverse("admin:jsi18n"))
# The admin's own icons (admin/base.html) and the click chart of a listing page.
ADMIN_SVG_CLASSES = {
    "base-svgs", "theme-icon-when-auto", "theme-icon-when-dark", "theme-icon-when-light",
}  # fmt: skip


def squeezed(value):
    """A URL or CSS text as lax parsers read it: no whitespace or control characters."""
    return "".join(ch for ch in value if ord(ch) > 0x20 and ch != "\x7f").lower()


COMMENT_END = re.compile(r"--!?>")


class InertChecker(HTMLParser):
    """Collects every piece of markup that could run script. It reads HTML as a browser does
    where Python's parser differs in ways that matter: the content of raw-text elements is
    text, `<!-->` and `--!>` end comments, and `<![CDATA[` is a bogus comment up to the first
    `>`. Attribute values arrive HTML-unescaped, as a browser reads them."""

    CDATA_CONTENT_ELEMENTS = (
        "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea",
        "title", "plaintext",
    )  # fmt: skip

    def __init__(self, svgs=()):
        super().__init__(convert_charrefs=True)
        self.svgs = set(svgs)
        self.findings = []
        self.script = None  # (kind, text parts) inside <script>
        self.style = None  # text parts inside <style>

    def parse_comment(self, i, report=1):
        for empty in ("<!-->", "<!--->"):
            if self.rawdata.startswith(empty, i):
                return i + len(empty)
        end = COMMENT_END.search(self.rawdata, i + 4)
        return end.end() if end else -1

    def parse_html_declaration(self, i):
        if self.rawdata.startswith("<![", i):
            end = self.rawdata.find(">", i + 3)
            return end + 1 if end >= 0 else -1
        return super().parse_html_declaration(i)

    def flag(self, tag, attrs, why):
        shown = " ".join(k if v is None else f'{k}="{v}"' for k, v in attrs)
        self.findings.append(f"{why}: <{tag} {shown}>"[:240])

    def ours(self, tag, values):
        if tag != "svg":
            return False
        if "admin" in self.svgs and values.get("class") in ADMIN_SVG_CLASSES:
            return True
        chart = values.get("role") == "img" and values.get("aria-labelledby") == "chart-title"
        return "chart" in self.svgs and chart

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.handle_endtag(tag)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.flag(tag, attrs, f"event handler {name}")
            elif name == "srcdoc":
                self.flag(tag, attrs, "srcdoc")
            elif name == "style" and any(d in squeezed(value) for d in CSS_DANGERS):
                self.flag(tag, attrs, "script in a style attribute")
            elif name in URL_ATTRIBUTES and squeezed(value).startswith(BAD_SCHEMES):
                self.flag(tag, attrs, f"script or data URL in {name}")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.flag(tag, attrs, "meta refresh")
        if tag == "link" and "import" in (values.get("rel") or "").lower():
            self.flag(tag, attrs, "HTML import")
        if tag in FORBIDDEN_ELEMENTS and not self.ours(tag, values):
            self.flag(tag, attrs, "element content may not bring")
        if tag == "script":
            src, kind = values.get("src") or "", (values.get("type") or "").lower()
            if src.startswith(OUR_SCRIPTS):
                self.script = ("ours", [])
            elif not src and kind == "application/json":
                self.script = ("json", [])
            else:
                self.flag(tag, attrs, "script")
                self.script = ("flagged", [])
        if tag == "style":
            self.style = []

    def handle_endtag(self, tag):
        if tag == "script" and self.script:
            kind, parts = self.script
            text = "".join(parts)
            if kind == "ours" and text.strip():
                self.findings.append(f"inline code in a script of ours: {text[:100]}")
            if kind == "json":
                try:
                    json.loads(text)
                except ValueError:
                    self.findings.append(f"a JSON script that is not JSON: {text[:100]}")
            self.script = None
        if tag == "style" and self.style is not None:
            if any(d in squeezed("".join(self.style)) for d in CSS_DANGERS):
                self.findings.append(f"script in a <style>: {''.join(self.style)[:100]}")
            self.style = None

    def handle_data(self, data):
        if self.script:
            self.script[1].append(data)
        if self.style is not None:
            self.style.append(data)


def check_html(markup, svgs=()):
    """Every executable piece of `markup`, as sentences (empty when the markup is inert)."""
    checker = InertChecker(svgs=svgs)
    checker.feed(markup)
    checker.close()
    return checker.findings


MARKUP_NAMESPACES = (
    "{http://www.w3.org/1999/xhtml}",
    "{http://www.w3.org/2000/svg}",
    "{http://www.w3.org/1998/Math/MathML}",
)
HTML_ELEMENTS = {"description", "encoded", "summary", "content"}


def check_xml(document):
    """Findings in a feed or sitemap: markup elements a browser would run in the XML itself,
    links that are not web addresses, and executable HTML where feed readers expect HTML
    (RSS descriptions and content, Atom summaries and content of type html). Each finding
    names its element with its parent, e.g. "<item><description>"."""
    root = ET.fromstring(document)  # noqa: S314 -- our own response, not untrusted input
    findings = []
    if root.tag.startswith(MARKUP_NAMESPACES):
        findings.append(f"markup element in the XML: {root.tag}")
    for parent in root.iter():
        for element in parent:
            where = f"<{local_name(parent)}><{local_name(element)}>"
            if element.tag.startswith(MARKUP_NAMESPACES):
                findings.append(f"{where}: markup element in the XML")
            local = local_name(element)
            if local in HTML_ELEMENTS and element.text and element.get("type") != "text":
                findings += [f"{where}: {finding}" for finding in check_html(element.text)]
            if local in ("link", "loc", "guid", "id"):
                target = (element.get("href") or element.text or "").strip()
                if target and not target.startswith(("http://", "https://")):
                    findings.append(f"{where} is not a web address: {target[:100]}")
    return findings


def local_name(element):
    return element.tag.rsplit("}", 1)[-1]


# --- the data -------------------------------------------------------------------------------


def storable(payload):
    """PostgreSQL text cannot hold NUL (which forms refuse); other databases store it."""
    return connection.vendor != "postgresql" or "\x00" not in payload


def fits(payload, length):
    return storable(payload) and len(payload) <= length


def png_named(name):
    """A real 8 × 8 PNG whose file name is the payload."""
    return SimpleUploadedFile(f"{name}.png", png_bytes(size=(8, 8)), content_type="image/png")


@dataclass
class World:
    payloads: list
    tried: Counter = field(default_factory=Counter)
    posts: list = field(default_factory=list)
    authors: list = field(default_factory=list)
    sponsors: list = field(default_factory=list)
    listings: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    kitchen: Post = None
    digest: Post = None
    sponsored: Post = None
    superuser: object = None
    manager: object = None

    @property
    def published(self):
        return [*self.posts, self.kitchen, self.digest, self.sponsored]


def build_world(payloads=PAYLOADS, tag_kitchen_sink=False):
    """Every payload in every field (see the module docstring); `world.tried` counts them."""
    world = World(payloads=payloads)
    tried, now = world.tried, timezone.now()
    world.superuser = UserFactory(
        is_staff=True, is_superuser=True, display_name=payloads[0], first_name=payloads[1]
    )
    world.manager = UserFactory(display_name=payloads[2], email_verified_at=now)
    world.manager.groups.add(Group.objects.get(name=Role.SPONSORS))
    last_week = this_week() - timedelta(days=7)

    for index, payload in enumerate(payloads):
        author = UserFactory(display_name=f"Author {index}")
        form = ProfileForm(
            {"display_name": author.display_name}, {"avatar": png_named(payload)}, instance=author
        )
        assert form.is_valid(), form.errors
        form.save()
        tried["avatar file name"] += 1
        if storable(payload):
            author.bio = payload
            tried["bio"] += 1
            if fits(payload, 100):
                author.display_name = payload
                tried["display name"] += 1
            author.save()
        world.authors.append(author)

        post = Post(
            title=payload if fits(payload, 200) else f"Post {index}",
            status=Post.Status.PUBLISHED,
            publish_at=now - timedelta(minutes=index + 1),
            author=author,
            lead_image=clean_image(
                png_named(payload), max_bytes=LEAD_IMAGE_MAX_BYTES, fit=LEAD_IMAGE_FIT
            ),
        )
        tried["lead image file name"] += 1
        tried["post title"] += fits(payload, 200)
        if storable(payload):
            post.excerpt = post.body = post.byline = payload
            post.lead_image_caption = payload
            for name in ("excerpt", "body", "byline", "caption"):
                tried[f"post {name}"] += 1
        post.save()
        if fits(payload, 100):
            post.tags.add(payload)
            tried["tag name"] += 1
        world.posts.append(post)

    stored = [payload for payload in payloads if storable(payload)]
    world.kitchen = Post.objects.create(
        title="Every payload at once",
        status=Post.Status.PUBLISHED,
        publish_at=now - timedelta(seconds=20),
        author=world.superuser,
        excerpt="\n\n".join(stored),
        body="\n\n".join(stored),
        byline=" ".join(stored),
    )
    if tag_kitchen_sink:
        world.kitchen.tags.add(*[payload for payload in stored if len(payload) <= 100])

    world.digest = Post.objects.create(
        title="A digest of payloads",
        kind=Post.Kind.DIGEST,
        status=Post.Status.PUBLISHED,
        publish_at=now - timedelta(seconds=10),
        author=world.superuser,
        excerpt="The week in payloads.",
    )
    with parts_batch():
        for position, payload in enumerate(stored):
            figure = payload if len(payload) <= 80 else "1"
            speaker = payload if len(payload) <= 120 else "Speaker"
            Stat.objects.create(post=world.digest, position=position, figure=figure, label=payload)
            Quote.objects.create(
                post=world.digest, position=position, speaker=speaker, text=payload
            )
            Item.objects.create(post=world.digest, position=position, text=payload)
            tried["stat figure"] += figure == payload
            tried["quote speaker"] += speaker == payload
            for name in ("stat label", "quote text", "item text"):
                tried[name] += 1

    for index, payload in enumerate(payloads):
        sponsor = Sponsor.objects.create(name=f"Sponsor {index}")
        sponsor.managers.add(world.manager)
        form = CompanyForm(
            {"name": sponsor.name, "website": "https://example.com"},
            {"logo": png_named(payload)},
            instance=sponsor,
        )
        assert form.is_valid(), form.errors
        form.save()
        tried["logo file name"] += 1
        if storable(payload):
            sponsor.description = payload
            tried["sponsor description"] += 1
            if len(payload) <= 120:
                sponsor.name = payload
                tried["sponsor name"] += 1
            sponsor.save()
        world.sponsors.append(sponsor)

        text = payload if storable(payload) else f"Listing {index}"
        label = payload if fits(payload, 60) else "Find out"
        common = {"sponsor": sponsor, "section": Listing.SECTION_ORDER[index % 3], "text": text}
        common |= {"link_label": label, "reviewed_by": world.superuser, "reviewed_at": now}
        listing = Listing.objects.create(
            **common, link_url=f"https://example.com/a/{index}", status=Listing.Status.APPROVED
        )
        ListingWeek.objects.create(listing=listing, week=last_week)
        world.listings.append(listing)
        rejected = Listing.objects.create(
            **common,
            link_url=f"https://example.com/r/{index}",
            status=Listing.Status.REJECTED,
            review_note=text,
        )
        ListingWeek.objects.create(listing=rejected, week=bookable_weeks()[0])
        world.rejected.append(rejected)
        if storable(payload):
            tried["listing text"] += 1
            tried["listing review note"] += 1
            tried["listing link label"] += label == payload

    world.sponsored, _ = compile_week(last_week, author=world.superuser)
    refresh_search_vectors([post.pk for post in world.published])
    return world


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


# --- links: only web addresses are accepted -----------------------------------------------------

SCRIPT_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:window.__xss=1",
    " javascript:alert(1)",
    "javascript://%0Aalert(1)",
    "javascript://example.com/%0Aalert(1)",
    "jav\tascript:alert(1)",
    "java\nscript:alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
]


def listing_data(link):
    return {
        "section": Listing.Section.PRODUCT,
        "text": "Queues, fast.",
        "link_url": link,
        "link_label": "Try it",
        "weeks": [bookable_weeks()[0].isoformat()],
    }


@pytest.mark.parametrize("link", SCRIPT_LINKS)
def test_a_script_link_is_refused_by_every_form_and_the_model(db, link):
    sponsor = Sponsor.objects.create(name="Acme")
    assert "link_url" in ListingForm(listing_data(link)).errors
    assert "link_url" in ListingAdminForm({**listing_data(link), "sponsor": sponsor.pk}).errors
    with pytest.raises(ValidationError) as refused:
        Listing(sponsor=sponsor, section="product", text="x", link_url=link).full_clean()
    assert "link_url" in refused.value.message_dict
    assert "website" in CompanyForm({"name": "Other", "website": link}).errors
    assert "website" in SponsorAdminForm({"name": "Other", "slug": "o", "website": link}).errors
    assert "website" in ProfileForm({"website": link}).errors
    for record, field_name in ((SiteSettings(), "support_url"), (Quote(), "source_url")):
        setattr(record, field_name, link)
        with pytest.raises(ValidationError) as refused:
            record.full_clean()
        assert field_name in refused.value.message_dict


def test_the_listing_form_page_refuses_a_script_link(client, db):
    manager = UserFactory(email_verified_at=timezone.now())
    manager.groups.add(Group.objects.get(name=Role.SPONSORS))
    Sponsor.objects.create(name="Acme").managers.add(manager)
    client.force_login(manager)
    response = client.post(reverse("sponsors:submit"), listing_data("javascript:alert(1)"))
    assert response.status_code == 200
    assert "Enter a valid URL." in response.text
    assert not Listing.objects.filter(sponsor__managers=manager).exists()
    assert check_html(response.text) == []


def test_every_payload_as_a_link_is_refused_or_becomes_a_web_address(db):
    kept = []
    for payload in PAYLOADS:
        form = ListingForm(listing_data(payload))
        if form.is_valid():
            kept.append(form.cleaned_data["link_url"])
    assert all(re.match(r"https?://", link) for link in kept), kept


def test_odd_paste_box_lines_are_listed_inertly_and_stored_sanitised(admin_client):
    """Every pasted line is kept; the ones kept loosely are listed back to the editor."""
    # Forms refuse NUL outright ("Null characters are not allowed"), so those lines stay out.
    lines = "\n".join(p.replace("\n", " ") for p in PAYLOADS if "\x00" not in p)
    response = submit(
        admin_client, new_digest_url(), paste_stats=lines, paste_quotes=lines, _continue="1"
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    page = admin_client.get(response["Location"]).content.decode()
    shown = page[
        page.index('<ul class="messagelist">') : page.index("</ul>\n", page.index("messagelist"))
    ]
    assert shown.count("<br>line ") > 100, shown[:500]
    assert check_html(shown) == []
    post = Post.objects.get()
    assert post.quotes.count() > 100
    for quote in post.quotes.all():
        assert check_html(quote.text_html) == [], quote.text
    assert check_html(post.parts_full_html) == []


# --- weaknesses found (strict xfail: they turn red when fixed, so the mark comes off) --------


@pytest.mark.parametrize("feed", ["tag", "site"])
def test_a_feed_describes_itself_inertly(client, db, feed):
    payload = "<img src=x onerror=alert(1)>"
    SiteSettings.objects.update_or_create(pk=1, defaults={"tagline": payload})
    post = Post.objects.create(
        title="Tagged", status=Post.Status.PUBLISHED, author=UserFactory(), excerpt="x"
    )
    post.tags.add(payload)
    url = (
        reverse("digest:tag-feed", args=[post.tags.get().slug])
        if feed == "tag"
        else reverse("digest:feed-rss")
    )
    response = client.get(url)
    assert response.status_code == 200
    assert check_xml(response.content) == []


def post_with_control_characters(where):
    """A post with a form feed (as pasted from a PDF) or a vertical tab in one field."""
    post = Post.objects.create(
        title="Feed \x0c test" if where == "title" else "Feed test",
        excerpt="Page\x0cbreak" if where == "excerpt" else "x",
        status=Post.Status.PUBLISHED,
        author=UserFactory(),
    )
    post.tags.add("vertical\x0btab" if where == "tag" else "plain")
    return post


@pytest.mark.parametrize("where", ["title", "excerpt", "tag"])
def test_a_control_character_in_a_post_breaks_no_site_feed(client, db, where):
    post_with_control_characters(where)
    for name in ("digest:feed-rss", "digest:feed-atom"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        ET.fromstring(response.content)  # noqa: S314 -- our own response


def test_a_control_character_in_a_tag_name_breaks_not_its_feed(client, db):
    post = post_with_control_characters("tag")
    client.raise_request_exception = False
    response = client.get(reverse("digest:tag-feed", args=[post.tags.get().slug]))
    assert response.status_code == 200
    ET.fromstring(response.content)  # noqa: S314 -- our own response


@pytest.mark.parametrize("name", ["Café", "<>", "🚀"])
def test_a_tag_of_any_name_leaves_the_pages_up(client, db, name):
    post = Post.objects.create(
        title="Tagged", status=Post.Status.PUBLISHED, author=UserFactory(), excerpt="x"
    )
    post.tags.add(name)
    client.raise_request_exception = False
    assert client.get(reverse("digest:post-index")).status_code == 200
    assert client.get(post.get_absolute_url()).status_code == 200


DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def test_a_listing_cannot_click_itself_through_an_image(client, db):
    sponsor = Sponsor.objects.create(name="Pixel Inc")
    listing = Listing.objects.create(
        sponsor=sponsor,
        section=Listing.Section.PRODUCT,
        text="Fast queues.",
        link_url="https://pixel.example/logo.png",
        link_label="Try",
        status=Listing.Status.APPROVED,
    )
    listing.text = f"Fast queues. ![Pixel](/go/{listing.pk}/)"
    listing.save()
    week = this_week() - timedelta(days=7)
    ListingWeek.objects.create(listing=listing, week=week)
    post, _ = compile_week(week, author=UserFactory())
    page = client.get(post.get_absolute_url(), HTTP_USER_AGENT=DESKTOP_CHROME)
    for source in re.findall(r'<img[^>]* src="(/[^"]*)"', page.text):
        # What a reader's browser does with each picture of the page.
        client.get(source, HTTP_USER_AGENT=DESKTOP_CHROME, HTTP_SEC_FETCH_DEST="image")
    assert listing.clicks.count() == 0


# --- fixtures and the sweep ------------------------------------------------------------------

PAGES_FETCHED = Counter()


# The site below is a module fixture: the tests that use it must still ask for the test
# database, or pytest-django would set none up when only they are selected (-k), and the site
# would be built in the real database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def payload_site(django_db_setup, django_db_blocker, pytestconfig):
    """The payload-filled site, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)
    plugins = pytestconfig.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:  # None in xdist workers
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(summary(built.tried, PAGES_FETCHED))


@pytest.fixture
def world(payload_site, db):
    """The payload-filled site; what a test adds to it is rolled back after the test."""
    return payload_site


def summary(tried, pages):
    """The line the module prints: payloads × fields tried, and pages checked."""
    tried = tried | {
        "search query": len(PAYLOADS),
        "link URL": len(PAYLOADS),
        "paste box line": sum("\x00" not in payload for payload in PAYLOADS),
    }
    return (
        f"XSS: {len(PAYLOADS)} payloads × {len(tried)} fields = {sum(tried.values())} "
        f"payload-field pairs tried; {sum(pages.values())} responses checked "
        f"({', '.join(f'{n} {kind}' for kind, n in sorted(pages.items()))})"
    )


class Sweep:
    """Fetches pages with one client and collects what the checker finds on them."""

    def __init__(self, client, kind):
        self.client, self.kind, self.findings = client, kind, []

    def page(self, url, svgs=(), method="get", data=None, status=200):
        response = getattr(self.client, method)(url, data)
        assert response.status_code == status, f"{url} answered {response.status_code}"
        PAGES_FETCHED[self.kind] += 1
        self.findings += [f"{url}: {f}" for f in check_html(response.content.decode(), svgs)]
        return response

    def xml(self, url):
        response = self.client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        PAGES_FETCHED["feeds and sitemaps"] += 1
        self.findings += [f"{url}: {f}" for f in check_xml(response.content)]
        return response

    def assert_inert(self, known=None):
        """No findings, but those of a known bug (`known`: a marker in the finding), which
        its own strict-xfail test shows."""
        if known:
            self.findings = [finding for finding in self.findings if known not in finding]
        assert not self.findings, f"{len(self.findings)} executable pieces:\n" + "\n".join(
            self.findings[:40]
        )


def pages(count, per_page):
    return range(1, max(1, math.ceil(count / per_page)) + 1)


# --- the sweeps -------------------------------------------------------------------------------


def used_tags():
    return Tag.objects.filter(taggit_taggeditem_items__isnull=False).distinct()


# Form pages are fetched for every FORM_SAMPLE-th object: escaping in a widget is done
# character by character, and the sample holds every character that matters many times.
FORM_SAMPLE = 7


def test_public_pages_are_inert(client, world):
    sweep = Sweep(client, "public pages")
    index = reverse("digest:post-index")
    for number in pages(Post.objects.published().count(), settings.POSTS_PER_PAGE):
        sweep.page(f"{index}?page={number}")
    for post in world.published:
        response = sweep.page(post.get_absolute_url())
        assert f'<h1 class="entry-title">{escape(post.title)}</h1>' in response.text
    sweep.page(reverse("digest:archive"))
    months = Counter(
        (timezone.localtime(post.publish_at).year, timezone.localtime(post.publish_at).month)
        for post in world.published
    )
    for year in {year for year, _ in months}:
        sweep.page(reverse("digest:archive-year", args=[year]))
    for (year, month), count in months.items():
        for number in pages(count, settings.POSTS_PER_PAGE):
            sweep.page(f"{reverse('digest:archive-month', args=[year, month])}?page={number}")
    for author in [*world.authors, world.superuser]:
        sweep.page(reverse("digest:author-detail", args=[author.username]))
    for tag in used_tags():
        sweep.page(reverse("digest:tag-detail", args=[tag.slug]))
    quotes = reverse("digest:quote-list")
    for number in pages(world.digest.quotes.count(), 50):
        sweep.page(f"{quotes}?page={number}")
    keys = world.digest.quotes.exclude(speaker_key="").values_list("speaker_key", flat=True)
    for key in set(keys):
        sweep.page(reverse("digest:quote-speaker", args=[key]))
    sweep.assert_inert()


def test_feeds_and_sitemaps_are_inert(client, world):
    sweep = Sweep(client, "feeds and sitemaps")
    for name in ("digest:feed-rss", "digest:feed-atom", "digest:sitemap"):
        sweep.xml(reverse(name))
    for section in ("pages", "posts"):
        sweep.xml(reverse("digest:sitemap-section", args=[section]))
    for tag in used_tags():
        sweep.xml(reverse("digest:tag-feed", args=[tag.slug]))
    sweep.assert_inert()


def test_search_queries_are_reflected_inert(client, world):
    sweep = Sweep(client, "search results")
    for payload in PAYLOADS:
        sweep.page(reverse("digest:search"), data={"q": payload})
        sweep.page(reverse("digest:quote-list"), data={"q": payload})
    sweep.assert_inert()


def test_current_sponsors_in_the_sidebar_and_on_the_sponsors_page_are_inert(client, world):
    ListingWeek.objects.bulk_create(
        [ListingWeek(listing=listing, week=this_week()) for listing in world.listings]
    )
    sweep = Sweep(client, "sponsor showcase")
    response = sweep.page(reverse("sponsors:about"))
    for sponsor in world.sponsors:
        assert f'alt="{escape(sponsor.name)}"' in response.text
    sweep.page(world.posts[0].get_absolute_url())
    sweep.page(reverse("digest:search"))
    sweep.assert_inert()


def test_the_sponsor_side_is_inert(client, world):
    client.force_login(world.manager)
    sweep = Sweep(client, "sponsor pages")
    for name in ("sponsors:dashboard", "sponsors:submit", "accounts:profile"):
        sweep.page(reverse(name))
    for listing in world.rejected:
        sweep.page(reverse("sponsors:listing-detail", args=[listing.pk]))
    for listing in world.listings[::FORM_SAMPLE]:
        sweep.page(reverse("sponsors:listing-detail", args=[listing.pk]), svgs={"chart"})
    for listing in world.rejected[::FORM_SAMPLE]:
        sweep.page(reverse("sponsors:listing-edit", args=[listing.pk]))
    for sponsor in world.sponsors[::FORM_SAMPLE]:
        sweep.page(reverse("sponsors:company", args=[sponsor.pk]))
    for author in world.authors[::FORM_SAMPLE]:
        client.force_login(author)
        sweep.page(reverse("accounts:profile"))
    sweep.assert_inert()


def test_admin_screens_are_inert(client, world):
    posts = Post.objects.filter(pk__in=[post.pk for post in world.posts[:10]])
    LogEntry.objects.log_actions(world.superuser.pk, posts, CHANGE)
    for post in world.posts[::FORM_SAMPLE]:
        Revision.record(post, by=post.author, note=post.title[:200])
    client.force_login(world.superuser)
    sweep = Sweep(client, "admin screens")
    admin = {"admin"}
    sweep.page(reverse("admin:index"), svgs=admin)
    for name, count, per_page in (
        ("digest_post", Post.objects.count(), 50),
        ("sponsors_listing", Listing.objects.count(), 50),
        ("sponsors_sponsor", Sponsor.objects.count(), 100),
        ("accounts_user", len(world.authors) + 2, 100),
        ("taggit_tag", Tag.objects.count(), 100),
        ("sponsors_weeklypost", 1, 100),
    ):
        changelist = reverse(f"admin:{name}_changelist")
        for number in pages(count, per_page):
            sweep.page(f"{changelist}?p={number}", svgs=admin)
    for post in [world.kitchen, world.digest, world.sponsored, *world.posts[::FORM_SAMPLE]]:
        sweep.page(reverse("admin:digest_post_change", args=[post.pk]), svgs=admin)
        sweep.page(reverse("admin:digest_post_revisions", args=[post.pk]), svgs=admin)
    for name, objects in (
        ("accounts_user", world.authors),
        ("sponsors_sponsor", world.sponsors),
        ("sponsors_listing", world.rejected),
        ("taggit_tag", list(used_tags())),
    ):
        for obj in objects[::FORM_SAMPLE]:
            sweep.page(reverse(f"admin:{name}_change", args=[obj.pk]), svgs=admin)
    sweep.page(reverse("admin:sponsors_listing_compile"), svgs=admin)
    for name, action, objects in (
        ("sponsors_listing", "reject", world.rejected),
        ("digest_post", "delete_selected", world.posts),
        ("sponsors_sponsor", "delete_selected", world.sponsors),
    ):
        sweep.page(
            reverse(f"admin:{name}_changelist"),
            method="post",
            data={"action": action, "_selected_action": [obj.pk for obj in objects]},
            svgs=admin,
        )
    for payload in PAYLOADS[:: FORM_SAMPLE * 4]:
        sweep.page(reverse("admin:digest_post_changelist"), data={"q": payload}, svgs=admin)
    sweep.assert_inert()


SITE_TEXTS = {  # field: its length limit
    "site_name": 100,
    "tagline": 200,
    "support_blurb": 300,
    "closing_line": 100_000,
    "empty_section_text": 200,
}


def test_the_site_texts_editors_set_are_inert(client, world):
    """Site name, tagline, the digest's support blurb and closing line and the empty sponsor
    section's text: each payload goes into one of them in turn (they are shown on every page,
    so rounds are what cost here), checked on the index (with a digest), a sponsored post
    with two empty sections, and the RSS feed."""
    Post.objects.filter(pk__in=[world.kitchen.pk, world.digest.pk]).update(status="draft")
    digest = Post.objects.create(
        title="Small digest", kind=Post.Kind.DIGEST, status=Post.Status.PUBLISHED,
        author=world.superuser, excerpt="Intro.",
    )  # fmt: skip
    Stat.objects.create(post=digest, figure="1", label="one")
    week = this_week() - timedelta(days=7 * 20)
    ListingWeek.objects.create(listing=world.listings[0], week=week)  # one of three sections
    settings_record = SiteSettings.load()
    sweep = Sweep(client, "site texts")
    fields = list(SITE_TEXTS)
    for start in range(0, len(PAYLOADS), len(fields)):
        for name, payload in zip(fields, PAYLOADS[start : start + len(fields)], strict=False):
            if fits(payload, SITE_TEXTS[name]):
                setattr(settings_record, name, payload)
                world.tried[f"site {name.replace('_', ' ')}"] += 1
        settings_record.save()
        settings_record.__dict__.pop("closing_line_html", None)
        cache.clear()
        sponsored, _ = compile_week(week, author=world.superuser)
        sweep.page(reverse("digest:post-index"))
        sweep.page(sponsored.get_absolute_url())
        sweep.xml(reverse("digest:feed-rss"))
    sweep.assert_inert()


# --- upload file names ----------------------------------------------------------------------

STORED = {
    "avatar": re.compile(r"^avatars/[0-9a-f]{32}\.png$"),
    "logo": re.compile(r"^sponsors/[0-9a-f]{32}\.png$"),
    "lead_image": re.compile(r"^posts/\d{4}/\d{2}/[0-9a-f]{32}\.png$"),
}
HOSTILE_NAMES = [
    "../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "logo\u202egnp.html",
    "CON.png",
    "x.png\x00.html",
    "image.svg",
    '"><img src=x onerror=alert(1)>.png',
    "<svg onload=window.__xss=1>.png",
    "javascript:alert(1).png",
    "a" * 300 + ".png",
]


def test_uploads_under_payload_names_are_stored_under_names_the_server_makes(world):
    for author in world.authors:
        assert STORED["avatar"].match(author.avatar.name), author.avatar.name
    for sponsor in world.sponsors:
        assert STORED["logo"].match(sponsor.logo.name), sponsor.logo.name
    for post in world.posts:
        assert STORED["lead_image"].match(post.lead_image.name), post.lead_image.name


def multipart(fields, file_field, file_name):
    """A multipart body as a browser sends it (quotes and line breaks percent-encoded in the
    file name), so the name reaches the server whole: the test client would cut it."""
    boundary = uuid.uuid4().hex
    quoted = file_name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        )
        body.write(f"{value}\r\n".encode())
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{quoted}"\r\nContent-Type: image/png\r\n\r\n'.encode()
    )
    body.write(png_bytes(size=(8, 8)) + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return {"data": body.getvalue(), "content_type": f"multipart/form-data; boundary={boundary}"}


def test_uploads_sent_under_hostile_names_keep_none_of_them(client, world):
    sweep = Sweep(client, "upload pages")
    user = UserFactory()
    sponsor = Sponsor.objects.create(name="Upload test")
    sponsor.managers.add(world.manager)
    for file_name in [*PAYLOADS[::FORM_SAMPLE], *HOSTILE_NAMES]:
        client.force_login(user)
        sent = multipart({"display_name": "Uploader"}, "avatar", file_name)
        assert client.post(reverse("accounts:profile"), **sent).status_code == 302
        user.refresh_from_db()
        assert STORED["avatar"].match(user.avatar.name), (file_name, user.avatar.name)
        sweep.page(reverse("accounts:profile"))

        client.force_login(world.manager)
        sent = multipart({"name": sponsor.name, "website": ""}, "logo", file_name)
        company = reverse("sponsors:company", args=[sponsor.pk])
        assert client.post(company, **sent).status_code == 302
        sponsor.refresh_from_db()
        assert STORED["logo"].match(sponsor.logo.name), (file_name, sponsor.logo.name)
        sweep.page(company)
    sweep.assert_inert()


def test_a_lead_image_sent_to_the_admin_under_a_hostile_name_keeps_none_of_it(client, world):
    client.force_login(world.superuser)
    day = timezone.localtime() - timedelta(days=1)
    for number, file_name in enumerate(HOSTILE_NAMES[:4] + HOSTILE_NAMES[6:8]):
        fields = {
            "title": f"Upload {number}",
            "slug": f"upload-{number}",
            "kind": Post.Kind.ARTICLE,
            "status": Post.Status.DRAFT,
            "publish_at_0": f"{day:%Y-%m-%d}",
            "publish_at_1": "09:00:00",
            "author": world.superuser.pk,
            "tags": "",
            "lead_image_caption": "",
            "byline": "",
            "excerpt": "x",
            "body": "",
            "loaded_version": "",
        }
        sent = multipart(fields, "lead_image", file_name)
        response = client.post(reverse("admin:digest_post_add"), **sent)
        assert response.status_code == 302, response.text[:2000]
        post = Post.objects.get(slug=f"upload-{number}")
        assert STORED["lead_image"].match(post.lead_image.name), (file_name, post.lead_image.name)
