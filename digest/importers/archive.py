"""Import archive pages saved as text (DESIGN.md, "The archive text format").

Each entry becomes a published Post keyed by the address the original site gave it
("url:/blog/2016/2/19/stuff-the-internet-says-on-scalability-for-february-19th-201.html",
the same key a feed item with that link gets),
so a second import of the same file finds every post again and changes nothing. Each entry
is written in its own savepoint: a damaged entry is reported with its line number and
skipped, the others are imported.
"""

from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Post, slug_from_title
from .archive_format import GUEST_PREFIX, read_archive, spread_dates
from .base import (
    Report,
    default_author,
    entry_imported,
    fingerprint,
    legacy_ref,
    person,
    replace_parts,
    writes,
)

SECTION_TITLES = {
    "hiring": "Who's Hiring?",
    "event": "Fun and Informative Events",
    "product": "Cool Products and Services",
}
SPONSOR_CLOSING = (
    "If any of these items interest you there's a full description of each sponsor below..."
)


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


def guest_name(byline):
    """ "This is a guest repost by Bryan Helmig, Co-founder …" -> "Bryan Helmig"."""
    rest = byline[len(GUEST_PREFIX) :].strip() if byline.startswith(GUEST_PREFIX) else ""
    return rest.split(",")[0].strip(" .")[:100]


def sponsored_markdown(entry, empty_text):
    """The sponsored post's sections as Markdown, in the fixed order; empty ones say so."""
    blocks = []
    for key, title in SECTION_TITLES.items():
        listings = [text for section, text in entry.listings if section == key]
        bullets = "\n".join(f"- {text}" for text in listings) or f"- {empty_text}"
        blocks.append(f"### {title}\n\n{bullets}")
    return "\n\n".join([*blocks, SPONSOR_CLOSING])


def import_archive(text, *, fallback_date=None, author=None, dry_run=False, progress=None):
    """Import every entry of `text`; returns a Report. Writes nothing when `dry_run`."""
    from ..models import SiteSettings

    report = Report()
    entries, damaged = read_archive(text)
    for error in damaged:
        report.skip(
            "unreadable", f"line {error.line_number}", f"“{error.line[:60]}”: {error.reason}"
        )
    empty_text = SiteSettings.load().empty_section_text
    with writes(dry_run):
        author = author or default_author()
        dated = spread_dates(entries, fallback_date)
        for done, (entry, moment) in enumerate(dated, start=1):
            where = f"line {entry.line_number} (“{entry.title[:50]}”)"
            if entry.errors:
                details = "; ".join(f"line {e.line_number}: {e.reason}" for e in entry.errors)
                report.skip(entry.kind, where, f"not imported: {details}")
            elif moment is None:
                report.skip(entry.kind, where, "no date: give --date for undated entries")
            else:
                try:
                    with transaction.atomic():
                        outcome = _write(entry, timezone.make_aware(moment), author, empty_text)
                    report.add(entry.kind, outcome)
                except DatabaseError as error:
                    report.skip(entry.kind, where, f"could not be saved: {error}")
            if progress and (done % 100 == 0 or done == len(dated)):
                progress(done, len(dated))
    return report


def _write(entry, publish_at, author, empty_text):
    ref = legacy_ref(legacy_path(entry.title, timezone.localtime(publish_at)))
    data = {
        "title": entry.title,
        "kind": entry.kind,
        "publish_at": publish_at.isoformat(),
        "intro": entry.intro,
        "byline": entry.byline,
        "stats": [(s.figure, s.label) for s in entry.stats],
        "quotes": [(q.speaker, q.text) for q in entry.quotes],
        "items": [i.text for i in entry.items],
        "more_quotes": entry.more_quotes,
        "listings": entry.listings,
        "sponsors": entry.sponsors,
    }
    digest = fingerprint(data)
    post = Post.objects.filter(import_ref=ref).first()
    if post is not None and post.import_hash == digest:
        return "unchanged"
    outcome = "created" if post is None else "updated"
    post = post or Post(import_ref=ref)
    post.title, post.slug, post.kind = entry.title, slug_from_title(entry.title), entry.kind
    post.status, post.publish_at = Post.Status.PUBLISHED, publish_at
    post.author = person(guest_name(entry.byline), author)
    post.byline, post.excerpt, post.body = entry.byline, entry.intro, ""
    if entry.kind == "sponsored":
        post.excerpt = sponsored_markdown(entry, empty_text)
    post.more_quotes_marker, post.import_hash = entry.more_quotes, digest
    post.save()
    if entry.kind == "digest":
        replace_parts(
            post,
            stats=data["stats"],
            quotes=data["quotes"],
            items=data["items"],
        )
    entry_imported.send(sender=Post, entry=entry, post=post)
    return outcome
