"""Parse the text an editor pastes into a digest's paste boxes (stats, quotes, items).

The same functions read the digest parts of archive pages (DESIGN.md, "The archive text format"),
so they accept what the original site's pages look like when copied as text: bullets ("•", "-",
"*", "–", "—") with any indentation, non-breaking spaces, CRLF line endings, tabs.

Nothing is dropped. Real digests have lines that fit no structure: a quote with no speaker, "~"
instead of ":", a phrase before the first colon, a stats chunk without its colon. Each is kept,
in place and in order, as the nearest fitting kind (a quote with no speaker, a stat that is only
text) and noted as a `LineNote` with its 1-based line number, so the admin and the import reports
can list it. Recognised boilerplate is skipped, not noted: the "Quotable Quotes:" header and
"There are more Quotable Quotes in the full article." among quotes; the support blurb, the closing
line and "Click to read more ..." among items.

This module is pure Python: no models, no database.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.text import slugify

# A figure is a short number with its unit ("200K", "1.5 million messages per second"); anything
# longer is most likely two stats run together by a missing ";".
MAX_FIGURE_LENGTH = 60
# The longest label a Stat stores (a stat kept as text can be a whole sentence or two).
MAX_LABEL_LENGTH = 2000
# Longer than any name, handle or short attribution ("Rob Joyce (NSA)"): text that long before
# the first colon is the quote's own words, not its speaker.
MAX_SPEAKER_LENGTH = 80
# A name has at most this many words ("Emin Gün Sirer", "Martin van der Berg").
MAX_NAME_WORDS = 5
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
# What separates speaker from quote: ":" or "~", with any spaces (non-breaking ones too).
_SPEAKER_SEPARATOR_RE = re.compile(r"\s*[:~]\s*")
# Lower-case words names are made of ("Vint de Cerf", "Ursula von der Leyen").
_NAME_PARTICLES = frozenset(
    {"de", "del", "della", "der", "den", "di", "da", "das", "dos", "du", "la", "le", "van",
     "von", "ten", "ter", "bin", "ibn", "al", "el", "y", "e"}
)  # fmt: skip
# A short attribution after a name: "Rob Joyce (NSA)", "Rob Joyce [NSA]", "Werner Vogels, CTO".
_ATTRIBUTION_RE = re.compile(
    r"^(?P<name>.+?)\s*(?:\([^()]{1,60}\)|\[[^\[\]]{1,60}\]|,\s*[^,]{1,60})$"
)
# A handle or one-word name: "@antirez", "mbrock", "david-given", "js8", "Cantrill".
_HANDLE_RE = re.compile(r"^@?[\w][\w.\-']{0,39}$")
# The free-form lines that end the quotes on some weeks: "Don't miss all the Quotable Quotes,
# there are many more in the full post...". Only the last line of the quotes can be one
# (is_more_quotes_teaser): the same words earlier are a quote.
MORE_QUOTES_RE = re.compile(r"\b(?:more|all (?:the |of the )?)\b.*\bquot(?:es|able)\b")
# Letters that Unicode decomposition does not reduce to ASCII.
_ASCII_FOLD = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i"}
)  # fmt: skip


@dataclass(frozen=True)
class ParsedStat:
    """A headline number: figure "200K", label "msgs send per second through iMessage".
    A chunk of the stats line that is no "figure : label" is kept with no figure."""

    figure: str
    label: str


@dataclass(frozen=True)
class ParsedQuote:
    """A quote, with its speaker exactly as written ("@antirez", "Joseph Bradley"); "" when
    the line names no speaker."""

    speaker: str
    text: str


@dataclass(frozen=True)
class ParsedItem:
    """One bullet of link commentary, Markdown as written, its lines joined by newlines."""

    text: str


@dataclass(frozen=True)
class LineNote:
    """A line kept in a looser shape than its kind: its 1-based number, the line as written,
    and what was made of it ("kept as a quote with no speaker: …")."""

    line_number: int
    line: str
    reason: str

    def __str__(self):
        return f"line {self.line_number}: “{_clip(self.line.strip(), 60)}” {self.reason}"


@dataclass
class Parsed:
    """What a paste box held: every entry, in order, and notes on the lines kept loosely."""

    entries: list
    notes: list[LineNote] = field(default_factory=list)
    more_quotes: bool = False


def parse_stats(text: str) -> Parsed:
    """Read "figure : label; figure : label; …" from one or more lines into `ParsedStat`s.

    Each chunk between semicolons is split at its first colon. Whitespace (non-breaking spaces
    included) is collapsed; empty chunks, such as the one after a trailing ";", are ignored. A
    chunk that is no "figure : label" is kept whole as a stat with no figure, and noted.
    """
    stats, notes = [], []
    for number, line in _numbered_lines(text):
        content = _strip_bullet(line)
        for raw_chunk in content.split(";"):
            chunk = _collapse(raw_chunk)
            if not chunk:
                continue
            figure, label, problem = split_stat(chunk)
            if problem:
                notes.append(
                    LineNote(
                        number, line, f"“{_clip(chunk)}” kept as text in the stats line: {problem}"
                    )
                )
                figure, label = "", chunk
            stats.append(ParsedStat(figure=figure, label=label[:MAX_LABEL_LENGTH]))
    return Parsed(entries=stats, notes=notes)


def split_stat(chunk):
    """(figure, label, problem) of one stats chunk; `problem` says why it is no stat."""
    figure, colon, label = chunk.partition(":")
    figure, label = figure.strip(), label.strip()
    if not colon:
        return "", chunk, "no “figure : label” separator"
    if not figure:
        return "", chunk, "no figure before the colon"
    if not label:
        return "", chunk, "no label after the colon"
    if len(figure) > MAX_FIGURE_LENGTH:
        return (
            "",
            chunk,
            (
                f"the figure is {len(figure)} characters long (at most {MAX_FIGURE_LENGTH}); "
                "is a “;” missing between two stats?"
            ),
        )
    if len(label) > MAX_LABEL_LENGTH:
        return "", chunk, f"the label is longer than {MAX_LABEL_LENGTH} characters"
    return figure, label, ""


# A figure in running text: an optional sign ("-30%", "−12%") and currency sign, a number ("2.3",
# "675,000", ".7"; a comma after it is the sentence's), and a magnitude or unit when one follows
# ("million", "K", "bn", "%", "TB", "terabytes", "Gbps"). A number run into letters or into
# another number ("3D", "2FA", "1st", "10:30", "24/7", "2015-16", "H.264", "COVID-19") is no
# figure.
_FIGURE_RE = re.compile(
    r"(?<![\w.,:/\-–])[-+−]?(?:[$€£¥]\s?)?(?:\d(?:[\d,]*\d)?(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?:%|x\b|[kKMBGTP]\b|bn\b|(?:thousand|million|billion|trillion)\b"
    r"|(?:[KMGTPE]B|[kKMGT]bps|[MGTP]pbs|req/s|ms|µs|ns|[kmgtpe]ilo|mega|giga|tera|peta|exa)"
    r"(?:bytes?)?\b|[a-z]+bytes\b|c\b))?"
    r"(?!\w|[.,:/\-–]\d)"
)


def guess_stat(text):
    """(figure, label) for a stat made of a sentence kept from a page, for the editor to
    confirm: "figure : label" as written when the part before the colon is a figure; else the
    first figure in the text, the label being what follows it when the text starts with it,
    the whole text otherwise (nothing of it is left out). ("", text) when there is no figure."""
    text = _collapse(text)
    figure, label, problem = split_stat(text)
    # The text must start with a figure too: "10:30 am …" is no "10 : 30 am …".
    if not problem and _FIGURE_RE.match(figure) and _FIGURE_RE.match(text):
        return figure, label
    found = _FIGURE_RE.search(text)
    if found is None or len(found.group()) > MAX_FIGURE_LENGTH:
        return "", text[:MAX_LABEL_LENGTH]
    rest = text[found.end() :].lstrip(" ,;:-–—")
    label = rest if found.start() == 0 and rest else text
    return found.group().strip(), label[:MAX_LABEL_LENGTH]


def parse_quotes(text: str) -> Parsed:
    """Read one "speaker : text" (or "speaker ~ text") quote per line into `ParsedQuote`s.

    The speaker is what comes before the first ":" or "~" when it looks like a name, a handle
    or a short attribution (`looks_like_speaker`); the text is everything after it, trimmed but
    otherwise exactly as written (curly quotes, further colons). A line without such a speaker
    is kept whole as a quote with no speaker, and noted. The "Quotable Quotes:" header and empty
    lines are skipped; "There are more Quotable Quotes in the full article." (and the free-form
    teaser some weeks end with, on the last line only) set `more_quotes` instead of being a
    quote.
    """
    quotes, notes = [], []
    more_quotes = False
    lines = []
    for number, line in _numbered_lines(text):
        content = _collapse(_strip_bullet(line))
        if not content:
            continue
        folded = fold_for_matching(content)
        if folded.rstrip(":").strip() == "quotable quotes":
            continue
        lines.append((number, line, content, folded))
    for index, (number, line, content, folded) in enumerate(lines):
        if is_more_quotes_marker(folded):
            more_quotes = True
            continue
        speaker, quote, problem = split_speaker(content)
        if problem and is_more_quotes_teaser(folded, last=index == len(lines) - 1):
            more_quotes = True
            notes.append(LineNote(number, line, "read as the “more Quotable Quotes” line"))
            continue
        if problem:
            notes.append(LineNote(number, line, f"kept as a quote with no speaker: {problem}"))
        quotes.append(ParsedQuote(speaker=speaker, text=quote))
    return Parsed(entries=quotes, notes=notes, more_quotes=more_quotes)


def is_more_quotes_marker(folded):
    """Whether a (folded) line is the site's own "There are more Quotable Quotes in the full
    article.", which may stand anywhere among the quotes."""
    return folded.startswith("there are more quotable quotes")


def is_more_quotes_teaser(folded, *, last):
    """Whether a (folded) line with no speaker is a free-form teaser that more quotes follow
    ("Don't miss all the Quotable Quotes, …"). Only the last line of the quotes can be one:
    a line like it before other quotes is a quote ("Not all quotes attributed to Einstein …")."""
    return last and MORE_QUOTES_RE.search(folded) is not None


def split_speaker(content):
    """(speaker, text, problem) of one quote line; with a problem the speaker is "" and the
    text is the whole line."""
    match = _SPEAKER_SEPARATOR_RE.search(content)
    if not match:
        return "", content, "no “speaker : text” separator"
    speaker, quote = content[: match.start()].strip(), content[match.end() :].strip()
    if not speaker:
        return "", content, "nothing before the colon"
    if not quote:
        return "", content, "nothing after the speaker"
    if not looks_like_speaker(speaker):
        return "", content, f"“{_clip(speaker)}” is not a name"
    return speaker, quote, ""


def looks_like_speaker(text):
    """Whether `text` (what stands before a quote's first colon) names who said it: a handle
    or one-word name ("@antirez", "mbrock"), a name of up to five capitalised words ("Emin Gün
    Sirer", "Ursula von der Leyen"), either with a short attribution ("Rob Joyce (NSA)",
    "Werner Vogels, CTO"). A phrase ("The best thing about working at Facebook", "cognitive
    electronic warfare") is the quote's own text."""
    text = _collapse(text)
    if not text or len(text) > MAX_SPEAKER_LENGTH or "http" in text.lower() or "//" in text:
        return False
    return _is_name(text) or _is_name(_without_attribution(text))


def _is_name(text):
    words = text.split()
    if not words:
        return False
    if len(words) == 1:
        return _HANDLE_RE.match(words[0]) is not None
    if len(words) > MAX_NAME_WORDS or not _is_capitalised(words[0]):
        return False
    return all(_is_capitalised(word) or word.lower() in _NAME_PARTICLES for word in words)


def _is_capitalised(word):
    if len(word) == 2 and word[0].isupper() and word[1] == ".":
        return True  # an initial: "J. Bradley"
    if word.endswith((".", "?", "!", ",", ";")):
        return False
    first = word.lstrip("@\"“'(")[:1]
    return bool(first) and (first.isupper() or first.isdigit())


def _without_attribution(text):
    match = _ATTRIBUTION_RE.match(text)
    return match["name"] if match else text


def parse_items(text: str) -> Parsed:
    """Read bullets of link commentary into `ParsedItem`s.

    A line starting with a bullet, or a blank line, starts a new item; lines without a bullet
    continue the current one. Continuation lines are trimmed and joined with a single newline:
    Markdown renders that soft break as a space, so the text reads as one paragraph, while the
    editor's line structure (a link or emphasis spanning two lines, a backslash hard break) stays
    as written. Trailing spaces are trimmed, so a two-space hard break is not kept.
    The support blurb, the closing line and "Click to read more ..." are skipped and end the
    current item. Anything else is an item; this parser makes no notes.
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
    return Parsed(entries=items)


def speaker_key(speaker: str) -> str:
    """The key that groups a speaker's quotes and names their page: "@antirez" -> "antirez",
    "Emin Gün Sirer" -> "emin-gun-sirer", "Rob Joyce (NSA)" -> "rob-joyce". Accents are folded
    to ASCII; "" when nothing is left."""
    name = _collapse(speaker.translate(_INVISIBLE))
    if _is_name(_without_attribution(name)):
        name = _without_attribution(name)
    name = name.lstrip("@").translate(_ASCII_FOLD)
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


def fold_for_matching(value):
    """Lowercase, collapsed, with typographic apostrophes made plain: for boilerplate checks."""
    value = unicodedata.normalize("NFKC", value).replace("’", "'").replace("‘", "'")
    return _collapse(value).casefold()


_BOILERPLATE_PREFIXES = (
    "if you like this sort of stuff then please consider offering your support",
    "don't miss all that the internet has to say on scalability",
)
_READ_MORE_RE = re.compile(r"^click to read more\s*(?:\.\.\.|…|\.)?$")


def _is_boilerplate(content):
    folded = fold_for_matching(content)
    return folded.startswith(_BOILERPLATE_PREFIXES) or _READ_MORE_RE.match(folded) is not None


def _clip(value, length=40):
    return value if len(value) <= length else value[: length - 1] + "…"
