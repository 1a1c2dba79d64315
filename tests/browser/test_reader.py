"""The reader's journey, in a real browser: what a visitor of the blog sees and clicks."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from digest.feeds import FEED_LENGTH
from tests.accounts.factories import UserFactory
from tests.digest.factories import PostFactory

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
SEARCHABLE_BODY = "We moved the session store onto consistent hashing and never looked back."


@pytest.fixture
def blog(live_server):
    """25 published posts, an hour apart (newest first), all tagged “caching”, and one draft."""
    author = UserFactory(display_name="Ada Lovelace")
    now = timezone.now()
    posts = [
        PostFactory(
            title=f"Scaling story {number:02}",
            publish_at=now - timedelta(hours=number),
            author=author,
            tags=["caching", "databases"] if number % 3 == 0 else ["caching"],
            body=SEARCHABLE_BODY if number == 17 else f"The rest of story {number}.",
        )
        for number in range(1, 26)
    ]
    draft = PostFactory(
        draft=True,
        title="Unfinished draft on consistent hashing",
        publish_at=now - timedelta(minutes=30),
        author=author,
        tags=["caching"],
        body="Consistent hashing, half written.",
    )
    return SimpleNamespace(url=live_server.url, posts=posts, draft=draft)


def test_a_reader_pages_through_the_blog_reads_a_post_follows_a_tag_and_searches(page, blog):
    newest, searched_for = blog.posts, blog.posts[16]
    entry_titles = page.locator("article.entry .entry-title")
    pagination = page.locator("nav.pagination")

    # The front page shows the ten newest entries and the original site's pagination line.
    response = page.goto(blog.url + reverse("digest:post-index"))
    assert response.status == 200
    expect(entry_titles).to_have_text([post.title for post in newest[:10]])
    expect(pagination).to_have_text("Page 1 2 3 Next 10 Entries »", use_inner_text=True)
    expect(page.locator("body")).not_to_contain_text(blog.draft.title)

    # "Next 10 Entries »" leads to the second page, which can go back.
    page.get_by_role("link", name="Next 10 Entries »").click()
    expect(page).to_have_url(blog.url + reverse("digest:post-index") + "?page=2")
    expect(entry_titles).to_have_text([post.title for post in newest[10:20]])
    expect(pagination).to_have_text(
        "« Previous 10 Entries Page 1 2 3 Next 10 Entries »", use_inner_text=True
    )
    expect(pagination.locator("[aria-current=page]")).to_have_text("2")

    # A title opens the post, with links to the older and the newer post around it.
    post, older, newer = newest[12], newest[13], newest[11]
    page.get_by_role("link", name=post.title, exact=True).click()
    expect(page).to_have_url(blog.url + post.get_absolute_url())
    expect(page.locator("h1")).to_have_text(post.title)
    expect(page).to_have_title(re.compile("^" + re.escape(post.title)))
    expect(page.locator("nav.post-nav")).to_have_text(
        f"« {older.title} | {newer.title} »", use_inner_text=True
    )
    page.get_by_role("link", name=f"{newer.title} »").click()
    expect(page.locator("h1")).to_have_text(newer.title)

    # A tag lists the posts that carry it.
    page.locator(".entry-tags").get_by_role("link", name="caching").click()
    expect(page).to_have_url(blog.url + reverse("digest:tag-detail", args=["caching"]))
    expect(page.locator("h1")).to_have_text("Posts tagged “caching”")
    expect(entry_titles).to_have_text([post.title for post in newest[:10]])
    expect(page.locator("body")).not_to_contain_text(blog.draft.title)

    # The sidebar's search box finds the post and highlights the words searched for.
    search_box = page.locator("aside.sidebar").get_by_role("searchbox")
    search_box.fill("consistent hashing")
    search_box.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(reverse("digest:search")) + r"\?q=consistent"))
    expect(page.locator(".result-count")).to_have_text("1 result for “consistent hashing”.")
    results = page.locator("li.result")
    expect(results.locator("h2")).to_have_text([searched_for.title])
    expect(results.locator("mark").first).to_have_text(re.compile("consistent", re.IGNORECASE))
    expect(page.locator("body")).not_to_contain_text(blog.draft.title)

    # The RSS feed is XML with the newest posts, and without the draft.
    feed = page.request.get(blog.url + reverse("digest:feed-rss"))
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("application/rss+xml")
    channel = ET.fromstring(feed.body()).find("channel")  # noqa: S314 -- our own test server
    titles = [item.findtext("title") for item in channel.iter("item")]
    assert titles == [post.title for post in newest[:FEED_LENGTH]]
    assert blog.draft.title not in feed.text()


def test_the_layout_fits_phones_and_puts_the_sidebar_beside_the_content_on_desktops(
    new_page, blog, artifacts
):
    for viewport in (PHONE, DESKTOP):
        page = new_page(viewport=viewport)
        page.goto(blog.url + reverse("digest:post-index"))
        width = viewport["width"]
        page.screenshot(path=artifacts / f"index-{width}.png", full_page=True)

        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"the index scrolls sideways at {width}px"
        )
        content = page.locator("main#content").bounding_box()
        sidebar = page.locator("aside.sidebar").bounding_box()
        if viewport is DESKTOP:
            assert sidebar["x"] >= content["x"] + content["width"], "sidebar beside the content"
            assert abs(sidebar["y"] - content["y"]) < 1, "sidebar level with the content"
        else:
            assert sidebar["y"] >= content["y"] + content["height"], "sidebar below the content"
            assert abs(sidebar["x"] - content["x"]) < 1, "sidebar aligned with the content"


def test_a_dark_system_scheme_gives_a_dark_page(new_page, blog, artifacts):
    def body_background(color_scheme):
        page = new_page(color_scheme=color_scheme)
        page.goto(blog.url + reverse("digest:post-index"))
        page.screenshot(path=artifacts / f"index-1280-{color_scheme}.png")
        return page.evaluate("getComputedStyle(document.body).backgroundColor")

    light, dark = body_background("light"), body_background("dark")
    assert light != dark
    assert luminance(dark) < luminance(light)


def test_a_page_past_the_last_one_is_a_friendly_404(page, blog):
    response = page.goto(blog.url + reverse("digest:post-index") + "?page=999")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("We couldn’t find that page")
    expect(page.locator(".error-page .reason")).to_have_text(
        "There is no page 999 here; the last page is 3."
    )
    page.get_by_role("link", name="front page").click()
    expect(page.locator("article.entry")).to_have_count(10)


def luminance(css_rgb):
    red, green, blue = (int(part) for part in re.findall(r"\d+", css_rgb)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
