"""The link inbox in Chromium: the bookmarklet run on a page of another origin whose CSP
allows nothing opens our add page in a small window, logged in; the link is kept with a
comment, its title fetched by the job from that page, "already covered" shown for a link
published last month; then into this week's digest as an item. Screenshots and axe-core at
1400 and 390 px, light and dark."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from digest.models import Post
from inbox.models import Entry
from inbox.views import bookmarklet
from tests.accounts.factories import staff
from tests.browser.axe import describe, violations
from tests.browser.test_composer import logged_in
from tests.digest.factories import digest_with_parts
from tests.inbox.target import Target
from tests.newsletter.conftest import run_jobs

STRICT = "default-src 'none'; script-src 'none'; style-src 'none'; connect-src 'none'"
ARTICLE = """<!doctype html><html><head><title>Queues at scale</title>
<meta property="og:title" content="How We Scaled Our Queues">
<meta property="og:site_name" content="Other Origin Engineering">
<meta name="description" content="Ten million messages a second."></head>
<body><p id="quote">Backpressure is a feature.</p></body></html>"""


@pytest.fixture
def other_origin(settings):
    """Another site, on loopback, with a strict CSP of its own; the fetcher may reach it
    through the test-only allow-list."""
    settings.INBOX_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with Target() as server:
        server.routes["/article"] = (
            200,
            {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": STRICT},
            ARTICLE.encode(),
        )
        yield server


def test_bookmarklet_to_inbox_to_digest(
    live_server, new_page, settings, other_origin, artifacts, axe_source
):
    settings.SITE_URL = live_server.url
    editor = staff(Role.EDITORS)
    covered = digest_with_parts(
        items=[("[Old news](https://example.com/old-news/).", True)],
        title="Stuff The Internet Says On Scalability For November 6th, 2026",
        publish_at=timezone.now() - timedelta(days=31),
    )
    page = logged_in(new_page(viewport={"width": 1400, "height": 900}), live_server, editor)

    # On the other site, the reader selects a sentence and clicks the bookmarklet.
    page.goto(other_origin.url("/article"))
    page.locator("#quote").select_text()
    script = bookmarklet(None).removeprefix("javascript:")
    with page.expect_popup() as opened:
        page.evaluate(script)  # what a click on the bookmark runs, in the page
    popup = opened.value
    expect(popup).to_have_url(re.compile(re.escape(live_server.url + reverse("inbox:add"))))
    expect(popup.locator("#id_url")).to_have_value(other_origin.url("/article"))
    expect(popup.locator("#id_title")).to_have_value("Queues at scale")
    expect(popup.locator("#id_text")).to_have_value("Backpressure is a feature.")
    popup.locator("#id_comment").fill("The best queueing story this week")
    popup.get_by_role("button", name="Keep it").click()
    expect(popup.locator("h1")).to_have_text("Kept")
    popup.screenshot(path=artifacts / "inbox-bookmarklet-kept.png")

    # The worker fetches the page's own description of itself.
    assert run_jobs() == 1
    entry = Entry.objects.get()
    assert (entry.fetched_title, entry.site_name, entry.comment) == (
        "How We Scaled Our Queues",
        "Other Origin Engineering",
        "The best queueing story this week",
    )
    assert entry.selected_text == "Backpressure is a feature."

    # A link the site published last month is flagged when kept again.
    page.goto(live_server.url + reverse("inbox:add") + "?url=http://www.example.com/old-news")
    page.get_by_role("button", name="Keep it").click()
    expect(page.locator(".covered")).to_contain_text(f"Already in {covered.title}")
    run_jobs()  # example.com is not on the allow-list here: refused, with a message

    page.goto(live_server.url + reverse("inbox:list"))
    expect(page.locator(".entry")).to_have_count(2)
    for width, scheme in ((1400, "light"), (1400, "dark"), (390, "light"), (390, "dark")):
        shot = logged_in(
            new_page(viewport={"width": width, "height": 900}, color_scheme=scheme),
            live_server,
            editor,
        )
        shot.goto(live_server.url + reverse("inbox:list"))
        shot.screenshot(path=artifacts / f"inbox-{width}-{scheme}.png", full_page=True)
        found = violations(shot, axe_source)
        assert not found, f"the inbox, {width} px, {scheme}:\n{describe(found)}"

    # Into this week's digest as an item: the composer opens on it.
    kept = page.locator(".entry", has_text="Other Origin Engineering")
    # Each row's box and kinds are named for their link, as a screen reader says them.
    kept.get_by_role("checkbox", name=re.compile(r"^Choose “.+”$")).check()
    kinds = kept.get_by_role("group", name=re.compile(r"^Add “.+” as$"))
    expect(kinds.get_by_role("radio", name="Item")).to_be_checked()  # words with a comment
    page.get_by_role("button", name="Add to this week's digest").click()
    expect(page).to_have_url(re.compile(r"/admin/digest/post/\d+/change/$"))
    expect(page.locator("ul.messagelist li.success")).to_contain_text("1 added to")
    digest = Post.objects.drafts().get(kind=Post.Kind.DIGEST)
    item = digest.items.get()
    # The comment first, then the link with the words selected on its page.
    assert item.text == (
        f"The best queueing story this week [Queues at scale](<{other_origin.url('/article')}>): "
        "Backpressure is a feature."
    )
    expect(page.locator("#items-group textarea").first).to_have_value(item.text)


def test_a_long_selection_in_any_script_still_opens_the_add_page(
    live_server, new_page, settings, other_origin
):
    settings.SITE_URL = live_server.url
    page = logged_in(new_page(), live_server, staff(Role.EDITORS))
    page.goto(other_origin.url("/article"))
    page.evaluate(
        "() => { const p = document.getElementById('quote');"
        " p.textContent = '可扩展性“引号”'.repeat(2000);"
        " getSelection().selectAllChildren(p); }"
    )
    with page.expect_popup() as opened:
        page.evaluate(bookmarklet(None).removeprefix("javascript:"))
    popup = opened.value
    expect(popup.locator("h1")).to_have_text("Keep a link")  # not the long-address 400
    assert popup.locator("#id_text").input_value().startswith("可扩展性“引号”")


def test_all_and_shift_click_choose_many_and_all_says_when_some_are_chosen(live_server, new_page):
    editor = staff(Role.EDITORS)
    for n in range(4):
        Entry.objects.create(
            url=f"https://example.com/{n}",
            normalized_url=f"https://example.com/{n}",
            title=f"Link {n}",
            kept_by=editor,
        )
    page = logged_in(new_page(), live_server, editor)
    page.goto(live_server.url + reverse("inbox:list"))
    boxes = page.locator(".entry input[name=entries]")
    every = page.get_by_role("checkbox", name="All", exact=True)
    boxes.nth(0).click()
    boxes.nth(2).click(modifiers=["Shift"])  # the first three
    assert [boxes.nth(n).is_checked() for n in range(4)] == [True, True, True, False]
    assert every.evaluate("box => [box.checked, box.indeterminate]") == [False, True]
    boxes.nth(3).click()
    assert every.evaluate("box => [box.checked, box.indeterminate]") == [True, False]
    every.click()  # none
    assert [boxes.nth(n).is_checked() for n in range(4)] == [False] * 4
    boxes.nth(3).click()
    boxes.nth(1).click(modifiers=["Shift"])  # upwards, the last three
    assert [boxes.nth(n).is_checked() for n in range(4)] == [False, True, True, True]
    boxes.nth(2).click(modifiers=["Shift"])  # a run unticked the same way
    assert [boxes.nth(n).is_checked() for n in range(4)] == [False, False, False, True]
