"""The whole sponsor path, in a real browser (issue 5): a company signs up, confirms its
address from the e-mail, uploads a logo and submits a listing; an editor approves it and
compiles the week in the admin; a reader sees the sponsored post and clicks through; the
sponsor sees the click on its dashboard and in the CSV report."""

import csv
import re
from datetime import UTC, timedelta
from mimetypes import guess_type

from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accounts.models import User
from digest.models import Post
from sponsors.models import Listing, ListingWeek, Sponsor, this_week
from tests.accounts.factories import PASSWORD, EditorFactory
from tests.sponsors.factories import ListingFactory, SponsorFactory

COMPANY = "Kestrel Queues"
WEBSITE = "https://kestrel-queues.example"
DESCRIPTION = "Kestrel Queues runs message queues for teams that cannot lose a message."
SPONSOR_NAME = "Grace Hopper"
SPONSOR_EMAIL = "grace@kestrel-queues.example"
SPONSOR_PASSWORD = "a long and unguessable passphrase"
LISTING_TEXT = (
    "**QueueCon 2026** is a two-day conference on message queues at scale, with talks from "
    "the people who run them."
)
LISTING_TEXT_READ = (
    "QueueCon 2026 is a two-day conference on message queues at scale, with talks from "
    "the people who run them."
)
LINK_LABEL = "Get your ticket"
# Playwright's own user agent says "HeadlessChrome", which sponsors.clicks rightly counts as a
# robot; the reader's browser claims to be an ordinary desktop Chrome, so its click counts.
DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
VERIFY_LINK = re.compile(r"https?://\S+/accounts/verify/\S+/")


def png_file(folder, size=(240, 80)):
    """A real PNG on disk, as a sponsor would pick it in the file dialog."""
    path = folder / "kestrel-logo.png"
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((20, 90, 200, 255), (0, 0, size[0] // 2, size[1]))
    image.save(path, "PNG")
    return path


def serve_media(context, url):
    """Answer /media/ requests from the storage, as nginx does in production: tests run with
    DEBUG (and so SERVE_MEDIA) off, and config/urls.py only serves media when it is on."""

    def fulfil(route):
        name = route.request.url.removeprefix(f"{url}/media/").split("?")[0]
        if not default_storage.exists(name):
            route.fulfill(status=404, body="not found")
            return
        with default_storage.open(name) as stored:
            route.fulfill(status=200, content_type=guess_type(name)[0], body=stored.read())

    context.route(f"{url}/media/**", fulfil)


def loaded_width(image):
    """The decoded width of an <img> once it has loaded; fails if the picture is broken."""
    return image.evaluate("img => img.decode().then(() => img.naturalWidth)")


def mails_to(address, subject_part):
    return [m for m in mail.outbox if address in m.to and subject_part in m.subject]


def test_a_sponsor_signs_up_gets_approved_and_compiled_and_sees_a_readers_click(
    live_server, new_page, artifacts, settings, tmp_path, monkeypatch
):
    url = live_server.url
    # Links in e-mails are built from SITE_URL; point it at the live server.
    settings.SITE_URL = url
    today = timezone.localdate()
    editor = EditorFactory(display_name="Todd Hoff")

    sponsor_page = new_page()
    serve_media(sponsor_page.context, url)

    # A would-be sponsor finds the sponsors page and signs up.
    sponsor_page.goto(url + reverse("sponsors:about"))
    sponsor_page.locator(".cta").get_by_role("link", name="Become a sponsor").click()
    expect(sponsor_page).to_have_url(url + reverse("sponsors:signup"))
    expect(sponsor_page.locator("h1")).to_have_text("Become a sponsor")
    sponsor_page.locator("#id_company-name").fill(COMPANY)
    sponsor_page.locator("#id_company-website").fill(WEBSITE)
    sponsor_page.locator("#id_account-display_name").fill(SPONSOR_NAME)
    sponsor_page.locator("#id_account-email").fill(SPONSOR_EMAIL)
    sponsor_page.locator("#id_account-password1").fill(SPONSOR_PASSWORD)
    sponsor_page.locator("#id_account-password2").fill(SPONSOR_PASSWORD)
    # The honeypot is out of sight, so a person leaves it empty.
    honeypot = sponsor_page.get_by_label("Leave this field empty")
    expect(honeypot).not_to_be_in_viewport()
    expect(honeypot).to_have_value("")
    sponsor_page.screenshot(path=artifacts / "sponsor-path-1-signup.png", full_page=True)
    sponsor_page.get_by_role("button", name="Create the account").click()

    # The same answer whether or not the address has an account: check your e-mail.
    expect(sponsor_page).to_have_url(url + reverse("sponsors:signup-sent"))
    expect(sponsor_page.locator("h1")).to_have_text("Check your e-mail")

    # Logged in before confirming: asked to confirm the address, and not offered to submit yet.
    sponsor_page.locator(".form-page a.button").click()
    sponsor_page.locator("#id_username").fill(SPONSOR_EMAIL)
    sponsor_page.locator("#id_password").fill(SPONSOR_PASSWORD)
    sponsor_page.get_by_role("button", name="Log in").click()
    expect(sponsor_page).to_have_url(url + reverse("sponsors:dashboard"))
    expect(sponsor_page.locator(".notice")).to_contain_text(
        f"Please confirm your e-mail address. We sent a link to {SPONSOR_EMAIL}"
    )
    expect(sponsor_page.locator("section.company h2")).to_have_text(COMPANY)
    expect(sponsor_page.get_by_role("link", name="Submit a listing")).to_have_count(0)
    expect(sponsor_page.locator("section.listings")).to_contain_text(
        "Confirm your e-mail address to submit listings."
    )
    sponsor_page.screenshot(path=artifacts / "sponsor-path-2-unverified.png", full_page=True)

    # The link in the e-mail confirms the address.
    [verification] = mails_to(SPONSOR_EMAIL, "Confirm your e-mail address")
    link = VERIFY_LINK.search(verification.body).group()
    assert link.startswith(url + "/accounts/verify/")
    sponsor_page.goto(link)
    expect(sponsor_page).to_have_url(url + reverse("sponsors:dashboard"))
    expect(sponsor_page.locator("ul.messages")).to_contain_text(
        f"Thank you: {SPONSOR_EMAIL} is confirmed."
    )
    expect(sponsor_page.locator(".notice")).to_have_count(0)
    sponsor = Sponsor.objects.get(name=COMPANY)
    assert User.objects.get(email=SPONSOR_EMAIL).email_verified

    # The company gets a description and a real PNG logo.
    sponsor_page.get_by_role("link", name="Edit the company details and logo").click()
    expect(sponsor_page).to_have_url(url + reverse("sponsors:company", args=[sponsor.pk]))
    sponsor_page.locator("#id_description").fill(DESCRIPTION)
    sponsor_page.locator("#id_logo").set_input_files(png_file(tmp_path))
    sponsor_page.get_by_role("button", name="Save").click()
    expect(sponsor_page).to_have_url(url + reverse("sponsors:dashboard"))
    expect(sponsor_page.locator("ul.messages")).to_contain_text("Your company details were saved.")
    sponsor.refresh_from_db()
    assert re.fullmatch(r"sponsors/[0-9a-f]{32}\.png", sponsor.logo.name), sponsor.logo.name
    with default_storage.open(sponsor.logo.name) as stored, Image.open(stored) as logo:
        assert (logo.format, logo.size) == ("PNG", (240, 80))
    logo = sponsor_page.locator("section.company img.company-logo")
    expect(logo).to_have_attribute("src", sponsor.logo.url)
    assert loaded_width(logo) == 240
    expect(sponsor_page.locator(".company-description")).to_have_text(DESCRIPTION)
    sponsor_page.screenshot(path=artifacts / "sponsor-path-3-dashboard-logo.png", full_page=True)

    # The listing: an event, with a live count of the characters typed.
    sponsor_page.get_by_role("link", name="Submit a listing").click()
    expect(sponsor_page).to_have_url(url + reverse("sponsors:submit"))
    sponsor_page.get_by_label("Fun and Informative Events").check()
    counter = sponsor_page.locator("#id_text + .char-count")
    expect(counter).to_have_text("0 of 800 characters")
    sponsor_page.locator("#id_text").fill(LISTING_TEXT)
    expect(counter).to_have_text(f"{len(LISTING_TEXT)} of 800 characters")
    link_url = f"{url}{reverse('sponsors:about')}?from=listing"
    sponsor_page.locator("#id_link_url").fill(link_url)
    sponsor_page.locator("#id_link_label").fill(LINK_LABEL)
    weeks = sponsor_page.locator("input[name=weeks]")
    next_week = this_week() + timedelta(days=7)
    expect(weeks.first).to_have_value(next_week.isoformat())
    weeks.first.check()
    sponsor_page.screenshot(path=artifacts / "sponsor-path-4-listing-form.png", full_page=True)
    sponsor_page.get_by_role("button", name="Send for review").click()

    listing = Listing.objects.get(sponsor=sponsor)
    expect(sponsor_page).to_have_url(url + reverse("sponsors:listing-detail", args=[listing.pk]))
    expect(sponsor_page.locator("ul.messages")).to_contain_text("waiting for review")
    expect(sponsor_page.locator(".status")).to_have_text("Pending review")
    expect(sponsor_page.locator(".listing-preview")).to_contain_text(LISTING_TEXT_READ)
    expect(sponsor_page.locator(".listing-preview strong")).to_have_text("QueueCon 2026")
    assert listing.week_list() == [next_week]
    assert mails_to(editor.email, f"new listing from {COMPANY}")
    sponsor_page.screenshot(path=artifacts / "sponsor-path-5-pending.png", full_page=True)

    # Sponsors can only book from next week on, and next week's post is scheduled for next
    # Monday, invisible to readers today. So the test books the current week itself, to
    # compile a post a reader can open now.
    ListingWeek.objects.create(listing=listing, week=this_week())
    # Another sponsor's listing, approved for last week and created after this one: the queue
    # still shows the pending listing first.
    ListingFactory(
        sponsor=SponsorFactory(name="Harbor Caches"),
        approved=True,
        weeks=[this_week() - timedelta(days=7)],
    )

    # The editor opens the moderation queue, logging in on the way.
    editor_page = new_page()
    changelist = reverse("admin:sponsors_listing_changelist")
    editor_page.goto(url + changelist)
    editor_page.locator("#id_username").fill(editor.username)
    editor_page.locator("#id_password").fill(PASSWORD)
    editor_page.get_by_role("button", name="Log in").click()
    expect(editor_page).to_have_url(url + changelist)
    rows = editor_page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    first = rows.first
    expect(first.locator(".field-sponsor_name")).to_have_text(COMPANY)
    expect(first.locator(".listing-preview")).to_contain_text(LISTING_TEXT_READ)
    expect(first.locator(".listing-preview a")).to_have_text(LINK_LABEL)
    expect(first.locator(".listing-preview a")).to_have_attribute("href", link_url)
    expect(first).to_contain_text("Pending review")
    expect(first).to_contain_text("Fun and Informative Events")
    expect(rows.nth(1)).to_contain_text("Approved")
    editor_page.screenshot(path=artifacts / "sponsor-path-6-moderation-queue.png", full_page=True)

    # Approve it with the action; the sponsor is e-mailed the decision.
    first.locator("input.action-select").check()
    editor_page.locator("select[name=action]").select_option(label="Approve the selected listings")
    editor_page.get_by_role("button", name="Go").click()
    expect(editor_page.locator("ul.messagelist li.success")).to_have_text(
        "1 listing approved; the sponsors were e-mailed."
    )
    expect(rows.filter(has_text=COMPANY)).to_contain_text("Approved")
    listing.refresh_from_db()
    assert (listing.status, listing.reviewed_by) == (Listing.Status.APPROVED, editor)
    [approved_mail] = mails_to(SPONSOR_EMAIL, "Your listing was approved")
    assert url + reverse("sponsors:listing-detail", args=[listing.pk]) in approved_mail.body

    # The editor compiles this week's sponsored post.
    tools = editor_page.locator(".object-tools")
    tools.get_by_role("link", name="Compile a sponsored post").click()
    expect(editor_page).to_have_url(url + reverse("admin:sponsors_listing_compile"))
    editor_page.locator("#id_week").fill(today.isoformat())
    editor_page.get_by_role("button", name="Compile").click()
    expect(editor_page).to_have_url(url + changelist)
    title = f"Sponsored Post: {COMPANY}"
    success = editor_page.locator("ul.messagelist li.success")
    expect(success).to_contain_text(f"Created the sponsored post of the week of {this_week():%B}")
    expect(success.get_by_role("link", name=title)).to_be_visible()
    editor_page.screenshot(path=artifacts / "sponsor-path-7-compiled.png", full_page=True)
    post = Post.objects.get(title=title)
    if post.publish_at > timezone.now():
        # Monday before 9:00: this week's post goes live at 9:00; let the clock get there.
        later = (post.publish_at + timedelta(minutes=1)).astimezone(UTC)
        monkeypatch.setattr(timezone, "now", lambda: later)

    # A reader, on another browser, sees the sponsored post on the front page...
    reader = new_page(user_agent=DESKTOP_CHROME)
    serve_media(reader.context, url)
    reader.goto(url + reverse("digest:post-index"))
    entry = reader.locator("article.entry").filter(has_text=title)
    expect(entry.locator(".entry-title")).to_have_text(title)
    sidebar_logo = reader.locator(".sponsors-widget").get_by_role("img", name=COMPANY)
    expect(sidebar_logo).to_have_attribute("src", sponsor.logo.url)
    assert loaded_width(sidebar_logo) == 240

    # ...opens it: the listing in its section, placeholders in the empty ones, and the
    # company's description below the fold.
    entry.get_by_role("link", name=title).click()
    expect(reader).to_have_url(url + post.get_absolute_url())
    body = reader.locator("article.entry-full .entry-body")
    expect(body.locator("h2")).to_have_text(
        ["Who's Hiring?", "Fun and Informative Events", "Cool Products and Services", COMPANY]
    )
    sections = body.locator("h2 + ul")
    hiring, products = (Listing.EMPTY_SECTION_TEXT[s] for s in ("hiring", "product"))
    expect(sections.nth(0)).to_have_text(hiring)
    expect(sections.nth(1)).to_have_text(f"{LISTING_TEXT_READ} {LINK_LABEL}")
    expect(sections.nth(2)).to_have_text(products)
    expect(sections.get_by_role("link", name=hiring)).to_have_count(1)
    expect(sections.get_by_role("link", name=products)).to_have_count(1)
    expect(body).to_contain_text("there's a full description of each sponsor below...")
    expect(body.locator("#more ~ p").first).to_have_text(DESCRIPTION)
    call_to_action = sections.nth(1).get_by_role("link", name=LINK_LABEL)
    expect(call_to_action).to_have_attribute("href", reverse("sponsors:go", args=[listing.pk]))
    reader.screenshot(path=artifacts / "sponsor-path-8-sponsored-post.png", full_page=True)

    # The click goes through /go/<id>/ and lands on the sponsor's own link.
    call_to_action.click()
    expect(reader).to_have_url(link_url)
    expect(reader.locator("h1")).to_have_text(re.compile(r"^Sponsor "))
    assert listing.clicks.count() == 1

    # The sponsor sees the click: on the dashboard, on the listing page and in the CSV.
    sponsor_page.goto(url + reverse("sponsors:dashboard"))
    row = sponsor_page.locator("table.listing-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".status")).to_have_text("Approved")
    expect(row.locator("td.num")).to_have_text("1")
    row.get_by_role("link").click()
    expect(sponsor_page).to_have_url(url + reverse("sponsors:listing-detail", args=[listing.pk]))
    expect(sponsor_page.locator(".status")).to_have_text("Approved")
    expect(sponsor_page.locator(".click-total")).to_have_text("1")
    chart = sponsor_page.locator("figure.click-chart svg")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar")).to_have_count((today - this_week()).days + 1)
    expect(chart.locator("title#chart-title")).to_contain_text("1 in all")
    with sponsor_page.expect_download() as download_info:
        sponsor_page.get_by_role("link", name="Download as CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"listing-{listing.pk}-clicks.csv"
    with open(download.path(), encoding="utf-8", newline="") as report:
        header, *days = csv.reader(report)
    assert header == ["date", "clicks"]
    assert days[-1] == [today.isoformat(), "1"]
    assert sum(int(clicks) for _, clicks in days) == 1
    sponsor_page.screenshot(path=artifacts / "sponsor-path-9-clicks.png", full_page=True)
