"""Characters XML cannot hold never get in (issue 19): U+FFFE, U+FFFF and the other Unicode
non-characters, C0 controls but tab and line breaks, lone surrogates. They are dropped from
every value a form receives (hardening.middleware.CleanInputMiddleware) and from every text
field a row is saved with (hardening.text, for imports and commands), and the feeds still
filter what they write. Each field that reaches /feed/ and /feed/atom/ is filled through its
own form here, and both feeds stay well-formed XML.
"""

import xml.etree.ElementTree as ET  # noqa: S405 -- parses our own feeds
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from digest.models import Post
from hardening.text import has_forbidden
from sponsors.compiling import compile_week
from sponsors.models import Listing, ListingWeek, Sponsor, this_week
from tests.accounts.factories import UserFactory
from tests.sponsors.factories import SponsorFactory, SponsorUserFactory, next_week, seen

pytestmark = pytest.mark.django_db

# What XML 1.0 forbids or Unicode reserves, between ordinary letters.
FORBIDDEN = "\ufffe\uffff\ufdd0\U0001fffe\U0010ffff\x00\x01\x08\x0b\x0c\x1b\x1f\x7f"


def evil(word):
    return f"{word}{FORBIDDEN}end"


def feeds(client):
    for name in ("digest:feed-rss", "digest:feed-atom"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        yield name, ET.fromstring(response.content)  # noqa: S314 -- our own response


def test_every_field_that_reaches_the_feeds_drops_what_xml_forbids(
    mailoutbox, django_capture_on_commit_callbacks
):
    editor = UserFactory(is_staff=True, is_superuser=True)
    staff = Client()
    staff.force_login(editor)
    yesterday = timezone.localtime() - timedelta(days=1)

    # Post title, excerpt, byline and tag: the admin's post form.
    response = staff.post(
        reverse("admin:digest_post_add"),
        {
            "title": evil("Title"),
            "slug": "",
            "kind": Post.Kind.ARTICLE,
            "status": Post.Status.PUBLISHED,
            "publish_at_0": f"{yesterday:%Y-%m-%d}",
            "publish_at_1": "09:00:00",
            "author": editor.pk,
            "tags": evil("tag"),
            "lead_image_caption": "",
            "byline": evil("Byline"),
            "excerpt": evil("Excerpt"),
            "body": evil("Body"),
            "loaded_version": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    # The author's display name: the profile form.
    response = staff.post(reverse("accounts:profile"), {"display_name": evil("Name")})
    assert response.status_code == 302

    # A company description and a listing's text: the sponsor's own forms.
    manager = SponsorUserFactory()
    sponsor = SponsorFactory(name="Kestrel Queues", managers=[manager])
    sponsor_client = Client()
    sponsor_client.force_login(manager)
    response = sponsor_client.post(
        reverse("sponsors:company", args=[sponsor.pk]),
        {"name": "Kestrel Queues", "website": "", "description": evil("Description")},
    )
    assert response.status_code == 302
    response = sponsor_client.post(
        reverse("sponsors:submit"),
        {
            "section": Listing.Section.PRODUCT,
            "text": evil("Listing"),
            "link_url": "https://kestrel.example/",
            "link_label": evil("Label"),
            "weeks": [next_week().isoformat()],
        },
    )
    assert response.status_code == 302
    listing = Listing.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            reverse("admin:sponsors_listing_changelist"),
            {"action": "approve", ACTION_CHECKBOX_NAME: [listing.pk], **seen([listing])},
        )
    last_week = this_week() - timedelta(days=7)
    ListingWeek.objects.create(listing=listing, week=last_week)  # so its post is out already
    compile_week(last_week, author=editor)

    post = Post.objects.get(kind=Post.Kind.ARTICLE)
    stored = [
        post.title,
        post.excerpt,
        post.byline,
        post.body,
        *post.tags.names(),
        User.objects.get(pk=editor.pk).display_name,
        Sponsor.objects.get().description,
        Listing.objects.get().text,
        Listing.objects.get().link_label,
    ]
    assert [value for value in stored if has_forbidden(value)] == []
    assert post.title == "Titleend"
    for name, document in feeds(Client()):
        assert document is not None, name
        text = ET.tostring(document, encoding="unicode")
        for word in ("Title", "Excerpt", "Byline", "tag", "Name", "Description", "Listing"):
            assert f"{word}end" in text, (name, word)


def test_text_saved_without_a_form_is_cleaned_too():
    """Imports and commands save rows directly: the same characters are dropped, lone
    surrogates included (no HTTP request can carry those)."""
    post = Post.objects.create(
        title="Imported\ud800 title\ufffe",
        excerpt="Excerpt\x0c with a form feed",
        status=Post.Status.PUBLISHED,
        author=UserFactory(),
    )
    post.tags.add("tag\uffff")

    post.refresh_from_db()
    assert post.title == "Imported title"
    assert post.excerpt == "Excerpt with a form feed"
    # A tag's name is unique, so it is cleaned on the way in through forms only (see
    # hardening.text.clean_text_fields); the feeds leave it out of what they write.
    for _name, document in feeds(Client()):
        categories = [element.get("term") or element.text for element in document.iter()]
        assert "tag" in categories


def test_rows_stored_before_the_rule_still_make_well_formed_feeds():
    post = Post.objects.create(
        title="Old title", status=Post.Status.PUBLISHED, author=UserFactory(), excerpt="x"
    )
    # As an older version of the site stored it: straight into the table.
    Post.objects.filter(pk=post.pk).update(title="Old\ufffe title\uffff")

    for name, document in feeds(Client()):
        titles = [element.text for element in document.iter() if element.tag.endswith("title")]
        assert "Old title" in titles, name


def test_tab_line_breaks_and_ordinary_unicode_are_kept(client):
    editor = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(editor)
    kept = "Tab\there\nline\r\nbreak — café \u2028漢字 🚀"

    client.post(reverse("accounts:profile"), {"display_name": "Ada", "bio": kept})

    editor.refresh_from_db()
    assert editor.bio == kept


def test_forbidden_characters_in_search_queries_are_dropped_before_the_view(client):
    response = client.get(reverse("digest:search"), {"q": "latency\ufffe\x0b"})

    assert response.status_code == 200
    assert "\ufffe" not in response.content.decode()
    assert response.context["query"] == "latency"
