"""The paste boxes: what an editor pastes for stats, quotes and items, and what comes out.

The reference is the original site's archive export, kept in digest/demo_data/archive-2016-02.txt.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from digest.parsing import (
    LineNote,
    ParsedItem,
    ParsedQuote,
    ParsedStat,
    guess_stat,
    parse_items,
    parse_quotes,
    parse_stats,
    speaker_key,
)

SAMPLE = Path(__file__).resolve().parents[2] / "digest" / "demo_data" / "archive-2016-02.txt"

FEB_19 = "Stuff The Internet Says On Scalability For February 19th, 2016"
MAR_4 = "Stuff The Internet Says On Scalability For March 4th, 2016"
FEB_26 = "Stuff The Internet Says On Scalability For February 26th, 2016"


@dataclass
class SampleDigest:
    stats: str
    quotes: str
    items: str


@pytest.fixture(scope="module")
def sample_lines():
    return SAMPLE.read_text(encoding="utf-8").splitlines()


def locate_digest(lines, title):
    """Cut one digest of the sample into its three paste boxes, checking each landmark."""
    # The titles, like much of the sample, have a non-breaking space ("19th,\xa02016").
    start = next(i for i, line in enumerate(lines) if " ".join(line.split()) == title)
    support = next(i for i in range(start, len(lines)) if "support on Patreon" in lines[i])
    stats = next(i for i in range(support + 1, len(lines)) if lines[i].strip())
    assert lines[stats].startswith("  • ") and ":" in lines[stats]
    header = stats + 1 + next(i for i, line in enumerate(lines[stats + 1 :]) if line.strip())
    assert lines[header] == "  • Quotable Quotes:"
    blank = lines.index("", header)
    assert all(line.startswith("    • ") for line in lines[header + 1 : blank])
    read_more = lines.index("Click to read more ...", blank)
    assert lines[read_more - 2].startswith("Don't miss all that the Internet has to say")
    return SampleDigest(
        stats=lines[stats],
        quotes="\n".join(lines[header:blank]),
        items="\n".join(lines[blank + 1 : read_more + 1]),
    )


@pytest.fixture(scope="module")
def feb_19(sample_lines):
    return locate_digest(sample_lines, FEB_19)


@pytest.fixture(scope="module")
def mar_4(sample_lines):
    return locate_digest(sample_lines, MAR_4)


@pytest.fixture(scope="module")
def feb_26(sample_lines):
    return locate_digest(sample_lines, FEB_26)


# The sample archive


def test_february_19th_stats(feb_19):
    assert feb_19.stats.startswith("  • 200K : msgs send per second through iMessage;")
    parsed = parse_stats(feb_19.stats)

    assert parsed.notes == []
    assert len(parsed.entries) == 7
    assert parsed.entries[0] == ParsedStat("200K", "msgs send per second through iMessage")
    assert parsed.entries[3] == ParsedStat(".7c", "speed of light in silicon")
    # "360TB :\xa0Superman…" and "forever;\xa0 $1bn": non-breaking spaces collapse like any space.
    assert parsed.entries[5] == ParsedStat("360TB", "Superman memory crystal stores data forever")
    assert parsed.entries[-1] == ParsedStat("$1bn", "Uber’s yearly cost for market share in China")


def test_february_19th_quotes(feb_19):
    parsed = parse_quotes(feb_19.quotes)

    assert parsed.notes == []
    assert parsed.more_quotes is False
    assert len(parsed.entries) == 13
    assert parsed.entries[0].speaker == "Joseph Bradley"
    assert parsed.entries[0].text.startswith("“Here is the takeaway.")
    assert (
        ParsedQuote(
            "@antirez",
            "@Nick_Craver I’ve always this nice feeling that you manage to run a top-traffic site "
            "with 1/100 of the hardware. It’s like a reality check…",
        )
        in parsed.entries
    )
    assert parsed.entries[-1] == ParsedQuote(
        "@Beaker", "This is why I call these “Internet-scale monoculture vulnerabilities.” FFS."
    )


def test_february_19th_items_leave_out_the_boilerplate(feb_19):
    parsed = parse_items(feb_19.items)

    assert parsed.notes == []
    assert len(parsed.entries) == 5
    assert parsed.entries[0].text.startswith("We never considered the possibility Skynet")
    assert parsed.entries[-1].text.startswith("If you are IBM and your insatiable demon child")
    assert not any("Don't miss" in item.text for item in parsed.entries)
    assert not any("Click to read more" in item.text for item in parsed.entries)


def test_march_4th_stats(mar_4):
    parsed = parse_stats(mar_4.stats)

    assert parsed.notes == []
    assert parsed.entries == [
        ParsedStat("16 terabytes", "new Samsung SSD"),
        ParsedStat("1%", "earned income from an on-demand platform"),
        ParsedStat("$35", "PI 3 has 1.2GHz 64-bit quad-core ARM and WiFi"),
        ParsedStat("1.5 million messages per second", "Netflix cache replication"),
    ]


def test_march_4th_quotes(mar_4):
    parsed = parse_quotes(mar_4.quotes)

    assert parsed.more_quotes is False
    assert len(parsed.entries) == 20
    by_speaker = {quote.speaker: quote.text for quote in parsed.entries}
    # Only the first colon separates the speaker; later ones belong to the quote.
    assert by_speaker["@just_security"].startswith("Comey[FBI]: until these devices[smart phones]")
    assert by_speaker["@jzawodn"] == "all right.. everything on one disk in one computer: 15TB SSD"
    # A topic or a headline before the colon is no speaker: the line is kept whole, and noted.
    speakerless = [quote.text for quote in parsed.entries if not quote.speaker]
    assert [text.split(":")[0] for text in speakerless] == [
        "cognitive electronic warfare",
        "The best thing about working at Facebook",
    ]
    assert [note.line_number for note in parsed.notes] == [7, 13]
    assert "Emin Gün Sirer" in by_speaker
    assert [q.speaker for q in parsed.entries].count("@jaykreps") == 2


def test_march_4th_items(mar_4):
    parsed = parse_items(mar_4.items)

    assert len(parsed.entries) == 4
    assert parsed.entries[0].text.startswith("What has Google learned from creating three")


def test_february_26th_stats(feb_26):
    parsed = parse_stats(feb_26.stats)

    assert parsed.notes == []
    assert parsed.entries == [
        ParsedStat("350,000", "new Telegram users per day"),
        ParsedStat("15 billion", "messages delivered by Telegram per day"),
        ParsedStat("50 billion suns", "max size of a black hole"),
        ParsedStat("10,000x", "lower power for Wi-Fi"),
        ParsedStat("400 hours", "video uploaded to YouTube every minute"),
    ]


def test_february_26th_quotes_end_with_more_in_the_full_article(feb_26):
    assert feb_26.quotes.endswith("    • There are more Quotable Quotes in the full article.")
    parsed = parse_quotes(feb_26.quotes)

    assert parsed.notes == []
    assert parsed.more_quotes is True
    assert len(parsed.entries) == 9
    assert parsed.entries[0] == ParsedQuote(
        "sharemywin",
        "I don't think consensus scales. So, I think they'll be an ecosystem of block chains.",
    )
    assert parsed.entries[-1].speaker == "Brave New Geek"
    assert all("There are more" not in quote.speaker for quote in parsed.entries)


def test_february_26th_items(feb_26):
    parsed = parse_items(feb_26.items)

    assert len(parsed.entries) == 3
    assert parsed.entries[0].text.startswith("You have to love the datacenter of the future.")


# Malformed input: kept in place as the nearest kind, each such line noted with its number


def test_stats_keep_each_bad_chunk_as_text_in_place_and_note_its_line():
    text = (
        "• 200K : msgs send per second; 11 million subscribers; 360TB : crystal\n"
        "\n"
        "• : empty figure; .7c : speed of light in silicon; 5x :\n"
        "1.5 million messages per second and a lot more words than a figure has: label\n"
    )
    parsed = parse_stats(text)

    assert parsed.entries == [
        ParsedStat("200K", "msgs send per second"),
        ParsedStat("", "11 million subscribers"),
        ParsedStat("360TB", "crystal"),
        ParsedStat("", ": empty figure"),
        ParsedStat(".7c", "speed of light in silicon"),
        ParsedStat("", "5x :"),
        ParsedStat(
            "", "1.5 million messages per second and a lot more words than a figure has: label"
        ),
    ]
    assert [(n.line_number, n.line) for n in parsed.notes] == [
        (1, "• 200K : msgs send per second; 11 million subscribers; 360TB : crystal"),
        (3, "• : empty figure; .7c : speed of light in silicon; 5x :"),
        (3, "• : empty figure; .7c : speed of light in silicon; 5x :"),
        (4, "1.5 million messages per second and a lot more words than a figure has: label"),
    ]
    no_colon, no_figure, no_label, too_long = (n.reason for n in parsed.notes)
    assert no_colon.startswith("“11 million subscribers” kept as text in the stats line")
    assert "separator" in no_colon
    assert "no figure" in no_figure
    assert "no label" in no_label
    assert "characters long" in too_long
    assert str(parsed.notes[0]).startswith("line 1: “• 200K : msgs")


def test_stats_ignore_empty_chunks_and_trailing_semicolons():
    parsed = parse_stats("  • 200K : msgs;;  ; 11 million : subscribers;  \n;\n")

    assert parsed.notes == []
    assert parsed.entries == [ParsedStat("200K", "msgs"), ParsedStat("11 million", "subscribers")]


def test_stats_split_at_the_first_colon_only():
    assert parse_stats("$35: PI 3: 1.2GHz quad-core").entries == [
        ParsedStat("$35", "PI 3: 1.2GHz quad-core")
    ]


# The words as written, with the figure in [brackets]; the label after "|" when it is not
# the whole text (collapsed).
GUESSED_STATS = [
    # Written as a stat already: kept as written.
    "[200K] : msgs send per second through iMessage | msgs send per second through iMessage",
    "[$1bn] : Uber’s year | Uber’s year",
    "[.7c] : speed of light in silicon | speed of light in silicon",
    "[1.125Tpbs] : fastest ever data transmission | fastest ever data transmission",
    "[16 terabytes]: new Samsung SSD | new Samsung SSD",
    # A figure at the start: the rest is the label.
    "[750 million] xactions per week in App and iTunes | xactions per week in App and iTunes",
    # A sentence from a page: its first figure; the whole sentence is the label.
    "Slack now has [2.3 million] daily active users, 675,000 paid seats",
    "Netflix cache replication: [1.5 million] messages per second",
    "Raised [$35] for a Pi 3",
    # The sign is the figure's; a comma after the number is the sentence's.
    "[-30%] : drop in PC sales | drop in PC sales",
    "Sales fell [−12%] this year",
    "We run [4000], up from 3000 last year",
    "[5], maybe 6 people | maybe 6 people",
    # A number run into letters or another number is no figure; the next one is.
    "3D printing is [40%] cheaper",
    "2FA is used by [10%] of users",
    "1st place: [675,000] users",
    "2015-16 saw [5x] growth",
    # No figure: the words alone.
    "Nothing countable here.",
    "10:30 am, the servers went down",
    "24/7 support for H.264",
    "COVID-19 cases",
]


@pytest.mark.parametrize("case", GUESSED_STATS)
def test_a_stat_is_guessed_from_words_kept_from_a_page(case):
    written, _, label = case.partition(" | ")
    figure = written.partition("[")[2].partition("]")[0]
    words = written.replace("[", "").replace("]", "")
    assert guess_stat(words) == (" ".join(figure.split()), label or " ".join(words.split()))


def test_empty_boxes_parse_to_nothing():
    for parse in (parse_stats, parse_quotes, parse_items):
        parsed = parse("")
        assert parsed.entries == []
        assert parsed.notes == []
        assert parse(" \n\t\r\n").entries == []


def test_quotes_keep_each_odd_line_as_a_quote_with_no_speaker_and_note_it():
    text = "\n".join(
        [
            "  • Quotable Quotes:",
            "    • @antirez : Redis is fast.",
            "    • just some text",
            "    • : text with no speaker",
            "    • speaker:",
            "    • https://example.com/2016/2/19/a-post.html",
            "    • " + "A headline that goes on and on " * 3 + ": then a colon",
            "",
            "    • Joseph Bradley : “Here is the takeaway.”",
        ]
    )
    parsed = parse_quotes(text)

    assert parsed.entries == [
        ParsedQuote("@antirez", "Redis is fast."),
        ParsedQuote("", "just some text"),
        ParsedQuote("", ": text with no speaker"),
        ParsedQuote("", "speaker:"),
        ParsedQuote("", "https://example.com/2016/2/19/a-post.html"),
        ParsedQuote("", ("A headline that goes on and on " * 3).strip() + " : then a colon"),
        ParsedQuote("Joseph Bradley", "“Here is the takeaway.”"),
    ]
    assert [(n.line_number, n.line) for n in parsed.notes] == [
        (3, "    • just some text"),
        (4, "    • : text with no speaker"),
        (5, "    • speaker:"),
        (6, "    • https://example.com/2016/2/19/a-post.html"),
        (7, text.splitlines()[6]),
    ]
    no_colon, no_speaker, no_text, link, phrase = (n.reason for n in parsed.notes)
    assert no_colon == "kept as a quote with no speaker: no “speaker : text” separator"
    assert "nothing before the colon" in no_speaker
    assert "nothing after the speaker" in no_text
    assert "is not a name" in link
    assert "is not a name" in phrase


@pytest.mark.parametrize(
    ("line", "speaker", "text"),
    [
        ("@antirez ~ Redis is fast.", "@antirez", "Redis is fast."),
        ("Werner Vogels~Everything fails.", "Werner Vogels", "Everything fails."),
        ("Rob Joyce (NSA)\xa0:\xa0We own the network.", "Rob Joyce (NSA)", "We own the network."),
        ("Emin Gün Sirer: It is a bug.", "Emin Gün Sirer", "It is a bug."),
    ],
)
def test_colon_and_tilde_separate_speaker_and_text_with_any_spaces(line, speaker, text):
    parsed = parse_quotes(line)

    assert parsed.entries == [ParsedQuote(speaker, text)]
    assert parsed.notes == []


@pytest.mark.parametrize(
    "line",
    [
        "The best thing about working at Facebook: the free food.",
        "cognitive electronic warfare: the next frontier",
        "Amazon’s new rule for everyone: two pizzas",
    ],
)
def test_a_phrase_before_the_colon_is_the_quotes_own_text(line):
    parsed = parse_quotes(line)

    assert parsed.entries == [ParsedQuote("", line)]
    assert len(parsed.notes) == 1


def test_a_free_form_teaser_after_the_quotes_is_the_more_quotes_line_not_a_quote():
    parsed = parse_quotes(
        "@a: one\nDon’t miss all the Quotable Quotes, there are many more in the full post...\n"
    )

    assert parsed.entries == [ParsedQuote("@a", "one")]
    assert parsed.more_quotes is True
    assert "more Quotable Quotes" in parsed.notes[0].reason


def test_a_quote_about_quotes_before_the_last_line_is_a_quote_not_the_teaser():
    parsed = parse_quotes(
        "    • Not all quotes attributed to Einstein were said by him.\r\n"
        "    • @a: one\r\n"
        "    • Read more about quotes at https://quoteinvestigator.example – they check.\r\n"
        "    • Don’t miss all the Quotable Quotes, there are many more in the full post...\r\n"
    )

    assert parsed.entries == [
        ParsedQuote("", "Not all quotes attributed to Einstein were said by him."),
        ParsedQuote("@a", "one"),
        ParsedQuote(
            "", "Read more about quotes at https://quoteinvestigator.example – they check."
        ),
    ]
    assert parsed.more_quotes is True
    assert [(n.line_number, n.reason.split(":")[0]) for n in parsed.notes] == [
        (1, "kept as a quote with no speaker"),
        (3, "kept as a quote with no speaker"),
        (4, "read as the “more Quotable Quotes” line"),
    ]


def test_a_quote_about_quotes_before_the_exact_more_quotes_line_is_a_quote():
    parsed = parse_quotes(
        "@a: one\nNot all quotes attributed to Einstein were said by him.\n"
        "There are more Quotable Quotes in the full article.\n"
    )

    assert parsed.entries == [
        ParsedQuote("@a", "one"),
        ParsedQuote("", "Not all quotes attributed to Einstein were said by him."),
    ]
    assert parsed.more_quotes is True
    assert len(parsed.notes) == 1


def test_the_exact_more_quotes_line_is_read_wherever_it_stands():
    parsed = parse_quotes("@a: one\nThere are more Quotable Quotes in the full article.\n@b: two\n")

    assert parsed.entries == [ParsedQuote("@a", "one"), ParsedQuote("@b", "two")]
    assert parsed.more_quotes is True
    assert parsed.notes == []


def test_an_attribution_groups_under_the_name():
    assert speaker_key("Rob Joyce (NSA)") == speaker_key("Rob Joyce") == "rob-joyce"


def test_a_link_inside_a_quote_is_fine():
    parsed = parse_quotes("@levie: see https://example.com: it works")

    assert parsed.notes == []
    assert parsed.entries == [ParsedQuote("@levie", "see https://example.com: it works")]


def test_quote_text_is_kept_as_written_but_trimmed_and_its_spaces_collapsed():
    parsed = parse_quotes("• Greg Ferro :\xa0 any “network”  is a “network of networks”.\xa0 ")

    assert parsed.entries == [
        ParsedQuote("Greg Ferro", "any “network” is a “network of networks”.")
    ]


def test_the_more_quotes_line_is_not_a_quote():
    parsed = parse_quotes("@a: one\nThere are more Quotable Quotes in the full article.\n")

    assert parsed.entries == [ParsedQuote("@a", "one")]
    assert parsed.notes == []
    assert parsed.more_quotes is True


def test_line_notes_are_values():
    note = parse_quotes("oops").notes[0]

    assert note == LineNote(
        1, "oops", "kept as a quote with no speaker: no “speaker : text” separator"
    )


# Speaker keys


@pytest.mark.parametrize(
    ("speaker", "key"),
    [
        ("@antirez", "antirez"),
        ("antirez", "antirez"),
        ("Emin Gün Sirer", "emin-gun-sirer"),
        ("Joseph Bradley", "joseph-bradley"),
        ("  Joseph\xa0 Bradley ", "joseph-bradley"),
        ("@Nick_Craver", "nick_craver"),
        ("The best thing about working at Facebook", "the-best-thing-about-working-at-facebook"),
        ("Straße Ørsted", "strasse-orsted"),
        ("@", ""),
        ("", ""),
        ("“…”", ""),
    ],
)
def test_speaker_key(speaker, key):
    assert speaker_key(speaker) == key


def test_a_handle_and_a_name_written_without_the_at_sign_share_a_key():
    assert speaker_key("@antirez") == speaker_key("antirez") == speaker_key("Antirez")


# Line endings, tabs and bullets


def test_crlf_and_cr_line_endings_count_lines_like_the_textarea():
    crlf = parse_quotes("@a : one\r\nbroken\r\n@b : two\r\n")
    cr = parse_quotes("@a : one\rbroken\r@b : two")

    for parsed in (crlf, cr):
        assert parsed.entries == [
            ParsedQuote("@a", "one"),
            ParsedQuote("", "broken"),
            ParsedQuote("@b", "two"),
        ]
        assert [(n.line_number, n.line) for n in parsed.notes] == [(2, "broken")]


def test_stats_accept_tabs_crlf_and_every_bullet():
    text = (
        "\t•\t200K\t:\tmsgs\r\n- 1% : income;\r\n* $35 : PI 3\r\n– 16 TB : SSD\r\n— 5x : power\r\n"
    )
    parsed = parse_stats(text)

    assert parsed.notes == []
    assert [stat.figure for stat in parsed.entries] == ["200K", "1%", "$35", "16 TB", "5x"]
    assert parsed.entries[0].label == "msgs"


def test_a_minus_sign_is_not_a_bullet():
    assert parse_stats("-5% : ad revenue").entries == [ParsedStat("-5%", "ad revenue")]


@pytest.mark.parametrize("bullet", ["•", "-", "*", "–", "—", "•\t", ""])
def test_quotes_accept_every_bullet(bullet):
    parsed = parse_quotes(f"  {bullet} @sigfpe : Nobody knows how to “program” DNA.\r\n")

    assert parsed.entries == [ParsedQuote("@sigfpe", "Nobody knows how to “program” DNA.")]


def test_items_start_at_bullets_and_blank_lines():
    text = "• first\r\n- second\r\n\r\nthird, without a bullet\r\n* fourth\r\n– fifth\r\n"
    parsed = parse_items(text)

    assert parsed.entries == [
        ParsedItem("first"),
        ParsedItem("second"),
        ParsedItem("third, without a bullet"),
        ParsedItem("fourth"),
        ParsedItem("fifth"),
    ]


def test_item_continuation_lines_keep_their_line_breaks_for_markdown():
    text = (
        "  • How Uber Engineering [Evaluated\n"
        "\tJSON Encoding](https://eng.uber.com/)\xa0 \n"
        "    *a whole bunch* of approaches.\n"
    )
    parsed = parse_items(text)

    assert parsed.entries == [
        ParsedItem(
            "How Uber Engineering [Evaluated\nJSON Encoding](https://eng.uber.com/)\n"
            "*a whole bunch* of approaches."
        )
    ]


def test_items_skip_the_boilerplate_however_it_was_typed():
    text = "\n".join(
        [
            "If you like this sort of\xa0 Stuff then please consider offering your support on "
            "Patreon.",
            "• an item",
            "Don’t miss all that the Internet has to say on Scalability, click below…",
            "Click to read more ...",
            "click to read more…",
        ]
    )
    parsed = parse_items(text)

    assert parsed.entries == [ParsedItem("an item")]
    assert parsed.notes == []


def test_items_accept_stray_quote_lines_as_items():
    parsed = parse_items("• Quotable Quotes:\n• @antirez : Redis is fast.\n")

    assert parsed.entries == [
        ParsedItem("Quotable Quotes:"),
        ParsedItem("@antirez : Redis is fast."),
    ]


def test_a_long_label_is_kept_whole():
    line = "200K : " + "msgs per second, " * 40 + "; 11 million : subscribers;"
    parsed = parse_stats(line)

    assert [s.figure for s in parsed.entries] == ["200K", "11 million"]
    assert parsed.entries[0].label == ("msgs per second, " * 40).strip()
    assert parsed.notes == []
