"""Who sponsors this week, for the sidebar of every page and the sponsors page.

Cached under the content version (caching.content), so approving a listing or changing a logo
shows at once, and keyed by the week, so Monday's sponsors replace last week's by themselves.
"""

import datetime

from django.utils import timezone

from caching.content import cached

from .models import Sponsor, this_week, week_of


def next_week_starts(now):
    """Midnight (site time) of the coming Monday, when the sidebar's sponsors change."""
    monday = week_of(timezone.localdate(now)) + datetime.timedelta(days=7)
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))


def current_sponsors():
    week = this_week()

    def build():
        return [
            {
                "name": sponsor.name,
                "website": sponsor.website,
                "logo_url": sponsor.logo.url if sponsor.logo else "",
                "logo_width": sponsor.logo_width,
                "logo_height": sponsor.logo_height,
            }
            for sponsor in Sponsor.objects.running_in(week).order_by("name")
        ]

    return cached(f"current-sponsors:{week.isoformat()}", build)
