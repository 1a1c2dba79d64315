"""No attacker's script runs: every vector of xss_payloads.txt, written into every field a
user or editor can fill, is inert on every page, feed and admin screen that shows the field.

Tried (the module prints this line at its end): 284 payloads × 29 fields = 7,008
payload-field pairs on SQLite (6,951 on PostgreSQL), checked in 3,028 responses: pages,
feeds, sitemaps and admin screens. tests/browser/test_xss_browser.py opens 118 of those pages
in Chromium.

How. `payload_site` writes the payloads once for the module: one published article per
payload (title, excerpt, body, byline, caption, one tag; its author's display name and bio;
an avatar and a lead image uploaded under the payload as file name), one "kitchen sink"
article holding every payload at once, one digest with a stat, a quote and an item per
payload, and per payload a sponsor (name, description, logo file name) with an approved
listing (compiled into last week's sponsored post) and a rejected one (text, link label, the
editor's note). The sweeps fetch each page once and run `check_html` over it: no <script> but
our own files, no on* attribute, no javascript:/vbscript:/data: URL in a link or source
attribute, no <iframe>, <object>, <embed>, <base> or meta refresh, no <svg>/<math> but the
admin's icons and the click chart, no srcdoc, no script in CSS. Feeds and sitemaps are parsed
as XML and the HTML inside their entries is checked the same way. Search queries, link URLs
(refused unless http or https), paste-box lines and the site texts editors set are tried too.

Display pages are fetched for every object. Form pages (admin change forms, the sponsor's
company and listing forms, profiles) are fetched for every seventh object, plus the change
forms of the kitchen sink, the digest and the sponsored post, which hold every payload: a
widget escapes character by character, and the sample holds each character many times.
PostgreSQL cannot store NUL (forms refuse it anyway): there the few vectors with a NUL stay out
of stored fields, and are still sent as queries and file names.
"""

import io
import re
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from taggit.models import Tag

from digest.models import Post, Revision, SiteSettings, Stat
from sponsors.compiling import compile_week
from sponsors.models import Listing, ListingWeek, Sponsor, this_week
from tests.accounts.factories import UserFactory
from tests.digest.helpers import form_fields
from tests.security.xss_helpers import (
    FORM_SAMPLE,
    PAGES_FETCHED,
    PAYLOADS,
    Sweep,
    build_world,
    check_html,
    fits,
    pages,
    summary,
)
from tests.sponsors.factories import png_bytes

# The site below is a module fixture: the tests that use it must still ask for the test
# database, or pytest-django would set none up when only they are selected (-k), and the site
# would be built in the real database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def payload_site(django_db_setup, django_db_blocker, pytestconfig):
    """The payload-filled site, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)
    plugins = pytestconfig.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:  # None in xdist workers
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(summary(built.tried, PAGES_FETCHED))


@pytest.fixture
def world(payload_site, db):
    """The payload-filled site; what a test adds to it is rolled back after the test."""
    return payload_site


# --- the sweeps -------------------------------------------------------------------------------


def used_tags():
    return Tag.objects.filter(taggit_taggeditem_items__isnull=False).distinct()


def test_public_pages_are_inert(client, world):
    sweep = Sweep(client, "public pages")
    index = reverse("digest:post-index")
    for number in pages(Post.objects.published().count(), settings.POSTS_PER_PAGE):
        sweep.page(f"{index}?page={number}")
    for post in world.published:
        response = sweep.page(post.get_absolute_url())
        assert f'<h1 class="entry-title">{escape(post.title)}</h1>' in response.text
    sweep.page(reverse("digest:archive"))
    months = Counter(
        (timezone.localtime(post.publish_at).year, timezone.localtime(post.publish_at).month)
        for post in world.published
    )
    for year in {year for year, _ in months}:
        sweep.page(reverse("digest:archive-year", args=[year]))
    for (year, month), count in months.items():
        for number in pages(count, settings.POSTS_PER_PAGE):
            sweep.page(f"{reverse('digest:archive-month', args=[year, month])}?page={number}")
    for author in [*world.authors, world.superuser]:
        sweep.page(reverse("digest:author-detail", args=[author.username]))
    for tag in used_tags():
        sweep.page(reverse("digest:tag-detail", args=[tag.slug]))
    quotes = reverse("digest:quote-list")
    for number in pages(world.digest.quotes.count(), 50):
        sweep.page(f"{quotes}?page={number}")
    keys = world.digest.quotes.exclude(speaker_key="").values_list("speaker_key", flat=True)
    for key in set(keys):
        sweep.page(reverse("digest:quote-speaker", args=[key]))
    sweep.assert_inert()


def test_feeds_and_sitemaps_are_inert(client, world):
    sweep = Sweep(client, "feeds and sitemaps")
    for name in ("digest:feed-rss", "digest:feed-atom", "digest:sitemap"):
        sweep.xml(reverse(name))
    for section in ("pages", "posts"):
        sweep.xml(reverse("digest:sitemap-section", args=[section]))
    for tag in used_tags():
        sweep.xml(reverse("digest:tag-feed", args=[tag.slug]))
    sweep.assert_inert()


def test_search_queries_are_reflected_inert(client, world):
    sweep = Sweep(client, "search results")
    for payload in PAYLOADS:
        sweep.page(reverse("digest:search"), data={"q": payload})
        sweep.page(reverse("digest:quote-list"), data={"q": payload})
    sweep.assert_inert()


def test_current_sponsors_in_the_sidebar_and_on_the_sponsors_page_are_inert(client, world):
    ListingWeek.objects.bulk_create(
        [ListingWeek(listing=listing, week=this_week()) for listing in world.listings]
    )
    sweep = Sweep(client, "sponsor showcase")
    response = sweep.page(reverse("sponsors:about"))
    for sponsor in world.sponsors:
        assert f'alt="{escape(sponsor.name)}"' in response.text
    sweep.page(world.posts[0].get_absolute_url())
    sweep.page(reverse("digest:search"))
    sweep.assert_inert()


def test_the_sponsor_side_is_inert(client, world):
    client.force_login(world.manager)
    sweep = Sweep(client, "sponsor pages")
    for name in ("sponsors:dashboard", "sponsors:submit", "accounts:profile"):
        sweep.page(reverse(name))
    for listing in world.rejected:
        sweep.page(reverse("sponsors:listing-detail", args=[listing.pk]))
    for listing in world.listings[::FORM_SAMPLE]:
        sweep.page(reverse("sponsors:listing-detail", args=[listing.pk]), svgs={"chart"})
    for listing in world.rejected[::FORM_SAMPLE]:
        sweep.page(reverse("sponsors:listing-edit", args=[listing.pk]))
    for sponsor in world.sponsors[::FORM_SAMPLE]:
        sweep.page(reverse("sponsors:company", args=[sponsor.pk]))
    for author in world.authors[::FORM_SAMPLE]:
        client.force_login(author)
        sweep.page(reverse("accounts:profile"))
    sweep.assert_inert()


def test_admin_screens_are_inert(client, world):
    posts = Post.objects.filter(pk__in=[post.pk for post in world.posts[:10]])
    LogEntry.objects.log_actions(world.superuser.pk, posts, CHANGE)
    for post in world.posts[::FORM_SAMPLE]:
        Revision.record(post, by=post.author, note=post.title[:200])
    client.force_login(world.superuser)
    sweep = Sweep(client, "admin screens")
    admin = {"admin"}
    sweep.page(reverse("admin:index"), svgs=admin)
    for name, count, per_page in (
        ("digest_post", Post.objects.count(), 50),
        ("sponsors_listing", Listing.objects.count(), 50),
        ("sponsors_sponsor", Sponsor.objects.count(), 100),
        ("accounts_user", len(world.authors) + 2, 100),
        ("taggit_tag", Tag.objects.count(), 100),
        ("sponsors_weeklypost", 1, 100),
    ):
        changelist = reverse(f"admin:{name}_changelist")
        for number in pages(count, per_page):
            sweep.page(f"{changelist}?p={number}", svgs=admin)
    for post in [world.kitchen, world.digest, world.sponsored, *world.posts[::FORM_SAMPLE]]:
        form = sweep.page(reverse("admin:digest_post_change", args=[post.pk]), svgs=admin)
        sweep.page(reverse("admin:digest_post_revisions", args=[post.pk]), svgs=admin)
        # The composer's reader preview of that form, as its frames get it.
        preview = reverse("admin:digest_post_reader_preview", args=[post.pk])
        answer = client.post(preview, form_fields(form)).json()
        for shown in ("index", "page"):
            sweep.findings += [f"{preview} {shown}: {f}" for f in check_html(answer[shown])]
    for name, objects in (
        ("accounts_user", world.authors),
        ("sponsors_sponsor", world.sponsors),
        ("sponsors_listing", world.rejected),
        ("taggit_tag", list(used_tags())),
    ):
        for obj in objects[::FORM_SAMPLE]:
            sweep.page(reverse(f"admin:{name}_change", args=[obj.pk]), svgs=admin)
    sweep.page(reverse("admin:sponsors_listing_compile"), svgs=admin)
    for name, action, objects in (
        ("sponsors_listing", "reject", world.rejected),
        ("digest_post", "delete_selected", world.posts),
        ("sponsors_sponsor", "delete_selected", world.sponsors),
    ):
        sweep.page(
            reverse(f"admin:{name}_changelist"),
            method="post",
            data={"action": action, "_selected_action": [obj.pk for obj in objects]},
            svgs=admin,
        )
    for payload in PAYLOADS[:: FORM_SAMPLE * 4]:
        sweep.page(reverse("admin:digest_post_changelist"), data={"q": payload}, svgs=admin)
    sweep.assert_inert()


SITE_TEXTS = {  # field: its length limit
    "site_name": 100,
    "tagline": 200,
    "support_blurb": 300,
    "closing_line": 100_000,
    "empty_section_text": 200,
}


def test_the_site_texts_editors_set_are_inert(client, world):
    """Site name, tagline, the digest's support blurb and closing line and the empty sponsor
    section's text: each payload goes into one of them in turn (they are shown on every page,
    so rounds are what cost here), checked on the index (with a digest), a sponsored post
    with two empty sections, and the RSS feed."""
    Post.objects.filter(pk__in=[world.kitchen.pk, world.digest.pk]).update(status="draft")
    digest = Post.objects.create(
        title="Small digest", kind=Post.Kind.DIGEST, status=Post.Status.PUBLISHED,
        author=world.superuser, excerpt="Intro.",
    )  # fmt: skip
    Stat.objects.create(post=digest, figure="1", label="one")
    week = this_week() - timedelta(days=7 * 20)
    ListingWeek.objects.create(listing=world.listings[0], week=week)  # one of three sections
    settings_record = SiteSettings.load()
    sweep = Sweep(client, "site texts")
    fields = list(SITE_TEXTS)
    for start in range(0, len(PAYLOADS), len(fields)):
        for name, payload in zip(fields, PAYLOADS[start : start + len(fields)], strict=False):
            if fits(payload, SITE_TEXTS[name]):
                setattr(settings_record, name, payload)
                world.tried[f"site {name.replace('_', ' ')}"] += 1
        settings_record.save()
        settings_record.__dict__.pop("closing_line_html", None)
        cache.clear()
        sponsored, _ = compile_week(week, author=world.superuser)
        sweep.page(reverse("digest:post-index"))
        sweep.page(sponsored.get_absolute_url())
        sweep.xml(reverse("digest:feed-rss"))
    sweep.assert_inert()


# --- upload file names ----------------------------------------------------------------------

STORED = {
    "avatar": re.compile(r"^avatars/[0-9a-f]{32}\.png$"),
    "logo": re.compile(r"^sponsors/[0-9a-f]{32}\.png$"),
    "lead_image": re.compile(r"^posts/\d{4}/\d{2}/[0-9a-f]{32}\.png$"),
}
HOSTILE_NAMES = [
    "../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "logo\u202egnp.html",
    "CON.png",
    "x.png\x00.html",
    "image.svg",
    '"><img src=x onerror=alert(1)>.png',
    "<svg onload=window.__xss=1>.png",
    "javascript:alert(1).png",
    "a" * 300 + ".png",
]


def test_uploads_under_payload_names_are_stored_under_names_the_server_makes(world):
    for author in world.authors:
        assert STORED["avatar"].match(author.avatar.name), author.avatar.name
    for sponsor in world.sponsors:
        assert STORED["logo"].match(sponsor.logo.name), sponsor.logo.name
    for post in world.posts:
        assert STORED["lead_image"].match(post.lead_image.name), post.lead_image.name


def multipart(fields, file_field, file_name):
    """A multipart body as a browser sends it (quotes and line breaks percent-encoded in the
    file name), so the name reaches the server whole: the test client would cut it."""
    boundary = uuid.uuid4().hex
    quoted = file_name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        )
        body.write(f"{value}\r\n".encode())
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{quoted}"\r\nContent-Type: image/png\r\n\r\n'.encode()
    )
    body.write(png_bytes(size=(8, 8)) + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return {"data": body.getvalue(), "content_type": f"multipart/form-data; boundary={boundary}"}


def test_uploads_sent_under_hostile_names_keep_none_of_them(client, world):
    sweep = Sweep(client, "upload pages")
    user = UserFactory()
    sponsor = Sponsor.objects.create(name="Upload test")
    sponsor.managers.add(world.manager)
    for file_name in [*PAYLOADS[::FORM_SAMPLE], *HOSTILE_NAMES]:
        client.force_login(user)
        sent = multipart({"display_name": "Uploader"}, "avatar", file_name)
        assert client.post(reverse("accounts:profile"), **sent).status_code == 302
        user.refresh_from_db()
        assert STORED["avatar"].match(user.avatar.name), (file_name, user.avatar.name)
        sweep.page(reverse("accounts:profile"))

        client.force_login(world.manager)
        sent = multipart({"name": sponsor.name, "website": ""}, "logo", file_name)
        company = reverse("sponsors:company", args=[sponsor.pk])
        assert client.post(company, **sent).status_code == 302
        sponsor.refresh_from_db()
        assert STORED["logo"].match(sponsor.logo.name), (file_name, sponsor.logo.name)
        sweep.page(company)
    sweep.assert_inert()


def test_a_lead_image_sent_to_the_admin_under_a_hostile_name_keeps_none_of_it(client, world):
    client.force_login(world.superuser)
    day = timezone.localtime() - timedelta(days=1)
    for number, file_name in enumerate(HOSTILE_NAMES[:4] + HOSTILE_NAMES[6:8]):
        fields = {
            "title": f"Upload {number}",
            "slug": f"upload-{number}",
            "kind": Post.Kind.ARTICLE,
            "status": Post.Status.DRAFT,
            "publish_at_0": f"{day:%Y-%m-%d}",
            "publish_at_1": "09:00:00",
            "author": world.superuser.pk,
            "tags": "",
            "lead_image_caption": "",
            "byline": "",
            "excerpt": "x",
            "body": "",
            "loaded_version": "",
        }
        sent = multipart(fields, "lead_image", file_name)
        response = client.post(reverse("admin:digest_post_add"), **sent)
        assert response.status_code == 302, response.text[:2000]
        post = Post.objects.get(slug=f"upload-{number}")
        assert STORED["lead_image"].match(post.lead_image.name), (file_name, post.lead_image.name)
