"""The closing line of an import command says what happened: a re-run that finds every post
as it was says how many are unchanged, never that nothing was imported."""

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

SAMPLE = Path(settings.BASE_DIR) / "digest" / "demo_data" / "archive-2016-02.txt"
FEEDBURNER = Path(__file__).resolve().parent / "fixtures" / "feedburner-old-links.rss"
# The same feed with one more item that cannot be stored (it has no title).
WITH_A_BAD_ITEM = FEEDBURNER.read_text().replace(
    "</channel>",
    "<item><title></title><pubDate>Fri, 11 Mar 2016 16:00:00 +0000</pubDate>"
    "<link>http://highscalability.com/blog/2016/3/11/untitled.html</link>"
    "<description>No title.</description></item>\n</channel>",
)


def run(command, path):
    out = io.StringIO()
    call_command(command, str(path), stdout=out)
    return out.getvalue()


def test_a_feed_imported_again_is_all_unchanged(db):
    first = run("import_feed", FEEDBURNER)
    again = run("import_feed", FEEDBURNER)

    assert "Nothing changed" not in first
    assert "total: 0 created, 0 updated, 2 unchanged, 0 skipped" in again
    assert "Nothing changed: 2 unchanged (imported before)." in again
    assert "Nothing was imported" not in again


def test_a_feed_with_an_item_skipped_again_still_says_how_many_are_unchanged(db, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(WITH_A_BAD_ITEM)
    run("import_feed", feed)

    again = run("import_feed", feed)

    assert "total: 0 created, 0 updated, 2 unchanged, 1 skipped" in again
    assert "skipped item 3" in again
    assert "Nothing changed: 2 unchanged (imported before), 1 skipped." in again
    assert "Nothing was imported" not in again


def test_an_archive_imported_again_is_all_unchanged(db):
    run("import_archive", SAMPLE)

    again = run("import_archive", SAMPLE)

    assert "total: 0 created, 0 updated, 10 unchanged, 0 skipped" in again
    assert "Nothing changed: 10 unchanged (imported before)." in again


def test_a_file_with_nothing_that_can_be_stored_says_nothing_was_imported(db, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        "<item><title></title><pubDate>Fri, 11 Mar 2016 16:00:00 +0000</pubDate>"
        "<description>No title.</description></item></channel></rss>"
    )

    output = run("import_feed", feed)

    assert "total: 0 created, 0 updated, 0 unchanged, 1 skipped" in output
    assert "Nothing was imported." in output
    assert "unchanged (imported before)" not in output
