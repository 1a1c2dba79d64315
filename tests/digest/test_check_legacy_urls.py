"""`check_legacy_urls` reads a FeedBurner feed's real old addresses (feedburner:origLink, not
the feedproxy tracker in <link>), and counts the old shapes this site redirects as working
when their redirects end on a page that answers 200."""

import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from digest.legacy import urls_in
from digest.models import SiteSettings
from tests.accounts.factories import UserFactory
from tests.digest.factories import PostFactory

FEEDBURNER = Path(__file__).resolve().parent / "fixtures" / "feedburner-old-links.rss"
OLD_HOST = "http://highscalability.com"
FEB_19 = "/blog/2016/2/19/stuff-the-internet-says-on-scalability-for-february-19th-201.html"
MARCH_9 = "/blog/2016/3/9/asyncio-tarantool-queue-get-in-the-queue.html"


def check(tmp_path, *urls):
    """The command's output for `urls`, and whether it failed."""
    listing = tmp_path / "old-urls.txt"
    listing.write_text("\n".join(urls) + "\n")
    out = io.StringIO()
    try:
        call_command("check_legacy_urls", str(listing), stdout=out)
    except CommandError:
        return out.getvalue(), True
    return out.getvalue(), False


def test_a_feedburner_feed_gives_its_original_links_not_the_tracker():
    urls = urls_in(FEEDBURNER.read_text())

    assert urls == [OLD_HOST + FEB_19, OLD_HOST + MARCH_9]
    assert not any("feedproxy" in url for url in urls)


def test_a_feed_without_origlink_gives_its_links():
    feed = FEEDBURNER.read_text()
    without = "\n".join(line for line in feed.splitlines() if "origLink" not in line)
    assert all("feedproxy.google.com" in url for url in urls_in(without))


def test_the_old_addresses_of_an_imported_feedburner_feed_all_work(db):
    call_command("import_feed", str(FEEDBURNER), stdout=io.StringIO())
    out = io.StringIO()

    call_command("check_legacy_urls", str(FEEDBURNER), stdout=out)

    output = out.getvalue()
    assert f"ok  {OLD_HOST}{FEB_19}  answers 200" in output
    assert f"ok  {OLD_HOST}{MARCH_9}  answers 200" in output
    assert "2 of 2 addresses work." in output
    assert "feedproxy" not in output


def test_the_old_shapes_this_site_redirects_work_when_they_land_on_a_page(tmp_path, db):
    todd = UserFactory(username="todd-hoff", display_name="Todd Hoff")
    post = PostFactory(author=todd, legacy_id="28815239", tags=["favorites"])
    PostFactory.create_batch(10, author=todd)

    output, failed = check(
        tmp_path,
        f"{OLD_HOST}/rss.xml",
        f"{OLD_HOST}/blog/rss.xml",
        f"{OLD_HOST}/blog/author/Todd%20Hoff",
        f"{OLD_HOST}/blog/recommend/28815239",
        f"{OLD_HOST}/all-time-favorites/",
        f"{OLD_HOST}/blog/?currentPage=2",
    )

    assert not failed
    feed = reverse("digest:feed-rss")
    assert f"ok  {OLD_HOST}/rss.xml  301 to {feed}" in output
    assert f"ok  {OLD_HOST}/blog/rss.xml  301 to {feed}" in output
    author = reverse("digest:author-detail", kwargs={"username": "todd-hoff"})
    assert f"ok  {OLD_HOST}/blog/author/Todd%20Hoff  301 to {author}" in output
    assert f"ok  {OLD_HOST}/blog/recommend/28815239  301 to {post.get_absolute_url()}" in output
    favourites = reverse("digest:tag-detail", kwargs={"slug": "favorites"})
    assert f"ok  {OLD_HOST}/all-time-favorites/  301 to {favourites}" in output
    assert f"ok  {OLD_HOST}/blog/?currentPage=2  301 to /?page=2" in output
    assert "6 of 6 addresses work." in output


def test_an_old_shape_without_its_page_is_reported_bad(tmp_path, db):
    PostFactory(legacy_id="1", tags=["caching"])

    output, failed = check(
        tmp_path,
        f"{OLD_HOST}/blog/recommend/28815239",
        f"{OLD_HOST}/blog/author/nobody",
        f"{OLD_HOST}/blog/category/never-used",
        f"{OLD_HOST}/blog/?currentPage=2",  # one post: there is no second page
    )

    assert failed
    assert f"BAD {OLD_HOST}/blog/recommend/28815239  answers 404" in output
    assert f"BAD {OLD_HOST}/blog/author/nobody  answers 404" in output
    never_used = reverse("digest:tag-detail", kwargs={"slug": "never-used"})
    assert (
        f"BAD {OLD_HOST}/blog/category/never-used  301 to {never_used}, which answers 404"
    ) in output
    assert f"BAD {OLD_HOST}/blog/?currentPage=2  301 to /?page=2, which answers 404" in output
    assert "0 of 4 addresses work." in output


def test_redirects_are_followed_to_their_end(tmp_path, db):
    # The editor chose an old address as the favourites page: two moves, then the tag.
    PostFactory(tags=["hot-links"])
    record = SiteSettings.objects.get(pk=1)
    record.favourites_url = "/blog/category/hot-links"
    record.save()

    output, failed = check(tmp_path, f"{OLD_HOST}/all-time-favorites")

    assert not failed
    hot_links = reverse("digest:tag-detail", kwargs={"slug": "hot-links"})
    assert f"ok  {OLD_HOST}/all-time-favorites  301 to {hot_links}" in output


def test_a_redirect_that_never_settles_is_bad(tmp_path, db, monkeypatch):
    # Our views make no loop (a favourites page that is itself is refused); should one
    # appear, the checker stops after MAX_HOPS and says so.
    monkeypatch.setattr(SiteSettings, "favourites_address", lambda self: "/all-time-favorites/")

    output, failed = check(tmp_path, f"{OLD_HOST}/all-time-favorites/")

    assert failed
    assert (
        f"BAD {OLD_HOST}/all-time-favorites/  301 to /all-time-favorites/, which answers 301"
    ) in output
