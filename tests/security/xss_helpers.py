"""The XSS sweep's tools, shared by tests/security/test_xss*.py and
tests/browser/test_xss_browser.py: the payloads of xss_payloads.txt, the checker that finds
markup able to run script, and the payload-filled site they are written into."""

import json
import math
import re
import xml.etree.ElementTree as ET  # noqa: S405 -- parses our own feeds and sitemaps
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.forms import ProfileForm
from accounts.models import Role
from caching.content import prebuild_paused
from digest.forms import LEAD_IMAGE_FIT
from digest.models import Item, Post, Quote, Stat
from digest.models.post import LEAD_IMAGE_MAX_BYTES
from safe_images import clean_image
from sponsors.compiling import compile_week
from sponsors.forms import CompanyForm, bookable_weeks
from sponsors.models import Listing, ListingWeek, Sponsor, this_week
from tests.accounts.factories import UserFactory
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
        if tag == "iframe":
            # The composer's reader preview: frames with no address that run no script, which
            # its script fills with the preview's HTML (checked on its own).
            return (
                "admin" in self.svgs
                and values.get("data-shows") in ("index", "page")
                and not ({"src", "srcdoc"} & values.keys())
                and "allow-scripts" not in (values.get("sandbox") or "")
            )
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
            # Data blocks (json_script, the post's JSON-LD): never run, and must parse whole.
            elif not src and kind in ("application/json", "application/ld+json"):
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
    """Every payload in every field (see the module docstring); `world.tried` counts them.

    Made as an import makes its posts: thousands of commits, the new version's sidebar built
    once at the end rather than after each (4,486 prebuilds took 60-80 s on PostgreSQL)."""
    with prebuild_paused():
        return _build_world(payloads, tag_kitchen_sink)


def _build_world(payloads, tag_kitchen_sink):
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
    for position, payload in enumerate(stored):
        figure = payload if len(payload) <= 80 else "1"
        speaker = payload if len(payload) <= 120 else "Speaker"
        Stat.objects.create(post=world.digest, position=position, figure=figure, label=payload)
        Quote.objects.create(post=world.digest, position=position, speaker=speaker, text=payload)
        Item.objects.create(post=world.digest, position=position, text=payload)
        tried["stat figure"] += figure == payload
        tried["quote speaker"] += speaker == payload
        for name in ("stat label", "quote text", "item text"):
            tried[name] += 1
    world.digest.refresh_parts()  # the rows above, rendered into the post once

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
    Post.objects.filter(pk__in=[post.pk for post in world.published]).refresh_search()
    return world


PAGES_FETCHED = Counter()


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


# Form pages are fetched for every FORM_SAMPLE-th object: escaping in a widget is done
# character by character, and the sample holds every character that matters many times.
FORM_SAMPLE = 7
