"""`manage.py import_archive`: archive pages saved as text become the posts readers open.

The reference is the original site's archive page saved as text,
digest/demo_data/archive-2016-02.txt (DESIGN.md, "The archive text format"): 3 digests,
6 articles (2 of them guest posts) and one sponsored post. Every count below was taken from the
sample by hand, not from the importer. Damaged files are fixtures made of pieces of the sample
(tests/digest/fixtures/).
"""

import io
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from digest.markdown import html_to_text as text_of
from digest.markdown import render_markdown
from digest.models import Item, Post, Quote, Stat
from sponsors.models import Listing, ListingWeek, Sponsor, week_of

SAMPLE = Path(settings.BASE_DIR) / "digest" / "demo_data" / "archive-2016-02.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DAMAGED = FIXTURES / "archive-damaged.txt"
UNDATED = FIXTURES / "archive-undated-articles.txt"
EMPTY_SECTION = FIXTURES / "archive-sponsored-empty-section.txt"

FEB_19 = "Stuff The Internet Says On Scalability For February 19th, 2016"
MAR_4 = "Stuff The Internet Says On Scalability For March 4th, 2016"
FEB_26 = "Stuff The Internet Says On Scalability For February 26th, 2016"
ASYNCIO = "Asyncio Tarantool Queue, get in the queue"
MALICE = "Malice or Stupidity or Inattention? Using Code Reviews to Find Backdoors"
SPONSORED = (
    "Sponsored Post: zanox Group, Varnish, LaunchDarkly, Swrve, Netflix, Aerospike, "
    "TrueSight Pulse, Redis Labs, InMemory.Net, VividCortex, MemSQL, Scalyr, AiScaler, "
    "AppDynamics, ManageEngine, Site24x7"
)
ZAPIER = "A Journey Through How Zapier Automates Billions of Workflow Automation Tasks"
AQP = "When Should Approximate Query Processing Be Used?"
GOOGLE = (
    "Google's Transition from Single Datacenter, to Failover, to a Native Multihomed Architecture"
)
NGINX = "Building nginx and Tarantool based services"
FILE_ORDER = [FEB_19, MAR_4, ASYNCIO, MALICE, SPONSORED, ZAPIER, FEB_26, AQP, GOOGLE, NGINX]

SUPPORT_BLURB = "If you like this sort of Stuff then please consider offering your support"
CLOSING_LINE = "Don't miss all that the Internet has to say on Scalability"
MORE_QUOTES = "There are more Quotable Quotes in the full article."


def import_archive(*args):
    """Run the command as an operator would; its report is what they read."""
    out = io.StringIO()
    call_command("import_archive", *map(str, args), stdout=out)
    return out.getvalue()


def line_of(path, text):
    """The 1-based number of the first line of `path` that contains `text`.

    Spaces are compared collapsed: the sample's titles have non-breaking ones ("19th,\xa02016").
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    wanted = " ".join(text.split())
    return next(n for n, line in enumerate(lines, start=1) if wanted in " ".join(line.split()))


def report_lines_about(output, line_number):
    return [line for line in output.splitlines() if re.search(rf"\bline {line_number}\b", line)]


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Post, Stat, Quote, Item, Sponsor, Listing, ListingWeek, get_user_model())
    }


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def sample(db):
    """The sample imported; the command's report."""
    return import_archive(SAMPLE)


# Damaged files: odd lines are kept as the nearest kind and noted by line; nothing is lost


def test_a_quote_line_without_a_speaker_is_kept_as_a_speakerless_quote_and_noted(db):
    output = import_archive(DAMAGED)

    quote_line = line_of(DAMAGED, "• just some words")
    reported = report_lines_about(output, quote_line)
    assert len(reported) == 1
    assert "kept as a quote with no speaker" in reported[0]
    assert f"line {line_of(DAMAGED, FEB_26)}" in reported[0]  # and which entry it belongs to
    feb_26 = Post.objects.get(title=FEB_26)
    speakers = list(feb_26.quotes.values_list("speaker", flat=True))
    assert speakers[0] == "sharemywin"
    kept = feb_26.quotes.get(speaker="")
    assert "just some words" in text_of(kept.text_html)
    assert speakers.index("") == [q.pk for q in feb_26.quotes.all()].index(kept.pk)


def test_an_unknown_sponsor_section_is_kept_as_text_of_the_sponsored_post_and_noted(client, db):
    output = import_archive(DAMAGED)

    reported = report_lines_about(output, line_of(DAMAGED, "Weird Section"))
    assert len(reported) == 1
    assert "not a known section" in reported[0]
    post = Post.objects.get(kind=Post.Kind.SPONSORED)
    assert "Weird Section" in page(client, post.get_absolute_url())
    assert Sponsor.objects.exists()


def test_an_entry_cut_off_by_the_end_of_the_file_is_imported_as_far_as_it_goes(db):
    output = import_archive(DAMAGED)

    reported = report_lines_about(output, line_of(DAMAGED, NGINX))
    assert len(reported) == 1
    assert "ends inside this entry" in reported[0]
    assert "Are you familiar with this architecture?" in text_of(
        Post.objects.get(title=NGINX).excerpt_html
    )


def test_every_entry_of_a_damaged_file_is_imported(client, db):
    output = import_archive(DAMAGED)

    assert "total: 6 created, 0 updated, 0 unchanged, 0 skipped" in output
    assert set(Post.objects.values_list("title", flat=True)) >= {MAR_4, ASYNCIO, FEB_19, FEB_26}
    mar_4 = Post.objects.get(title=MAR_4)
    assert [quote.speaker for quote in mar_4.quotes.all()] == [
        "@jzawodn",
        "@just_security",
        "@jaykreps",
    ]
    assert text_of(mar_4.quotes.get(speaker="@just_security").text_html).startswith(
        "Comey[FBI]: until"
    )
    assert mar_4.stats.count() == 4
    assert mar_4.items.count() == 3
    for post in Post.objects.all():
        assert post.title in page(client, post.get_absolute_url())


def test_a_file_with_no_dates_is_imported_with_guessed_dates_and_says_so(db):
    output = import_archive(UNDATED)

    assert "article: 2 created, 0 updated, 0 unchanged, 0 skipped" in output
    assert "no entry has a date" in output
    assert "give --date" in output
    assert Post.objects.filter(date_is_guessed=True).count() == 2
    malice, google = Post.objects.get(title=MALICE), Post.objects.get(title=GOOGLE)
    assert malice.publish_at > google.publish_at  # the file's order, newest first


def test_an_address_list_gives_undated_entries_their_real_dates(db, tmp_path):
    urls = tmp_path / "addresses.txt"
    urls.write_text(
        "# the old site's addresses\n"
        "http://highscalability.com/blog/2016/3/9/"
        "malice-or-stupidity-or-inattention-using-code-reviews-to-fin.html\n",
        encoding="utf-8",
    )

    import_archive(UNDATED, "--urls", urls)

    malice = Post.objects.get(title=MALICE)
    assert timezone.localtime(malice.publish_at).date() == date(2016, 3, 9)
    assert not malice.date_is_guessed
    assert Post.objects.get(title=GOOGLE).date_is_guessed


def test_a_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        import_archive(tmp_path / "no-such-archive.txt")


def test_a_dry_run_writes_nothing_but_reports_what_it_would_do(db):
    before = row_counts()

    output = import_archive(SAMPLE, "--dry-run")

    assert "digest: 3 created" in output
    assert "article: 6 created" in output
    assert "sponsored: 1 created" in output
    assert "total: 10 created, 0 updated, 0 unchanged, 0 skipped" in output
    assert "Dry run: nothing was written." in output
    assert row_counts() == before
    assert Post.objects.count() == Quote.objects.count() == Listing.objects.count() == 0


# The sample: every entry


def test_the_sample_gives_three_digests_six_articles_and_one_sponsored_post(sample):
    assert "digest: 3 created, 0 updated, 0 unchanged, 0 skipped" in sample
    assert "article: 6 created, 0 updated, 0 unchanged, 0 skipped" in sample
    assert "sponsored: 1 created, 0 updated, 0 unchanged, 0 skipped" in sample
    assert "total: 10 created, 0 updated, 0 unchanged, 0 skipped" in sample
    assert "skipped" not in sample.replace("0 skipped", "")
    assert Counter(Post.objects.values_list("kind", flat=True)) == {
        Post.Kind.DIGEST: 3,
        Post.Kind.ARTICLE: 6,
        Post.Kind.SPONSORED: 1,
    }
    assert Post.objects.exclude(byline="").count() == 2  # the guest posts
    assert set(Post.objects.values_list("title", flat=True)) == set(FILE_ORDER)
    assert Post.objects.published().count() == 10


@pytest.mark.parametrize("title", FILE_ORDER)
def test_every_entry_is_published_at_its_permalink(client, sample, title):
    post = Post.objects.get(title=title)

    assert post.is_published
    assert f'<h1 class="entry-title">{escape(title)}</h1>' in page(client, post.get_absolute_url())


DIGESTS = {
    FEB_19: {
        "day": date(2016, 2, 19),
        "address": (
            "/blog/2016/2/19/stuff-the-internet-says-on-scalability-for-february-19th-201.html"
        ),
        "intro": "JPL is firing up their Exoplanet Travel Bureau . Reserve your space now.",
        "counts": (7, 13, 5),
        "first_stat": ("200K", "msgs send per second through iMessage"),
        "last_stat": ("$1bn", "Uber’s yearly cost for market share in China"),
        "first_quote": ("Joseph Bradley", "“Here is the takeaway."),
        "last_quote": ("@Beaker", "This is why I call these"),
        "first_item": "We never considered the possibility Skynet",
        "last_item": "If you are IBM and your insatiable demon child",
        "more_quotes": False,
    },
    MAR_4: {
        "day": date(2016, 3, 4),
        "address": "/blog/2016/3/4/stuff-the-internet-says-on-scalability-for-march-4th-2016.html",
        "intro": "Presented for your consideration: Drone Units of the U.S Armed Forces",
        "counts": (4, 20, 4),
        "first_stat": ("16 terabytes", "new Samsung SSD"),
        "last_stat": ("1.5 million messages per second", "Netflix cache replication"),
        "first_quote": ("@jzawodn", "all right.. everything on one disk"),
        "last_quote": ("overenginered", "In a sense, working with AWS and Azure"),
        "first_item": "What has Google learned from creating three container",
        "last_item": "At a cost of $1.5 trillion",
        "more_quotes": False,
    },
    FEB_26: {
        "day": date(2016, 2, 26),
        "address": (
            "/blog/2016/2/26/stuff-the-internet-says-on-scalability-for-february-26th-201.html"
        ),
        "intro": "Wonderful diagram of @adrianco Microservices talk at #OOP2016 by @remarker_eu",
        "counts": (5, 9, 3),
        "first_stat": ("350,000", "new Telegram users per day"),
        "last_stat": ("400 hours", "video uploaded to YouTube every minute"),
        "first_quote": ("sharemywin", "I don't think consensus scales."),
        "last_quote": ("Brave New Geek", "Python and App Engine were fast."),
        "first_item": "You have to love the datacenter of the future.",
        "last_item": "With Spotify moving to the Google Cloud Platform",
        "more_quotes": True,
    },
}


@pytest.mark.parametrize("title", DIGESTS)
def test_each_digest_has_its_title_day_and_original_address(client, sample, title):
    expected = DIGESTS[title]
    post = Post.objects.get(title=title)

    assert post.kind == Post.Kind.DIGEST
    assert timezone.localtime(post.publish_at).date() == expected["day"]
    assert post.get_absolute_url() == expected["address"]
    assert f'<h1 class="entry-title">{title}</h1>' in page(client, expected["address"])


@pytest.mark.parametrize("title", DIGESTS)
def test_each_digest_has_all_its_stats_quotes_and_items_in_order(sample, title):
    expected = DIGESTS[title]
    post = Post.objects.get(title=title)
    stats, quotes, items = list(post.stats.all()), list(post.quotes.all()), list(post.items.all())

    assert (len(stats), len(quotes), len(items)) == expected["counts"]
    assert (stats[0].figure, stats[0].label) == expected["first_stat"]
    assert (stats[-1].figure, stats[-1].label) == expected["last_stat"]
    assert quotes[0].speaker == expected["first_quote"][0]
    assert text_of(quotes[0].text_html).startswith(expected["first_quote"][1])
    assert quotes[-1].speaker == expected["last_quote"][0]
    assert text_of(quotes[-1].text_html).startswith(expected["last_quote"][1])
    assert text_of(items[0].text_html).startswith(expected["first_item"])
    assert text_of(items[-1].text_html).startswith(expected["last_item"])
    assert [part.position for part in quotes] == sorted(part.position for part in quotes)
    assert [part.anchor for part in quotes] == list(range(1, len(quotes) + 1))
    assert text_of(post.excerpt_html) == expected["intro"]
    assert post.more_quotes_marker is expected["more_quotes"]


def test_speakers_are_split_at_the_first_colon_only(client, sample):
    mar_4 = Post.objects.get(title=MAR_4)
    quotes = {quote.speaker: quote for quote in mar_4.quotes.all()}

    just_security = quotes["@just_security"]
    assert text_of(just_security.text_html) == (
        "Comey[FBI]: until these devices[smart phones], there was no closet, no room, "
        "no basement in America where we couldn't get in."
    )
    assert just_security.speaker_key == "just_security"
    assert (
        text_of(quotes["@jzawodn"].text_html)
        == "all right.. everything on one disk in one computer: 15TB SSD"
    )
    assert quotes["Emin Gün Sirer"].speaker_key == "emin-gun-sirer"
    assert [quote.speaker for quote in mar_4.quotes.all()].count("@jaykreps") == 2
    feb_19 = Post.objects.get(title=FEB_19)
    assert text_of(feb_19.quotes.get(speaker="@antirez").text_html).startswith(
        "@Nick_Craver I’ve always"
    )
    # Readers find the quote on its speaker's page, whole.
    speaker_page = page(client, just_security.speaker_url())
    assert "Comey[FBI]: until these devices[smart phones]" in speaker_page


def test_every_imported_quote_and_item_is_on_the_index(sample):
    assert Quote.objects.count() == 13 + 20 + 9
    assert Item.objects.count() == 5 + 4 + 3
    assert not Quote.objects.filter(on_index=False).exists()
    assert not Item.objects.filter(on_index=False).exists()


def test_the_february_26th_index_says_there_are_more_quotes_and_only_it(client, sample):
    html = page(client, reverse("digest:post-index"))

    assert html.count(MORE_QUOTES) == 1
    feb_26 = Post.objects.get(title=FEB_26)
    assert MORE_QUOTES in feb_26.parts_index_html
    start = html.index(f'href="{feb_26.get_absolute_url()}"')
    end = html.index("</article>", start)
    assert MORE_QUOTES in html[start:end]
    assert not feb_26.quotes.filter(text__contains="There are more").exists()


def test_support_blurb_and_closing_line_are_not_stored_as_content(client, sample):
    for post in Post.objects.filter(kind=Post.Kind.DIGEST):
        for text in [post.excerpt, *post.items.values_list("text", flat=True)]:
            assert SUPPORT_BLURB not in text
            assert CLOSING_LINE not in text
            assert "Click to read more" not in text
        assert not post.quotes.filter(speaker__startswith="If you like").exists()
        # The page draws the blurb once, from the site settings, not a second time from the data.
        assert page(client, post.get_absolute_url()).count(SUPPORT_BLURB) == 1


SPONSORS = [
    "zanox Group", "Varnish", "LaunchDarkly", "Swrve", "Netflix", "Aerospike", "TrueSight Pulse",
    "Redis Labs", "InMemory.Net", "VividCortex", "MemSQL", "Scalyr", "AiScaler", "AppDynamics",
    "ManageEngine", "Site24x7",
]  # fmt: skip
LISTINGS = {
    Listing.Section.HIRING: [
        "The zanox Group are looking for a Senior Architect.",
        "Swrve -- In November we closed a $30m funding round",
        "Senior Service Reliability Engineer (SRE)",
        "Manager - Performance Engineering",
        "Software Engineer (DevOps).",
        "Software Engineer (C++).",
    ],
    Listing.Section.EVENT: ["Varnish Summits are a worldwide event series"],
    Listing.Section.PRODUCT: [
        "Containers & Databases: From Development to Deployment",
        "Dev teams are using LaunchDarkly’s Feature Flags",
        "TrueSight Pulse is SaaS IT performance monitoring",
        "Turn chaotic logs and metrics into actionable data.",
        "InMemory.Net provides a Dot Net native in memory database",
        "VividCortex measures your database servers’ work",
        "MemSQL provides a distributed in-memory database",
        "aiScaler, aiProtect, aiMobile Application Delivery Controller",
        "ManageEngine Applications Manager",
        "Monitor End User Experience from a global monitoring network.",
    ],
}


def test_the_sponsored_post_has_every_sponsor_of_its_title(sample):
    assert sorted(Sponsor.objects.values_list("name", flat=True)) == sorted(SPONSORS)
    assert len(SPONSORS) == 16


def test_the_sponsored_post_has_each_listing_in_its_section_in_order(client, sample):
    post = Post.objects.get(kind=Post.Kind.SPONSORED)

    assert Listing.objects.count() == 17
    assert Counter(Listing.objects.values_list("section", flat=True)) == {
        Listing.Section.HIRING: 6,
        Listing.Section.EVENT: 1,
        Listing.Section.PRODUCT: 10,
    }
    for section, beginnings in LISTINGS.items():
        texts = list(Listing.objects.filter(section=section).order_by("pk").values_list("text"))
        assert len(texts) == len(beginnings)
        for (text,), beginning in zip(texts, beginnings, strict=True):
            assert beginning in text_of(render_markdown(text))
    # Text stays text ("InMemory.Net" is no link), while an address written out still links.
    in_memory = render_markdown(Listing.objects.get(sponsor__name="InMemory.Net").text)
    assert in_memory.count("<a ") == 1
    assert '<a href="http://InMemory.Net"' in in_memory
    week = week_of(timezone.localtime(post.publish_at).date())
    assert not Listing.objects.exclude(status=Listing.Status.APPROVED).exists()
    assert ListingWeek.objects.filter(week=week).count() == 17
    html = page(client, post.get_absolute_url())
    for heading in ("Fun and Informative Events", "Cool Products and Services"):
        assert heading in html
    assert "Swrve -- In November we closed a $30m funding round" in html


@pytest.mark.parametrize(
    ("beginning", "sponsor"),
    [
        ("Swrve -- In November", "Swrve"),
        ("The zanox Group are looking", "zanox Group"),
        ("Varnish Summits are", "Varnish"),
        ("Dev teams are using LaunchDarkly", "LaunchDarkly"),
        ("Software Engineer (DevOps)", "AppDynamics"),
    ],
)
def test_a_listing_is_matched_to_the_sponsor_it_names(sample, beginning, sponsor):
    listing = Listing.objects.get(text__startswith=beginning)

    assert listing.sponsor == Sponsor.objects.get(name=sponsor)


def test_the_empty_section_placeholder_is_not_a_listing(client, db):
    output = import_archive(EMPTY_SECTION, "--date", "2016-03-11")

    assert "sponsored: 1 created" in output
    assert list(Listing.objects.order_by("pk").values_list("section", "sponsor__name")) == [
        (Listing.Section.HIRING, "Swrve"),
        (Listing.Section.PRODUCT, "Scalyr"),
    ]
    assert not Listing.objects.filter(text__contains="Your event could be here").exists()
    assert sorted(Sponsor.objects.values_list("name", flat=True)) == ["Scalyr", "Swrve", "Varnish"]
    # Readers still see the section, with the placeholder the site shows for an empty one.
    post = Post.objects.get(kind=Post.Kind.SPONSORED)
    html = page(client, post.get_absolute_url())
    assert "Fun and Informative Events" in html
    assert html.count("Your event could be here. How cool is that?") == 1


@pytest.mark.parametrize(
    ("title", "name", "byline"),
    [
        (
            ZAPIER,
            "Bryan Helmig",
            "This is a guest repost by Bryan Helmig, Co-founder & CTO at Zapier, who makes it "
            "easy to automate tasks between web apps.",
        ),
        (
            AQP,
            "Barzan Mozafari",
            "This is a guest repost by Barzan Mozafari, an assistant professor at University of "
            "Michigan and an advisor to a new startup,, that recently launched an open source "
            "OLTP + OLAP Database built on Spark.",
        ),
    ],
)
def test_a_guest_post_has_its_byline_and_its_author_account(client, sample, title, name, byline):
    post = Post.objects.get(title=title)

    assert text_of(post.byline_html) == byline
    assert not post.excerpt.startswith("This is a guest repost")
    assert post.author.name == name
    assert post.author.display_name == name
    assert not post.author.has_usable_password()
    author_page = page(client, reverse("digest:author-detail", args=[post.author.username]))
    assert name in author_page
    assert post.get_absolute_url() in author_page
    assert "This is a guest repost by" in page(client, post.get_absolute_url())


def test_articles_that_are_not_guest_posts_have_the_same_default_author(sample):
    articles = Post.objects.filter(kind=Post.Kind.ARTICLE, byline="")

    assert articles.count() == 4
    assert len({post.author_id for post in articles}) == 1
    assert get_user_model().objects.filter(display_name="Bryan Helmig").count() == 1


ARTICLES = [
    (
        ASYNCIO,
        "In this article, I’m going to pay specific attention to information processing via "
        "Tarantool queues.",
        "The task of notifying the entire user base",
    ),
    (
        MALICE,
        "The temptation to put a backdoor into a product is almost overwhelming.",
        "Backdoors are a Cheap form of Attack",
    ),
    (ZAPIER, "Zapier is a web service that automates data flow", "The Architecture"),
    (
        AQP,
        "The growing market for Big Data has created a lot of interest",
        "1. Use AQP when you care about interactive response times",
    ),
    (GOOGLE, "Making a system work in one datacenter is hard.", "What’s Wrong With Failover?"),
    (NGINX, "Are you familiar with this architecture?", "Improving cache and storage"),
]


@pytest.mark.parametrize(("title", "first", "last"), ARTICLES)
def test_each_article_has_its_excerpt(client, sample, title, first, last):
    post = Post.objects.get(title=title)

    assert post.kind == Post.Kind.ARTICLE
    assert text_of(post.excerpt_html).startswith(first)
    assert text_of(post.excerpt_html).endswith(last)
    assert "Click to read more" not in post.excerpt
    assert first in page(client, post.get_absolute_url())


def test_a_bulleted_list_in_an_excerpt_stays_a_list(client, sample):
    zapier = Post.objects.get(title=ZAPIER)

    assert "<li>The frontend team, which works on the very powerful workflow editor." in (
        zapier.excerpt_html
    )
    assert "<li>The platform team, which helps with QA" in zapier.excerpt_html


def test_undated_entries_are_dated_between_their_dated_neighbours_in_file_order(client, sample):
    moments = [timezone.localtime(Post.objects.get(title=t).publish_at) for t in FILE_ORDER]
    feb_19, mar_4, between, feb_26, after = (
        moments[0],
        moments[1],
        moments[2:6],
        moments[6],
        moments[7:],
    )

    assert (feb_19.date(), mar_4.date(), feb_26.date()) == (
        date(2016, 2, 19),
        date(2016, 3, 4),
        date(2016, 2, 26),
    )
    assert mar_4 > between[0] > between[1] > between[2] > between[3] > feb_26
    # After the last dated entry: a day apart, going back.
    assert after == [feb_26 - timedelta(days=n) for n in (1, 2, 3)]
    # Readers see the file's order on the index (February 19th is the oldest, so it is last).
    html = page(client, reverse("digest:post-index"))
    shown = [Post.objects.get(title=t).get_absolute_url() for t in [*FILE_ORDER[1:], FEB_19]]
    positions = [html.index(f'href="{url}"') for url in shown]
    assert positions == sorted(positions)


def test_the_date_option_dates_a_file_with_only_undated_entries(client, db):
    output = import_archive(UNDATED, "--date", "2016-03-08")

    assert "article: 2 created, 0 updated, 0 unchanged, 0 skipped" in output
    malice, google = Post.objects.get(title=MALICE), Post.objects.get(title=GOOGLE)
    assert timezone.localtime(malice.publish_at).date() == date(2016, 3, 8)
    assert timezone.localtime(google.publish_at).date() == date(2016, 3, 7)
    for post in (malice, google):
        page(client, post.get_absolute_url())


def test_a_date_that_is_not_a_date_is_a_command_error(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        import_archive(UNDATED, "--date", "8 March 2016")


# Idempotency


def test_a_second_import_changes_nothing_and_says_so(sample):
    before = row_counts()
    versions = dict(Post.objects.values_list("pk", "version"))

    output = import_archive(SAMPLE)

    assert "total: 0 created, 0 updated, 10 unchanged, 0 skipped" in output
    assert "Nothing changed" in output
    assert row_counts() == before
    assert dict(Post.objects.values_list("pk", "version")) == versions


EDITS = [
    (
        ASYNCIO,
        "The task of notifying the entire user base",
        "The task of notifying every single user",
    ),
    (
        FEB_19,
        "Nobody knows how to “program” DNA.",
        "Nobody knows how to “program” RNA either.",
    ),
    (SPONSORED, "Sound like fun? Come join us.", "Sound like fun? Apply today."),
]


@pytest.mark.parametrize(("title", "old", "new"), EDITS)
def test_an_entry_edited_in_the_file_is_updated_and_nothing_else(
    client, sample, tmp_path, title, old, new
):
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    edited = tmp_path / "archive-2016-02-edited.txt"
    edited.write_text(text.replace(old, new), encoding="utf-8")
    before = row_counts()
    post = Post.objects.get(title=title)

    output = import_archive(edited)

    assert "total: 0 created, 1 updated, 9 unchanged, 0 skipped" in output
    assert row_counts() == before
    post.refresh_from_db()
    assert new in page(client, post.get_absolute_url())
    assert old not in page(client, post.get_absolute_url())
