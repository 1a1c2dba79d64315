"""Parse the text an editor pastes into a digest's paste boxes (stats, quotes, items).

The same functions read the digest parts of archive pages (DESIGN.md, "The archive text format"),
so they accept what the original site's pages look like when copied as text: bullets ("•", "-",
"*", "–", "—") with any indentation, non-breaking spaces, CRLF line endings, tabs.

Nothing is silently dropped. A parser returns the entries it understood and a `LineError` for every
line (or stats chunk) it did not, with the 1-based line number within the pasted text, so the admin
can show the editor what to fix while keeping the good lines. Recognised boilerplate is skipped,
not reported: the "Quotable Quotes:" header and "There are more Quotable Quotes in the full
article." among quotes; the support blurb, the closing line and "Click to read more ..." among
items.

This module is pure Python: no models, no database.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.text import slugify

# A figure is a short number with its unit ("200K", "1.5 million messages per second"); anything
# longer is most likely two stats run together by a missing ";".
MAX_FIGURE_LENGTH = 60
# The longest label a Stat stores; a longer one is two stats run together.
MAX_LABEL_LENGTH = 500
# Longer than any name or handle: a colon that far into a line is inside the quote, not after
# its speaker.
MAX_SPEAKER_LENGTH = 80
# The longest speaker key stored (folding can make a key longer than its speaker: ß -> ss).
SPEAKER_KEY_LENGTH = 120

# Every line break str.splitlines() knows, incl. U+2028/U+2029 from word processors.
_LINE_BREAK_RE = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# Round bullets need no space after them ("•200K"); dashes and ASCII markers do, so "-5%" and
# "*emphasis*" at the start of a line stay text.
_BULLET_RE = re.compile(r"^\s*(?:[•◦▪‣●]|[-*+–—](?=\s|$))\s*")
# Characters that are invisible in the admin's textarea but would end up in the data.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\ufeff\u200b\u200c\u200d\u2060"  # byte order mark, zero-width spaces and joiners
        "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",  # bidi controls
    ),
    None,
)
# Letters that Unicode decomposition does not reduce to ASCII.
_ASCII_FOLD = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i"}
)  # fmt: skip


@dataclass(frozen=True)
class ParsedStat:
    """A headline number: figure "200K", label "msgs send per second through iMessage"."""

    figure: str
    label: str


@dataclass(frozen=True)
class ParsedQuote:
    """A quote, with its speaker exactly as written ("@antirez", "Joseph Bradley")."""

    speaker: str
    text: str


@dataclass(frozen=True)
class ParsedItem:
    """One bullet of link commentary, Markdown as written, its lines joined by newlines."""

    text: str


@dataclass(frozen=True)
class LineError:
    """A line the parser could not use: its 1-based number, the line as pasted, and why."""

    line_number: int
    line: str
    reason: str


@dataclass
class Parsed:
    """What a paste box held: the entries understood, in order, and the lines that were not."""

    entries: list
    errors: list[LineError] = field(default_factory=list)
    more_quotes: bool = False

    @property
    def has_errors(self):
        return bool(self.errors)


def parse_stats(text: str) -> Parsed:
    """Read "figure : label; figure : label; …" from one or more lines into `ParsedStat`s.

    Each chunk between semicolons is split at its first colon. Whitespace (non-breaking spaces
    included) is collapsed; empty chunks, such as the one after a trailing ";", are ignored.
    """
    stats, errors = [], []
    for number, line in _numbered_lines(text):
        content = _strip_bullet(line)
        for raw_chunk in content.split(";"):
            chunk = _collapse(raw_chunk)
            if not chunk:
                continue
            reason = None
            figure, colon, label = chunk.partition(":")
            figure, label = figure.strip(), label.strip()
            if not colon:
                reason = f"no “figure : label” separator in “{_clip(chunk)}”"
            elif not figure:
                reason = f"no figure before the colon in “{_clip(chunk)}”"
            elif not label:
                reason = f"no label after the colon in “{_clip(chunk)}”"
            elif len(figure) > MAX_FIGURE_LENGTH:
                reason = (
                    f"the figure “{_clip(figure)}” is {len(figure)} characters long "
                    f"(at most {MAX_FIGURE_LENGTH}); is a “;” missing between two stats?"
                )
            elif len(label) > MAX_LABEL_LENGTH:
                reason = (
                    f"the label after “{_clip(figure)}” is {len(label)} characters long "
                    f"(at most {MAX_LABEL_LENGTH}); is a “;” missing between two stats?"
                )
            if reason:
                errors.append(LineError(number, line, reason))
            else:
                stats.append(ParsedStat(figure=figure, label=label))
    return Parsed(entries=stats, errors=errors)


def parse_quotes(text: str) -> Parsed:
    """Read one "speaker : text" quote per line into `ParsedQuote`s.

    The speaker is what comes before the first colon; the text is everything after it, trimmed
    but otherwise exactly as written (curly quotes, further colons). The "Quotable Quotes:" header
    and empty lines are skipped; "There are more Quotable Quotes in the full article." sets
    `more_quotes` instead of being a quote.
    """
    quotes, errors = [], []
    more_quotes = False
    for number, line in _numbered_lines(text):
        content = _strip_bullet(line).strip()
        if not content:
            continue
        folded = _fold_for_matching(content)
        if folded.rstrip(":").strip() == "quotable quotes":
            continue
        if folded.startswith("there are more quotable quotes"):
            more_quotes = True
            continue
        speaker, colon, quote = content.partition(":")
        speaker, quote = _collapse(speaker), quote.strip()
        reason = None
        if not colon:
            reason = "no “speaker : text” separator"
        elif not speaker:
            reason = "no speaker before the colon"
        elif "http" in speaker.lower():
            reason = "the text before the first colon is a link, not a speaker"
        elif len(speaker) > MAX_SPEAKER_LENGTH:
            reason = (
                f"the text before the first colon is {len(speaker)} characters long, too long "
                f"for a speaker (at most {MAX_SPEAKER_LENGTH})"
            )
        elif not quote:
            reason = "no quote after the speaker"
        if reason:
            errors.append(LineError(number, line, reason))
        else:
            quotes.append(ParsedQuote(speaker=speaker, text=quote))
    return Parsed(entries=quotes, errors=errors, more_quotes=more_quotes)


def parse_items(text: str) -> Parsed:
    """Read bullets of link commentary into `ParsedItem`s.

    A line starting with a bullet, or a blank line, starts a new item; lines without a bullet
    continue the current one. Continuation lines are trimmed and joined with a single newline:
    Markdown renders that soft break as a space, so the text reads as one paragraph, while the
    editor's line structure (a link or emphasis spanning two lines, a backslash hard break) stays
    as written. Trailing spaces are trimmed, so a two-space hard break is not kept.
    The support blurb, the closing line and "Click to read more ..." are skipped and end the
    current item. Anything else is an item; this parser reports no errors.
    """
    items = []
    current: list[str] = []

    def finish():
        if current:
            items.append(ParsedItem(text="\n".join(current)))
            current.clear()

    for _number, line in _numbered_lines(text):
        has_bullet = _BULLET_RE.match(line) is not None
        content = _strip_bullet(line).strip()
        if has_bullet or not content or _is_boilerplate(content):
            finish()
            if not content or _is_boilerplate(content):
                continue
        current.append(content)
    finish()
    return Parsed(entries=items, errors=[])


def speaker_key(speaker: str) -> str:
    """The key that groups a speaker's quotes and names their page: "@antirez" -> "antirez",
    "Emin Gün Sirer" -> "emin-gun-sirer". Accents are folded to ASCII; "" when nothing is left."""
    name = speaker.translate(_INVISIBLE).strip().lstrip("@").translate(_ASCII_FOLD)
    return slugify(name)[:SPEAKER_KEY_LENGTH].strip("-")


def _numbered_lines(text):
    """Yield (1-based number, line without its line ending), for CRLF, CR or LF endings."""
    for number, line in enumerate(_LINE_BREAK_RE.split(text or ""), start=1):
        yield number, line.translate(_INVISIBLE)


def _strip_bullet(line):
    return _BULLET_RE.sub("", line, count=1)


def _collapse(value):
    """Trim and collapse runs of whitespace (tabs and non-breaking spaces too) to one space."""
    return " ".join(value.split())


def _fold_for_matching(value):
    """Lowercase, collapsed, with typographic apostrophes made plain: for boilerplate checks."""
    value = unicodedata.normalize("NFKC", value).replace("’", "'").replace("‘", "'")
    return _collapse(value).casefold()


_BOILERPLATE_PREFIXES = (
    "if you like this sort of stuff then please consider offering your support",
    "don't miss all that the internet has to say on scalability",
)
_READ_MORE_RE = re.compile(r"^click to read more\s*(?:\.\.\.|…|\.)?$")


def _is_boilerplate(content):
    folded = _fold_for_matching(content)
    return folded.startswith(_BOILERPLATE_PREFIXES) or _READ_MORE_RE.match(folded) is not None


def _clip(value, length=40):
    return value if len(value) <= length else value[: length - 1] + "…"
