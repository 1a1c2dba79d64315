"""What a reader of the sponsored post and the sidebar is promised is there (issue 18): no line
pointing below the fold at nothing, no "Click to read more" for an empty body, no editor's
byline on a post no editor wrote, a placeholder that fits its section, and a link on every
sponsor's name."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sponsors.compiling import compile_week
from sponsors.models import Listing, this_week
from tests.helpers import text
from tests.sponsors.factories import ListingFactory, SponsorFactory

pytestmark = pytest.mark.django_db

BELOW_THE_FOLD = "there's a full description of each sponsor below"
READ_MORE = "Click to read more"


@pytest.fixture
def past_week():
    return this_week() - timedelta(days=14)


def entry_on_index(client, post):
    """The index's entry of `post`, from its <article> to the next."""
    cache.clear()
    page = text(client.get(reverse("digest:post-index")))
    start = page.index(post.title)
    end = page.find("<article", start)
    return page[start : end if end > 0 else len(page)]


def test_without_descriptions_nothing_points_below_the_fold(client, editor, past_week):
    quiet = SponsorFactory(name="Quiet Queues", description="")
    ListingFactory(sponsor=quiet, approved=True, weeks=[past_week])

    post, _ = compile_week(past_week, author=editor)

    assert BELOW_THE_FOLD not in text(post.excerpt_html)
    assert post.body == ""
    entry = entry_on_index(client, post)
    assert "Quiet Queues" in entry
    assert READ_MORE not in entry
    assert BELOW_THE_FOLD not in text(client.get(post.get_absolute_url()))


def test_one_description_is_enough_to_point_below_the_fold(client, editor, past_week):
    ListingFactory(sponsor=SponsorFactory(description=""), approved=True, weeks=[past_week])
    told = SponsorFactory(name="Told Co", description="Told Co explains itself.")
    ListingFactory(sponsor=told, approved=True, weeks=[past_week])

    post, _ = compile_week(past_week, author=editor)

    assert BELOW_THE_FOLD in text(post.excerpt_html)
    assert "Told Co explains itself." in post.body_html
    assert READ_MORE in entry_on_index(client, post)


def test_a_compiled_post_carries_no_editors_byline(client, editor, past_week):
    editor.display_name = "Site Admin"
    editor.save()
    ListingFactory(approved=True, weeks=[past_week])

    post, _ = compile_week(past_week)

    assert post.author != editor
    assert post.author.name == "Sponsored"
    assert not post.author.is_active
    assert not post.author.has_usable_password()
    for page in (client.get(post.get_absolute_url()), client.get(reverse("digest:post-index"))):
        assert "Site Admin" not in text(page)
        assert reverse("digest:author-detail", args=[editor.username]) not in text(page)
    # "Sponsored" leads to the sponsored posts, not to a person.
    sponsored = client.get(reverse("digest:author-detail", args=[post.author.username]))
    assert post.title in text(sponsored)
    # Every week's post has the same one display account.
    ListingFactory(approved=True, weeks=[past_week + timedelta(days=7)])
    later, _ = compile_week(past_week + timedelta(days=7))
    assert later.author == post.author


def test_compiling_again_replaces_a_personal_byline(editor, past_week):
    ListingFactory(approved=True, weeks=[past_week])
    post, _ = compile_week(past_week, author=editor)
    assert post.author == editor  # named explicitly, as the command's --author does

    compile_week(past_week)

    post.refresh_from_db()
    assert post.author.name == "Sponsored"


PLACEHOLDERS = {
    "Who's Hiring?": "Your job listing could be here. How cool is that?",
    "Fun and Informative Events": "Your event could be here. How cool is that?",
    "Cool Products and Services": "Your product or service could be here. How cool is that?",
}


def test_each_empty_section_has_a_placeholder_of_its_own(editor, past_week):
    ListingFactory(approved=True, section=Listing.Section.PRODUCT, weeks=[past_week])

    post, _ = compile_week(past_week, author=editor)

    hiring, events, products = re.split(r"<h2>.*?</h2>", text(post.excerpt_html))[1:]
    assert PLACEHOLDERS["Who's Hiring?"] in hiring
    assert "event" not in hiring
    assert PLACEHOLDERS["Fun and Informative Events"] in events
    assert not any(placeholder in products for placeholder in PLACEHOLDERS.values())


# --- The sidebar ------------------------------------------------------------------------------


def sidebar_links(client):
    cache.clear()
    page = client.get(reverse("sponsors:about")).content.decode()
    widget = page[page.index("sponsors-widget") :]
    widget = widget[: widget.index("</section>")]
    return {
        name: (href, rel)
        for href, rel, name in re.findall(r'<a href="([^"]+)" rel="([^"]+)">([^<]+)</a>', widget)
    }


def test_every_sponsor_in_the_sidebar_is_a_link(client):
    week = this_week()
    with_site = SponsorFactory(name="Site Co", website="https://site-co.example/")
    ListingFactory(sponsor=with_site, approved=True, weeks=[week])
    without_site = SponsorFactory(name="Plain Co", website="")
    listing = ListingFactory(sponsor=without_site, approved=True, weeks=[week])

    links = sidebar_links(client)

    assert links["Site Co"] == ("https://site-co.example/", "sponsored noopener")
    assert links["Plain Co"] == (reverse("sponsors:go", args=[listing.pk]), "sponsored noopener")


def sidebar_queries(client):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("sponsors:about"))
    return len(queries)


def test_the_sidebar_asks_the_same_queries_for_one_sponsor_or_many(client):
    week = this_week()
    ListingFactory(sponsor=SponsorFactory(website=""), approved=True, weeks=[week])
    one = sidebar_queries(client)
    for _ in range(5):
        ListingFactory(sponsor=SponsorFactory(website=""), approved=True, weeks=[week])

    assert sidebar_queries(client) == one
