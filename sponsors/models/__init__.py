"""Sponsors and their listings (`core`), the weeks listings run, clicks and each week's
compiled post (`weeks`), and the company changes that wait for an editor (`company_change`).

A listing's or a company change's status changes only through its verbs, which raise
IllegalTransition (a ValueError whose message the sponsor or editor can read) for a move the
lifecycle does not allow.
"""

from digest.models import IllegalTransition

from .company_change import SponsorChange
from .core import (
    COMPANY_FIELDS,
    LISTING_TEXT_MAX,
    LOGO_FIT,
    LOGO_MAX_BYTES,
    Listing,
    Sponsor,
    logo_path,
    moderation_order,
    this_week,
    week_of,
)
from .versioned import ChangedSinceSeen
from .weeks import Click, ListingWeek, WeeklyPost

__all__ = [
    "COMPANY_FIELDS",
    "LISTING_TEXT_MAX",
    "LOGO_FIT",
    "LOGO_MAX_BYTES",
    "ChangedSinceSeen",
    "Click",
    "IllegalTransition",
    "Listing",
    "ListingWeek",
    "Sponsor",
    "SponsorChange",
    "WeeklyPost",
    "logo_path",
    "moderation_order",
    "this_week",
    "week_of",
]
