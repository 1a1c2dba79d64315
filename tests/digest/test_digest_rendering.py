"""A digest as readers see it: the February 19th, 2016 issue of the sample, rebuilt and rendered.

The texts are those of the first entry of the original site's archive export
(digest/demo_data/archive-2016-02.txt), copied here with whitespace collapsed; one test checks the
copy against the file. Pages
are read as text, top to bottom, the way a reader's eyes go down them (DESIGN.md, "A digest,
top to bottom").
"""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Role
from digest.models import SiteSettings
from digest.parsing import parse_items, parse_quotes, parse_stats
from tests.accounts.factories import UserFactory
from tests.digest.factories import digest_with_parts
from tests.digest.helpers import assert_in_order, read

SAMPLE = Path(__file__).resolve().parents[2] / "digest" / "demo_data" / "archive-2016-02.txt"

TITLE = "Stuff The Internet Says On Scalability For February 19th, 2016"
INTRO = "JPL is firing up their Exoplanet Travel Bureau . Reserve your space now."
BLURB = "If you like this sort of Stuff then please consider offering your support on Patreon."
CLOSING = "Don't miss all that the Internet has to say on Scalability"
MORE_QUOTES = "There are more Quotable Quotes in the full article."
READ_MORE = "Click to read more ..."
ISSUE_TIME = datetime(2016, 2, 19, 9, 0, tzinfo=UTC)

# What an editor pastes into the three paste boxes, copied from the sample.
STATS_PASTE = (
    "• 200K : msgs send per second through iMessage; 750 million : xactions per week in App"
    " and iTunes store; 11 million : Apple Music subscribers; .7c : speed of light in "
    "silicon; 1.125Tpbs : fastest ever data transmission; 360TB : Superman memory crystal "
    "stores data forever; $1bn : Uber’s yearly cost for market share in China;"
)

QUOTES_PASTE = (
    "• Quotable Quotes:\n"
    "• Joseph Bradley : “Here is the takeaway. Blockchains must be massively more scalable "
    "than the current tech that supports Bitcoin. We start scaling slowly or quickly. And "
    "if we choose the latter, it will “require fundamental protocol redesign.”\n"
    "• @sigfpe : Nobody knows how to “program” DNA. They just copy-and-paste bits from "
    "other organisms. A bit like how most code is built from stackoverflow.\n"
    "• @evankirstel : Slack now has 2.3 million daily active users, 675,000 paid seats, and"
    " 280 apps in its directory\n"
    "• Jonas Luster : Money spoiled blogging. Why? Because people moved from doing great "
    "things for money and then talking about them on their free blogs, to people doing "
    "nothing but talking on their monetized blogs.\n"
    "• @mattocko : What’s vilely hypocritical re Koch’s latest dirty dealings (vs electric "
    "cars) is they enjoy 100x subsidies for oilco\n"
    "• Greg Ferro : In my view, the most common architectural flaw made by network "
    "engineers is that the data centre has a single network. I believe that the correct "
    "perspective is that any “network” is a “network of networks”.\n"
    "• @antirez : @Nick_Craver I’ve always this nice feeling that you manage to run a "
    "top-traffic site with 1/100 of the hardware. It’s like a reality check…\n"
    "• @levie : With Apple, Amazon, and Netflix now producing their own shows, Box will be "
    "accepting script submissions for enterprise software dramas.\n"
    "• Fred George : We had 50 IT professionals, 25+ titles and zero people understanding "
    "the project they were working on…\n"
    "• @jasongorman : “They asked for a bridge, but I know what they really needed was "
    "(another) reusable civil engineering framework”\n"
    "• @aplokhotnyuk : @cbrisket @giltene @netty_project @eBay Neutrino is highly "
    "available… We have measured upwards of 300+ requests per second on a 2-core VM.\n"
    "• jsmthrowaway : You don’t even need unikernels, and as much as I loathe myself for "
    "saying it, I find myself agreeing with a few of Cantrill’s points regarding unikernels"
    " in prod. Not all of them, and I think it’s worth exploring, but there’s a spectrum "
    "here: on one end, unikernel app containers, and on the other full jails. The Google "
    "approach with minimal containers that still act Unixy and Posixy but carry very little"
    " distribution overhead is somewhere around 0.1 on the spectrum.\n"
    "• @Beaker : This is why I call these “Internet-scale monoculture vulnerabilities.” "
    "FFS."
)

ITEMS_PASTE = (
    "• We never considered the possibility Skynet may just be stupid. The NSA’s SKYNET "
    "program may be killing thousands of innocent people : At root, this is a story about "
    "the problems that occur in the absence [of] adversarial peer review. NSA and GCHQ cut "
    "corners in their machine-learning approach, and no one called them on it, and they "
    "deployed it, and it kills people. But is also a microcosm of the spy services’ culture"
    " of secrecy and the way that the lack of peer review turns into missteps.\n"
    "• buffer overflow exploit in glibc remained undetected for 8 years. How Bazaar. Also, "
    "Linux kernel bug delivers corrupt TCP/IP data to Mesos, Kubernetes, Docker containers "
    ".\n"
    "• How Uber Engineering Evaluated JSON Encoding and Compression Algorithms to Put the "
    "Squeeze on Trip Data . They tested a whole bunch of different compression approaches. "
    "A whole bunch. Their goal was to find a solution that both yielded a small size and a "
    "short time to encode and decode. The conclusion: “MessagePack with zlib. We felt this "
    "was the best choice for our Python-based, sharded datastore with no strict schema "
    "enforcement (Schemaless). We only discovered this combination because we took a "
    "disciplined approach to test a wide range of protocols and algorithm combinations on "
    "real data and production hardware. First lesson learned: when in doubt, invest in "
    "benchmarking.” Result: A 1 TB disk will now last almost a year (347 days), compared to"
    " a month (30 days) without compression. We now have enough space to last over 30 years"
    " compared to just under 1 year, thanks to putting the squeeze on the data.\n"
    "• That feeling when you try to show your Grandma how to use the TV remote. When you’re"
    " house sitting for millennials and ask how the lights work . This is funny and a "
    "little sad, not much has changed in 30 years.\n"
    "• If you are IBM and your insatiable demon child needs feeding, what do you do? You "
    "buy companies for their data. Why IBM Just Bought Billions of Medical Images for "
    "Watson to Look At : Merge’s data set contains some 30 billion images, which is crucial"
    " to IBM because its plans for Watson rely on a technology, called deep learning, that "
    "trains a computer by feeding it large amounts of data."
)

PASTE_BOXES = ((parse_stats, STATS_PASTE), (parse_quotes, QUOTES_PASTE), (parse_items, ITEMS_PASTE))
# The editor unticked "on the index" for these five quotes and for the 2nd and 4th items.
OFF_INDEX_SPEAKERS = ("Jonas Luster", "@mattocko", "@levie", "@aplokhotnyuk", "jsmthrowaway")
OFF_INDEX_ITEMS = (1, 3)


def sample_parts():
    """(stats, quotes, items) of the February 19th digest, in `digest_with_parts`' shapes."""
    stats, quotes, items = (parse(text) for parse, text in PASTE_BOXES)
    assert not (stats.notes or quotes.notes or items.notes)
    return (
        [(stat.figure, stat.label) for stat in stats.entries],
        [(q.speaker, q.text, q.speaker not in OFF_INDEX_SPEAKERS) for q in quotes.entries],
        [(item.text, n not in OFF_INDEX_ITEMS) for n, item in enumerate(items.entries)],
    )


def build_february_19th(**fields):
    stats, quotes, items = sample_parts()
    fields = {"title": TITLE, "excerpt": INTRO, "publish_at": ISSUE_TIME, **fields}
    return digest_with_parts(stats=stats, quotes=quotes, items=items, **fields)


@pytest.fixture
def issue(db):
    return build_february_19th()


# Reading pages as a reader does ---------------------------------------------------------------


def get_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return read(response.content)


def stat_line(stat):
    return f"{stat.figure} : {stat.label};"


def quote_line(quote):
    return f"{quote.speaker} : {quote.text}"


def item_start(item):
    return " ".join(item.text.split())[:70]


def digest_landmarks(post, quotes, items):
    stats = list(post.stats.all())
    return [
        TITLE,
        INTRO,
        BLURB,
        "200K : msgs send per second through iMessage;",
        *[stat_line(stat) for stat in stats[1:]],
        "Quotable Quotes:",
        *[quote_line(quote) for quote in quotes],
        *[item_start(item) for item in items],
    ]


# The copy of the sample -----------------------------------------------------------------------


def test_the_texts_are_those_of_the_sample():
    sample = " ".join(SAMPLE.read_text(encoding="utf-8").split())
    start = sample.index(TITLE)
    entry = sample[start : sample.index(READ_MORE, start)]
    assert INTRO in entry
    for _, box in PASTE_BOXES:
        for line in box.splitlines():
            assert line in entry, line


def test_the_issue_has_7_stats_13_quotes_5_not_on_the_index_and_5_items():
    stats, quotes, items = sample_parts()
    assert (len(stats), len(quotes), len(items)) == (7, 13, 5)
    assert stats[0] == ("200K", "msgs send per second through iMessage")
    assert tuple(speaker for speaker, _, on_index in quotes if not on_index) == OFF_INDEX_SPEAKERS
    assert quotes[6][:1] == ("@antirez",) and quotes[6][2]


# The index and the post page ------------------------------------------------------------------


def test_the_index_shows_the_excerpt_of_the_digest_in_the_shape_of_the_original(client, issue):
    page = get_page(client, reverse("digest:post-index"))

    shown_quotes = list(issue.quotes.filter(on_index=True))
    shown_items = list(issue.items.filter(on_index=True))
    assert (len(shown_quotes), len(shown_items)) == (8, 3)
    assert_in_order(
        page.text,
        [
            *digest_landmarks(issue, shown_quotes, []),
            MORE_QUOTES,
            *[item_start(item) for item in shown_items],
            CLOSING,
            READ_MORE,
        ],
    )
    for quote in issue.quotes.filter(on_index=False):
        assert quote.text not in page.text
    for item in issue.items.filter(on_index=False):
        assert item_start(item) not in page.text
    first_hidden = issue.quotes.filter(on_index=False).first()
    assert (f"{issue.get_absolute_url()}#quote-{first_hidden.anchor}", READ_MORE) in page.links
    assert (issue.get_absolute_url(), TITLE) in page.links


def test_the_index_has_no_more_quotes_line_when_it_shows_every_quote(client, db):
    stats, quotes, items = sample_parts()
    post = digest_with_parts(
        stats=stats, quotes=[(s, t, True) for s, t, _ in quotes], items=items, title=TITLE
    )
    text = get_page(client, reverse("digest:post-index")).text

    assert_in_order(text, [quote_line(quote) for quote in post.quotes.all()])
    assert MORE_QUOTES not in text


def test_the_post_page_shows_the_whole_digest_without_the_closing_line(client, issue):
    page = get_page(client, issue.get_absolute_url())

    assert_in_order(
        page.text, digest_landmarks(issue, list(issue.quotes.all()), list(issue.items.all()))
    )
    assert len(OFF_INDEX_SPEAKERS) == issue.quotes.filter(on_index=False).count()
    for text in (MORE_QUOTES, CLOSING, READ_MORE):
        assert text not in page.text


def test_every_stat_quote_and_item_has_its_own_anchor_on_the_post_page(client, issue):
    response = client.get(issue.get_absolute_url())
    page = read(response.content)

    anchors = [id_ for id_ in page.ids if id_.startswith(("stat-", "quote-", "item-"))]
    assert anchors == [
        *[f"stat-{stat.anchor}" for stat in issue.stats.all()],
        *[f"quote-{quote.anchor}" for quote in issue.quotes.all()],
        *[f"item-{item.anchor}" for item in issue.items.all()],
    ]
    html = response.content.decode()
    antirez = issue.quotes.get(speaker="@antirez")
    line = html[html.index(f'id="quote-{antirez.anchor}"') :]
    assert "@Nick_Craver" in line[: line.index("</li>")]


def test_speakers_link_to_their_quote_pages(client, issue):
    antirez = reverse("digest:quote-speaker", kwargs={"key": "antirez"})
    index = get_page(client, reverse("digest:post-index"))
    post = get_page(client, issue.get_absolute_url())

    assert (antirez, "@antirez") in index.links
    assert (antirez, "@antirez") in post.links
    for quote in issue.quotes.all():
        speaker_page = reverse("digest:quote-speaker", kwargs={"key": quote.speaker_key})
        assert (speaker_page, quote.speaker) in post.links
    assert issue.quotes.get(speaker="Joseph Bradley").speaker_key == "joseph-bradley"


@pytest.mark.parametrize("feed", ["digest:feed-rss", "digest:feed-atom"])
def test_the_feeds_carry_the_whole_digest(client, issue, feed):
    parsed = feedparser.parse(client.get(reverse(feed)).content)
    assert not parsed.bozo, parsed.get("bozo_exception")

    entry = parsed.entries[0]
    assert entry.title == TITLE
    content = read(entry.content[0].value, main_only=False).text
    landmarks = digest_landmarks(issue, list(issue.quotes.all()), list(issue.items.all()))
    assert_in_order(content, [INTRO, *landmarks[3:]])
    assert MORE_QUOTES not in content


# Site settings --------------------------------------------------------------------------------

NEW_SETTINGS = {
    "site_name": "High Scalability",
    "tagline": "Building bigger, faster, more reliable websites.",
    "support_blurb": "Keep the Stuff coming: chip in on Liberapay.",
    "support_url": "https://liberapay.com/example",
    "closing_line": "There is *much* more below, keep reading...",
    "empty_section_text": "Your event could be here. How cool is that?",
}


def change_site_settings(**changes):
    record = SiteSettings.objects.get(pk=1)
    for field, value in changes.items():
        setattr(record, field, value)
    record.save()


def test_the_support_blurb_and_closing_line_come_from_the_site_settings(client, issue):
    change_site_settings(**NEW_SETTINGS)
    cache.clear()  # a fresh cache: this test is about what is shown, not when
    index = get_page(client, reverse("digest:post-index"))
    post = get_page(client, issue.get_absolute_url())

    assert_in_order(index.text, [INTRO, NEW_SETTINGS["support_blurb"], "Quotable Quotes:"])
    assert_in_order(
        index.text, [MORE_QUOTES, "There is much more below, keep reading...", READ_MORE]
    )
    assert (NEW_SETTINGS["support_url"], NEW_SETTINGS["support_blurb"]) in index.links
    assert_in_order(post.text, [INTRO, NEW_SETTINGS["support_blurb"], "Quotable Quotes:"])
    for page in (index, post):
        assert BLURB not in page.text
        assert CLOSING not in page.text
    assert "keep reading" not in post.text


def test_an_empty_support_blurb_hides_it(client, issue):
    change_site_settings(support_blurb="")
    cache.clear()

    for url in (reverse("digest:post-index"), issue.get_absolute_url()):
        text = get_page(client, url).text
        assert "support on Patreon" not in text
        assert_in_order(text, [INTRO, "200K : msgs send per second through iMessage;"])


def test_a_site_settings_save_in_the_admin_shows_on_the_pages_at_once(
    client, issue, django_capture_on_commit_callbacks
):
    index_url, post_url = reverse("digest:post-index"), issue.get_absolute_url()
    assert BLURB in get_page(client, index_url).text  # readers have the pages cached now
    assert BLURB in get_page(client, post_url).text
    editor = UserFactory(is_staff=True, roles=[Role.EDITORS])
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:digest_sitesettings_change", args=[1]), NEW_SETTINGS)
    assert response.status_code == 302
    assert SiteSettings.objects.get().support_blurb == NEW_SETTINGS["support_blurb"]
    client.logout()

    index, post = get_page(client, index_url), get_page(client, post_url)
    assert NEW_SETTINGS["support_blurb"] in index.text
    assert "There is much more below, keep reading..." in index.text
    assert NEW_SETTINGS["support_blurb"] in post.text
    assert BLURB not in index.text + post.text


# Hostile text --------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "[x](javascript:alert(1))"])
def test_hostile_text_in_a_stat_a_quote_or_an_item_renders_inert(client, db, hostile):
    post = digest_with_parts(
        stats=[(f"1K{hostile}", f"stat label {hostile}")],
        quotes=[(f"@mallory{hostile}", f"quote text {hostile}", True)],
        items=[(f"item text {hostile}", True)],
    )

    for url in (reverse("digest:post-index"), post.get_absolute_url()):
        html = client.get(url).content.decode()
        page = read(html, main_only=False)
        for tag, attrs in page.tags:
            if tag == "script" and (attrs.get("src") or "").startswith(settings.STATIC_URL):
                continue  # the site's own scripts (embeds.js), from its static files
            if tag == "script" and attrs.get("type") == "application/ld+json":
                continue  # a data block browsers never run; checked below
            assert tag not in {"script", "iframe", "object", "embed"}, url
            for name, value in attrs.items():
                assert not name.startswith("on"), (url, tag, name)
                if name in {"href", "src", "action"}:
                    assert not (value or "").strip().lower().startswith("javascript:"), url
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            assert "<" not in block  # nothing in the data can close the script
            json.loads(block)
        main = read(client.get(url).content).text
        assert_in_order(main, ["stat label", "quote text", "item text"])
