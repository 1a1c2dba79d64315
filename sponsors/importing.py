"""Sponsors and listings of imported sponsored posts (listens to digest's entry_imported).

The importers hand over rows only: the sponsor names of the title and each listing's section
and text. The listings are made (or found again by their natural key) here, and the post's
text is rendered from them by the compiler's renderer (sponsors.compiling.render_imported), so
an imported sponsored post looks like a compiled one.
"""

from django.utils import timezone

from .compiling import render_imported
from .models import Listing, ListingWeek, Sponsor, week_of


def sponsor_named(name):
    sponsor = Sponsor.objects.filter(name__iexact=name).first()
    return sponsor or Sponsor.objects.create(name=name)


def match_sponsor(text, sponsors):
    """The sponsor a listing's text names (longest name first), or None."""
    lowered = text.lower()
    for sponsor in sorted(sponsors, key=lambda s: len(s.name), reverse=True):
        if sponsor.name.lower() in lowered:
            return sponsor
    return None


def import_listings(sender, entry, post, **kwargs):
    if entry.kind != "sponsored":
        return
    sponsors = [sponsor_named(name) for name in entry.sponsors]
    week = week_of(timezone.localtime(post.publish_at).date())
    refs = [f"{post.import_ref}#listing-{number}" for number in range(1, len(entry.listings) + 1)]
    listings = []
    for ref, (section, text) in zip(refs, entry.listings, strict=True):
        fields = {"sponsor": match_sponsor(text, sponsors), "section": section, "text": text}
        listing, _ = Listing.objects.update_or_create(
            import_ref=ref,
            defaults=fields,
            # What ran on the old site is recorded as it ran, approved: no review is due and no
            # one is mailed. Importing again never undoes an editor's later decision.
            create_defaults={**fields, "status": Listing.Status.APPROVED},
        )
        ListingWeek.objects.get_or_create(listing=listing, week=week)
        listings.append(listing)
    Listing.objects.filter(import_ref__startswith=f"{post.import_ref}#listing-").exclude(
        import_ref__in=refs
    ).delete()
    running = [listing for listing in listings if listing.status == Listing.Status.APPROVED]
    render_imported(post, running, before=entry.excerpt, after=entry.body)
