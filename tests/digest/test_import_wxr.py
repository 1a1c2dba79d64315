"""`manage.py import_wxr`: a WordPress/Squarespace export becomes the posts readers open.

Fixtures (tests/digest/fixtures/), written by hand from the WXR 1.2 format:
- `wxr-highscalability.xml`: a digest with every trouble of real weeks (linked figures, a stat
  without a colon, "~" and no-break-space separators, speakerless quotes, a phrase before a colon,
  a quote linked on its text, a free-form closing teaser, literal *asterisks*, InMemory.Net, a
  paragraph between the lists, an intro picture with a caption, a YouTube iframe, a CDATA end
  marker, four comments), a plain-text guest post with <!--more-->, a sponsored post, a draft, a
  scheduled post, a trashed one, a page, a menu item, an untitled post, a private one, one with a
  hand-written excerpt, one with WordPress's zero GMT date and a post format, four attachments.
- `wxr-companion.rss`: the old FeedBurner feed of two of those posts (the digest in full, the
  guest post as an excerpt only).
- `wxr-windows-1252.xml`: a WXR 1.1 file in Windows-1252 with bare "&" and HTML entities.
Posts, statuses, dates and addresses are in test_import_wxr_posts.py; attachments and comments
in test_import_wxr_files.py.
"""

from collections import Counter

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digest.importers.wxr import import_wxr as import_wxr_data
from digest.markdown import html_to_text
from digest.models import Post
from tests.digest.wxr_helpers import (
    DIGEST_ADDRESS,
    EXPORT,
    FEED,
    GUEST_ADDRESS,
    UPLOADS,
    part_rows,
    post_at,
    run,
)

DIGEST_ITEM = "item 1 (line 26, “Stuff The Internet Says On Scalability For April …”)"


def words(text):
    """The words of a text, without the separators that parts store apart ("200K: msgs")."""
    return Counter(w.strip(":;~") for w in text.split() if w.strip(":;~"))


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


# What cannot be imported


def test_a_feed_is_not_a_wordpress_export_and_nothing_is_written(db):
    output = run("import_wxr", FEED)

    assert "is an RSS feed, not a WordPress export" in output
    assert "file: 0 created, 0 updated, 0 unchanged, 1 skipped" in output
    assert Post.objects.count() == 0


def test_a_missing_file_or_attachments_folder_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        run("import_wxr", tmp_path / "missing.xml")
    with pytest.raises(CommandError, match="is not a folder"):
        run("import_wxr", EXPORT, "--attachments", tmp_path / "missing")


def test_only_the_untitled_post_is_refused_and_the_report_says_why(imported):
    assert "item 9 (line 318): has no title, so it cannot be stored: not imported" in imported
    assert not Post.objects.filter(legacy_id="21910009").exists()


def test_trash_and_menus_are_not_imported_and_each_is_named(imported):
    assert "item 6 (line 251, “An Old Post Nobody Wanted”): is in WordPress's trash" in imported
    assert "item 8 (line 300, “Archive”): is a WordPress nav_menu_item: not a post" in imported
    assert "nav_menu_item: 0 created, 0 updated, 0 unchanged, 1 skipped" in imported
    assert not Post.objects.filter(title__in=["An Old Post Nobody Wanted", "Archive"]).exists()


# A digest, losslessly


def test_the_digest_is_read_into_its_parts(imported, digest):
    assert "digest: 1 created" in imported
    assert digest.kind == Post.Kind.DIGEST
    assert (digest.stats.count(), digest.quotes.count(), digest.items.count()) == (6, 8, 4)
    assert digest.more_quotes_marker  # the free-form teaser says more quotes follow


def test_stat_figures_keep_their_links(digest):
    stats = [(s.figure, s.figure_url, html_to_text(s.label)) for s in digest.stats.all()]

    assert stats == [
        ("200K", "https://example.org/imessage", "msgs send per second through iMessage"),
        ("750 million", "https://example.org/visa", "xactions per week on Visa"),
        ("8,000 X", "https://example.org/gpus", "faster with GPUs"),
        ("1 day", "https://example.org/retention", "log retention at most startups"),
        ("", "", "way too many JavaScript frameworks"),
        ("2 trillion", "https://example.org/s3", "objects in S3"),
    ]


def test_quotes_keep_their_source_links_where_the_original_had_them(digest):
    linked = [(q.speaker, q.source_url, q.source_on) for q in digest.quotes.all() if q.source_url]

    assert linked == [
        ("@antirez", "https://twitter.com/antirez/status/1", "speaker"),
        ("@mjpt777", "https://twitter.com/mjpt777/status/2", "speaker"),
        ("@mipsytipsy", "https://twitter.com/mipsytipsy/status/3", "text"),
        ("Mark Callaghan", "https://twitter.com/mcallaghan/status/4", "speaker"),
    ]


def test_tilde_no_break_spaces_and_attributions_separate_speakers(digest):
    speakers = [(q.speaker, q.speaker_key) for q in digest.quotes.all()]

    assert speakers[1] == ("@mjpt777", "mjpt777")
    assert speakers[2] == ("Joseph Bradley", "joseph-bradley")
    assert speakers[5] == ("Rob Joyce (NSA)", "rob-joyce")


def test_a_headline_and_a_phrase_before_a_colon_are_quotes_without_a_speaker(digest):
    speakerless = [html_to_text(q.text) for q in digest.quotes.all() if not q.speaker]

    assert speakerless == [
        "Data centers now burn two percent of the world's electricity and nobody noticed.",
        "The best thing about working at Facebook: every problem arrives at a scale nobody "
        "has solved before.",
    ]


def test_the_intro_keeps_its_picture_caption_video_and_own_support_paragraph(digest):
    assert "rack-diagram-300x200.png" in digest.excerpt
    assert "<em>Hey, it's HighScalability time." in digest.excerpt
    assert 'href="https://example.org/gpu-farm"' in digest.excerpt
    assert "youtube-nocookie.com/embed/K2fSpzqRQ9A" in digest.excerpt_html
    assert 'href="https://www.patreon.com/toddhoff"' in digest.support_html


def test_text_is_kept_as_written_never_read_as_markdown(digest):
    items = [item.text_html for item in digest.items.all()]
    quote = digest.quotes.get(speaker="@antirez")

    assert "served *fast*." in quote.text_html
    assert "*literal* asterisks, snake_case_names and InMemory.Net." in items[2]
    assert "<code>]]&gt;</code>" in items[1]  # the CDATA end marker, split in the file
    assert "InMemory.Net</a>" not in items[2] + quote.text_html


def test_anchors_are_given_in_order(digest):
    assert [s.anchor for s in digest.stats.all()] == [1, 2, 3, 4, 5, 6]
    assert [q.anchor for q in digest.quotes.all()] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [i.anchor for i in digest.items.all()] == [1, 2, 3, 4]


def test_every_word_of_the_digest_is_kept(digest):
    source = words(
        html_to_text(
            EXPORT.read_text()
            .split("<content:encoded><![CDATA[", 1)[1]
            .split("]]></content:encoded>", 1)[0]
            .replace("]]]]><![CDATA[>", "]]>")
        )
    )
    stored = words(
        " ".join(
            [html_to_text(digest.excerpt_html), html_to_text(digest.support_html)]
            + [f"{s.figure} : {html_to_text(s.label_html)}" for s in digest.stats.all()]
            + [f"{q.speaker} : {html_to_text(q.text_html)}" for q in digest.quotes.all()]
            + [html_to_text(i.text_html) for i in digest.items.all()]
        )
    )
    # What is not content: the closing boilerplate, the quotes' heading and the teaser, which
    # became the "more quotes" marker (the report names it).
    boilerplate = words(
        "Quotable Quotes: Don't miss all the Quotable Quotes, there are many more in the full "
        "post... Don't miss all that the Internet has to say on Scalability, click below and "
        "become eventually consistent with all scalability knowledge (which means this post "
        "has many more items to read so please keep on reading)..."
    )
    assert source - boilerplate - stored == Counter()


def test_the_report_names_each_line_kept_as_text(imported):
    notes = [line for line in imported.splitlines() if DIGEST_ITEM in line and " as " in line]

    assert len(notes) == 5
    assert "“way too many JavaScript frameworks” kept as text in the stats line" in notes[0]
    assert "kept as a quote with no speaker: no “speaker : text” separator" in notes[1]
    assert "“The best thing about working at Facebook” is not a name" in notes[2]
    assert "read as the “more Quotable Quotes” line" in notes[3]
    assert "“A paragraph the editor left between the lists.” kept as an item" in notes[4]
    assert "lines: 29 kept structured, 6 kept as text" in imported


# Running again, dry runs, and the other importers


def test_a_second_run_changes_nothing_and_touches_no_part_row(imported):
    before = part_rows()
    with CaptureQueriesContext(connection) as queries:
        output = run("import_wxr", EXPORT)

    assert "total: 0 created, 0 updated, 9 unchanged, 7 skipped" in output
    assert "Nothing changed: 9 unchanged" in output
    assert part_rows() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert not [sql for sql in writes if "digest_stat" in sql or "digest_quote" in sql]
    assert not [sql for sql in writes if "digest_item" in sql or "digest_post" in sql]
    assert not [sql for sql in writes if "digest_importedcomment" in sql]


def test_a_dry_run_writes_nothing(db, media):
    output = run("import_wxr", EXPORT, "--dry-run", "--attachments", UPLOADS)

    assert "Dry run: nothing was written." in output
    assert "digest: 1 created" in output
    assert Post.objects.count() == 0
    assert not media.exists() or not any(media.rglob("*.png"))


def test_wxr_fills_in_a_post_an_excerpt_only_feed_created(db):
    run("import_feed", FEED)
    guest = post_at(GUEST_ADDRESS)
    assert guest.excerpt_only and not guest.body

    run("import_wxr", EXPORT)

    guest.refresh_from_db()
    assert not guest.excerpt_only
    assert guest.body.startswith("<p>The first rule")
    assert Post.objects.filter(title="Sharding Postgres Without Tears").count() == 1


def test_the_feed_and_the_export_make_the_very_same_digest(db):
    run("import_feed", FEED)
    rows = part_rows()

    output = run("import_wxr", EXPORT)

    assert "digest: 0 created, 0 updated, 1 unchanged" in output
    assert part_rows() == rows
    assert Post.objects.filter(kind=Post.Kind.DIGEST).count() == 1


def test_a_feed_after_the_export_never_replaces_the_full_text(db):
    import_wxr_data(EXPORT.read_bytes())
    body = post_at(GUEST_ADDRESS).body

    output = run("import_feed", FEED)

    assert "digest: 0 created, 0 updated, 1 unchanged" in output
    guest = post_at(GUEST_ADDRESS)
    assert guest.body == body and not guest.excerpt_only
