"""The link inbox as editors and authors use it: keeping a link from the bookmarklet's or the
share sheet's page (CSRF, login, roles), paste many (every address accounted for), metadata
fetched by the background job from a real local server, "already covered" against published
posts and earlier entries, and the way into the week's digest through its one write path."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from digest.link_normal import normalize_url
from inbox.keeping import urls_in
from inbox.models import Entry
from inbox.tasks import fetch_metadata
from tests.accounts.factories import UserFactory, staff
from tests.digest.factories import digest_with_parts
from tests.newsletter.conftest import run_jobs

ADD = reverse("inbox:add")


@pytest.fixture
def editor(db):
    return staff(Role.EDITORS)


def keep(client, url, **fields):
    return client.post(ADD, {"url": url, "title": "", "text": "", "comment": "", **fields})


# Who may use it -------------------------------------------------------------------------------


def test_the_inbox_needs_a_login_and_a_writer(client, db):
    response = client.get(ADD + "?url=https://example.com/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    reader = UserFactory()
    client.force_login(reader)
    assert client.get(ADD).status_code == 403
    sponsor = UserFactory()
    sponsor.groups.add(Group.objects.get(name=Role.SPONSORS))
    client.force_login(sponsor)
    assert client.get(reverse("inbox:list")).status_code == 403
    assert keep(client, "https://example.com/").status_code == 403
    assert not Entry.objects.exists()


def test_keeping_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert keep(client, "https://example.com/a").status_code == 403
    assert not Entry.objects.exists()


# Keeping one link -----------------------------------------------------------------------------


def test_the_bookmarklet_page_is_filled_from_the_query_and_keeps_nothing_until_posted(
    client, editor
):
    client.force_login(editor)
    page = client.get(
        ADD, {"url": "https://example.com/a", "title": "A story", "text": "Quoted words"}
    ).content.decode()
    assert 'value="https://example.com/a"' in page and 'value="A story"' in page
    assert "Quoted words" in page and 'name="csrfmiddlewaretoken"' in page
    assert not Entry.objects.exists()

    response = keep(
        client, "https://example.com/a", title="A story", text="Quoted words", comment="Read it"
    )
    assert response.status_code == 200
    entry = Entry.objects.get()
    assert (entry.title, entry.selected_text, entry.comment, entry.kept_by) == (
        "A story",
        "Quoted words",
        "Read it",
        editor,
    )
    assert entry.normalized_url == "https://example.com/a"
    assert "Close this window" in response.content.decode()


def test_a_share_sheet_that_puts_the_address_in_the_text_fills_the_address(client, editor):
    client.force_login(editor)
    response = client.get(ADD, {"title": "Shared", "text": "Look: https://example.com/x?y=1 !"})
    assert 'value="https://example.com/x?y=1"' in response.content.decode()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/", "not a url", ""])
def test_only_web_addresses_are_kept(client, editor, url):
    client.force_login(editor)
    response = keep(client, url)
    assert response.status_code == 200
    assert not Entry.objects.exists()


def test_a_link_published_before_or_kept_before_is_flagged_with_where(client, editor):
    covered = digest_with_parts(
        items=[("[Uber's JSON](https://www.eng.uber.com/trip-data-squeeze/?utm_source=hn).", True)],
        title="Stuff The Internet Says On Scalability For March 4th, 2016",
        publish_at=timezone.now() - timedelta(days=30),
    )
    digest_with_parts(
        items=[("[Draft only](https://draft.example/x)", True)], draft=True, title="Unpublished"
    )
    client.force_login(editor)
    page = keep(client, "http://eng.uber.com/trip-data-squeeze#top").content.decode()
    assert f'Already in <a href="{covered.get_absolute_url()}"' in page
    assert "March 4th, 2016" in page
    assert "Kept before" not in page

    page = keep(client, "https://eng.uber.com/trip-data-squeeze/?fbclid=1").content.decode()
    assert "Kept before by" in page
    assert keep(client, "https://draft.example/x").content.decode().count("Already in") == 0
    # A longer address that merely starts like a published one is not the same page.
    assert "Already in" not in keep(client, "https://eng.uber.com/trip-data").content.decode()


def test_addresses_are_normalised_the_way_an_editor_means_the_same_page():
    same = [
        "https://example.com/a?b=2&a=1",
        "HTTP://WWW.Example.com:80/a/?a=1&b=2&utm_source=x&utm_medium=y#section",
        "http://example.com/a?fbclid=123&b=2&a=1",
    ]
    assert {normalize_url(url) for url in same} == {"https://example.com/a?a=1&b=2"}
    assert normalize_url("https://example.com/a?id=1") != normalize_url("https://example.com/a")


# Metadata, fetched in the background from a real server --------------------------------------

HEAD = """<!doctype html><html><head><meta charset="utf-8">
<title>Plain title</title>
<meta property="og:title" content="How  We Scaled
 to 1M">
<meta name="description" content="Plain description">
<meta property="og:description" content="A story about queues &amp; caches">
<meta property="og:site_name" content="Example Engineering">
<meta name="author" content="Ada Lovelace">
</head><body><p>Text</p></body></html>"""


def test_the_job_fetches_title_description_site_and_author(
    client, editor, target, allow_loopback, django_capture_on_commit_callbacks
):
    target.page("/story", HEAD)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        keep(client, target.url("/story"))
    assert run_jobs() == 1
    entry = Entry.objects.get()
    assert entry.fetch_state == Entry.Fetch.DONE
    assert (entry.fetched_title, entry.description, entry.site_name, entry.author_name) == (
        "How We Scaled to 1M",
        "A story about queues & caches",
        "Example Engineering",
        "Ada Lovelace",
    )
    page = client.get(reverse("inbox:list")).content.decode()
    assert "How We Scaled to 1M" in page and "Example Engineering" in page


def test_a_page_without_open_graph_gives_its_title_and_a_refused_address_says_why(
    editor, target, allow_loopback
):
    target.page("/plain", "<html><head><title> Just  a title </title></head></html>")
    plain = Entry.objects.create(url=target.url("/plain"), normalized_url="x", kept_by=editor)
    fetch_metadata.call(plain.pk)
    plain.refresh_from_db()
    assert (plain.fetched_title, plain.description) == ("Just a title", "")

    inside = Entry.objects.create(url="http://10.0.0.1/admin", normalized_url="y")
    fetch_metadata.call(inside.pk)
    inside.refresh_from_db()
    assert inside.fetch_state == Entry.Fetch.REFUSED
    assert "10.0.0.1 is not a public address" in inside.fetch_note


# Paste many -----------------------------------------------------------------------------------

NEWSLETTER = """This week's reading:
1. https://example.com/one, a great read.
2. (see https://en.wikipedia.org/wiki/Paxos_(computer_science)) for background.
3. Again: https://www.example.com/one/?utm_campaign=weekly
4. <https://example.org/two>.
Also ftp://files.example/x and http://example.com:99999/x and https://example.net/three"""


def test_every_address_found_in_a_pasted_text_is_kept_once_or_named(client, editor):
    assert urls_in(NEWSLETTER) == [
        "https://example.com/one",
        "https://en.wikipedia.org/wiki/Paxos_(computer_science)",
        "https://www.example.com/one/?utm_campaign=weekly",
        "https://example.org/two",
        "http://example.com:99999/x",
        "https://example.net/three",
    ]
    client.force_login(editor)
    page = client.post(reverse("inbox:paste"), {"text": NEWSLETTER, "comment": ""}).content
    page = page.decode()
    kept = set(Entry.objects.values_list("url", flat=True))
    assert kept == {
        "https://example.com/one",
        "https://en.wikipedia.org/wiki/Paxos_(computer_science)",
        "https://example.org/two",
        "https://example.net/three",
    }
    assert "4 kept" in page
    assert "1 repeated in what you pasted" in page
    assert "https://www.example.com/one/?utm_campaign=weekly" in page
    assert "1 not kept: not an http or https address" in page


def test_a_paste_too_large_is_refused_with_a_message(client, editor):
    client.force_login(editor)
    response = client.post(reverse("inbox:paste"), {"text": "x" * 100_001})
    assert response.status_code == 200
    assert "at most 100000 characters" in response.content.decode()
    assert not Entry.objects.exists()


# The share sheet and the bookmarklet --------------------------------------------------------------


def test_the_manifest_offers_the_add_page_as_a_share_target(client, db, settings):
    data = client.get(reverse("inbox:manifest")).json()
    assert data["share_target"] == {
        "action": ADD,
        "method": "GET",
        "params": {"title": "title", "text": "text", "url": "url"},
    }
    assert data["display"] == "minimal-ui"  # installable, so the share sheet offers it
    assert [icon["sizes"] for icon in data["icons"]] == ["192x192", "512x512"]
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL))
    assert reverse("inbox:manifest") in client.get(reverse("digest:post-index")).content.decode()


def test_the_bookmarklet_opens_our_add_page_and_carries_no_secret(client, editor):
    client.force_login(editor)
    page = client.get(reverse("inbox:list")).content.decode()
    assert 'class="bookmarklet" href="javascript:' in page
    assert "/inbox/add/?url=" in page and "window.open" in page
    assert "token" not in page.split('class="bookmarklet"')[1].split(">")[0]


# Readers suggest links -------------------------------------------------------------------------


def test_a_logged_in_reader_suggests_a_link_that_editors_see_marked(client, editor, settings):
    url = reverse("inbox:suggest")
    assert client.get(url).status_code == 302  # log in first
    reader = UserFactory(display_name="Rita Reader")
    client.force_login(reader)
    response = client.post(url, {"url": "https://example.com/worth-it", "comment": "Great"})
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.is_suggestion, entry.kept_by, entry.comment) == (True, reader, "Great")
    assert client.get(reverse("inbox:list")).status_code == 403  # readers never see the inbox

    client.force_login(editor)
    page = client.get(reverse("inbox:list")).content.decode()
    assert "suggested by a reader, Rita Reader" in page


def test_suggestions_are_rate_limited(client, db):
    client.force_login(UserFactory())
    url = reverse("inbox:suggest")
    answers = [client.post(url, {"url": f"https://example.com/{n}"}).status_code for n in range(7)]
    assert answers[:5] == [302] * 5
    assert answers[5:] == [429, 429]
    assert Entry.objects.count() == 5
