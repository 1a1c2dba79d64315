"""The composer in Chromium: the table fits at 1400 px, the fold marker dragged or moved by
keys, ▲▼ one step, an autosave on the server offered back after a crash,
Ctrl+S saves and stays, a warning before leaving with unsaved edits, the browser's copy of
unsaved edits offered back (never applied by itself), the title/date warning and the Markdown
preview beside the intro. Screenshots at 1400 and 390 px, light and dark."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from digest.models import Revision
from tests.accounts.factories import staff
from tests.digest.factories import digest_with_parts

QUOTES = [
    (f"@speaker{n}", f"Quote number {n}, long enough to wrap a little " * 3, True) for n in range(6)
]  # noqa: E501
ITEMS = [(f"Item number {n} with a [link](https://example.com/{n}).", True) for n in range(4)]


def logged_in(page, live_server, user):
    """The browser carries the session of a user logged in by the test client."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


@pytest.fixture
def digest(db):
    return digest_with_parts(
        quotes=QUOTES,
        items=ITEMS,
        draft=True,
        title="Stuff The Internet Says On Scalability For February 19th, 2016",
    )


def open_composer(page, live_server, digest):
    logged_in(page, live_server, staff(Role.EDITORS))
    page.goto(live_server.url + reverse("admin:digest_post_change", args=[digest.pk]))
    expect(page.locator("#quotes-group")).to_be_visible()
    return page


def test_the_quote_table_fits_at_1400_px_with_tall_boxes_and_a_big_handle(
    live_server, new_page, digest, artifacts
):
    page = open_composer(new_page(viewport={"width": 1400, "height": 900}), live_server, digest)
    overflow = page.evaluate(
        "() => { const t = document.querySelector('#quotes-group table');"
        " return t.getBoundingClientRect().right - document.documentElement.clientWidth; }"
    )
    assert overflow <= 0
    delete = page.locator("#quotes-group input[name='quotes-0-DELETE']")
    box = delete.bounding_box()
    assert box and box["x"] + box["width"] <= 1400
    assert page.locator("#quotes-group textarea").first.get_attribute("rows") == "3"
    assert page.locator("#quotes-group textarea").first.bounding_box()["width"] >= 350
    handle = page.locator("#quotes-group tr.has_original td.original p").first.bounding_box()
    assert handle["height"] >= 44
    page.screenshot(path=artifacts / "composer-1400-light.png", full_page=True)


def drag_fold(page, group, before_row):
    """Drag the fold marker of `group` with the mouse to just above the row `before_row`."""
    marker = page.locator(f"#{group} .fold-marker")
    row = page.locator(f"#{group} :is(tr.has_original, .inline-related.has_original)")
    row = row.nth(before_row)
    # Both ends of the drag on the screen: the mouse moves within the viewport.
    row.evaluate("row => row.scrollIntoView({block: 'start'})")
    grip, target = marker.bounding_box(), row.bounding_box()
    page.mouse.move(grip["x"] + 20, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(grip["x"] + 20, target["y"] + 4, steps=8)
    page.mouse.up()


def test_the_fold_marker_is_dragged_or_moved_by_keys_and_sets_what_the_index_shows(
    live_server, page
):
    digest = digest_with_parts(
        stats=[("1M", "one"), ("2M", "two"), ("3M", "three")],
        quotes=QUOTES,
        items=ITEMS,
        title="Stuff The Internet Says On Scalability For February 19th, 2016",
    )
    open_composer(page, live_server, digest)
    quotes_fold = page.locator("#quotes-group .fold-marker")
    expect(quotes_fold).to_contain_text("All 6 quotes on the index")
    expect(page.locator("#quotes-group th.column-on_index")).to_be_hidden()  # no ticking

    drag_fold(page, "quotes-group", 2)
    expect(quotes_fold).to_contain_text("Fold: 2 of 6 quotes above it on the index")
    # A quote added goes below the fold; left empty, it is not saved (nor refused).
    page.locator("#quotes-group .add-row a").click()
    expect(quotes_fold).to_contain_text("Fold: 2 of 7 quotes")
    boxes = page.locator("#quotes-group input[name$='-on_index']:not([name*='__prefix__'])")
    assert [boxes.nth(n).is_checked() for n in range(6)] == [True, True] + [False] * 4
    # ▲ on the first quote below the fold: it moves up and across; the fold keeps two above.
    page.locator("#quotes-group tr.has_original").nth(2).locator(".sort i.move-begin").click()
    expect(quotes_fold).to_contain_text("Fold: 2 of 7")

    # Without a mouse: the items' fold up three places, the stats' fold up one.
    page.locator("#items-group .fold-marker").focus()
    for _ in range(3):
        page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#items-group .fold-marker")).to_be_focused()
    expect(page.locator("#items-group .fold-marker")).to_contain_text("Fold: 1 of 4 items")
    page.locator("#stats-group .fold-marker").focus()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#stats-group .fold-marker")).to_have_attribute("aria-valuenow", "2")

    page.keyboard.press("Control+s")
    expect(page.locator("ul.messagelist li.success")).to_contain_text("was changed successfully")
    assert re.search(r"/change/$", page.url)
    assert digest.quotes.count() == 6
    quotes = digest.quotes.order_by("position").values_list("speaker", "on_index")
    assert list(quotes)[:3] == [("@speaker0", True), ("@speaker2", True), ("@speaker1", False)]
    assert [on for _, on in quotes][3:] == [False] * 3
    assert list(digest.items.order_by("position").values_list("on_index", flat=True)) == [
        True, False, False, False,
    ]  # fmt: skip
    assert list(digest.stats.order_by("position").values_list("on_index", flat=True)) == [
        True, True, False,
    ]  # fmt: skip
    # After the save the fold stands where it was left.
    expect(page.locator("#quotes-group .fold-marker")).to_contain_text("Fold: 2 of 6")

    # What readers see on the index: the parts above each fold, and a word that there is more.
    page.goto(live_server.url + reverse("digest:post-index"))
    excerpt = page.locator(".digest-parts").first
    expect(excerpt.locator(".quote")).to_have_count(2)
    expect(excerpt.locator(".quote").nth(1)).to_contain_text("@speaker2")
    expect(excerpt.locator(".more-quotes")).to_be_visible()
    expect(excerpt.locator(".item")).to_have_count(1)
    expect(excerpt.locator(".stat")).to_have_count(2)
    expect(excerpt).not_to_contain_text("3M")


def test_the_arrows_move_a_quote_one_step(live_server, page, digest):
    open_composer(page, live_server, digest)
    first = page.locator("#quotes-group tr.has_original").first
    first.locator(".sort i.move-end").click()  # ▼: one step down, not to the end
    speakers = page.locator("#quotes-group tr.has_original input[name$='-speaker']")
    assert speakers.nth(0).input_value() == "@speaker1"
    assert speakers.nth(1).input_value() == "@speaker0"
    page.locator("#quotes-group tr.has_original").nth(1).locator(".sort i.move-begin").click()
    assert speakers.nth(0).input_value() == "@speaker0"
    page.locator("#quotes-group tr.has_original").nth(4).locator(".sort i.move-end").click()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    assert list(digest.quotes.order_by("position").values_list("speaker", flat=True)) == [
        "@speaker0", "@speaker1", "@speaker2", "@speaker3", "@speaker5", "@speaker4",
    ]  # fmt: skip


def test_leaving_with_unsaved_edits_asks_first_and_the_edits_are_offered_back(
    live_server, page, digest
):
    open_composer(page, live_server, digest)
    page.locator("#id_excerpt").click()
    page.keyboard.type("Edits not saved yet")
    # The copy is kept in this browser a moment after typing stops.
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.startsWith('scalepress-draft:'))"
    )
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.locator(".object-tools").get_by_role("link", name="Revisions").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert "/change/" in page.url  # stayed

    page.remove_listener("dialog", answer)
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    banner = page.locator(".composer-draft")
    expect(banner).to_contain_text("Edits you had not saved")
    saved = digest.excerpt
    assert page.locator("#id_excerpt").input_value() == saved  # never applied by itself
    banner.get_by_role("button", name="Restore my edits").click()
    assert page.locator("#id_excerpt").input_value() == saved + "Edits not saved yet"


def test_moving_the_date_away_from_the_title_warns_and_the_preview_renders(
    live_server, page, digest
):
    open_composer(page, live_server, digest)
    page.locator("#id_publish_at_0").fill("2016-02-26")
    page.locator("#id_publish_at_0").dispatch_event("input")
    warning = page.locator("#title-date-warning")
    expect(warning).to_contain_text("February 26th, 2016")
    warning.get_by_role("button", name="Use this title").click()
    assert page.locator("#id_title").input_value().endswith("February 26th, 2016")
    expect(warning).to_be_hidden()
    page.locator("#id_publish_at_0").fill("2016-03-04")
    page.locator("#id_publish_at_0").dispatch_event("input")
    expect(warning).to_contain_text("March 4th, 2016")  # a warning; the title stays yours
    assert page.locator("#id_title").input_value().endswith("February 26th, 2016")

    # "Check links": a link published before is named with where.
    page.get_by_role("button", name=re.compile("Check links")).click()
    expect(page.locator(".composer-links li")).to_contain_text("was published before")

    page.locator("#id_excerpt").fill("| a | b |\n|--:|:-:|\n| 1 | 2 |\n\n```python\nx = 1\n```")
    page.locator("#id_excerpt").dispatch_event("input")
    preview = page.locator(".markdown-preview[data-for='id_excerpt']")
    expect(preview.locator("td.align-right")).to_have_text("1")
    expect(preview.locator("code.language-python span.n")).to_have_text("x")


@pytest.mark.parametrize(
    ("width", "scheme"),
    [(1400, "dark"), (1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")],
)
def test_composer_screenshots(live_server, new_page, digest, artifacts, width, scheme):
    """The composer with its fold markers and an autosave said, for people to look at."""
    page = new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    open_composer(page, live_server, digest)
    page.evaluate("document.getElementById('composer').dataset.autosaveInterval = '100'")
    page.locator("#quotes-group .fold-marker").focus()
    with page.expect_response(autosave_request):
        for _ in range(3):
            page.keyboard.press("ArrowUp")
    expect(page.locator("#autosave-status")).to_contain_text("Autosaved")
    expect(page.locator("#quotes-group .fold-marker")).to_contain_text("Fold: 3 of 6")
    # The reader preview follows the fold moved by keys.
    on_index = page.frame_locator("#reader-preview iframe[data-shows=index]")
    expect(on_index.locator(".quote")).to_have_count(3)
    page.screenshot(path=artifacts / f"composer-{width}-{scheme}.png", full_page=True)
    page.locator("#quotes-group .fold-marker").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"composer-{width}-{scheme}-fold.png")
    page.locator("#autosave-status").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"composer-{width}-{scheme}-autosave.png")


def test_a_stale_save_is_merged_field_by_field_in_the_browser(
    live_server, new_page, digest, artifacts
):
    url = live_server.url + reverse("admin:digest_post_change", args=[digest.pk])
    first = logged_in(
        new_page(viewport={"width": 1400, "height": 900}), live_server, staff(Role.EDITORS)
    )
    first.goto(url)
    first.get_by_role("button", name="Save and continue editing").click()  # a known version
    first.goto(url)
    second = logged_in(new_page(), live_server, staff(Role.EDITORS))
    second.goto(url)
    second.locator("#id_title").fill("Their title")
    second.get_by_role("button", name="Save and continue editing").click()
    expect(second.locator("ul.messagelist li.success")).to_be_visible()

    first.locator("#id_excerpt").fill("My intro text")
    first.keyboard.press("Control+s")
    expect(first.locator("ul.errorlist.nonfield")).to_contain_text("Someone else saved")
    conflicts = first.locator("#conflicts")
    expect(conflicts.locator("#conflict-title .theirs")).to_have_text("Their title")
    expect(conflicts.locator("#conflict-excerpt .mine")).to_have_text("My intro text")
    # Defaults: their title (only they changed it), my intro (only I did).
    expect(conflicts.locator("input[name=merge_title][value=theirs]")).to_be_checked()
    expect(conflicts.locator("input[name=merge_excerpt][value=mine]")).to_be_checked()
    first.screenshot(path=artifacts / "composer-stale-merge.png")
    first.get_by_role("button", name="Save and continue editing").click()
    expect(first.locator("ul.messagelist li.success")).to_be_visible()
    digest.refresh_from_db()
    assert (digest.title, digest.excerpt) == ("Their title", "My intro text")

    revisions = live_server.url + reverse("admin:digest_post_revisions", args=[digest.pk])
    first.goto(revisions)
    first.get_by_role("link", name="View and compare with the current one").last.click()
    expect(first.locator("#differences")).to_contain_text("title")
    first.screenshot(path=artifacts / "revision-compare.png", full_page=True)


def autosave_request(response):
    return "/autosave/" in response.url and response.request.method == "POST"


def test_autosave_keeps_a_changed_form_on_the_server_and_offers_it_back_after_a_crash(
    live_server, new_page, digest
):
    editor = staff(Role.EDITORS)
    url = live_server.url + reverse("admin:digest_post_change", args=[digest.pk])
    page = logged_in(new_page(), live_server, editor)
    page.goto(url)
    # The page says how often (30 s); a test says 200 ms, and waits for the request itself.
    page.evaluate("document.getElementById('composer').dataset.autosaveInterval = '200'")
    page.locator("#quotes-group .fold-marker").focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    with page.expect_response(
        lambda response: autosave_request(response) and "crash" in response.request.post_data
    ) as answered:
        page.locator("#id_excerpt").click()
        page.keyboard.insert_text(" Typed before the crash.")  # one input event
    assert answered.value.ok
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Autosaved \d\d:\d\d$"))
    kept = Revision.objects.autosaves().get(post=digest, saved_by=editor)
    assert kept.data["form"]["excerpt"] == digest.excerpt + " Typed before the crash."
    assert kept.data["form"]["quotes-4-on_index"] == ""
    version = digest.version
    digest.refresh_from_db()
    assert digest.version == version and "crash" not in digest.excerpt  # the post untouched
    page.context.close()  # the tab is gone: no "Leave site?", no save

    again = logged_in(new_page(), live_server, editor)  # another browser: nothing kept there
    again.goto(url)
    banner = again.locator(".composer-autosaved")
    expect(banner).to_contain_text("were autosaved but not saved")
    assert again.locator("#id_excerpt").input_value() == digest.excerpt  # never by itself
    banner.get_by_role("button", name="Restore the autosaved edits").click()
    expect(again.locator("#id_excerpt")).to_have_value(digest.excerpt + " Typed before the crash.")
    expect(again.locator("#quotes-group .fold-marker")).to_contain_text("Fold: 4 of 6")
    again.keyboard.press("Control+s")
    expect(again.locator("ul.messagelist li.success")).to_be_visible()
    digest.refresh_from_db()
    assert digest.excerpt.endswith("Typed before the crash.")
    assert list(digest.quotes.order_by("position").values_list("on_index", flat=True)) == [
        True, True, True, True, False, False,
    ]  # fmt: skip
    assert not Revision.objects.autosaves().exists()


def test_the_reader_preview_follows_the_fold_and_the_text_before_anything_is_saved(
    live_server, new_page, digest, artifacts
):
    page = open_composer(new_page(viewport={"width": 1280, "height": 900}), live_server, digest)
    page.evaluate("document.getElementById('composer').dataset.readerPreviewDelay = '50'")
    on_index = page.frame_locator("#reader-preview iframe[data-shows=index]")
    on_page = page.frame_locator("#reader-preview iframe[data-shows=page]")
    expect(on_index.locator(".item")).to_have_count(4)
    expect(on_index.locator(".quote")).to_have_count(6)

    drag_fold(page, "items-group", 1)
    expect(on_index.locator(".item")).to_have_count(1)
    expect(on_page.locator(".item")).to_have_count(4)
    read_more = on_index.locator(".read-more a")
    expect(read_more).to_have_attribute(
        "href", re.compile(rf"{digest.get_absolute_url()}#item-{digest.items.all()[1].anchor}$")
    )
    page.locator("#id_excerpt").fill("A *fresh* intro.")
    expect(on_index.locator(".entry-body em")).to_have_text("fresh")
    expect(on_page.locator("h1.entry-title")).to_have_text(digest.title)
    # The site's own stylesheet is in the frames, not the admin's.
    expect(on_index.locator("body")).to_have_css("font-family", re.compile("Iowan Old Style"))
    page.locator("#reader-preview").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "composer-reader-preview-1280.png")

    version = digest.version
    digest.refresh_from_db()
    assert (digest.excerpt, digest.version) == ("An *excerpt* about scaling.", version)
    assert all(digest.items.values_list("on_index", flat=True))
