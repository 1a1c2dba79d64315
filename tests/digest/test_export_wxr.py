"""`export_archive --format wxr`: a WordPress export that import_wxr reads back exactly.

The round trip: import `fixtures/wxr-highscalability.xml` (see test_import_wxr.py) → export as
WXR → import into an emptied database gives the same posts, dates, addresses, texts, parts,
links, anchors and comments. The HTML alone (without Scalepress's `_scalepress_post` record) is
the readable digest other tools get, and reads back into the same parts.
"""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from taggit.models import Tag

from digest.importers.wxr_format import read_wxr
from digest.models import ImportedComment, Item, Post, Quote, Stat
from digest.models.parts import PART_CONTENT
from sponsors.models import Listing, Sponsor
from tests.digest.factories import PostFactory, digest_with_parts
from tests.digest.wxr_helpers import EXPORT, UPLOADS
from tests.digest.wxr_helpers import run as command

RECORD_RE = re.compile(
    r"<wp:postmeta>\s*<wp:meta_key>_scalepress_post</wp:meta_key>.*?</wp:postmeta>", re.S
)
POST_FIELDS = (
    "title", "slug", "kind", "status", "publish_at", "text_format", "excerpt", "body", "byline",
    "support_html", "more_quotes_marker", "import_ref", "legacy_id", "date_is_guessed",
    "excerpt_only", "excerpt_html", "body_html", "parts_full_html",
)  # fmt: skip


def export(tmp_path, *args):
    path = tmp_path / "export.xml"
    command("export_archive", "--format", "wxr", "-o", path, *args)
    return path


def parts(post, model):
    fields = ("anchor", *PART_CONTENT[model], "on_index")
    return [tuple(getattr(p, f) for f in fields) for p in model.objects.filter(post=post)]


def snapshot():
    """Everything readers and editors see of the published posts, by address."""
    found = {}
    for post in Post.objects.published().select_related("author"):
        found[post.get_absolute_url()] = {
            **{name: getattr(post, name) for name in POST_FIELDS},
            # Accounts are matched by name: an empty database gets guests named alike.
            "author": post.author.display_name,
            "tags": sorted(post.tags.names()),
            "stats": parts(post, Stat),
            "quotes": parts(post, Quote),
            "items": parts(post, Item),
            # Commenters' e-mail addresses are not exported (test_commenters_e_mail_…).
            "comments": sorted(
                post.imported_comments.values_list(
                    "source_id",
                    "parent_source_id",
                    "author_name",
                    "author_url",
                    "posted_at",
                    "body_html",
                    "status",
                    "kind",
                )
            ),  # fmt: skip
        }
    return found


def differences(before, after):
    """(address, field, before, after) of every value that differs; [] when none."""
    found = [(address, "missing", None, None) for address in before.keys() - after.keys()]
    found += [(address, "extra", None, None) for address in after.keys() - before.keys()]
    for address in sorted(before.keys() & after.keys()):
        for name, value in before[address].items():
            if after[address][name] != value:
                found.append((address, name, value, after[address][name]))
    return found


def empty_database():
    Post.objects.all().delete()
    Listing.objects.all().delete()
    Sponsor.objects.all().delete()
    Tag.objects.all().delete()
    get_user_model().objects.all().delete()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def imported(db):
    command("import_wxr", EXPORT, "--attachments", UPLOADS)


def test_the_archive_text_stays_the_default_format(imported):
    output = command("export_archive")

    assert output.startswith("Stuff The Internet Says On Scalability For April 1st, 2016\n")


def test_the_export_is_a_wordpress_export_of_the_published_posts(imported, tmp_path):
    document = read_wxr(export(tmp_path).read_bytes())

    assert document.problems == []
    assert document.wxr_version == "1.2"
    assert {item.title for item in document.items} == set(
        Post.objects.published().values_list("title", flat=True)
    )
    assert {(i.post_type, i.status) for i in document.items} == {("post", "publish")}
    assert document.authors == {"jane-doe": "Jane Doe", "todd-hoff": "Todd Hoff"}
    digest = next(i for i in document.items if i.title.startswith("Stuff"))
    assert digest.tags == ["Hot Links", "Stuff The Internet Says On Scalability"]
    assert digest.link == (
        "http://127.0.0.1:8000/blog/2016/4/1/"
        "stuff-the-internet-says-on-scalability-for-april-1st-2016.html"
    )
    assert [c.id for c in digest.comments] == ["7001", "7002", "7003", "7004"]


def test_round_trip_into_an_empty_database_gives_the_same_posts(imported, tmp_path):
    before, listings = snapshot(), sorted(Listing.objects.values_list("section", "text"))
    path = export(tmp_path)
    empty_database()

    output = command("import_wxr", path)

    assert "total: 5 created, 0 updated, 0 unchanged, 0 skipped" in output
    assert differences(before, snapshot()) == []
    assert sorted(Listing.objects.values_list("section", "text")) == listings
    assert ImportedComment.objects.count() == 4


def test_commenters_e_mail_addresses_are_left_out_and_the_file_still_reads(imported, tmp_path):
    emails = set(ImportedComment.objects.values_list("author_email", flat=True)) - {""}
    assert len(emails) >= 3  # the fixture's commenters gave theirs
    before = sorted(ImportedComment.objects.values_list("source_id", "author_name", "body_html"))

    path = export(tmp_path)
    text = path.read_text()

    assert not [email for email in emails if email in text]
    assert set(re.findall(r"<wp:comment_author_email>(.*?)</", text)) == {""}
    document = read_wxr(path.read_bytes())
    assert document.problems == []
    assert sum(len(item.comments) for item in document.items) == 4
    empty_database()
    command("import_wxr", path)
    assert set(ImportedComment.objects.values_list("author_email", flat=True)) == {""}
    after = sorted(ImportedComment.objects.values_list("source_id", "author_name", "body_html"))
    assert after == before


def test_anchors_given_after_edits_survive_the_round_trip(imported, tmp_path):
    digest = Post.objects.get(kind=Post.Kind.DIGEST)
    digest.quotes.get(anchor=2).delete()
    digest.quotes.update(position=F("position") + 1)
    Quote.objects.create(post=digest, position=0, speaker="@werner", text="Everything fails.")
    before = parts(digest, Quote)
    assert [anchor for anchor, *_ in before] == [9, 1, 3, 4, 5, 6, 7, 8]
    path = export(tmp_path)
    empty_database()

    command("import_wxr", path)

    assert parts(Post.objects.get(kind=Post.Kind.DIGEST), Quote) == before


def test_a_digest_written_in_the_admin_comes_back_exactly(db, tmp_path):
    moment = datetime(2016, 2, 19, 17, 4, 5, 123456, tzinfo=UTC)
    digest = digest_with_parts(
        stats=[("200K", "msgs send per second through *iMessage*"), ("9", "below the fold")],
        quotes=[("@antirez", "Keep it **simple**.", True), ("", "No speaker here.", False)],
        items=[("[A link](https://example.com/a) about InMemory.Net.", True)],
        title="Stuff The Internet Says On Scalability For February 19th, 2016",
        publish_at=moment,
        excerpt="An intro in *Markdown*.",
        body="",
        tags=["hot links"],
    )
    digest.stats.filter(figure="9").update(on_index=False)  # the stats' fold above it
    digest.refresh_parts()
    PostFactory(title="An Article & <Friends>", byline="This is a guest post by *Kim*.")
    before = snapshot()
    path = export(tmp_path)
    empty_database()

    command("import_wxr", path)

    # Written in the admin, they had no natural key; imported, their address is it.
    assert [(field, after) for _, field, _, after in differences(before, snapshot())] == [
        ("import_ref", f"url:{address}") for address in sorted(before)
    ]
    assert Post.objects.get(kind=Post.Kind.DIGEST).publish_at == moment


def test_the_html_alone_reads_back_into_the_same_parts_and_links(imported, tmp_path):
    before = snapshot()
    path = export(tmp_path)
    path.write_text(RECORD_RE.sub("", path.read_text()))
    empty_database()

    command("import_wxr", path)

    after = snapshot()
    assert after.keys() == before.keys()
    for address, post in before.items():
        for field in ("title", "publish_at", "kind", "tags", "stats", "quotes", "items"):
            assert after[address][field] == post[field], (address, field)
        assert after[address]["more_quotes_marker"] == post["more_quotes_marker"]


def test_a_second_import_of_an_export_changes_no_part_row(imported, tmp_path):
    rows = sorted(Quote.objects.values_list("pk", "anchor", "text"))
    path = export(tmp_path)

    command("import_wxr", path)
    output = command("import_wxr", path)

    assert "total: 0 created, 0 updated, 5 unchanged" in output
    assert sorted(Quote.objects.values_list("pk", "anchor", "text")) == rows


def test_a_cdata_end_marker_and_markup_in_titles_are_written_safely(db, tmp_path):
    PostFactory(
        title="Why ]]> & &amp; <b> Break Exporters",
        excerpt="A CDATA section ends at `]]>`; a title may hold &amp; as text.",
    )
    before = snapshot()
    path = export(tmp_path)
    empty_database()

    command("import_wxr", path)

    assert [field for _, field, _, _ in differences(before, snapshot())] == ["import_ref"]


def test_drafts_and_scheduled_posts_are_not_exported(imported, tmp_path):
    titles = {item.title for item in read_wxr(export(tmp_path).read_bytes()).items}

    assert "Notes on Consistent Hashing for the Next Article" not in titles
    assert "Coming Soon: The Architecture of a Queue That Never Loses a Message" not in titles
    assert len(titles) == Post.objects.published().count() == 5


def test_an_unreadable_record_is_reported_and_the_html_is_read(imported, tmp_path):
    path = export(tmp_path)
    text = path.read_text()
    path.write_text(
        text.replace('"figure_url": "https://example.org/imessage"', '"figure_url": "javascript:x"')
    )
    empty_database()

    output = command("import_wxr", path)

    assert (
        "its _scalepress_post record has stats 1's figure_url that is not a web address; "
        "its HTML is read instead"
    ) in output
    stat = Stat.objects.get(anchor=1)
    assert (stat.figure, stat.figure_url) == ("200K", "https://example.org/imessage")
