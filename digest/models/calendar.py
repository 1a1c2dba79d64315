"""The site's calendar: periods of the archive and the weekly digest's date and title."""

from datetime import datetime, time, timedelta

from django.utils import timezone

# Dates outside this range cannot be a post of ours, and near Python's limits the
# conversion between time zones overflows.
YEARS = range(1990, 9000)


def period_bounds(year, month=None, day=None):
    """Aware start and end of a year, month or day in the site's time zone; None if no such."""
    if year not in YEARS or month == 0 or day == 0:
        return None  # /archive/2016/0/ is no month, not the whole of 2016
    try:
        start = datetime(year, month or 1, day or 1)
        if day:
            end = start + timedelta(days=1)
        elif month:
            end = datetime(year + month // 12, month % 12 + 1, 1)
        else:
            end = datetime(year + 1, 1, 1)
    except (ValueError, OverflowError):
        return None
    return timezone.make_aware(start), timezone.make_aware(end)


def ordinal(day):
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def digest_title(day):
    """ "Stuff The Internet Says On Scalability For February 19th, 2016" for that date."""
    return f"Stuff The Internet Says On Scalability For {day:%B} {ordinal(day.day)}, {day.year}"


def next_issue_day(today=None, weekday=4):
    """The date of the coming issue: today if it is a Friday, else the next Friday."""
    today = today or timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def week_start(issue_day):
    """The first moment of the week an issue covers: the Saturday after the last issue."""
    return timezone.make_aware(datetime.combine(issue_day - timedelta(days=6), time.min))
