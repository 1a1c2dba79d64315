"""`manage.py import_wxr`: what comes with a WordPress export besides its posts.

Attachments are copied only from a local folder (`--attachments`), never downloaded:
`fixtures/wxr-uploads/` holds `old-site/rack-diagram.png` (a real PNG, in another folder than
the export's 2016/03/, found by its name) and `not-really.png` (HTML with a script, named .png).
`whiteboard.jpg` is not there, and `varnish-logo.png` is only a sponsored post's featured image.
Comments are kept aside for the comments feature. Fixture: `fixtures/wxr-highscalability.xml`
(see test_import_wxr.py).
"""

import pytest

from digest.models import ImportedComment, Post
from tests.digest.wxr_helpers import DIGEST_ADDRESS, EXPORT, UPLOADS, post_at, run

ORIGINAL = "http://highscalability.com/wp-content/uploads/2016/03/"


def import_wxr(*args):
    return run("import_wxr", *args)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def with_uploads(db):
    return import_wxr(EXPORT, "--attachments", UPLOADS)


# Attachments


def test_a_picture_in_the_folder_is_copied_and_every_reference_points_at_the_copy(
    with_uploads, media
):
    digest = post_at(DIGEST_ADDRESS)
    copy = media / "imported" / "2016" / "03" / "rack-diagram.png"

    assert copy.read_bytes() == (UPLOADS / "old-site" / "rack-diagram.png").read_bytes()
    # The picture (WordPress's 300x200 size of it) and the link to the full size.
    assert digest.excerpt.count('"/media/imported/2016/03/rack-diagram.png"') == 2
    assert ORIGINAL not in digest.excerpt
    assert "attachment: 1 created, 0 updated, 0 unchanged, 3 skipped" in with_uploads


def test_an_attachment_missing_from_the_folder_stays_at_its_address_with_a_note(with_uploads):
    guest = Post.objects.get(title="Sharding Postgres Without Tears")

    assert 'src="https://highscalability.com/wp-content/uploads/2016/03/whiteboard.jpg"' in (
        guest.body
    )
    assert (
        "“Sharding Postgres Without Tears”): “whiteboard.jpg” (attachment, item 14) is not in "
        "the attachments folder; it still points at https://highscalability.com/wp-content/"
        "uploads/2016/03/whiteboard.jpg"
    ) in with_uploads


def test_a_file_that_is_not_what_its_name_says_is_not_copied(with_uploads, media):
    post = Post.objects.get(title="Why We Moved Our Queues Off the Cloud")

    assert f'src="{ORIGINAL}not-really.png"' in post.body
    assert not list(media.rglob("not-really*"))
    assert "the file not-really.png is not a .png file" in with_uploads


def test_a_featured_image_no_post_shows_is_noted(with_uploads):
    assert (
        "item 16 (line 444, “varnish-logo”): is the featured image of item 3, which is not "
        "imported as a lead image; not copied (it stays at "
        f"{ORIGINAL}varnish-logo.png)"
    ) in with_uploads


def test_without_a_folder_nothing_is_copied_and_each_reference_is_noted(db, media):
    output = import_wxr(EXPORT)

    assert not media.exists() or not any(media.rglob("*.png"))
    assert f'src="{ORIGINAL}rack-diagram-300x200.png"' in post_at(DIGEST_ADDRESS).excerpt
    assert output.count("was not copied: no attachments folder was given") == 4


def test_copies_are_made_once_and_a_second_run_finds_them(with_uploads, media):
    output = import_wxr(EXPORT, "--attachments", UPLOADS)

    assert "attachment: 0 created, 0 updated, 1 unchanged, 3 skipped" in output
    assert "digest: 0 created, 0 updated, 1 unchanged" in output
    assert [p.name for p in media.rglob("*.png")] == ["rack-diagram.png"]


def test_a_different_file_under_a_taken_name_gets_a_name_of_its_own_once(with_uploads, media):
    (media / "imported" / "2016" / "03" / "rack-diagram.png").write_bytes(b"\x89PNG\r\n\x1a\nX")

    output = import_wxr(EXPORT, "--attachments", UPLOADS)
    again = import_wxr(EXPORT, "--attachments", UPLOADS)

    assert "digest: 0 created, 1 updated" in output
    assert "digest: 0 created, 0 updated, 1 unchanged" in again
    copies = {p.name for p in media.rglob("rack-diagram*.png")} - {"rack-diagram.png"}
    assert len(copies) == 1
    assert f'"/media/imported/2016/03/{copies.pop()}"' in post_at(DIGEST_ADDRESS).excerpt


# Comments


def test_comments_are_kept_aside_with_their_status_and_replies(with_uploads):
    digest = post_at(DIGEST_ADDRESS)
    comments = {c.source_id: c for c in ImportedComment.objects.filter(post=digest)}

    assert sorted(comments) == ["7001", "7002", "7003", "7004"]
    assert [comments[i].status for i in sorted(comments)] == ["1", "1", "0", "spam"]
    assert comments["7002"].parent_source_id == "7001"
    assert comments["7001"].author_name == "Sam Reader"
    assert (
        comments["7001"].body_html
        == "<p>Is the 200K figure per node?<br>\nOr for the whole cluster?</p>"
    )
    assert "<script" not in comments["7004"].body_html
    assert comments["7004"].posted_at.isoformat() == "2016-04-03T03:59:59+00:00"


def test_comments_of_posts_not_imported_are_not_kept(with_uploads):
    assert ImportedComment.objects.count() == 4
    assert not ImportedComment.objects.filter(source_id="7101").exists()


def test_comments_are_kept_once_and_follow_the_export(with_uploads, tmp_path):
    export = tmp_path / "later.xml"
    later = EXPORT.read_text().replace(
        "<wp:comment_approved><![CDATA[0]]></wp:comment_approved>",
        "<wp:comment_approved><![CDATA[1]]></wp:comment_approved>",
    )
    export.write_text(later)

    import_wxr(export)

    assert ImportedComment.objects.count() == 4
    assert ImportedComment.objects.get(source_id="7003").status == "1"
