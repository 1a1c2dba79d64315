"""Readers' clicks on listings: the /go/ redirect, what counts as a click, the sponsor's report
(chart and CSV), the sidebar of this week's sponsors, and counting under concurrency."""

import html
import http.client
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caching.content import content_state
from sponsors.models import Click, Listing, this_week
from tests.helpers import text
from tests.sponsors.factories import ListingFactory, SponsorFactory, next_week, png_upload, seen

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
READER_IP = "203.0.113.7"
NOT_FOUND = "We couldn’t find that page"

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent clicks are checked on PostgreSQL, the production database "
    "(set DATABASE_URL=postgres://…); SQLite serialises every write anyway",
)


def go_url(listing_or_pk):
    pk = getattr(listing_or_pk, "pk", listing_or_pk)
    return reverse("sponsors:go", args=[pk])


def click(client, listing, method="get", ip=READER_IP, agent=BROWSER, **extra):
    if agent is not None:
        extra["HTTP_USER_AGENT"] = agent
    return getattr(client, method)(go_url(listing), REMOTE_ADDR=ip, **extra)


@pytest.fixture
def listing(db):
    return ListingFactory(
        approved=True,
        weeks=[this_week()],
        link_url="https://alpha.example/trial?ref=hs&plan=pro",
    )


# --- The redirect -------------------------------------------------------------------------------


def test_a_click_redirects_to_the_listings_own_link_and_counts_once(client, listing):
    response = click(client, listing)

    assert response.status_code == 302
    assert response["Location"] == "https://alpha.example/trial?ref=hs&plan=pro"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "origin"
    assert "no-cache" in response["Cache-Control"]
    (recorded,) = Click.objects.all()
    assert recorded.listing == listing
    assert recorded.day == timezone.localdate()


def test_a_click_stores_neither_the_address_nor_the_browser(client, listing):
    click(client, listing, ip=READER_IP)

    visitor = Click.objects.get().visitor
    assert re.fullmatch(r"[0-9a-f]{32}", visitor)
    assert READER_IP not in visitor
    assert READER_IP.replace(".", "") not in visitor
    assert "Mozilla" not in visitor


def test_the_same_visitor_again_the_same_day_adds_nothing(client, listing):
    click(client, listing)
    response = click(client, listing)

    assert response.status_code == 302
    assert response["Location"] == listing.link_url
    assert Click.objects.count() == 1


def test_another_address_is_another_visitor_but_another_browser_is_not(client, listing):
    click(client, listing)
    click(client, listing, ip="198.51.100.20")
    click(client, listing, agent=BROWSER.replace("130.0", "131.0"))

    assert Click.objects.filter(listing=listing).count() == 2
    assert Click.objects.values("visitor").distinct().count() == 2


def test_a_forged_forwarded_for_header_does_not_make_a_new_visitor(client, listing):
    click(client, listing, HTTP_X_FORWARDED_FOR="192.0.2.1")
    click(client, listing, HTTP_X_FORWARDED_FOR="192.0.2.2")

    assert Click.objects.count() == 1


def test_behind_a_proxy_the_configured_header_tells_visitors_apart(client, listing, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    click(client, listing, ip="10.0.0.1", HTTP_X_REAL_IP="192.0.2.1")
    click(client, listing, ip="10.0.0.1", HTTP_X_REAL_IP="192.0.2.2")
    click(client, listing, ip="10.0.0.1", HTTP_X_REAL_IP="192.0.2.2")

    assert Click.objects.count() == 2


def test_the_same_visitor_tomorrow_counts_again(client, listing, monkeypatch):
    click(client, listing)
    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)

    click(client, listing)

    today = timezone.localdate(tomorrow) - timedelta(days=1)
    assert sorted(Click.objects.values_list("day", flat=True)) == [
        today,
        today + timedelta(days=1),
    ]
    first, second = Click.objects.order_by("day").values_list("visitor", flat=True)
    assert first != second  # yesterday's visitor cannot be linked to today's


def test_head_redirects_but_counts_nothing(client, listing):
    response = click(client, listing, method="head")

    assert response.status_code == 302
    assert response["Location"] == listing.link_url
    assert not Click.objects.exists()


@pytest.mark.parametrize("destination", ["image", "script", "style", "iframe", "empty"])
def test_a_page_making_the_browser_fetch_the_link_counts_nothing(client, listing, destination):
    # An <img src="/go/…"> in someone's text would otherwise click for every reader.
    response = click(client, listing, HTTP_SEC_FETCH_DEST=destination)

    assert response.status_code == 302
    assert not Click.objects.exists()


def test_a_followed_link_counts_with_or_without_fetch_metadata(client, listing):
    click(client, listing, HTTP_SEC_FETCH_DEST="document", HTTP_SEC_FETCH_MODE="navigate")
    click(client, listing, ip="198.51.100.9")  # an older browser sends no Sec-Fetch headers

    assert Click.objects.count() == 2


def test_listing_and_sponsor_texts_cannot_embed_images(db):
    listing = ListingFactory(text="Look ![x](/go/1/) here <img src=/go/1/>")

    assert "<img" not in listing.text_html
    assert "<img" not in SponsorFactory(description="![x](/go/1/)").description_html


@pytest.mark.parametrize(
    "agent",
    [
        None,
        "",
        "   ",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/130.0 Safari/537.36",
        "Wget/1.21.4",
        "facebookexternalhit/1.1",
    ],
    ids=[
        "no-agent",
        "empty",
        "blank",
        "googlebot",
        "bingbot",
        "curl",
        "python-requests",
        "headless-chrome",
        "wget",
        "facebook-preview",
    ],
)
def test_robots_are_redirected_but_not_counted(client, listing, agent):
    response = click(client, listing, agent=agent)

    assert response.status_code == 302
    assert response["Location"] == listing.link_url
    assert not Click.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"next": "https://evil.example/"},
        {"url": "https://evil.example/"},
        {"to": "//evil.example"},
        {"next": "/admin/"},
    ],
)
def test_query_parameters_never_change_where_the_click_goes(client, listing, query):
    response = client.get(go_url(listing), query, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=READER_IP)

    assert response.status_code == 302
    assert response["Location"] == listing.link_url


@pytest.mark.parametrize(
    "status", [Listing.Status.PENDING, Listing.Status.REJECTED, Listing.Status.WITHDRAWN]
)
def test_a_listing_that_is_not_approved_answers_the_404_page(client, db, status):
    listing = ListingFactory(status=status, weeks=[this_week()])

    response = click(client, listing)

    assert response.status_code == 404
    assert NOT_FOUND in text(response)
    assert listing.link_url not in response.content.decode()
    assert not Click.objects.exists()


def test_an_unknown_id_answers_the_404_page(client, listing):
    response = click(client, listing.pk + 1000)

    assert response.status_code == 404
    assert NOT_FOUND in text(response)


def test_an_approved_listing_without_a_link_answers_404(client, db):
    listing = ListingFactory(approved=True, link_url="", weeks=[this_week()])

    assert click(client, listing).status_code == 404
    assert not Click.objects.exists()


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_other_methods_are_not_allowed(client, listing, method):
    response = click(client, listing, method=method)

    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD"]
    assert not Click.objects.exists()


def test_a_click_leaves_the_content_version_alone(
    client, listing, django_capture_on_commit_callbacks
):
    version = content_state().token

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        click(client, listing)
        click(client, listing, ip="198.51.100.20")

    assert Click.objects.count() == 2
    assert callbacks == []
    assert content_state().token == version


# --- The sponsor's report -----------------------------------------------------------------------


@pytest.fixture
def reported(sponsor):
    """A listing that ran two weeks ago, clicked on three of its seven days."""
    week = this_week() - timedelta(days=14)
    listing = ListingFactory(sponsor=sponsor, approved=True, weeks=[week])
    clicks = {week: 2, week + timedelta(days=1): 3, week + timedelta(days=3): 1}
    Click.objects.bulk_create(
        Click(listing=listing, day=day, visitor=f"visitor-{day}-{n}")
        for day, count in clicks.items()
        for n in range(count)
    )
    # Another listing's clicks are not in this report.
    other = ListingFactory(sponsor=sponsor, approved=True, weeks=[week])
    Click.objects.create(listing=other, day=week, visitor="someone")
    days = [week + timedelta(days=i) for i in range(7)]
    return listing, [(day, clicks.get(day, 0)) for day in days]


def test_the_listing_page_shows_the_total_and_a_bar_per_day(client, sponsor, reported):
    listing, series = reported
    client.force_login(sponsor.managers.get())

    response = client.get(reverse("sponsors:listing-detail", args=[listing.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<strong class="click-total">6</strong> clicks in all' in page
    svg = re.search(r"<svg\b.*?</svg>", page, re.S).group(0)
    bars = re.findall(r'<rect [^>]*height="([\d.]+)" class="bar"><title>(.*?)</title>', svg)
    assert [title for _, title in bars] == [
        f"{day:%a %b} {day.day}: {clicks}" for day, clicks in series
    ]
    heights = [float(height) for height, _ in bars]
    assert heights[1] == max(heights)  # the busiest day reaches the top
    assert heights[0] == pytest.approx(heights[1] * 2 / 3, abs=0.01)
    assert [h for h, (_, clicks) in zip(heights, series, strict=True) if clicks == 0] == [0] * 4
    assert reverse("sponsors:listing-csv", args=[listing.pk]) in page


def test_the_csv_has_a_row_per_day_with_its_clicks(client, sponsor, reported):
    listing, series = reported
    client.force_login(sponsor.managers.get())

    response = client.get(reverse("sponsors:listing-csv", args=[listing.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="listing-{listing.pk}-clicks.csv"'
    )
    rows = response.content.decode().splitlines()
    assert rows == ["date,clicks"] + [f"{day.isoformat()},{clicks}" for day, clicks in series]


def test_the_report_covers_days_clicked_after_the_listings_week(client, sponsor, reported):
    listing, series = reported
    late = series[-1][0] + timedelta(days=2)  # the Tuesday after the listing's week
    Click.objects.create(listing=listing, day=late, visitor="late reader")
    client.force_login(sponsor.managers.get())

    rows = client.get(reverse("sponsors:listing-csv", args=[listing.pk])).content.decode()

    assert rows.splitlines()[1:] == [f"{day.isoformat()},{clicks}" for day, clicks in series] + [
        f"{(late - timedelta(days=1)).isoformat()},0",
        f"{late.isoformat()},1",
    ]


def test_another_sponsor_cannot_see_the_report(client, other_sponsor, reported):
    listing, _ = reported
    client.force_login(other_sponsor.managers.get())

    for name in ("sponsors:listing-detail", "sponsors:listing-csv"):
        response = client.get(reverse(name, args=[listing.pk]))
        assert response.status_code == 404
        assert "date,clicks" not in response.content.decode()


def test_clicks_through_the_redirect_show_in_the_report(client, sponsor):
    listing = ListingFactory(sponsor=sponsor, approved=True, weeks=[this_week()])
    reader = Client()
    for ip in ("198.51.100.1", "198.51.100.2", "198.51.100.2"):
        click(reader, listing, ip=ip)
    click(reader, listing, agent="curl/8.5.0")
    click(reader, listing, method="head")
    client.force_login(sponsor.managers.get())

    response = client.get(reverse("sponsors:listing-detail", args=[listing.pk]))

    assert '<strong class="click-total">2</strong> clicks in all' in response.content.decode()
    rows = client.get(reverse("sponsors:listing-csv", args=[listing.pk])).content.decode()
    assert rows.splitlines()[-1] == f"{timezone.localdate().isoformat()},2"


# --- This week's sponsors in the sidebar --------------------------------------------------------

SIDEBAR_PAGES = [
    reverse("digest:post-index"),
    reverse("sponsors:about"),
    reverse("digest:archive"),
]


def sidebar(response):
    assert response.status_code == 200
    found = re.search(
        r'<section class="widget sponsors-widget">(.*?)</section>', response.content.decode(), re.S
    )
    assert found, "the page has no sponsors block in its sidebar"
    return html.unescape(found.group(1))


@pytest.mark.parametrize("url", SIDEBAR_PAGES)
def test_this_weeks_sponsors_are_in_the_sidebar(client, db, url):
    with_logo = SponsorFactory(name="Logo Queues", logo=png_upload(size=(120, 60)))
    ListingFactory(sponsor=with_logo, approved=True, weeks=[this_week()])
    ListingFactory(sponsor=SponsorFactory(name="Plain Name Co"), approved=True, weeks=[this_week()])
    ListingFactory(sponsor=SponsorFactory(name="Pending Co"), weeks=[this_week()])
    ListingFactory(sponsor=SponsorFactory(name="Next Week Co"), approved=True, weeks=[next_week()])
    ListingFactory(
        sponsor=SponsorFactory(name="Rejected Co"),
        status=Listing.Status.REJECTED,
        weeks=[this_week()],
    )

    block = sidebar(client.get(url))

    assert f'<img src="{with_logo.logo.url}" alt="Logo Queues" width="120" height="60"' in block
    assert ">Plain Name Co</a>" in block
    for absent in ("Pending Co", "Next Week Co", "Rejected Co"):
        assert absent not in block
    assert "This space could be yours." not in block


def test_the_sponsors_page_lists_this_weeks_sponsors(client, db):
    ListingFactory(sponsor=SponsorFactory(name="Plain Name Co"), approved=True, weeks=[this_week()])
    ListingFactory(sponsor=SponsorFactory(name="Pending Co"), weeks=[this_week()])

    page = text(client.get(reverse("sponsors:about")))

    main = page[page.index("This week's sponsors") : page.index("</article>")]
    assert "Plain Name Co" in main
    assert "Pending Co" not in page


def test_a_pending_listing_puts_nobody_in_the_sidebar(client, db):
    ListingFactory(sponsor=SponsorFactory(name="Pending Co"), weeks=[this_week()])

    block = sidebar(client.get(reverse("digest:post-index")))

    assert "Pending Co" not in block
    assert "This space could be yours." in block


def test_approving_a_listing_puts_its_sponsor_in_the_sidebar_at_once(
    client, editor, django_capture_on_commit_callbacks
):
    listing = ListingFactory(sponsor=SponsorFactory(name="Fresh Co"), weeks=[this_week()])
    reader = Client()
    assert "Fresh Co" not in sidebar(reader.get(reverse("digest:post-index")))
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:sponsors_listing_changelist"),
            {"action": "approve", ACTION_CHECKBOX_NAME: [listing.pk], **seen([listing])},
        )

    listing.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED
    for url in SIDEBAR_PAGES:
        assert "Fresh Co" in sidebar(reader.get(url))


def test_rejecting_a_running_listing_takes_its_sponsor_out_at_once(
    client, editor, django_capture_on_commit_callbacks
):
    listing = ListingFactory(
        sponsor=SponsorFactory(name="Gone Co"), approved=True, weeks=[this_week()]
    )
    reader = Client()
    assert "Gone Co" in sidebar(reader.get(reverse("digest:post-index")))
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:sponsors_listing_changelist"),
            {
                "action": "reject",
                ACTION_CHECKBOX_NAME: [listing.pk],
                "review_note": "Sorry.",
                **seen([listing]),
            },
        )

    assert "Gone Co" not in sidebar(reader.get(reverse("digest:post-index")))


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------


def fire(live_server, path, addresses, threads=50):
    """GET `path` once per reader's address (in X-Real-IP, which the tests' settings trust
    as a proxy's) from `threads` threads; (statuses and targets, errors, seconds). Redirects
    are not followed: http.client reports them as they are."""
    server = urlsplit(live_server.url)

    def one(address):
        conn = http.client.HTTPConnection(server.hostname, server.port, timeout=60)
        try:
            conn.request("GET", path, headers={"User-Agent": BROWSER, "X-Real-IP": address})
            response = conn.getresponse()
            response.read()
            return response.status, response.getheader("Location")
        finally:
            conn.close()

    results, errors = [], []
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(one, address) for address in addresses]
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:  # noqa: BLE001 -- every failure is reported below
                errors.append(repr(exc))
    return results, errors, time.perf_counter() - started


@postgres_only
def test_a_thousand_concurrent_clicks_from_a_thousand_visitors_are_all_counted(
    live_server, capsys, settings
):
    listing = ListingFactory(approved=True, weeks=[this_week()])
    # On loopback every request comes from 127.0.0.1: the header a proxy would set tells
    # the readers apart (no request goes to these addresses; they are only header values).
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    addresses = [f"203.0.{n // 250}.{n % 250 + 1}" for n in range(1000)]

    results, errors, seconds = fire(live_server, go_url(listing), addresses)

    with capsys.disabled():
        print(f"\n1,000 concurrent clicks (50 threads): {seconds:.2f} s, {1000 / seconds:.0f}/s")
    assert errors == []
    assert set(results) == {(302, listing.link_url)}
    assert len(results) == 1000
    assert Click.objects.filter(listing=listing).count() == 1000
    assert Click.objects.values("visitor").distinct().count() == 1000


@postgres_only
def test_a_burst_from_one_visitor_counts_once(live_server, settings):
    listing = ListingFactory(approved=True, weeks=[this_week()])
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    results, errors, _ = fire(live_server, go_url(listing), [READER_IP] * 100)

    assert errors == []
    assert set(results) == {(302, listing.link_url)}
    assert len(results) == 100
    assert Click.objects.filter(listing=listing).count() == 1
