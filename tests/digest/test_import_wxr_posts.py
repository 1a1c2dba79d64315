"""`manage.py import_wxr`: the posts of an export, their statuses, dates, addresses, authors and
tags. Fixtures: see test_import_wxr.py.
"""

from collections import Counter
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from digest.importers.wxr import import_wxr as import_wxr_data
from digest.markdown import html_to_text
from digest.models import Post
from sponsors.models import Listing, Sponsor
from tests.digest.wxr_helpers import DIGEST_ADDRESS, EXPORT, GUEST_ADDRESS, WINDOWS, post_at, run


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def imported(db):
    return run("import_wxr", EXPORT)


@pytest.fixture
def digest(imported):
    return post_at(DIGEST_ADDRESS)


def test_a_post_with_a_title_alone_is_kept_and_an_impossible_address_noted(db):
    export = EXPORT.read_text().split("<item>")[0] + (
        "<item><title>Only a Title</title>"
        "<link>http://highscalability.com/blog/2016/2/30/only-a-title.html</link>"
        "<dc:creator>toddhoff</dc:creator><wp:post_id>1</wp:post_id>"
        "<wp:post_date_gmt>2016-03-01 10:00:00</wp:post_date_gmt>"
        "<wp:post_name>only-a-title</wp:post_name><wp:status>publish</wp:status>"
        "<wp:post_type>post</wp:post_type></item></channel></rss>"
    )

    report = import_wxr_data(export)

    post = Post.objects.get()
    assert (post.title, post.excerpt, post.body) == ("Only a Title", "", "")
    assert post.get_absolute_url() == "/blog/2016/3/1/only-a-title.html"
    assert report.notes == [
        "item 1 (line 26, “Only a Title”): has a link with an impossible date: "
        "http://highscalability.com/blog/2016/2/30/only-a-title.html; its date and name are "
        "used instead",
        "item 1 (line 26, “Only a Title”): has no content; stored as it is",
    ]


def test_a_password_protected_post_is_kept_as_a_draft(db):
    export = EXPORT.read_text().replace(
        "<wp:post_id>6011</wp:post_id>",
        "<wp:post_id>6011</wp:post_id><wp:post_password>team-only</wp:post_password>",
    )

    report = import_wxr_data(export)

    assert Post.objects.get(legacy_id="21910011").status == Post.Status.DRAFT
    assert (
        "item 11 (line 350, “Why We Moved Our Queues Off the Cloud”): was protected by a "
        "password; kept as a draft"
    ) in report.notes


def test_statuses(imported):
    by_title = {p.title: p for p in Post.objects.all()}

    assert by_title["Why We Moved Our Queues Off the Cloud"].is_published
    assert by_title[
        "Coming Soon: The Architecture of a Queue That Never Loses a Message"
    ].is_scheduled
    assert by_title["Notes on Consistent Hashing for the Next Article"].status == "draft"
    assert by_title["Our Private Postmortem of the March Outage"].status == "draft"
    assert "“Our Private Postmortem of the March Outage”): was private; kept as a draft" in imported
    assert "article: 7 created, 0 updated, 0 unchanged, 2 skipped" in imported


def test_dates_are_gmt_else_the_local_date_in_the_sites_time_zone(db, settings):
    settings.TIME_ZONE = "America/New_York"
    run("import_wxr", EXPORT)

    assert post_at(DIGEST_ADDRESS).publish_at == datetime(2016, 4, 1, 16, tzinfo=UTC)
    borg = Post.objects.get(legacy_id="21910012")
    assert borg.publish_at == datetime(2016, 3, 4, 13, 15, tzinfo=UTC)
    draft = Post.objects.get(title__startswith="Notes on Consistent Hashing")
    assert draft.publish_at == datetime(2016, 3, 30, 13, tzinfo=UTC)


def test_squarespace_links_and_post_names_give_the_old_addresses(imported, client):
    guest = post_at(GUEST_ADDRESS)  # link and post name are paths without .html

    assert guest.import_ref == f"url:{GUEST_ADDRESS}"
    assert client.get(GUEST_ADDRESS).status_code == 200
    assert client.get(DIGEST_ADDRESS).status_code == 200


def test_pages_are_kept_as_draft_articles_with_a_note(imported):
    page = Post.objects.get(title="All Time Favorites")

    assert (page.kind, page.status, page.slug) == ("article", "draft", "all-time-favorites")
    assert "/blog/2008/11/22/google-architecture.html" in page.excerpt
    assert "is a WordPress page (its address was /all-time-favorites/)" in imported


def test_authors_are_guest_accounts_with_the_old_sites_display_names(imported):
    User = get_user_model()
    todd, jane = User.objects.get(username="todd-hoff"), User.objects.get(username="jane-doe")

    assert (todd.display_name, jane.display_name) == ("Todd Hoff", "Jane Doe")
    assert not todd.has_usable_password()
    assert post_at(GUEST_ADDRESS).author == jane


def test_an_account_with_the_wordpress_login_is_used_again(db):
    todd = get_user_model().objects.create(username="toddhoff", email="todd@example.org")
    run("import_wxr", EXPORT)

    assert post_at(DIGEST_ADDRESS).author == todd


def test_categories_and_tags_are_tags_and_a_post_format_is_noted(imported, digest):
    assert sorted(digest.tags.names()) == ["Hot Links", "Stuff The Internet Says On Scalability"]
    assert sorted(post_at(GUEST_ADDRESS).tags.names()) == ["Guest Post", "Postgres", "Sharding"]
    assert "its post_format “Aside” is not kept" in imported


def test_a_guest_post_gets_its_byline_and_its_more_split(imported):
    guest = post_at(GUEST_ADDRESS)

    assert guest.byline == "This is a guest post by Jane Doe, CTO of Example."
    assert guest.excerpt.startswith("<p>We ran one Postgres server for six years.")
    assert "this is what it cost us.</p>" in guest.excerpt
    assert guest.body.startswith("<p>The first rule: shard by tenant")
    assert "*Every* query" in guest.body_html


def test_a_hand_written_excerpt_not_in_the_text_is_kept_and_noted(imported):
    post = Post.objects.get(title="Why We Moved Our Queues Off the Cloud")

    assert post.excerpt == "<p>The cloud is great until the invoice arrives.</p>"
    assert post.body.startswith("<p>Our bill for managed queues")
    assert "hand-written excerpt that is not in its text" in imported


def test_a_sponsored_post_becomes_sponsors_and_listings(imported, client):
    post = Post.objects.get(kind=Post.Kind.SPONSORED)

    assert sorted(Sponsor.objects.values_list("name", flat=True)) == ["InMemory.Net", "Varnish"]
    sections = Counter(Listing.objects.values_list("section", flat=True))
    assert sections == {"hiring": 2, "event": 1, "product": 2}
    page = html_to_text(client.get(post.get_absolute_url()).content.decode())
    headings = ["Who's Hiring?", "Fun and Informative Events", "Cool Products and Services"]
    assert sorted(headings, key=page.index) == headings
    assert "who likes *profilers* more" in page  # literal asterisks stay literal


def test_an_export_in_windows_1252_with_loose_entities_is_read(db):
    output = run("import_wxr", WINDOWS)
    post = Post.objects.get()

    assert post.title == "Caching & Queues — What’s Next for “Web Scale”"
    assert "Café" in post.excerpt and "€4,000" in post.excerpt and "&nbsp;It’s" in post.excerpt
    assert list(post.tags.names()) == ["Caching & Co"]
    assert "bare “&” or an HTML entity outside CDATA on line 13" in output
