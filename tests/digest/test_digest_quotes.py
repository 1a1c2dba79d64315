"""The quote archive (/quotes/), speaker pages (/quotes/<key>/) and quotes and stats in search."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.digest.factories import digest_with_parts
from tests.digest.helpers import assert_in_order, read

FEB_12 = datetime(2016, 2, 12, 9, tzinfo=UTC)
FEB_19 = datetime(2016, 2, 19, 9, tzinfo=UTC)


def quote_entries(response):
    assert response.status_code == 200
    return response.content.decode().count('class="quote-entry"')


def quote_link(quote):
    return f"{quote.post.get_absolute_url()}#quote-{quote.anchor}"


@pytest.fixture
def issues(db):
    """Two published digests, a draft and a scheduled one, each with quotes of its own."""
    older = digest_with_parts(
        title="Issue of February 12th",
        publish_at=FEB_12,
        quotes=[
            ("@antirez", "Redis is a data structures server.", True),
            ("Joseph Bradley", "Blockchains must be massively more scalable.", False),
        ],
    )
    newer = digest_with_parts(
        title="Issue of February 19th",
        publish_at=FEB_19,
        quotes=[
            ("@sigfpe", "Nobody knows how to program DNA.", True),
            ("@antirez", "You run a top-traffic site with 1/100 of the hardware.", False),
            ("antirez", "Fsync is not free, latency is.", True),
        ],
    )
    draft = digest_with_parts(
        title="Unfinished issue",
        draft=True,
        quotes=[("@antirez", "A draft thought about persistence.", True)],
    )
    scheduled = digest_with_parts(
        title="Next week's issue",
        scheduled=True,
        quotes=[("@antirez", "A scheduled thought about replication.", True)],
    )
    return older, newer, draft, scheduled


UNPUBLISHED = ("A draft thought about persistence.", "A scheduled thought about replication.")


# /quotes/ -------------------------------------------------------------------------------------


def test_the_quote_archive_lists_published_quotes_newest_issue_first(client, issues):
    older, newer, *_ = issues
    response = client.get(reverse("digest:quote-list"))
    page = read(response.content)

    assert quote_entries(response) == 5
    assert_in_order(
        page.text,
        [
            "5 quotes",
            "Nobody knows how to program DNA.",
            "You run a top-traffic site with 1/100 of the hardware.",
            "Fsync is not free, latency is.",
            "Redis is a data structures server.",
            "Blockchains must be massively more scalable.",
        ],
    )
    for text in UNPUBLISHED:
        assert text not in page.text
    for quote in [*older.quotes.all(), *newer.quotes.all()]:
        assert (quote_link(quote), quote.post.title) in page.links
        speaker_page = reverse("digest:quote-speaker", kwargs={"key": quote.speaker_key})
        assert (speaker_page, quote.speaker) in page.links


def test_the_quote_archive_has_50_quotes_a_page(client, db):
    digest_with_parts(
        title="A long issue",
        publish_at=FEB_19,
        quotes=[("@antirez", f"Numbered quote {n:03}.", True) for n in range(55)],
    )
    digest_with_parts(
        title="An older issue",
        publish_at=FEB_12,
        quotes=[("@sigfpe", "The oldest quote.", True)],
    )
    url = reverse("digest:quote-list")

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert (quote_entries(first), quote_entries(second)) == (50, 6)
    first_text, second_text = read(first.content).text, read(second.content).text
    assert_in_order(first_text, ["Numbered quote 000.", "Numbered quote 049."])
    assert "Numbered quote 050." not in first_text
    assert_in_order(
        second_text, ["Numbered quote 050.", "Numbered quote 054.", "The oldest quote."]
    )
    assert "Numbered quote 049." not in second_text
    assert ("?page=2", "2") in read(first.content).links


@pytest.mark.parametrize("page", ["999", "3", "0", "x", "-1"])
def test_a_quote_page_that_does_not_exist_is_a_404(client, db, page):
    digest_with_parts(quotes=[("@antirez", f"Quote {n}.", True) for n in range(51)])

    response = client.get(reverse("digest:quote-list"), {"page": page})

    assert response.status_code == 404
    assert "Quote 1." not in response.content.decode()


def test_quotes_are_searchable_by_speaker_or_words(client, issues):
    url = reverse("digest:quote-list")

    by_speaker = read(client.get(url, {"q": "antirez"}).content).text
    assert_in_order(
        by_speaker,
        [
            "3 quotes",
            "You run a top-traffic site with 1/100 of the hardware.",
            "Fsync is not free, latency is.",
            "Redis is a data structures server.",
        ],
    )
    assert "Nobody knows how to program DNA." not in by_speaker
    assert not any(text in by_speaker for text in UNPUBLISHED)

    by_words = read(client.get(url, {"q": "latency FSYNC"}).content).text
    assert "Fsync is not free, latency is." in by_words
    assert "1 quote " in by_words
    assert "Redis is a data structures server." not in by_words

    nothing = read(client.get(url, {"q": "persistence"}).content).text  # only in a draft
    assert "No quote matches “persistence”." in nothing


# /quotes/<speaker>/ --------------------------------------------------------------------------


def test_a_speaker_page_has_every_published_quote_of_that_speaker(client, issues):
    older, newer, *_ = issues
    url = reverse("digest:quote-speaker", kwargs={"key": "antirez"})
    response = client.get(url)
    page = read(response.content)

    assert quote_entries(response) == 3
    assert "Quotes by @antirez" in page.text
    assert_in_order(
        page.text,
        [
            "You run a top-traffic site with 1/100 of the hardware.",
            "Fsync is not free, latency is.",  # written "antirez", without the @
            "Redis is a data structures server.",
        ],
    )
    assert "Nobody knows how to program DNA." not in page.text
    assert not any(text in page.text for text in UNPUBLISHED)
    antirez_quotes = [
        *newer.quotes.filter(speaker_key="antirez"),
        *older.quotes.filter(speaker_key="antirez"),
    ]
    assert [q.speaker for q in antirez_quotes] == ["@antirez", "antirez", "@antirez"]
    for quote in antirez_quotes:
        assert (quote_link(quote), quote.post.title) in page.links


def test_the_quote_link_leads_to_the_quote_on_its_issue_page(client, issues):
    _, newer, *_ = issues
    quote = newer.quotes.get(text__startswith="Fsync")

    response = client.get(newer.get_absolute_url())

    assert f'id="quote-{quote.anchor}"' in response.content.decode()


@pytest.mark.parametrize("key", ["nobody-at-all", "unfinished"])
def test_an_unknown_speaker_is_a_404(client, issues, key):
    digest_with_parts(draft=True, quotes=[("Unfinished", "Only in a draft.", True)])

    response = client.get(reverse("digest:quote-speaker", kwargs={"key": key}))

    assert response.status_code == 404
    assert "Only in a draft." not in response.content.decode()


# /search/ -------------------------------------------------------------------------------------


@pytest.fixture
def searchable(db, django_capture_on_commit_callbacks):
    """A published digest and a draft, with their search documents refreshed (PostgreSQL)."""
    with django_capture_on_commit_callbacks(execute=True):
        published = digest_with_parts(
            title="Stuff The Internet Says On Scalability For February 19th, 2016",
            publish_at=FEB_19,
            excerpt="JPL is firing up their Exoplanet Travel Bureau.",
            stats=[("200K", "msgs send per second through iMessage")],
            quotes=[("jsmthrowaway", "You don't even need unikernels in prod.", False)],
            items=[("Uber evaluated JSON encodings.", True)],
        )
        digest_with_parts(
            title="A draft issue",
            draft=True,
            publish_at=FEB_19 + timedelta(days=7),
            quotes=[("@levie", "Unikernels for enterprise software dramas.", True)],
        )
    return published


def search(client, query):
    response = client.get(reverse("digest:search"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    start = html.find('<section class="quote-results">')
    quotes = html[start : html.index("</section>", start)] if start >= 0 else ""
    results = html[html.index('<ol class="results">') :]
    results = results[: results.index("</ol>")]
    return read(quotes, main_only=False), read(results, main_only=False)


def test_search_finds_a_digest_by_a_word_only_in_one_of_its_quotes(client, searchable):
    quotes, results = search(client, "unikernels")

    assert (searchable.get_absolute_url(), searchable.title) in results.links
    assert "A draft issue" not in results.text
    assert "Quotes" in quotes.text
    assert "You don't even need unikernels in prod." in quotes.text
    assert (quote_link(searchable.quotes.get()), searchable.title) in quotes.links
    assert "Unikernels for enterprise software dramas." not in quotes.text


def test_search_finds_a_digest_by_a_word_of_a_stat(client, searchable):
    quotes, results = search(client, "iMessage")

    assert (searchable.get_absolute_url(), searchable.title) in results.links
    assert quotes.text == ""
