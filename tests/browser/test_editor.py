"""An editor's Friday, in a real browser: write this week's digest in the admin with the paste
boxes, preview it, schedule it, and see it appear for readers when its time comes."""

import re
from datetime import UTC, timedelta

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from playwright.sync_api import expect

from accounts.models import Role
from tests.accounts.factories import PASSWORD, UserFactory
from tests.digest.factories import PostFactory

STATS = [
    ("200K", "msgs send per second through iMessage"),
    ("750 million", "xactions per week in App and iTunes store"),
    ("11 million", "Apple Music subscribers"),
]
QUOTES = [  # (speaker, text, on the index)
    (
        "Joseph Bradley",
        "Here is the takeaway. Blockchains must be massively more scalable than the current "
        "tech that supports Bitcoin.",
        True,
    ),
    (
        "@sigfpe",
        "Nobody knows how to “program” DNA. They just copy-and-paste bits from other organisms.",
        False,
    ),
    (
        "@antirez",
        "I’ve always this nice feeling that you manage to run a top-traffic site with 1/100 of "
        "the hardware.",
        True,
    ),
    (
        "Greg Ferro",
        "In my view, the most common architectural flaw made by network engineers is that the "
        "data centre has a single network.",
        False,
    ),
    (
        "@levie",
        "With Apple, Amazon, and Netflix now producing their own shows, Box will be accepting "
        "script submissions for enterprise software dramas.",
        True,
    ),
]
# The fold marker shows the first quotes on the index: those on it come first.
QUOTES = sorted(QUOTES, key=lambda quote: not quote[2])
ITEMS = [  # (Markdown as pasted, text as read, link)
    (
        "[How Uber Engineering Evaluated JSON Encoding and Compression Algorithms]"
        "(https://eng.uber.com/trip-data-squeeze/). They tested a whole bunch of different\n"
        "compression approaches. A whole bunch.",
        "How Uber Engineering Evaluated JSON Encoding and Compression Algorithms. They tested a "
        "whole bunch of different compression approaches. A whole bunch.",
        "https://eng.uber.com/trip-data-squeeze/",
    ),
    (
        "We never considered the possibility Skynet may just be stupid.",
        "We never considered the possibility Skynet may just be stupid.",
        None,
    ),
    (
        "If you are IBM and your insatiable demon child needs feeding, what do you do? "
        "You buy companies for their data.",
        "If you are IBM and your insatiable demon child needs feeding, what do you do? "
        "You buy companies for their data.",
        None,
    ),
]
INTRO = "Presented for your consideration: a server room that fits in a shoebox."
MORE_QUOTES = "There are more Quotable Quotes in the full article."
CLOSING_LINE = "Don't miss all that the Internet has to say on Scalability"


def pasted_stats():
    return " ".join(f"{figure} : {label};" for figure, label in STATS)


def pasted_quotes():
    # Bullets are optional: the first two lines carry one, as copied from the old site.
    return "\n".join(
        f"{'• ' if number < 2 else ''}{speaker} : {text}"
        for number, (speaker, text, _) in enumerate(QUOTES)
    )


def quote_line(speaker, text):
    return f"{speaker} : {text}"


def coming_friday_title():
    today = timezone.localdate()
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    day = friday.day
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"Stuff The Internet Says On Scalability For {friday:%B} {day}{suffix}, {friday.year}"


def make_editor():
    """A staff user in the Editors group, with a known password (PASSWORD)."""
    editor = UserFactory(is_staff=True, display_name="Todd Hoff")
    editor.groups.add(Group.objects.get(name=Role.EDITORS))
    return editor


def test_an_editor_writes_previews_and_schedules_the_digest_that_readers_see_on_time(
    live_server, page, new_page, artifacts, monkeypatch
):
    url = live_server.url
    title = coming_friday_title()  # before the clock is moved on
    editor = make_editor()
    last_week = PostFactory(title="How Example Scaled to a Billion Users")
    # Scheduled two hours from now, to the minute (the admin's time field keeps seconds).
    publish_at = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(
        second=0, microsecond=0
    )

    # The permalink: the publish day, without zero padding, and the title's slug cut at 60
    # characters, like the original site's (".../for-november-27th-202.html").
    permalink = reverse(
        "digest:post-detail",
        kwargs={
            "year": publish_at.year,
            "month": publish_at.month,
            "day": publish_at.day,
            "slug": slugify(title)[:60].rstrip("-"),
        },
    )

    # The editor opens the posts in the admin and logs in on the way.
    changelist = reverse("admin:digest_post_changelist")
    page.goto(url + changelist)
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:login"))))
    page.locator("#id_username").fill(editor.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(url + changelist)

    # "New digest" opens this week's issue, pre-filled.
    page.locator(".object-tools").get_by_role("link", name="New digest").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:digest_post_add"))))
    expect(page.locator("#id_title")).to_have_value(title)
    expect(page.locator("#id_kind")).to_have_value("digest")
    expect(page.locator("#id_kind option:checked")).to_have_text("Digest")

    # Published, two hours from now: scheduled.
    page.locator("#id_status").select_option(label="Published")
    page.locator("#id_publish_at_0").fill(publish_at.strftime("%Y-%m-%d"))
    page.locator("#id_publish_at_1").fill(publish_at.strftime("%H:%M:%S"))

    # The intro and the paste boxes.
    page.locator("#id_excerpt").fill(INTRO)
    page.locator("#id_paste_stats").fill(pasted_stats())
    page.locator("#id_paste_quotes").fill(pasted_quotes())
    page.locator("#id_paste_items").fill("\n\n".join(pasted for pasted, _, _ in ITEMS))
    page.get_by_role("button", name="Save and continue editing").click()

    # Saved: the pasted text became 3 stats, 5 quotes and 3 items, in order.
    expect(page.locator("ul.messagelist li.success")).to_contain_text("was added successfully")
    expect(page).to_have_url(re.compile(r"/admin/digest/post/\d+/change/"))
    expect(page.locator("ul.errorlist")).to_have_count(0)
    stat_rows = page.locator("#stats-group tr.has_original")
    expect_values(stat_rows.locator("input[name$='-figure']"), [figure for figure, _ in STATS])
    expect_values(stat_rows.locator("input[name$='-label']"), [label for _, label in STATS])
    quote_rows = page.locator("#quotes-group tr.has_original")
    expect_values(
        quote_rows.locator("input[name$='-speaker']"), [speaker for speaker, _, _ in QUOTES]
    )
    expect_values(quote_rows.locator("textarea[name$='-text']"), [text for _, text, _ in QUOTES])
    expect(quote_rows.locator("input[name$='-on_index']:checked")).to_have_count(5)
    item_forms = page.locator("#items-group .inline-related.has_original")
    expect_values(item_forms.locator("textarea[name$='-text']"), [pasted for pasted, _, _ in ITEMS])
    expect(page.locator("#id_paste_stats")).to_have_value("")
    expect(page.locator("#id_paste_quotes")).to_have_value("")
    expect(page.locator("#id_paste_items")).to_have_value("")

    # Two quotes stay off the index: the quotes' fold marker, moved up two places by keys.
    fold = page.locator("#quotes-group .fold-marker")
    expect(fold).to_contain_text("All 5 quotes on the index")
    fold.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(fold).to_contain_text("Fold: 3 of 5 quotes above it on the index")
    boxes = quote_rows.locator("input[type=checkbox][name$='-on_index']")
    unticked = [boxes.nth(n).get_attribute("name") for n in (3, 4)]
    assert all(re.fullmatch(r"quotes-\d+-on_index", name) for name in unticked), unticked
    assert len(unticked) == 2
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text("was changed successfully")
    for name in unticked:
        expect(page.locator(f"input[name='{name}']")).not_to_be_checked()
    expect(quote_rows.locator("input[name$='-on_index']:checked")).to_have_count(3)
    page.screenshot(path=artifacts / "editor-digest-change-form.png", full_page=True)

    # Preview, in a new tab: the editor sees the whole digest, marked as a preview.
    with page.context.expect_page() as new_tab:
        page.locator(".object-tools").get_by_role("link", name="Preview").click()
    preview = new_tab.value
    expect(preview.locator(".preview-banner")).to_contain_text("Preview — Scheduled, goes live")
    expect(preview.locator("h1")).to_have_text(title)
    check_full_digest(preview)
    expect(preview).to_have_url(url + permalink)
    preview.screenshot(path=artifacts / "editor-digest-preview.png", full_page=True)

    # A reader, meanwhile, sees last week's post on the index and nothing of the digest.
    reader = new_page()
    reader.goto(url + reverse("digest:post-index"))
    titles = reader.locator("article.entry .entry-title")
    expect(titles).to_have_text([last_week.title])
    expect(reader.locator("body")).not_to_contain_text("Stuff The Internet Says")
    response = reader.goto(url + permalink)
    assert response.status == 404
    expect(reader.locator("h1")).to_have_text("We couldn’t find that page")
    expect(reader.locator("body")).not_to_contain_text(QUOTES[0][1])

    # Time passes (no sleeping: the live server runs in this process and reads the same clock).
    later = (publish_at + timedelta(minutes=1)).astimezone(UTC)
    monkeypatch.setattr(timezone, "now", lambda: later)

    # The digest is on the index, newest first, in the shape of the original site.
    reader.goto(url + reverse("digest:post-index"))
    expect(titles).to_have_text([title, last_week.title])
    digest = reader.locator("article.entry.digest")
    expect(digest.locator("ul.digest-parts > li")).to_have_class(
        ["stats", "quotes", "item", "item", "item"]
    )
    expect(digest.locator(".entry-body")).to_contain_text(INTRO)
    expect(digest.locator(".stat")).to_have_text(
        [f"{figure} : {label};" for figure, label in STATS]
    )
    expect(digest.locator("li.quotes")).to_contain_text("Quotable Quotes:")
    expect(digest.locator("li.quote")).to_have_text(
        [quote_line(speaker, text) for speaker, text, on_index in QUOTES if on_index]
    )
    expect(digest.locator("li.quotes li").last).to_have_text(MORE_QUOTES)
    for speaker, text, on_index in QUOTES:
        if not on_index:
            expect(digest).not_to_contain_text(text)
            expect(digest).not_to_contain_text(speaker)
    expect(digest.locator("li.item")).to_have_text([text for _, text, _ in ITEMS])
    expect(digest.locator(".closing-line")).to_contain_text(CLOSING_LINE)
    read_more = digest.get_by_role("link", name="Click to read more ...")
    expect(read_more).to_be_visible()
    reader.screenshot(path=artifacts / "editor-digest-reader-index.png", full_page=True)

    # Clicking through shows the whole digest, no longer a preview, at the first quote the
    # index left off.
    read_more.click()
    expect(reader).to_have_url(re.compile(re.escape(url + permalink) + r"#quote-\d+$"))
    expect(reader.locator("h1")).to_have_text(title)
    expect(reader.locator(".preview-banner")).to_have_count(0)
    check_full_digest(reader)


def expect_values(fields, values):
    """Each of the form fields has its value, in order, and there are no others."""
    expect(fields).to_have_count(len(values))
    for field, value in zip(fields.all(), values, strict=True):
        expect(field).to_have_value(value)


def check_full_digest(page):
    """The post page shows every stat, every quote (on the index or not) and every item."""
    body = page.locator("article.entry-full .entry-body")
    expect(body).to_contain_text(INTRO)
    expect(body.locator(".stat")).to_have_text([f"{figure} : {label};" for figure, label in STATS])
    expect(body.locator("li.quote")).to_have_text(
        [quote_line(speaker, text) for speaker, text, _ in QUOTES]
    )
    expect(body.locator("li.more-quotes")).to_have_count(0)
    expect(body.locator("li.item")).to_have_text([text for _, text, _ in ITEMS])
    expect(body.locator("li.item a").first).to_have_attribute("href", ITEMS[0][2])
    expect(body.get_by_role("link", name="@antirez")).to_have_attribute(
        "href", reverse("digest:quote-speaker", args=["antirez"])
    )
