"""The way back and the old addresses.

`export_archive` writes posts in the archive text format, what readers see of them; importing
that text again gives the same digest, with the same text (links and emphasis need the WXR
export, see test_export_wxr.py). `check_legacy_urls` tells, for each address of the original
site, whether it still leads to its post (200, or a 301 to the right post).
"""

import io
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from digest.markdown import html_to_text as text_of
from digest.models import Post, digest_title
from tests.digest.factories import PostFactory, digest_with_parts

SAMPLE = Path(settings.BASE_DIR) / "digest" / "demo_data" / "archive-2016-02.txt"
FEEDBURNER = Path(__file__).resolve().parent / "fixtures" / "feedburner.rss"
OLD_HOST = "https://highscalability.com"
MARCH_11 = timezone.make_aware(datetime(2016, 3, 11, 16, 0))

STATS = [
    ("200K", "msgs send per second through **iMessage**"),
    ("1.125Tpbs", "fastest ever [data transmission](https://www.ucl.ac.uk/news/2016/feb)"),
    ("$1bn", "Uber’s yearly cost for market share in *China*"),
]
QUOTES = [
    ("@antirez", "@Nick_Craver I’ve always this *nice* feeling that you manage to run a site."),
    (
        "@just_security",
        "Comey[FBI]: until these devices[smart phones], there was no closet, no room, no "
        "basement in America where we couldn't get in.",
    ),
    ("Emin Gün Sirer", "Bitcoin provides an incredibly strong `consistency` guarantee."),
]
ITEMS = [
    "[How Uber Engineering Evaluated JSON Encoding](https://eng.uber.com/trip-data-squeeze/). "
    "They tested a whole bunch of compression approaches: **MessagePack with zlib** won.",
    "That feeling when you try to show your Grandma how to use the TV remote. _Funny_ and sad.",
    "If you are IBM and your insatiable demon child needs feeding, you buy companies for data.",
]


def run(command, *args):
    out = io.StringIO()
    call_command(command, *map(str, args), stdout=out)
    return out.getvalue()


def parts(post):
    """What readers see of the digest's parts."""
    return (
        [(stat.figure, text_of(stat.label_html)) for stat in post.stats.all()],
        [(quote.speaker, text_of(quote.text_html)) for quote in post.quotes.all()],
        [text_of(item.text_html) for item in post.items.all()],
    )


def export_delete_and_import(tmp_path):
    exported = tmp_path / "export.txt"
    assert "Wrote" in run("export_archive", "-o", exported)
    Post.objects.all().delete()
    output = run("import_archive", exported)
    assert "skipped" not in output.replace("0 skipped", ""), output
    assert "note:" not in output, output
    return output


# Round trip


def test_a_digest_exported_and_imported_again_has_the_same_structure(client, db, tmp_path):
    original = digest_with_parts(
        title=digest_title(MARCH_11.date()),
        publish_at=MARCH_11,
        excerpt="JPL is firing up their *Exoplanet Travel Bureau*. Reserve your space now.",
        stats=STATS,
        quotes=[(speaker, text, True) for speaker, text in QUOTES],
        items=[(text, True) for text in ITEMS],
    )
    before = parts(original)
    readers_saw = original.parts_text

    output = export_delete_and_import(tmp_path)

    assert "digest: 1 created" in output
    post = Post.objects.get()
    assert post.kind == Post.Kind.DIGEST
    assert post.title == original.title
    assert timezone.localtime(post.publish_at).date() == MARCH_11.date()
    assert post.get_absolute_url() == original.get_absolute_url()
    assert text_of(post.excerpt_html) == text_of(original.excerpt_html)
    assert parts(post) == before
    assert [stat[0] for stat in parts(post)[0]] == [stat[0] for stat in STATS]
    assert [quote[0] for quote in parts(post)[1]] == [quote[0] for quote in QUOTES]
    assert post.parts_text == readers_saw
    assert [q.anchor for q in post.quotes.all()] == [1, 2, 3]
    html = client.get(post.get_absolute_url()).content.decode()
    assert "MessagePack with zlib won" in text_of(html)
    assert "*" not in post.parts_text


def test_the_more_quotes_marker_survives_the_round_trip(client, db, tmp_path):
    digest_with_parts(
        title=digest_title(MARCH_11.date()),
        publish_at=MARCH_11,
        stats=STATS,
        quotes=[(speaker, text, True) for speaker, text in QUOTES],
        items=[(ITEMS[0], True)],
        more_quotes_marker=True,
    )

    export_delete_and_import(tmp_path)

    post = Post.objects.get()
    assert post.more_quotes_marker is True
    assert post.quotes.count() == 3
    index = client.get(reverse("digest:post-index")).content.decode()
    assert index.count("There are more Quotable Quotes in the full article.") == 1


def test_a_guest_post_exported_and_imported_again_keeps_its_byline_and_excerpt(db, tmp_path):
    digest_with_parts(title=digest_title(MARCH_11.date()), publish_at=MARCH_11, stats=STATS[:1])
    PostFactory(
        title="A Journey Through How Zapier Automates Billions of Workflow Automation Tasks",
        publish_at=timezone.make_aware(datetime(2016, 3, 10, 9, 0)),
        byline="This is a guest repost by Bryan Helmig, Co-founder & CTO at Zapier.",
        excerpt="Zapier is a web service that automates *data flow*.\n\n"
        "- The frontend team.\n- The devops team.",
    )

    output = export_delete_and_import(tmp_path)

    assert "article: 1 created" in output
    post = Post.objects.get(kind=Post.Kind.ARTICLE)
    assert text_of(post.byline_html) == (
        "This is a guest repost by Bryan Helmig, Co-founder & CTO at Zapier."
    )
    assert post.author.name == "Bryan Helmig"
    assert "<p>Zapier is a web service that automates data flow.</p>" in post.excerpt_html
    assert "<li>The devops team.</li>" in post.excerpt_html


def test_a_digest_without_stats_whose_first_item_has_a_colon_and_a_semicolon_round_trips(
    db, tmp_path
):
    items = [
        "[Just Landed is Shutting Down](https://blog.example.com/): the cost grew every year; "
        "free data became expensive.",
        "Relying on APIs is like building bridges out of materials that change.",
    ]
    digest_with_parts(
        title=digest_title(MARCH_11.date()),
        publish_at=MARCH_11,
        items=[(text, True) for text in items],
    )

    export_delete_and_import(tmp_path)

    assert parts(Post.objects.get()) == (
        [],
        [],
        [
            "Just Landed is Shutting Down: the cost grew every year; free data became expensive.",
            "Relying on APIs is like building bridges out of materials that change.",
        ],
    )


# Old addresses


def old_addresses(posts):
    return [OLD_HOST + post.get_absolute_url() for post in posts]


@pytest.fixture
def sample(db):
    run("import_archive", SAMPLE)
    return list(Post.objects.all())


def test_an_unknown_old_address_is_reported_bad_and_fails_the_command(sample, tmp_path):
    unknown = OLD_HOST + reverse(
        "digest:post-detail",
        kwargs={"year": 2016, "month": 2, "day": 19, "slug": "no-such-post-on-the-old-site"},
    )
    listing = tmp_path / "old-urls.txt"
    listing.write_text("\n".join([*old_addresses(sample), unknown]) + "\n")
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 address"):
        call_command("check_legacy_urls", str(listing), stdout=out)

    bad = [line for line in out.getvalue().splitlines() if line.startswith("BAD")]
    assert bad == [f"BAD {unknown}  answers 404"]
    assert "10 of 11 addresses work." in out.getvalue()


def test_a_file_without_addresses_is_a_command_error(db, tmp_path):
    listing = tmp_path / "old-urls.txt"
    listing.write_text("# nothing yet\n\n")

    with pytest.raises(CommandError, match="holds no URL"):
        call_command("check_legacy_urls", str(listing), stdout=io.StringIO())


def test_every_entry_of_the_sample_answers_at_its_original_address(sample, tmp_path):
    listing = tmp_path / "old-urls.txt"
    listing.write_text(
        "# The original site's addresses of the February 2016 archive page\n\n"
        + "\n".join(old_addresses(sample))
        + "\n"
    )

    output = run("check_legacy_urls", listing)

    assert "10 of 10 addresses work." in output
    assert "BAD" not in output
    assert (
        f"ok  {OLD_HOST}/blog/2016/2/19/"
        "stuff-the-internet-says-on-scalability-for-february-19th-201.html  answers 200"
    ) in output
    assert sum(1 for line in output.splitlines() if line.endswith("answers 200")) == 10


def test_a_zero_padded_old_address_is_ok_through_a_permanent_redirect(sample, tmp_path):
    feb_19 = Post.objects.get(
        title="Stuff The Internet Says On Scalability For February 19th, 2016"
    )
    padded = OLD_HOST + reverse(
        "digest:post-detail",
        kwargs={"year": 2016, "month": "02", "day": "19", "slug": feb_19.slug},
    )
    assert "/2016/02/19/" in padded
    listing = tmp_path / "old-urls.txt"
    listing.write_text(padded + "\n")

    output = run("check_legacy_urls", listing)

    assert f"ok  {padded}  301 to {feb_19.get_absolute_url()}" in output
    assert "1 of 1 addresses work." in output


def test_the_links_of_a_feed_are_checked_after_importing_it(db):
    run("import_feed", FEEDBURNER)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 address"):
        call_command("check_legacy_urls", str(FEEDBURNER), stdout=out)

    lines = out.getvalue().splitlines()
    assert sum(1 for line in lines if line.startswith("ok ")) == 4
    assert [line for line in lines if line.startswith("BAD")] == [
        "BAD https://engineering.example.org/2016/03/08/why-we-moved-our-queues-off-the-cloud/  "
        "answers 404: no page has this shape"
    ]
