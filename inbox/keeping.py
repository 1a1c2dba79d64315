"""Keeping links: one from the bookmarklet or the share sheet, many from a pasted list or
newsletter. Every address found is accounted for: kept, or named as a duplicate, or named as
not a web address; each kept one says whether it is already covered."""

import re
from dataclasses import dataclass, field

from django.db import transaction

from digest.covered import covering_post
from digest.link_normal import MAX_URL_LENGTH, normalize_url

from .models import Entry
from .tasks import fetch_metadata

# http(s) addresses in running text; a trailing full stop, comma or bracket is the sentence's.
URL_IN_TEXT = re.compile(r"""https?://[^\s<>"'\]\[{}|\\^`]+""", re.IGNORECASE)
TRAILING = ".,;:!?)»”’'\""
MAX_PASTED_URLS = 200


def urls_in(text):
    """Addresses in a pasted text, in order, with their trailing punctuation taken off (a
    closing bracket stays when the address opened one, as Wikipedia's do)."""
    found = []
    for match in URL_IN_TEXT.finditer(text or ""):
        url = match.group(0)
        while url and url[-1] in TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        found.append(url)
    return found


@dataclass
class Kept:
    """What happened to one kept address."""

    entry: Entry
    covered_by: object = None  # the published post with this link
    earlier: list = field(default_factory=list)  # earlier inbox entries of the same page


def keep(url, user, title="", text="", comment="", is_suggestion=False):
    """Keep one link; its page's metadata is fetched in the background after the commit."""
    normal = normalize_url(url)
    if not normal:
        raise ValueError("not an http or https address")
    entry = Entry.objects.create(
        url=url[:MAX_URL_LENGTH],
        normalized_url=normal,
        title=" ".join(title.split())[:300],
        selected_text=text.strip()[:5000],
        comment=" ".join(comment.split())[:300],
        kept_by=user,
        is_suggestion=is_suggestion,
        covered_by=covering_post(normal),
    )
    transaction.on_commit(lambda: fetch_metadata.enqueue(entry.pk))
    earlier = entry.earlier_copies().select_related("kept_by", "used_in").order_by("created")
    return Kept(entry, entry.covered_by, list(earlier))


@dataclass
class PasteReport:
    kept: list = field(default_factory=list)
    repeated: list = field(default_factory=list)  # in this paste already
    rejected: list = field(default_factory=list)  # found, but not an address we keep
    over_limit: list = field(default_factory=list)


def keep_many(text, user, comment=""):
    """Keep every address of a pasted text. Repeats within the paste are kept once and named;
    beyond MAX_PASTED_URLS addresses the rest are named, not kept."""
    report, seen = PasteReport(), set()
    for url in urls_in(text):
        normal = normalize_url(url)
        if not normal:
            report.rejected.append(url)
        elif normal in seen:
            report.repeated.append(url)
        elif len(report.kept) >= MAX_PASTED_URLS:
            report.over_limit.append(url)
        else:
            seen.add(normal)
            report.kept.append(keep(url, user, comment=comment))
    return report
