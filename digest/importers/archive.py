"""Import archive pages saved as text (DESIGN.md, "The archive text format").

Each entry becomes a published Post keyed by the address the original site gave it
("url:/blog/2016/2/19/stuff-the-internet-says-on-scalability-for-february-19th-201.html",
the same key a feed item or a WXR post with that link gets), so a second import of the same
file finds every post again and changes nothing. The text is kept as written: stored as HTML
that shows its characters, never re-read as Markdown.

Articles have no date in the text. A list of the old site's addresses (`urls`) gives each the
date of its address; otherwise it is placed between its dated neighbours and marked as guessed,
and a guessed post is found again by title and kind (overlapping archive pages never make two
copies), and moved to its real date when a feed or WXR import brings it.
"""

from datetime import date
from html import escape

from django.urls import reverse
from django.utils import timezone

from ..models import slug_from_title
from ..models.site import DEFAULT_SUPPORT_BLURB
from ..parsing import ParsedStat
from .archive_format import guest_name, read_archive, spread_dates
from .base import (
    LEGACY_LINK_RE,
    ImportedPost,
    Report,
    default_author,
    legacy_ref,
    run_import,
    writes,
)
from .text import paragraphs_to_html, text_to_html, text_to_markdown


def legacy_path(title, moment):
    return reverse(
        "digest:post-detail",
        kwargs={
            "year": moment.year,
            "month": moment.month,
            "day": moment.day,
            "slug": slug_from_title(title),
        },
    )


def dates_from_urls(urls):
    """{slug: date} of the old site's post addresses in `urls` (the rest are ignored)."""
    found = {}
    for url in urls:
        match = LEGACY_LINK_RE.search(url.split("?")[0].split("#")[0])
        if match:
            try:
                found[match["slug"]] = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return found


def import_archive(text, *, fallback_date=None, author=None, dry_run=False, progress=None, urls=()):
    """Import every entry of `text`; returns a Report. Writes nothing when `dry_run`."""
    report = Report()
    entries, cut_short = read_archive(text)
    for note in cut_short:
        report.note(f"line {note.line_number}", f"“{note.line[:60]}” {note.reason}")
    known = dates_from_urls(urls)
    for entry in entries:
        if entry.day is None and slug_from_title(entry.title) in known:
            entry.day = known[slug_from_title(entry.title)]
    if entries and not fallback_date and all(entry.day is None for entry in entries):
        report.note(
            "the file",
            f"no entry has a date: its {len(entries)} entries were placed before today, "
            "newest first, and marked as guessed (give --date YYYY-MM-DD to place them, "
            "or import the old addresses or a feed to give them their real dates)",
        )
    dated = spread_dates(entries, fallback_date or timezone.localdate())
    with writes(dry_run):
        author = author or default_author()
        imported = [_imported(entry, moment) for entry, moment in dated]
        run_import(report, imported, author, progress=progress, total=len(imported))
    return report


def _imported(entry, moment):
    publish_at = timezone.make_aware(moment)
    post = ImportedPost(
        source="archive",
        ref=legacy_ref(legacy_path(entry.title, timezone.localtime(publish_at))),
        title=entry.title,
        kind=entry.kind,
        publish_at=publish_at,
        where=f"line {entry.line_number} (“{entry.title[:50]}”)",
        date_is_guessed=entry.day is None,
        author_name=guest_name(entry.byline),
        byline=escape(entry.byline, quote=False),
        notes=entry.notes,
        structured=entry.structured,
        as_text=entry.as_text,
    )
    if entry.kind == "digest":
        post.excerpt = paragraphs_to_html(entry.intro)
        if entry.support and entry.support != DEFAULT_SUPPORT_BLURB:
            post.support_html = f"<p>{text_to_html(entry.support)}</p>"
        post.stats = [_stat(stat) for stat in entry.stats]
        post.quotes = [
            {"speaker": q.speaker, "text": text_to_html(q.text), "text_format": "html"}
            for q in entry.quotes
        ]
        post.items = [
            {"text": paragraphs_to_html(i.text.split("\n")), "text_format": "html"}
            for i in entry.items
        ]
        post.more_quotes = entry.more_quotes
    elif entry.kind == "sponsored":
        # Rows only: sponsors.importing makes the listings and renders the post from them;
        # the excerpt holds the post's own words, which go before the sections.
        post.sponsors = entry.sponsors
        post.listings = [(section, text_to_markdown(text)) for section, text in entry.listings]
        post.excerpt = paragraphs_to_html(entry.intro)
    else:
        # An archive page shows an article's excerpt only ("Click to read more ...").
        post.excerpt, post.excerpt_only = paragraphs_to_html(entry.intro), True
    return post


def _stat(stat: ParsedStat):
    return {"figure": stat.figure, "label": text_to_html(stat.label), "text_format": "html"}
