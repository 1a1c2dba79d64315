"""Issue 15's figure: the sample's digest (February 19th, 2016 in the original site's archive
export: its intro, 7 stats, 13 quotes and 5 items) composed and published in Chromium, from
an inbox of its 25 links and, for the "before", with the composer alone, as an editor did
before the inbox: each part's words, title and address copied from its page into the paste
boxes, the links typed into the rows the first save made.

The same digest comes out of both (asserted on the database). The clicks, command keys,
copies from another page and characters typed are counted (tests.browser.handwork) and
asserted as budgets; the seconds are measured and written to test-artifacts/, never asserted,
with what the same counts cost a person by the Keystroke-Level Model. Each item is the
editor's comment, then the link and the words quoted from its page (kept by the bookmarklet
with the comment, or copied from the page and from the week's notes)."""

import json
import re
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from digest.importers.archive_format import read_pasted_digest
from digest.models import Post
from inbox.keeping import keep
from inbox.models import Entry
from tests.accounts.factories import staff
from tests.browser.handwork import Tally, person_seconds
from tests.browser.test_composer import logged_in
from tests.inbox.target import Target
from tests.newsletter.conftest import run_jobs

SAMPLE = Path(__file__).resolve().parents[2] / "digest" / "demo_data" / "archive-2016-02.txt"
TITLE = "Stuff The Internet Says On Scalability For February 19th, 2016"
# The one speaker whose page names no author (a Hacker News comment): the guess is the site.
NO_AUTHOR = "jsmthrowaway"


@dataclass
class Link:
    path: str
    title: str
    words: str  # what the editor selects on the page
    author: str = ""
    comment: str = ""  # what the editor writes about it (an item's opening words)


def the_sample_digest():
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if " ".join(line.split()) == TITLE)
    end = lines.index("Click to read more ...", start)
    digest = read_pasted_digest("\n".join(lines[start : end + 1]))
    assert (len(digest.stats), len(digest.quotes), len(digest.items)) == (7, 13, 5)
    return digest


def item_link(n, text):
    """An item's page: the item's first sentence is the editor's comment, the rest quotes the
    page, whose title is the rest's first words ("Skynet may just be stupid. [The NSA's SKYNET
    program…](…): At root, …")."""
    comment, rest = re.split(r"(?<=[.?!])\s+", " ".join(text.split()), maxsplit=1)
    title = " ".join(rest.split()[:8]).rstrip(".,:;")
    return Link(f"/item-{n}", title, rest, comment=comment)


@pytest.fixture
def sample(settings):
    """The sample digest, and a site on loopback with one page per part."""
    settings.INBOX_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    digest = the_sample_digest()
    links = {
        "stats": [
            Link(f"/stat-{n}", f"Figures {n}", f"{stat.figure} : {stat.label}")
            for n, stat in enumerate(digest.stats)
        ],
        "quotes": [
            Link(
                f"/quote-{n}",
                f"A post by {quote.speaker}",
                quote.text,
                "" if quote.speaker == NO_AUTHOR else quote.speaker,
            )
            for n, quote in enumerate(digest.quotes)
        ],
        "items": [item_link(n, item.text) for n, item in enumerate(digest.items)],
    }
    with Target() as server:
        for link in (link for kind in links.values() for link in kind):
            author = f'<meta name="author" content="{escape(link.author)}">' if link.author else ""
            site = "Hacker News" if link.path.startswith("/quote-") and not link.author else "A"
            server.routes[link.path] = (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                f"""<!doctype html><html><head><title>{escape(link.title)}</title>
<meta property="og:title" content="{escape(link.title)}">{author}
<meta property="og:site_name" content="{site}"></head>
<body><p>{escape(link.words)}</p></body></html>""".encode(),
            )
        yield digest, links, server


def publish(page, tally, started):
    """Publish now, OK the dialog that says when it goes live; the seconds since `started`."""
    page.once("dialog", lambda dialog: dialog.accept())
    tally.click(page.get_by_role("button", name="Publish now"))
    tally.clicks += 1  # the dialog's OK
    expect(page.locator("ul.messagelist li.success")).to_contain_text("is published")
    return time.monotonic() - started


def assert_the_sample_published(digest, links, server, intro):
    post = Post.objects.get(kind=Post.Kind.DIGEST)
    assert post.is_published
    assert post.excerpt == intro
    assert list(post.stats.values_list("figure", "label", "figure_url")) == [
        (stat.figure, stat.label, server.url(link.path))
        for stat, link in zip(digest.stats, links["stats"], strict=True)
    ]
    assert list(post.quotes.values_list("speaker", "text", "source_url")) == [
        (quote.speaker, quote.text, server.url(link.path))
        for quote, link in zip(digest.quotes, links["quotes"], strict=True)
    ]
    items = list(post.items.values_list("text_html", flat=True))
    assert len(items) == 5
    for html, item, link in zip(items, digest.items, links["items"], strict=True):
        assert f'href="{server.url(link.path)}"' in html
        assert " ".join(item.text.split()[-4:]) in " ".join(html.split())
    return post


def record(artifacts, name, tally, seconds):
    figures = {
        **tally.figures(),
        "seconds": round(seconds, 1),
        "person_seconds": person_seconds(tally.figures()),
    }
    (artifacts / f"sample-digest-{name}.json").write_text(json.dumps(figures, indent=2))
    print(f"the sample's digest, {name}:", json.dumps(figures))
    return figures


def test_the_sample_digest_composed_from_an_inbox_of_its_links(
    live_server, new_page, settings, sample, artifacts
):
    digest, links, server = sample
    settings.SITE_URL = live_server.url
    editor = staff(Role.EDITORS)
    # The week: each link kept as the bookmarklet keeps it, with the words selected on its
    # page, in the order the digest reads; the job fetches each page.
    for kind in ("stats", "quotes", "items"):
        for link in links[kind]:
            keep(server.url(link.path), editor, text=link.words, comment=link.comment)
    assert run_jobs() == 25
    assert Entry.objects.filter(fetch_state=Entry.Fetch.DONE).count() == 25
    intro = " ".join(digest.intro)
    page = logged_in(new_page(viewport={"width": 1280, "height": 900}), live_server, editor)

    tally = Tally()
    started = time.monotonic()
    page.goto(live_server.url + reverse("inbox:list"))
    tally.clicks += 1  # "Link inbox"
    # Each row says what the inbox took it for: the stats' words start with their figure, the
    # quotes are words alone, the items words with a comment.
    for kind, name in (("stats", "Stat"), ("quotes", "Quote"), ("items", "Item")):
        for link in links[kind]:
            entry = page.locator(".entry", has=page.locator(f'a[href$="{link.path}"]'))
            expect(entry.get_by_role("radio", name=name)).to_be_checked()
    tally.check(page.get_by_label("All", exact=True))
    page.screenshot(path=artifacts / "sample-digest-inbox-1280.png")
    tally.click(page.get_by_role("button", name="Add to this week's digest"))
    added = page.locator("ul.messagelist li.success")
    expect(added).to_contain_text("25 added to")
    expect(added).to_contain_text("7 stats, 13 quotes, 5 items.")

    # The guesses, checked: every figure right; one speaker is the site's name, not hers.
    quotes = page.locator("#quotes-group")
    guessed = quotes.locator("input[name$=-speaker]:not([name*=__prefix__])")
    expect(guessed).to_have_count(13)
    wrong = [n for n, q in enumerate(digest.quotes) if q.speaker == NO_AUTHOR]
    assert [guessed.nth(n).input_value() for n in wrong] == ["Hacker News"]
    guessed.nth(wrong[0]).click()
    tally.clicks += 1
    tally.press(page, "Control+a")
    tally.type(page, NO_AUTHOR)
    page.locator("#id_excerpt").click()
    tally.clicks += 1
    tally.type(page, intro)
    # The stats' and quotes' tables, with their links, fit the editor's 1280-px screen.
    overflow = page.evaluate(
        "() => Math.max(...['#stats-group table', '#quotes-group table'].map(s =>"
        " document.querySelector(s).getBoundingClientRect().right))"
        " - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.locator("#stats-group").screenshot(path=artifacts / "sample-digest-stats-1280.png")
    seconds = publish(page, tally, started)
    assert_the_sample_published(digest, links, server, intro)
    assert set(Entry.objects.values_list("status", flat=True)) == {"used"}
    record(artifacts, "from-the-inbox", tally, seconds)
    # Link inbox, All, Add; the speaker's and the intro's boxes; Publish + OK (7 clicks).
    # Ctrl+A. The speaker's name and the intro typed.
    assert tally.figures() | {"typed": 0} == {
        "clicks": 7, "keys": 1, "drags": 0, "copies": 0, "typed": 0
    }  # fmt: skip
    assert tally.typed == len(NO_AUTHOR) + len(intro)


def test_the_sample_digest_composed_without_the_inbox_for_the_before_figure(
    live_server, new_page, settings, sample, artifacts
):
    digest, links, server = sample
    settings.SITE_URL = live_server.url
    editor = staff(Role.EDITORS)
    intro = " ".join(digest.intro)
    page = logged_in(new_page(viewport={"width": 1280, "height": 900}), live_server, editor)

    tally = Tally()
    started = time.monotonic()
    page.goto(live_server.url + reverse("admin:digest_post_add") + "?kind=digest")
    tally.clicks += 1  # "New digest"
    page.locator("#id_excerpt").click()
    tally.clicks += 1
    tally.type(page, intro)
    page.locator("#id_paste_stats").click()
    tally.clicks += 1
    for n, link in enumerate(links["stats"]):
        tally.type(page, "; " if n else "")
        tally.paste(page, link.words)
    page.locator("#id_paste_quotes").click()
    tally.clicks += 1
    for quote, link in zip(digest.quotes, links["quotes"], strict=True):
        tally.paste(page, quote.speaker)
        tally.type(page, " : ")
        tally.paste(page, link.words)
        tally.type(page, "\n")
    page.locator("#id_paste_items").click()
    tally.clicks += 1
    for link in links["items"]:
        tally.type(page, "- ")
        tally.paste(page, link.comment)  # from the week's notes
        tally.type(page, " [")
        tally.paste(page, link.title)
        tally.type(page, "](")
        tally.paste(page, server.url(link.path))
        tally.type(page, "): ")
        tally.paste(page, link.words)
        tally.type(page, "\n")
    tally.press(page, "Control+s")
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    # Each stat's and quote's address, in the row the save made.
    for kind, field in (("stats", "figure_url"), ("quotes", "source_url")):
        for n, link in enumerate(links[kind]):
            page.locator(f"#id_{kind}-{n}-{field}").click()
            tally.clicks += 1
            tally.paste(page, server.url(link.path))
    seconds = publish(page, tally, started)
    assert_the_sample_published(digest, links, server, intro)
    record(artifacts, "without-the-inbox", tally, seconds)
    # New digest, the intro and 3 paste boxes, 20 link boxes, Publish + OK (27 clicks); Ctrl+S;
    # copied from their pages: 7 stats, 13 speakers and their 13 quotes, 5 comments (from the
    # week's notes), 5 titles, 5 addresses and 5 items' words, then 20 addresses (73 copies).
    assert tally.figures() | {"typed": 0} == {
        "clicks": 27, "keys": 1, "drags": 0, "copies": 73, "typed": 0
    }  # fmt: skip
