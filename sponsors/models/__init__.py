"""Sponsors, their listings, the weeks listings run, clicks, each week's compiled post, and the
company changes that wait for an editor (see each module)."""

from .company_change import SponsorChange
from .core import (
    COMPANY_FIELDS,
    LISTING_TEXT_MAX,
    LOGO_FIT,
    LOGO_MAX_BYTES,
    Click,
    Listing,
    ListingWeek,
    Sponsor,
    WeeklyPost,
    logo_path,
    moderation_order,
    this_week,
    week_of,
)
from .versioned import ChangedSinceSeen

__all__ = [
    "COMPANY_FIELDS",
    "LISTING_TEXT_MAX",
    "LOGO_FIT",
    "LOGO_MAX_BYTES",
    "ChangedSinceSeen",
    "Click",
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
