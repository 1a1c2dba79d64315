"""The payload-filled site in Chromium: no payload opens a dialog or sets `window.__xss`.

The site is the one tests/security/test_xss.py sweeps with its HTML checker (every payload
of xss_payloads.txt in every field), here served by the live server to a real browser. Pages
are opened with the Content-Security-Policy bypassed, so what is proven is that the markup
itself is inert, not only that the policy blocks it; each response must still carry the
policy. After a page loads, every element is sent the events inline handlers listen for
(mouse, focus, load, error, animation, toggle…), and the DOM as the browser built it is
audited for handlers, script URLs, frames and foreign elements that the HTML parser in Python
might have read differently (mutation XSS).
"""

from collections import Counter

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from playwright.sync_api import expect

from sponsors.models import ListingWeek, this_week
from tests.accounts.factories import PASSWORD
from tests.security.xss_helpers import PAYLOADS, SECTIONED, build_world, pages

SETTLE_MS = 200  # autofocus, ontoggle, marquee and SVG animations fire just after load
HEAVY_PAGE_MS = 60_000  # the digest's change form holds ~850 inline forms

# Events inline handlers of the payloads listen for, dispatched to every element.
EVENTS = [
    "mouseover", "mouseenter", "mousemove", "pointerover", "pointerenter", "focus", "focusin",
    "blur", "load", "error", "pageshow", "toggle", "start", "finish", "begin", "animationstart",
    "animationend", "dragstart", "click", "resize",
]  # fmt: skip

PROVOKE = """events => {
    for (const element of document.querySelectorAll('*')) {
        for (const type of events) element.dispatchEvent(new Event(type));
    }
}"""

# The DOM as Chromium built it: what a payload would need to run.
AUDIT = """() => {
    const problems = [];
    const bad = /^(javascript|vbscript|data|livescript):/i;
    const ours = svg => ['base-svgs', 'theme-icon-when-auto', 'theme-icon-when-dark',
        'theme-icon-when-light'].includes(svg.getAttribute('class'))
        || (svg.getAttribute('role') === 'img'
            && svg.getAttribute('aria-labelledby') === 'chart-title');
    const show = el => el.outerHTML.slice(0, 160);
    // The composer's reader preview: frames with no address that run no script, filled by
    // its script with the preview's HTML, which is audited like the page.
    const preview = el => ['index', 'page'].includes(el.dataset.shows) && !el.hasAttribute('src')
        && !el.hasAttribute('srcdoc') && el.hasAttribute('sandbox')
        && !/allow-scripts/.test(el.getAttribute('sandbox'));
    const documents = [document];
    for (const frame of document.querySelectorAll('iframe')) {
        if (preview(frame) && frame.contentDocument) documents.push(frame.contentDocument);
    }
    for (const el of documents.flatMap(doc => [...doc.querySelectorAll('*')])) {
        const tag = el.localName;
        for (const attr of el.attributes) {
            const value = attr.value.replace(/[\\u0000-\\u0020\\u007f]/g, '');
            if (attr.name.startsWith('on')) problems.push('handler ' + show(el));
            if (attr.name === 'srcdoc') problems.push('srcdoc ' + show(el));
            if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster',
                 'background', 'to', 'values', 'from', 'by'].includes(attr.name)
                && bad.test(value)) problems.push('script URL ' + show(el));
        }
        const previewBase = tag === 'base' && el.ownerDocument !== document
            && el.getAttribute('target') === '_blank' && !el.hasAttribute('href');
        if (['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal']
            .includes(tag) && !(tag === 'iframe' && preview(el)) && !previewBase)
            problems.push('frame or plugin ' + show(el));
        if (el.namespaceURI === 'http://www.w3.org/1998/Math/MathML')
            problems.push('MathML ' + show(el));
        if (tag === 'svg' && el.parentElement && !el.parentElement.closest('svg') && !ours(el))
            problems.push('SVG ' + show(el));
        if (tag === 'meta' && /refresh/i.test(el.httpEquiv || '')) problems.push('refresh');
        if (tag === 'script') {
            const path = el.src ? new URL(el.src).pathname : '';
            // Data blocks (JSON, the post's JSON-LD) never run; they must parse, whole.
            const json = !el.src && ['application/json', 'application/ld+json'].includes(el.type);
            if (json) {
                try { JSON.parse(el.textContent); }
                catch (error) { problems.push('data block that does not parse ' + show(el)); }
            }
            if (!json && !(path.startsWith('/static/') || path === '/admin/jsi18n/'))
                problems.push('script ' + show(el));
        }
    }
    return problems;
}"""


class Visitor:
    """A browser tab that records dialogs, and checks each page it opens."""

    def __init__(self, page, base_url):
        self.page, self.base_url, self.dialogs, self.problems = page, base_url, [], []

        def record(dialog):
            self.dialogs.append(f"{page.url}: {dialog.type} {dialog.message!r}")
            dialog.dismiss()

        page.on("dialog", record)
        # Uploaded pictures are not served by the live server; failing them at once keeps the
        # pages fast (and fires any onerror that survived, which is what we look for).
        page.route("**/media/**", lambda route: route.abort())

    def visit(self, path, timeout=15_000):
        response = self.page.goto(self.base_url + path, wait_until="load", timeout=timeout)
        assert response.status == 200, f"{path} answered {response.status}"
        policy = response.header_value("content-security-policy") or ""
        script_src = next((p for p in policy.split(";") if "script-src" in p), "")
        assert "script-src" in policy and "unsafe-inline" not in script_src, (path, policy)
        if path.startswith("/admin/digest/post/") and path.endswith("/change/"):
            # The reader preview's frames filled, so their HTML is looked at too.
            self.page.wait_for_function(
                "() => [...document.querySelectorAll('#reader-preview iframe')]"
                ".every(f => f.contentDocument.querySelector('article'))"
                # A form too large to preview (the payload digest) says so instead.
                " || /not available/.test("
                "document.querySelector('.reader-preview-status').textContent)",
                timeout=timeout,
            )
        self.check(path)

    def check(self, where):
        """Provoke every handler, let timers and animations run, then look."""
        self.page.evaluate(PROVOKE, EVENTS)
        self.page.wait_for_timeout(SETTLE_MS)
        if self.page.evaluate("() => typeof window.__xss") != "undefined":
            self.problems.append(f"{where}: window.__xss is set")
        self.problems += [f"{where}: {problem}" for problem in self.page.evaluate(AUDIT)]

    def log_in(self, login_path, user):
        self.page.goto(self.base_url + login_path)
        self.page.locator("#id_username").fill(user.username)
        self.page.locator("#id_password").fill(PASSWORD)
        self.page.locator("form [type=submit]").first.click()
        expect(self.page.locator("#id_password")).to_have_count(0)

    def assert_nothing_ran(self):
        assert self.dialogs == [], "\n".join(self.dialogs[:30])
        assert self.problems == [], "\n".join(self.problems[:30])


@pytest.fixture
def payload_site(live_server):
    world = build_world(tag_kitchen_sink=True)
    ListingWeek.objects.bulk_create(
        [ListingWeek(listing=listing, week=this_week()) for listing in world.listings]
    )
    return world


def break_outs(count=4):
    """Payloads that try to leave an attribute or a raw-text element: search queries."""
    chosen = [p for section, p in SECTIONED if section.startswith("breaking out")]
    return chosen[:count] + PAYLOADS[:: len(PAYLOADS) // count][:count]


def test_the_harness_sees_a_payload_that_runs(new_page, live_server):
    """The control: served as is, with the policy bypassed, payloads are seen to run, those
    that wait for a reader's mouse too; with the policy on, an injected script is refused."""
    visitor = Visitor(new_page(bypass_csp=True), live_server.url)
    visitor.page.set_content(
        '<div onmouseover="alert(1)">hover</div><img src="x" onerror="window.__xss = 1">'
        '<a href="javascript:alert(1)">x</a><svg><a href="javascript:alert(1)"></a></svg>'
    )
    visitor.check("control")
    assert visitor.dialogs == ["about:blank: alert '1'"]
    assert "control: window.__xss is set" in visitor.problems
    kinds = Counter(problem.split(" ")[1] for problem in visitor.problems)
    assert kinds == {"window.__xss": 1, "handler": 2, "script": 2, "SVG": 1}, visitor.problems

    enforced = new_page()
    enforced.goto(live_server.url + reverse("digest:archive"))
    enforced.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__xss = 1'; document.body.append(s); }"
    )
    assert enforced.evaluate("() => typeof window.__xss") == "undefined"


def test_no_payload_runs_for_readers_sponsors_or_editors(new_page, live_server, payload_site):
    """One payload world (it takes half a minute to build on PostgreSQL), three visitors:
    a reader, the sponsor's manager and a superuser, each in a browser context of their own."""
    world = payload_site
    reader_side(Visitor(new_page(bypass_csp=True), live_server.url), world)
    sponsor_dashboard(Visitor(new_page(bypass_csp=True), live_server.url), world)
    admin(Visitor(new_page(bypass_csp=True), live_server.url), world)


def reader_side(visitor, world):
    for number in pages(len(world.published), settings.POSTS_PER_PAGE):
        visitor.visit(f"{reverse('digest:post-index')}?page={number}")
    for post in (world.kitchen, world.digest, world.sponsored, *world.posts[:: len(PAYLOADS) // 8]):
        visitor.visit(post.get_absolute_url())
    year = timezone.localtime(world.kitchen.publish_at).year
    visitor.visit(reverse("digest:archive-year", args=[year]))  # every title
    for post in world.posts[1 :: len(PAYLOADS) // 6]:
        for tag in post.tags.all():
            visitor.visit(reverse("digest:tag-detail", args=[tag.slug]))
        visitor.visit(reverse("digest:author-detail", args=[post.author.username]))
    for number in pages(world.digest.quotes.count(), 50):
        visitor.visit(f"{reverse('digest:quote-list')}?page={number}")
    for query in ["alert", "xss", *break_outs()]:
        visitor.visit(f"{reverse('digest:search')}?{urlencode({'q': query})}")
        visitor.visit(f"{reverse('digest:quote-list')}?{urlencode({'q': query})}")
    visitor.visit(reverse("sponsors:about"))
    visitor.assert_nothing_ran()


def sponsor_dashboard(visitor, world):
    visitor.log_in(reverse("accounts:login"), world.manager)
    visitor.visit(reverse("sponsors:dashboard"))
    for listing in world.rejected[:: len(PAYLOADS) // 6]:
        visitor.visit(reverse("sponsors:listing-detail", args=[listing.pk]))
        visitor.visit(reverse("sponsors:listing-edit", args=[listing.pk]))
    visitor.visit(reverse("sponsors:listing-detail", args=[world.listings[0].pk]))
    visitor.assert_nothing_ran()


def admin(visitor, world):
    visitor.log_in(reverse("admin:login"), world.superuser)
    for post in (world.kitchen, world.posts[0], world.posts[len(PAYLOADS) // 2]):
        visitor.visit(reverse("admin:digest_post_change", args=[post.pk]))
    visitor.visit(reverse("admin:digest_post_change", args=[world.digest.pk]), HEAVY_PAGE_MS)
    changelist = reverse("admin:sponsors_listing_changelist")
    for number in pages(len(world.listings + world.rejected), 50):
        visitor.visit(f"{changelist}?p={number}")
    for name in ("digest_post", "sponsors_sponsor", "accounts_user"):
        visitor.visit(reverse(f"admin:{name}_changelist"))
    visitor.assert_nothing_ran()
