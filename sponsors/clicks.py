"""Counting a reader's click on a listing: at most once a day per address, never for robots.

The visitor is a keyed hash of the reader's address and the day. The browser is left out on
purpose: a client that changes its User-Agent on every request would otherwise count as a new
reader each time, and a sponsor's clicks could be inflated at will. Readers behind one shared
address (an office, a carrier's NAT) count as one, which undercounts rather than lets anyone
inflate. No address is stored, and the day in the key means no visitor can be followed from
one day to the next.
"""

import hmac
import re
from datetime import timedelta
from hashlib import sha256

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone

from accounts.network import client_ip

from .models import Click

# Obvious robots: crawlers, link previewers, uptime checkers and HTTP libraries. A browser
# that claims to be an ordinary browser is counted; that is what "obvious" means.
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|preview|scanner|monitor|headlesschrome|"
    r"facebookexternalhit|embedly|quora link|whatsapp|lighthouse|pingdom|curl|wget|"
    r"python-requests|python-urllib|aiohttp|httpx|go-http-client|java/|okhttp|libwww|"
    r"scrapy|phantomjs|node-fetch|axios",
    re.IGNORECASE,
)


def is_navigation(request):
    """A person following the link, not a page making the browser fetch it (an <img> or a
    script pointing at /go/ would otherwise click for every reader). Browsers that send no
    Sec-Fetch-Dest are given the benefit of the doubt."""
    return request.headers.get("Sec-Fetch-Dest", "document") == "document"


def is_robot(request):
    agent = request.headers.get("User-Agent", "")
    return not agent.strip() or bool(BOT_PATTERN.search(agent))


def visitor_key(request, day):
    message = "\n".join([day.isoformat(), client_ip(request)])
    key = (settings.SECRET_KEY + ":sponsors.clicks").encode()
    return hmac.new(key, message.encode(), sha256).hexdigest()[:32]


def count_click(request, listing):
    """Record the click if it counts (False for HEAD and robots); a repeat adds nothing."""
    if request.method != "GET" or is_robot(request) or not is_navigation(request):
        return False
    day = timezone.localdate()
    Click.objects.bulk_create(
        [Click(listing=listing, day=day, visitor=visitor_key(request, day))],
        ignore_conflicts=True,  # the same visitor again today: nothing to add
    )
    return True


def daily_clicks(listing, first_day, last_day):
    """[(day, clicks)] for every day of the range, days without clicks included."""
    counts = dict(
        Click.objects.filter(listing=listing, day__range=(first_day, last_day))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    days = (last_day - first_day).days + 1
    return [
        (first_day + timedelta(days=i), counts.get(first_day + timedelta(days=i), 0))
        for i in range(max(days, 0))
    ]


REPORT_MAX_DAYS = 92


def report_period(listing, weeks, today=None):
    """The days a listing's click report covers: its weeks and any day it was clicked (a
    scheduled post's links work once approved), up to today and at most REPORT_MAX_DAYS,
    ending with the latest. None while it has neither run nor been clicked."""
    today = today or timezone.localdate()
    clicked = Click.objects.filter(listing=listing).aggregate(first=Min("day"), last=Max("day"))
    starts = [day for day in (min(weeks, default=None), clicked["first"]) if day]
    last_week_end = max(weeks) + timedelta(days=6) if weeks else None
    ends = [day for day in (last_week_end, clicked["last"]) if day]
    if not starts or min(starts) > today:
        return None
    last = min(max(ends), today)
    return max(min(starts), last - timedelta(days=REPORT_MAX_DAYS - 1)), last
