"""The editors' side of sponsors: listings and their moderation queue (`listings`), sponsors
and the company changes that wait for review (`companies`)."""

from .companies import SponsorAdmin, SponsorAdminForm, SponsorChangeAdmin
from .listings import ListingAdmin, ListingAdminForm
from .weeks import WeeklyPostAdmin

__all__ = [
    "ListingAdmin",
    "ListingAdminForm",
    "SponsorAdmin",
    "SponsorAdminForm",
    "SponsorChangeAdmin",
    "WeeklyPostAdmin",
]
