"""Who sponsors this week, for the sidebar of every page and the sponsors page.

Cached under the content version (caching.content), so approving a listing or changing a logo
shows at once, and keyed by the week, so Monday's sponsors replace last week's by themselves.
"""

import datetime

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from caching.content import cached

from .models import Listing, Sponsor, this_week, week_of


def next_week_starts(now):
    """Midnight (site time) of the coming Monday, when the sidebar's sponsors change."""
    monday = week_of(timezone.localdate(now)) + datetime.timedelta(days=7)
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))


def current_sponsors():
    """This week's sponsors, each with the `url` its name or logo links to: its website, else
    its listing's click link (counted like a click in the post)."""
    week = this_week()

    # The first of its listings with a link in that week's post, read with the sponsors.
    first_listing = (
        Listing.objects.approved()
        .filter(sponsor=OuterRef("pk"), weeks__week=week)
        .exclude(link_url="")
        .order_by("pk")
        .values("pk")[:1]
    )

    def build():
        sponsors = Sponsor.objects.running_in(week).annotate(go=Subquery(first_listing))
        return [
            {
                "name": sponsor.name,
                "url": sponsor.website
                or (reverse("sponsors:go", args=[sponsor.go]) if sponsor.go else ""),
                "logo_url": sponsor.logo.url if sponsor.logo else "",
                "logo_width": sponsor.logo_width,
                "logo_height": sponsor.logo_height,
            }
            for sponsor in sponsors.order_by("name")
        ]

    return cached(f"current-sponsors:{week.isoformat()}", build)
