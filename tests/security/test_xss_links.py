"""Links are web addresses only: script, data and file URLs are refused by every form and the
model, pasted lines are stored sanitised, and a listing cannot click itself through an image."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.forms import ProfileForm
from accounts.models import Role
from digest.models import Post, Quote, SiteSettings
from sponsors.admin import ListingAdminForm, SponsorAdminForm
from sponsors.compiling import compile_week
from sponsors.forms import CompanyForm, ListingForm, bookable_weeks
from sponsors.models import Listing, ListingWeek, Sponsor, this_week
from tests.accounts.factories import UserFactory
from tests.digest.helpers import new_digest_url, submit
from tests.security.xss_helpers import PAYLOADS, check_html

# --- links: only web addresses are accepted -----------------------------------------------------

SCRIPT_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:window.__xss=1",
    " javascript:alert(1)",
    "javascript://%0Aalert(1)",
    "javascript://example.com/%0Aalert(1)",
    "jav\tascript:alert(1)",
    "java\nscript:alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
]


def listing_data(link):
    return {
        "section": Listing.Section.PRODUCT,
        "text": "Queues, fast.",
        "link_url": link,
        "link_label": "Try it",
        "weeks": [bookable_weeks()[0].isoformat()],
    }


@pytest.mark.parametrize("link", SCRIPT_LINKS)
def test_a_script_link_is_refused_by_every_form_and_the_model(db, link):
    sponsor = Sponsor.objects.create(name="Acme")
    assert "link_url" in ListingForm(listing_data(link)).errors
    assert "link_url" in ListingAdminForm({**listing_data(link), "sponsor": sponsor.pk}).errors
    with pytest.raises(ValidationError) as refused:
        Listing(sponsor=sponsor, section="product", text="x", link_url=link).full_clean()
    assert "link_url" in refused.value.message_dict
    assert "website" in CompanyForm({"name": "Other", "website": link}).errors
    assert "website" in SponsorAdminForm({"name": "Other", "slug": "o", "website": link}).errors
    assert "website" in ProfileForm({"website": link}).errors
    for record, field_name in ((SiteSettings(), "support_url"), (Quote(), "source_url")):
        setattr(record, field_name, link)
        with pytest.raises(ValidationError) as refused:
            record.full_clean()
        assert field_name in refused.value.message_dict


def test_the_listing_form_page_refuses_a_script_link(client, db):
    manager = UserFactory(email_verified_at=timezone.now())
    manager.groups.add(Group.objects.get(name=Role.SPONSORS))
    Sponsor.objects.create(name="Acme").managers.add(manager)
    client.force_login(manager)
    response = client.post(reverse("sponsors:submit"), listing_data("javascript:alert(1)"))
    assert response.status_code == 200
    assert "Enter a web address starting with http:// or https://." in response.text
    assert not Listing.objects.filter(sponsor__managers=manager).exists()
    assert check_html(response.text) == []


def test_every_payload_as_a_link_is_refused_or_becomes_a_web_address(db):
    kept = []
    for payload in PAYLOADS:
        form = ListingForm(listing_data(payload))
        if form.is_valid():
            kept.append(form.cleaned_data["link_url"])
    assert all(re.match(r"https?://", link) for link in kept), kept


def test_odd_paste_box_lines_are_listed_inertly_and_stored_sanitised(admin_client):
    """Every pasted line is kept; the ones kept loosely are listed back to the editor."""
    # Forms refuse NUL outright ("Null characters are not allowed"), so those lines stay out.
    lines = "\n".join(p.replace("\n", " ") for p in PAYLOADS if "\x00" not in p)
    response = submit(
        admin_client, new_digest_url(), paste_stats=lines, paste_quotes=lines, _continue="1"
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    page = admin_client.get(response["Location"]).content.decode()
    shown = page[
        page.index('<ul class="messagelist">') : page.index("</ul>\n", page.index("messagelist"))
    ]
    assert shown.count("<br>line ") > 100, shown[:500]
    assert check_html(shown) == []
    post = Post.objects.get()
    assert post.quotes.count() > 100
    for quote in post.quotes.all():
        assert check_html(quote.text_html) == [], quote.text
    assert check_html(post.parts_full_html) == []


DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def test_a_listing_cannot_click_itself_through_an_image(client, db):
    sponsor = Sponsor.objects.create(name="Pixel Inc")
    listing = Listing.objects.create(
        sponsor=sponsor,
        section=Listing.Section.PRODUCT,
        text="Fast queues.",
        link_url="https://pixel.example/logo.png",
        link_label="Try",
        status=Listing.Status.APPROVED,
    )
    listing.text = f"Fast queues. ![Pixel](/go/{listing.pk}/)"
    listing.save()
    week = this_week() - timedelta(days=7)
    ListingWeek.objects.create(listing=listing, week=week)
    post, _ = compile_week(week, author=UserFactory())
    page = client.get(post.get_absolute_url(), HTTP_USER_AGENT=DESKTOP_CHROME)
    for source in re.findall(r'<img[^>]* src="(/[^"]*)"', page.text):
        # What a reader's browser does with each picture of the page.
        client.get(source, HTTP_USER_AGENT=DESKTOP_CHROME, HTTP_SEC_FETCH_DEST="image")
    assert listing.clicks.count() == 0
