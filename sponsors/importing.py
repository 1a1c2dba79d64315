"""Sponsors and listings of imported sponsored posts (listens to digest's entry_imported)."""

from django.utils import timezone

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
    for number, (section, text) in enumerate(entry.listings, start=1):
        listing, _ = Listing.objects.update_or_create(
            import_ref=f"{post.import_ref}#listing-{number}",
            defaults={
                "sponsor": match_sponsor(text, sponsors),
                "section": section,
                "text": text,
                "status": Listing.Status.APPROVED,
            },
        )
        ListingWeek.objects.get_or_create(listing=listing, week=week)
    Listing.objects.filter(import_ref__startswith=f"{post.import_ref}#listing-").exclude(
        import_ref__in=[f"{post.import_ref}#listing-{n}" for n in range(1, len(entry.listings) + 1)]
    ).delete()
