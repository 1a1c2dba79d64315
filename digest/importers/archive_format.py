"""Read the archive text format (DESIGN.md, "The archive text format") into entries.

Archive pages saved as text: entries follow one another, each starting with its title line
and ending with "Click to read more ..."; the file may end with the pagination line. An entry
is a digest (its title says "Stuff The Internet Says On Scalability For <date>"), a sponsored
post ("Sponsored Post: <sponsors>") or an article (a guest post when it opens with "This is a
guest repost by …"). The digest parts are read by digest.parsing, the same code as the
admin's paste boxes.

Pure Python: no models, no database. Nothing is dropped: a line that fits no part of its
entry is kept as the nearest part (an item, an intro paragraph) with a LineNote giving its
line number in the file; an entry cut short is read as far as it goes.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..parsing import LineNote, parse_items, parse_quotes, parse_stats
from .sections import is_placeholder, section_key

DIGEST_TITLE_RE = re.compile(
    r"^Stuff The Internet Says On Scalability For (?P<month>[A-Z][a-z]+) "
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?,\s*(?P<year>\d{4})\s*$"
)
SPONSORED_PREFIX = "Sponsored Post:"
READ_MORE_RE = re.compile(r"^\s*Click to read more\s*(?:\.\.\.|…)?\s*$", re.IGNORECASE)
PAGINATION_RE = re.compile(r"^\s*(?:« Previous \d+ Entries\s*)?Page \d+\b")
SUPPORT_PREFIX = "If you like this sort of Stuff"
CLOSING_PREFIX = "Don't miss all that the Internet has to say"
SPONSOR_CLOSING_PREFIX = "If any of these items interest you"
# "This is a guest repost by …", "This is a guest post by …", "Guest post by …".
GUEST_BYLINE_RE = re.compile(
    r"^\s*(?:This is an? )?guest (?:re)?post(?:ed)? (?:written )?by\s+(?P<rest>.+)$", re.IGNORECASE
)
_BULLET_RE = re.compile(r"^(?P<indent>\s*)[•◦▪‣●]\s*(?P<text>.*)$")
_QUOTES_HEADER_RE = re.compile(r"^\s*Quotable Quotes\s*:?\s*$", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December"],
        start=1,
    )
}  # fmt: skip


@dataclass
class ArchiveEntry:
    """One entry of the archive, as read from the text (not yet a Post)."""

    line_number: int
    title: str
    kind: str = "article"  # "digest", "sponsored" or "article"
    day: date | None = None
    intro: list = field(default_factory=list)  # paragraphs of plain text, as written
    byline: str = ""
    support: str = ""  # the digest's own support line, as written
    stats: list = field(default_factory=list)
    quotes: list = field(default_factory=list)
    items: list = field(default_factory=list)
    more_quotes: bool = False
    sponsors: list = field(default_factory=list)
    listings: list = field(default_factory=list)  # (section key, text)
    notes: list = field(default_factory=list)
    structured: int = 0  # lines read as their kind
    as_text: int = 0  # lines kept as text of a looser kind (each has a note)


def looks_like_stats(text):
    """A stats line: mostly "figure : label;" chunks whose figures are numbers ("200K", "$1bn")."""
    parsed = parse_stats(text)
    numbers = [s for s in parsed.entries if any(ch.isdigit() for ch in s.figure)]
    return (
        len(parsed.entries) >= 2
        and len(numbers) * 2 > len(parsed.entries)
        or (len(parsed.entries) == 1 and len(numbers) == 1 and ";" in text)
    )


def normalise(line):
    return line.replace("\xa0", " ").rstrip()


def digest_date(title):
    match = DIGEST_TITLE_RE.match(" ".join(title.split()))
    if not match or match["month"] not in _MONTHS:
        return None
    try:
        return date(int(match["year"]), _MONTHS[match["month"]], int(match["day"]))
    except ValueError:
        return None


def _starts_entry(line):
    return bool(DIGEST_TITLE_RE.match(line.strip())) or line.startswith(SPONSORED_PREFIX)


def split_entries(text):
    """Yield (title line number, title, [(line number, line), …]) and errors for damaged blocks."""
    lines = [normalise(line) for line in text.splitlines()]
    blocks, errors = [], []
    current = None
    for number, line in enumerate(lines, start=1):
        if current is None:
            if not line.strip() or PAGINATION_RE.match(line):
                continue
            current = (number, line.strip(), [])
            continue
        if READ_MORE_RE.match(line):
            blocks.append(current)
            current = None
        elif _starts_entry(line) and (not current[2] or not current[2][-1][1].strip()):
            # A new title where the previous entry should have ended: that one is cut short.
            errors.append(
                LineNote(
                    current[0],
                    current[1],
                    "ends without “Click to read more”: imported as far as it goes",
                )
            )
            blocks.append(current)
            current = (number, line.strip(), [])
        else:
            current[2].append((number, line))
    if current is not None:
        errors.append(
            LineNote(
                current[0],
                current[1],
                "the file ends inside this entry: imported as far as it goes",
            )
        )
        blocks.append(current)
    return blocks, errors


def read_archive(text):
    """Entries of an archive text (in file order) and notes on entries that were cut short."""
    blocks, errors = split_entries(text)
    entries = []
    for number, title, body in blocks:
        entry = ArchiveEntry(line_number=number, title=" ".join(title.split()))
        if digest_date(entry.title):
            entry.kind, entry.day = "digest", digest_date(entry.title)
            _read_digest(entry, body)
        elif entry.title.startswith(SPONSORED_PREFIX):
            entry.kind = "sponsored"
            _read_sponsored(entry, body)
        else:
            _read_article(entry, body)
        entries.append(entry)
    return entries, errors


# A pasted digest may come from a page (• bullets, quotes indented under "Quotable Quotes:")
# or from Markdown or an e-mail (-, * or + bullets, nested by two spaces or more).
_TEXT_BULLET_RE = re.compile(r"^(?P<indent>\s*)[-*+]\s+(?P<text>\S.*)$")


def read_pasted_digest(text):
    """A whole digest pasted into the composer, sorted into an entry's intro, stats, quotes
    and items by the archive's own reader. The lines the site writes itself (the title, the
    support and closing lines, "Click to read more") are left out, each with a note; every
    other line lands somewhere, and the notes name the lines kept loosely."""
    entry = ArchiveEntry(line_number=0, title="", kind="digest")
    body, skipped = [], []
    header_width = None  # how far the "Quotable Quotes:" bullet was indented
    for number, raw in enumerate(text.splitlines(), start=1):
        line = normalise(raw)
        bullet = _TEXT_BULLET_RE.match(line) or _BULLET_RE.match(line)
        if bullet:
            # Nested under another bullet (deeper than the quotes' header, or by two spaces
            # or a tab before there is one): as deep as the archive's quotes, whatever the
            # page, the e-mail or the Markdown used to indent it.
            width = len(bullet["indent"].expandtabs(4))
            if _QUOTES_HEADER_RE.match(bullet["text"]):
                header_width = width
            nested = width > header_width if header_width is not None else width >= 2
            line = f"{'    ' if nested else ''}• {bullet['text']}"
        content = line.strip()
        if DIGEST_TITLE_RE.match(content):
            skipped.append(LineNote(number, line, "left out: the title (the post keeps its own)"))
        elif READ_MORE_RE.match(content):
            skipped.append(LineNote(number, line, "left out: the site writes its own"))
        else:
            if content.startswith((CLOSING_PREFIX, SUPPORT_PREFIX)):
                # Read (they end the intro and the parts), not kept.
                skipped.append(LineNote(number, line, "left out: the site writes its own"))
            body.append((number, line))
    _read_digest(entry, body)
    entry.notes = sorted(skipped + entry.notes, key=lambda note: note.line_number)
    return entry


def _with_file_numbers(parsed, numbers):
    """Notes of a parse over selected lines, renumbered to their lines in the file."""
    return [
        LineNote(numbers[note.line_number - 1], note.line, note.reason) for note in parsed.notes
    ]


def _read_digest(entry, body):
    stats_lines, quote_lines, item_lines = [], [], []
    section, outside = "intro", 0
    for number, line in body:
        bullet = _BULLET_RE.match(line)
        content = line.strip()
        if not content:
            continue
        if content.startswith(SUPPORT_PREFIX):
            entry.support = " ".join(content.split())
            section = "parts"
        elif content.startswith(CLOSING_PREFIX):
            section = "closing"
        elif section == "intro" and not bullet:
            entry.intro.append(content)
            entry.structured += 1
        elif bullet and _QUOTES_HEADER_RE.match(bullet["text"]):
            section = "quotes"
        elif bullet and section == "quotes" and len(bullet["indent"]) >= 4:
            quote_lines.append((number, bullet["text"]))
        elif (
            bullet
            and not stats_lines
            and not item_lines
            and section in ("intro", "parts")
            and looks_like_stats(bullet["text"])
        ):
            stats_lines.append((number, bullet["text"]))
            section = "parts"
        elif bullet:
            item_lines.append((number, "• " + bullet["text"]))
            section = "items"
        elif item_lines and section != "closing":
            item_lines.append((number, content))  # an item's next paragraph
        else:
            # Text between the parts or after the closing line: kept as an item of its own.
            where = "after the closing line" if section == "closing" else "outside the parts"
            entry.notes.append(LineNote(number, line, f"kept as an item ({where})"))
            entry.as_text += 1
            outside += 1
            item_lines.append((number, "• " + content))
    for lines, parser, target in (
        (stats_lines, parse_stats, "stats"),
        (quote_lines, parse_quotes, "quotes"),
        (item_lines, parse_items, "items"),
    ):
        parsed = parser("\n".join(text for _, text in lines))
        setattr(entry, target, parsed.entries)
        notes = _with_file_numbers(parsed, [n for n, _ in lines])
        entry.notes += notes
        entry.as_text += len(notes)
        entry.structured += len(parsed.entries) - len(notes) - (outside if target == "items" else 0)
        if target == "quotes":
            entry.more_quotes = parsed.more_quotes


def _read_sponsored(entry, body):
    entry.sponsors = [
        name.strip() for name in entry.title[len(SPONSORED_PREFIX) :].split(",") if name.strip()
    ]
    section, heading = None, ""
    for number, line in body:
        content = line.strip()
        bullet = _BULLET_RE.match(line)
        if not content or content.startswith(SPONSOR_CLOSING_PREFIX):
            continue
        if bullet and section is not None:
            text = bullet["text"].strip()
            if text.strip(" :") and not is_placeholder(text):
                entry.listings.append((section, text))
                entry.structured += 1
        elif key := section_key(content):
            section, heading = key, ""
        else:
            # Text before the first section, a heading of no known section and the bullets
            # under it: the post's own words, kept in its text. Such a heading ends the
            # section before it (its bullets are no listings of that section).
            if bullet and heading:
                where = f"under “{heading[:40]}”, not a known section"
            elif not bullet and (section is not None or heading):
                section, heading, where = None, content, "not a known section"
            else:
                where = "before any section"
            entry.notes.append(LineNote(number, line, f"kept as text of the post ({where})"))
            entry.as_text += 1
            entry.intro.append(bullet["text"].strip() if bullet else content)


def _read_article(entry, body):
    paragraphs, current = [], []
    for _, line in body:
        content = line.strip()
        if not content:
            if current:
                paragraphs.append(current)
                current = []
            continue
        bullet = _BULLET_RE.match(line)
        current.append(f"• {bullet['text']}" if bullet else content)
    if current:
        paragraphs.append(current)
    if paragraphs and GUEST_BYLINE_RE.match(paragraphs[0][0]):
        entry.byline = " ".join(paragraphs.pop(0))
    entry.intro = ["\n".join(lines) for lines in paragraphs]
    entry.structured += len(paragraphs)


def guest_name(byline):
    """ "This is a guest repost by Bryan Helmig, Co-founder …" -> "Bryan Helmig"."""
    match = GUEST_BYLINE_RE.match(byline or "")
    if not match:
        return ""
    name = re.split(r",|\s+(?:of|from|at|who|is)\s+|\.\s", match["rest"], maxsplit=1)[0]
    return name.strip(" .")[:100]


def spread_dates(entries, fallback=None):
    """Give undated entries a time between their dated neighbours, keeping the file's order.

    Dated entries keep 09:00 of their date. Entries between two dated ones are spaced evenly
    between them; entries before the first or after the last dated one step a day further in
    the file's direction (newest first unless most dated pairs ascend); with no dated entry at
    all, `fallback` (a date) is the newest. Returns [(entry, naive datetime or None)].
    """
    anchors = [(i, datetime.combine(e.day, datetime.min.time()).replace(hour=9))
               for i, e in enumerate(entries) if e.day]  # fmt: skip
    if not anchors:
        if fallback is None:
            return [(entry, None) for entry in entries]
        anchors = [(-1, datetime.combine(fallback, datetime.min.time()).replace(hour=9) + _DAY)]
    pairs = list(zip(anchors, anchors[1:], strict=False))
    ascending = sum(1 for (_, a), (_, b) in pairs if b > a)
    descending = ascending * 2 <= len(pairs)  # archive pages list newest first
    step = -_DAY if descending else _DAY
    result = []
    for index, entry in enumerate(entries):
        before = [(i, t) for i, t in anchors if i <= index]
        after = [(i, t) for i, t in anchors if i >= index]
        if before and before[-1][0] == index:
            moment = before[-1][1]
        elif before and after:
            (i0, t0), (i1, t1) = before[-1], after[0]
            moment = t0 + (t1 - t0) * (index - i0) / (i1 - i0)
        elif before:
            moment = before[-1][1] + step * (index - before[-1][0])
        else:
            moment = after[0][1] - step * (after[0][0] - index)
        result.append((entry, moment.replace(microsecond=0)))
    return result


_DAY = datetime(2000, 1, 2) - datetime(2000, 1, 1)
