"""The editor's week in one run, in Chromium, as issue 15's "How it is checked" asks: the
bookmarklet on a page of another loopback origin with its own strict CSP keeps a link in the
inbox (its title fetched by the job); a link the site published last month says "already in";
more links come by "paste many"; the links go into this week's digest as a quote and as items;
the items' fold is dragged; the form autosaves; another editor's save in between is merged
field by field; the digest is published. Asserted on what the editor sees and on what the
database holds.

The clicks, keystrokes and drags of composing the digest from the inbox (from the inbox page to
the published digest) are counted and asserted as a budget; the seconds it takes are measured
and written to test-artifacts/editors-week.json, never asserted (the machine's speed is not the
product's), with what the same counts cost a person by the Keystroke-Level Model. The figure
for the sample's whole digest, before and after, is in test_sample_digest."""

import json
import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from digest.models import Post, Revision
from inbox.models import Entry
from inbox.views import bookmarklet
from tests.accounts.factories import staff
from tests.browser.handwork import Tally, person_seconds
from tests.browser.test_composer import drag_fold, logged_in
from tests.digest.factories import digest_with_parts
from tests.inbox.target import Target
from tests.newsletter.conftest import run_jobs

STRICT = "default-src 'none'; script-src 'none'; style-src 'none'; connect-src 'none'"
PAGES = {
    "/queues": ("Queues at scale", "How We Scaled Our Queues", "Backpressure is a feature."),
    "/old-news": ("Old news", "Old News Again", "Nothing new here."),
    "/cache": ("Caching", "Caching Without Tears", "Invalidate less."),
    "/shards": ("Shards", "Sharding Postgres at 10 TB", "Pick the key first."),
}


def article(title, og_title, text):
    return f"""<!doctype html><html><head><title>{title}</title>
<meta property="og:title" content="{og_title}">
<meta property="og:site_name" content="Other Origin Engineering">
<meta name="description" content="A story."></head>
<body><p id="quote">{text}</p></body></html>""".encode()


@pytest.fixture
def other_origin(settings):
    """Another site on loopback with a strict CSP of its own; the fetcher may reach it through
    the test-only allow-list."""
    settings.INBOX_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with Target() as server:
        for path, texts in PAGES.items():
            server.routes[path] = (
                200,
                {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": STRICT},
                article(*texts),
            )
        yield server


def keep_with_bookmarklet(page, url, comment, tally):
    """On the other site: select the paragraph, click the bookmark, comment, keep."""
    page.goto(url)
    page.locator("#quote").select_text()
    with page.expect_popup() as opened:
        page.evaluate(bookmarklet(None).removeprefix("javascript:"))  # the bookmark's click
    tally.clicks += 1
    popup = opened.value
    expect(popup.locator("#id_url")).to_have_value(url)
    if comment:
        popup.locator("#id_comment").click()
        tally.clicks += 1
        tally.type(popup, comment)
    tally.click(popup.get_by_role("button", name="Keep it"))
    expect(popup.locator("h1")).to_have_text("Kept")
    return popup


def test_the_editors_week_from_bookmarklet_to_published_digest(
    live_server, new_page, settings, other_origin, artifacts
):
    settings.SITE_URL = live_server.url
    editor, other = staff(Role.EDITORS), staff(Role.EDITORS)
    other.display_name = "Bea Other"
    other.save()
    covered = digest_with_parts(
        items=[(f"[Old news]({other_origin.url('/old-news')}).", True)],
        title="Stuff The Internet Says On Scalability For November 6th, 2026",
        publish_at=timezone.now() - timedelta(days=31),
    )
    page = logged_in(new_page(viewport={"width": 1280, "height": 900}), live_server, editor)
    keeping = Tally()

    # --- During the week: links kept from other sites --------------------------------------
    keep_with_bookmarklet(page, other_origin.url("/queues"), "Best queueing story", keeping)
    popup = keep_with_bookmarklet(page, other_origin.url("/old-news"), "", keeping)
    expect(popup.locator(".covered")).to_contain_text(f"Already in {covered.title}")
    expect(popup.locator(".covered a")).to_have_attribute("href", covered.get_absolute_url())
    page.goto(live_server.url + reverse("inbox:paste"))
    page.locator("#id_text").click()
    keeping.clicks += 1
    keeping.type(page, f"{other_origin.url('/cache')}\n{other_origin.url('/shards')}\n")
    keeping.click(page.get_by_role("button", name="Keep them"))
    # The worker fetches each page's own description of itself.
    assert run_jobs() == 4
    assert set(Entry.objects.values_list("fetched_title", flat=True)) == {
        og for _, og, _ in PAGES.values()
    }
    kept = Entry.objects.get(url=other_origin.url("/queues"))
    assert (kept.selected_text, kept.comment) == (
        "Backpressure is a feature.",
        "Best queueing story",
    )

    # --- Friday: the digest composed from the inbox ----------------------------------------
    tally = Tally()
    started = time.monotonic()
    page.goto(live_server.url + reverse("inbox:list"))
    entries = page.locator(".entry")
    expect(entries).to_have_count(4)
    expect(entries.filter(has_text="Old News Again").locator(".covered")).to_contain_text(
        "Already in"
    )
    tally.check(entries.filter(has_text="Old News Again").locator("input[name=entries]"))
    tally.click(page.get_by_role("button", name="Archive"))
    # The quote was kept with a comment, so the inbox takes it for an item: its row says quote.
    queues = entries.filter(has_text="How We Scaled")
    expect(queues.get_by_role("radio", name="Item")).to_be_checked()
    tally.check(queues.get_by_role("radio", name="Quote"))
    for title in ("How We Scaled", "Caching Without Tears", "Sharding Postgres"):
        tally.check(entries.filter(has_text=title).locator("input[name=entries]"))
    tally.click(page.get_by_role("button", name="Add to this week's digest"))
    expect(page).to_have_url(re.compile(r"/admin/digest/post/\d+/change/$"))
    expect(page.locator("ul.messagelist li.success")).to_contain_text("3 added to")
    expect(page.locator("ul.messagelist li.success")).to_contain_text("1 quote, 2 items.")
    digest = Post.objects.get(kind=Post.Kind.DIGEST, status=Post.Status.DRAFT)
    expect(page.locator("#quotes-group textarea").first).to_have_value("Backpressure is a feature.")
    expect(page.locator("#items-group .has_original textarea")).to_have_count(2)

    # Autosave every 200 ms after a change here (30 s in use), set before the first change.
    page.evaluate("document.getElementById('composer').dataset.autosaveInterval = '200'")
    # The fold: only the first item on the index.
    drag_fold(page, "items-group", 1)
    tally.drags += 1
    expect(page.locator("#items-group .fold-marker")).to_contain_text("Fold: 1 of 2 items")

    # Autosave (every 30 s; here 200 ms): the intro typed is kept on the server, not the post.
    page.locator("#id_excerpt").click()
    tally.clicks += 1
    # The autosave that carries the intro (the fold's change made one of its own before).
    with page.expect_response(
        lambda r: "/autosave/" in r.url and "shards+this+week" in (r.request.post_data or "")
    ):
        tally.type(page, "Queues, caches and shards this week.")
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Autosaved \d\d:\d\d$"))
    autosaved = Revision.objects.autosaves().get(post=digest, saved_by=editor)
    assert autosaved.data["form"]["excerpt"] == "Queues, caches and shards this week."
    assert autosaved.data["form"]["items-1-on_index"] == ""
    digest.refresh_from_db()
    assert digest.excerpt == ""

    # Meanwhile another editor fixes the title and saves.
    theirs = logged_in(new_page(), live_server, other)
    theirs.goto(live_server.url + reverse("admin:digest_post_change", args=[digest.pk]))
    their_title = digest.title + ": Queues"
    theirs.locator("#id_title").fill(their_title)
    theirs.get_by_role("button", name="Save and continue editing").click()
    expect(theirs.locator("ul.messagelist li.success")).to_be_visible()

    # Ctrl+S: refused as stale, shown side by side, merged with the defaults, saved.
    tally.press(page, "Control+s")
    expect(page.locator("ul.errorlist.nonfield")).to_contain_text("Someone else saved this post")
    expect(page.locator("ul.errorlist.nonfield")).to_contain_text("Bea Other")
    conflicts = page.locator("#conflicts")
    expect(conflicts.locator("input[name=merge_title][value=theirs]")).to_be_checked()
    expect(conflicts.locator("input[name=merge_excerpt][value=mine]")).to_be_checked()
    expect(page.locator("#items-group .fold-marker")).to_contain_text("Fold: 1 of 2 items")
    page.screenshot(path=artifacts / "editors-week-merge.png")
    tally.press(page, "Control+s")
    expect(page.locator("ul.messagelist li.success")).to_contain_text("was changed successfully")
    digest.refresh_from_db()
    assert (digest.title, digest.excerpt) == (their_title, "Queues, caches and shards this week.")
    assert not Revision.objects.autosaves().exists()  # the save took it in

    # Publish, after saying when it goes live.
    page.once("dialog", lambda dialog: dialog.accept())
    tally.click(page.get_by_role("button", name="Publish now"))
    tally.clicks += 1  # the dialog's OK
    expect(page.locator("ul.messagelist li.success")).to_contain_text("is published")
    seconds = time.monotonic() - started

    digest.refresh_from_db()
    assert digest.is_published and digest.title == their_title
    assert list(digest.quotes.values_list("speaker", "text", "source_url")) == [
        ("Other Origin Engineering", "Backpressure is a feature.", other_origin.url("/queues"))
    ]
    items = list(digest.items.order_by("position").values_list("text", "on_index"))
    assert [on for _, on in items] == [True, False]
    assert other_origin.url("/cache") in items[0][0] and other_origin.url("/shards") in items[1][0]
    assert set(Entry.objects.values_list("status", flat=True)) == {"used", "archived"}

    # What readers see: the digest on the index, its first item only, the quote.
    page.goto(live_server.url + reverse("digest:post-index"))
    excerpt = page.locator("article", has_text=their_title).first
    expect(excerpt.locator(".item")).to_have_count(1)
    expect(excerpt.locator(".quote")).to_contain_text("Backpressure is a feature.")

    figures = {
        "composing": {
            **tally.figures(),
            "seconds": round(seconds, 1),
            "person_seconds": person_seconds(tally.figures()),
        },
        "keeping_four_links": keeping.figures(),
    }
    (artifacts / "editors-week.json").write_text(json.dumps(figures, indent=2))
    print("editor's week:", json.dumps(figures))
    # A budget for the hands, not for the clock: tick + Archive, "Quote" on one row, 3 ticks +
    # Add, the intro's box, Publish + OK (10 clicks); Ctrl+S twice; one drag.
    assert tally.figures() | {"typed": 0} == {
        "clicks": 10,
        "keys": 2,
        "drags": 1,
        "typed": 0,
        "copies": 0,
    }
