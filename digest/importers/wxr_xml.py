"""The XML layer of WXR files: parsing safely (no entity expansion, no external references),
repairing the loose "&" and HTML entities Squarespace exports carry, and finding the line of
each <item> (ElementTree gives none); element names with their WXR prefixes, and WordPress's
date formats. wxr_format reads the elements into dataclasses."""

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.entities import html5
from xml.etree.ElementTree import ParseError
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

WP_NAMESPACE_RE = re.compile(r"^https?://wordpress\.org/export/(\d+\.\d+)/(excerpt/)?$")
PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
    "http://www.w3.org/2005/Atom": "atom",
}

SKIP = r"<!\[CDATA\[.*?\]\]>|<!--.*?-->"
ITEM_TAG_RE = re.compile(SKIP + r"|<item[\s/>]", re.DOTALL)
ITEM_TAG_BYTES_RE = re.compile(ITEM_TAG_RE.pattern.encode(), re.DOTALL)
LOOSE_AMPERSAND_RE = re.compile(
    SKIP + r"|&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)(?:([A-Za-z][A-Za-z0-9]*);)?",
    re.DOTALL,
)
LOOSE_AMPERSAND_BYTES_RE = re.compile(LOOSE_AMPERSAND_RE.pattern.encode(), re.DOTALL)
LISTED_LINES = 10


class WxrError(ValueError):
    """The file cannot be read as a WordPress export at all."""


def parse_xml(data, problems):
    """(root element, the data actually parsed); refusals and XML errors become WxrError."""
    try:
        return _fromstring(data), data
    except ParseError as error:
        repaired, lines = _escape_loose_ampersands(data)
        if not lines:
            raise WxrError(f"is not well-formed XML: {error}") from error
    try:
        root = _fromstring(repaired)
    except ParseError as error:
        raise WxrError(f"is not well-formed XML: {error}") from error
    listed = ", ".join(str(n) for n in lines[:LISTED_LINES])
    more = f" and {len(lines) - LISTED_LINES} more" if len(lines) > LISTED_LINES else ""
    problems.append(
        (
            "the file",
            f"has a bare “&” or an HTML entity outside CDATA on line {listed}{more}; "
            "read as the text it stands for",
        )
    )
    return root, repaired


def _fromstring(data):
    try:
        return SafeElementTree.fromstring(data)
    except (EntitiesForbidden, ExternalReferenceForbidden) as error:
        name = getattr(error, "name", None) or ""
        line = _entity_line(data, name)
        at = f" on line {line}" if line else ""
        raise WxrError(
            f"declares the XML entity “{name}”{at}, which is refused: entity declarations can "
            "expand into gigabytes of text or read files and addresses outside the export"
        ) from error
    except DefusedXmlException as error:
        raise WxrError(f"uses an XML feature that is refused: {error}") from error


def _entity_line(data, name):
    if not name:
        return None
    pattern = r"<!ENTITY\s+(?:%\s*)?" + re.escape(name) + r"\b"
    if isinstance(data, bytes):
        match = re.search(pattern.encode(), data)
        return data.count(b"\n", 0, match.start()) + 1 if match else None
    match = re.search(pattern, data)
    return data.count("\n", 0, match.start()) + 1 if match else None


def _escape_loose_ampersands(data):
    """(data with bare & and HTML entities made XML, the lines where that was done)."""
    is_bytes = isinstance(data, bytes)
    lines = []

    def replace(match):
        whole = match[0]
        if whole[:1] in ("<", b"<"):
            return whole
        newline = b"\n" if is_bytes else "\n"
        lines.append(data.count(newline, 0, match.start()) + 1)
        name = match[1].decode() if is_bytes and match[1] else match[1]
        text = html5.get(f"{name};") if name else None
        if text:
            escaped = "".join(f"&#{ord(c)};" for c in text)
        else:
            escaped = "&amp;" + (f"{name};" if name else "")
        return escaped.encode() if is_bytes else escaped

    pattern = LOOSE_AMPERSAND_BYTES_RE if is_bytes else LOOSE_AMPERSAND_RE
    repaired = pattern.sub(replace, data)
    return repaired, sorted(set(lines))


def item_lines(data, count):
    """The line of each <item> start tag, in order; Nones when the raw text cannot say."""
    pattern, newline = (
        (ITEM_TAG_BYTES_RE, b"\n") if isinstance(data, bytes) else (ITEM_TAG_RE, "\n")
    )
    starts = [m.start() for m in pattern.finditer(data) if m[0][:5] in ("<item", b"<item")]
    if len(starts) != count:
        return [None] * count
    lines, line, position = [], 1, 0
    for start in starts:
        line += data.count(newline, position, start)
        position = start
        lines.append(line)
    return lines


def wp_date(value, zone):
    """A WordPress "YYYY-MM-DD HH:MM:SS" in `zone`, as UTC; None for the zero date or nothing."""
    value = value.strip()
    if not value or value.startswith("0000-00-00"):
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def utc_date(value):
    return wp_date(value, UTC)


def rss_date(value):
    value = value.strip()
    # WordPress's pubDate of a never-published post: "Mon, 30 Nov -0001 00:00:00 +0000".
    if not value or " -0001 " in value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, IndexError) as error:
        raise ValueError(value) from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def zone_of(time_zone):
    if time_zone is None:
        return UTC
    if isinstance(time_zone, str):
        try:
            return ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone “{time_zone}”") from error
    return time_zone


def namespace_of(tag):
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def local_name(tag):
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def prefixed_name(tag):
    namespace, local = namespace_of(tag), local_name(tag)
    if not namespace:
        return local
    match = WP_NAMESPACE_RE.match(namespace)
    if match:
        return ("excerpt:" if match[2] else "wp:") + local
    prefix = PREFIXES.get(namespace)
    return f"{prefix}:{local}" if prefix else f"{{{namespace}}}{local}"
