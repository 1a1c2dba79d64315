"""The weekly "Sponsored Post": compiled by a command or in the admin from a week's approved
listings, in the sample's shape (DESIGN.md, "A sponsored post"), and shown to readers."""

import html
import re
from datetime import datetime, time, timedelta
from io import StringIO

import feedparser
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from digest.models import Post
from sponsors.compiling import compile_week, sponsored_author
from sponsors.models import Listing, WeeklyPost, this_week
from tests.accounts.factories import staff
from tests.helpers import text
from tests.sponsors.factories import ListingFactory, SponsorFactory, next_week

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:sponsors_listing_changelist")
COMPILE_URL = reverse("admin:sponsors_listing_compile")
BELOW_THE_FOLD = (
    "If any of these items interest you there's a full description of each sponsor below..."
)
SECTION_TITLES = ["Who's Hiring?", "Fun and Informative Events", "Cool Products and Services"]
PLACEHOLDER = "Your event could be here. How cool is that?"


def headings(markup):
    return [html.unescape(h) for h in re.findall(r"<h2>(.*?)</h2>", markup)]


def go_links(markup):
    return re.findall(r'<a href="(/go/\d+/)"', markup)


def compile_command(*args):
    out = StringIO()
    call_command("compile_sponsored_post", *args, stdout=out)
    return out.getvalue()


def long_date(day):
    return f"{day:%B} {day.day}, {day.year}"


@pytest.fixture
def past_week():
    """A week whose post is already public (Monday 9:00 has passed)."""
    return this_week() - timedelta(days=14)


@pytest.fixture
def week_listings(past_week):
    """A week with listings in all three sections, created out of section order, a sponsor
    in two sections, and listings that must stay out of the post."""
    alpha = SponsorFactory(name="Alpha Queues", description="Alpha makes **durable** queues.")
    beta = SponsorFactory(name="Beta Jobs", description="Beta finds engineers for startups.")
    gamma = SponsorFactory(name="Gamma Conf", description="Gamma runs the *Gamma* conference.")
    delta = SponsorFactory(name="Delta Pending", description="Delta is still waiting.")
    week = [past_week]
    approved = {
        "alpha-product": ListingFactory(
            sponsor=alpha,
            approved=True,
            section=Listing.Section.PRODUCT,
            text="**Alpha Queue** never loses a message.",
            link_url="https://alpha.example/trial?ref=hs",
            link_label="Start a trial",
            weeks=week,
        ),
        "beta-hiring": ListingFactory(
            sponsor=beta,
            approved=True,
            section=Listing.Section.HIRING,
            text="Beta Jobs is hiring a Senior Architect in Berlin.",
            link_url="https://beta.example/jobs/architect",
            link_label="Apply now",
            weeks=week,
        ),
        "gamma-event": ListingFactory(
            sponsor=gamma,
            approved=True,
            section=Listing.Section.EVENT,
            text="Gamma Conf: two days of talks on consensus.",
            link_url="https://gamma.example/tickets",
            link_label="Get a ticket",
            weeks=week,
        ),
        "alpha-hiring": ListingFactory(
            sponsor=alpha,
            approved=True,
            section=Listing.Section.HIRING,
            text="Alpha Queues hires SREs who love pagers.",
            link_url="https://alpha.example/jobs/sre",
            link_label="",
            weeks=week,
        ),
    }
    excluded = {
        "pending": ListingFactory(
            sponsor=delta, text="Pending listing text, not yet reviewed.", weeks=week
        ),
        "rejected": ListingFactory(
            sponsor=delta,
            status=Listing.Status.REJECTED,
            text="Rejected listing text, never shown.",
            weeks=week,
        ),
        "withdrawn": ListingFactory(
            sponsor=delta,
            status=Listing.Status.WITHDRAWN,
            text="Withdrawn listing text, never shown.",
            weeks=week,
        ),
        "other-week": ListingFactory(
            sponsor=delta,
            approved=True,
            text="Approved for another week only.",
            weeks=[past_week + timedelta(days=7)],
        ),
    }
    return approved, excluded


@pytest.fixture
def sponsored(editor, past_week, week_listings):
    """The week compiled by the command; (post, approved listings, excluded listings)."""
    compile_command("--week", past_week.isoformat())
    return Post.objects.get(kind=Post.Kind.SPONSORED), *week_listings


# --- What the post says -------------------------------------------------------------------------


def test_the_title_names_the_sponsors_once_each_in_listing_order(sponsored):
    post, _, _ = sponsored

    # Hiring (Beta, then Alpha), events (Gamma), products (Alpha again): first appearances.
    assert post.title == "Sponsored Post: Beta Jobs, Alpha Queues, Gamma Conf"
    assert post.kind == Post.Kind.SPONSORED


def test_the_sections_come_in_fixed_order_with_the_listings_in_each(sponsored):
    post, approved, _ = sponsored

    assert headings(post.excerpt_html) == SECTION_TITLES
    sections = re.split(r"<h2>.*?</h2>", post.excerpt_html)[1:]
    hiring, events, products = (text(section) for section in sections)
    assert "Beta Jobs is hiring a Senior Architect in Berlin." in hiring
    assert "Alpha Queues hires SREs who love pagers." in hiring
    assert hiring.index("Beta Jobs is hiring") < hiring.index("Alpha Queues hires")
    assert "Gamma Conf: two days of talks on consensus." in events
    assert "<strong>Alpha Queue</strong> never loses a message." in products
    assert PLACEHOLDER not in post.excerpt_html


def test_calls_to_action_go_through_the_click_counter_never_to_the_raw_link(sponsored):
    post, approved, _ = sponsored

    expected = [
        reverse("sponsors:go", args=[approved[key].pk])
        for key in ("beta-hiring", "alpha-hiring", "gamma-event", "alpha-product")
    ]
    assert go_links(post.excerpt_html) == expected
    assert f'<a href="{expected[0]}" rel="noopener noreferrer">Apply now</a>' in (post.excerpt_html)
    # A listing without a label gets the default one.
    assert f'<a href="{expected[1]}" rel="noopener noreferrer">Find out more</a>' in (
        post.excerpt_html
    )
    for listing in approved.values():
        assert listing.link_url not in post.excerpt_html
        assert listing.link_url not in post.body_html


def test_listings_not_approved_or_of_other_weeks_stay_out(sponsored):
    post, _, excluded = sponsored

    for listing in excluded.values():
        assert listing.text not in text(post.excerpt_html)
        assert reverse("sponsors:go", args=[listing.pk]) not in post.excerpt_html
    assert "Delta" not in post.title
    assert "Delta" not in post.body_html


def test_the_descriptions_of_the_sponsors_follow_below_the_fold(sponsored):
    post, _, _ = sponsored

    assert text(post.excerpt_html).rstrip().endswith(f"<p>{BELOW_THE_FOLD}</p>")
    assert headings(post.body_html) == ["Beta Jobs", "Alpha Queues", "Gamma Conf"]
    assert "Alpha makes <strong>durable</strong> queues." in post.body_html
    assert "Beta finds engineers for startups." in post.body_html
    assert "Gamma runs the <em>Gamma</em> conference." in post.body_html
    for description in ("Alpha makes", "Beta finds", "Gamma runs"):
        assert description not in post.excerpt_html


def test_an_empty_section_shows_its_placeholder_linking_to_the_sponsors_page(editor, past_week):
    ListingFactory(approved=True, section=Listing.Section.EVENT, weeks=[past_week])

    compile_week(past_week, author=editor)

    post = Post.objects.get()

    def placeholder(section):
        return (
            f'<li><a href="{reverse("sponsors:about")}" rel="noopener noreferrer">'
            f"{Listing.EMPTY_SECTION_TEXT[section]}</a></li>"
        )

    assert headings(post.excerpt_html) == SECTION_TITLES
    hiring, events, products = re.split(r"<h2>.*?</h2>", post.excerpt_html)[1:]
    assert placeholder(Listing.Section.HIRING) in hiring
    assert not any(empty in events for empty in Listing.EMPTY_SECTION_TEXT.values())
    assert placeholder(Listing.Section.PRODUCT) in products


def test_the_events_placeholder_is_the_samples(editor, past_week):
    ListingFactory(approved=True, section=Listing.Section.HIRING, weeks=[past_week])

    post, _ = compile_week(past_week, author=editor)

    assert text(post.excerpt_html).count(PLACEHOLDER) == 1


# --- The command --------------------------------------------------------------------------------


def test_the_command_reports_the_post_it_created(editor, past_week, week_listings):
    output = compile_command("--week", past_week.isoformat())

    post = Post.objects.get()
    assert f"Created “{post.title}” (published)" in output
    assert post.get_absolute_url() in output
    assert post.author == sponsored_author()
    assert post.status == Post.Status.PUBLISHED
    assert post.publish_at == timezone.make_aware(datetime.combine(past_week, time(9, 0)))
    assert WeeklyPost.objects.get().week == past_week


def test_compiling_again_updates_the_same_post(sponsored, past_week):
    post, _, _ = sponsored

    output = compile_command("--week", past_week.isoformat())

    assert f"Updated “{post.title}” (published)" in output
    assert Post.objects.count() == 1
    assert WeeklyPost.objects.count() == 1
    again = Post.objects.get()
    assert (again.pk, again.slug, again.publish_at) == (post.pk, post.slug, post.publish_at)
    assert again.excerpt_html == post.excerpt_html


def test_compiling_after_a_new_approval_updates_the_title_and_keeps_the_address(
    sponsored, editor, past_week
):
    post, _, excluded = sponsored
    address = post.get_absolute_url()
    excluded["pending"].approve(by=editor)

    output = compile_command("--week", past_week.isoformat())

    assert Post.objects.count() == 1
    post.refresh_from_db()
    assert post.title == "Sponsored Post: Beta Jobs, Alpha Queues, Gamma Conf, Delta Pending"
    assert "Updated “Sponsored Post: Beta Jobs, Alpha Queues, Gamma Conf, Delta Pending”" in (
        output
    )
    assert post.get_absolute_url() == address
    assert "Pending listing text, not yet reviewed." in post.excerpt_html
    assert "Delta is still waiting." in post.body_html
    response = Client().get(address)
    assert response.status_code == 200
    assert "Delta Pending" in text(response)


def test_a_week_without_listings_creates_nothing_and_says_so(editor, past_week):
    ListingFactory(weeks=[past_week])  # pending
    ListingFactory(approved=True, weeks=[past_week + timedelta(days=7)])

    output = compile_command("--week", past_week.isoformat())

    assert output.startswith(
        f"No approved listings run in the week of {long_date(past_week)}. Nothing was created."
    )
    assert not Post.objects.exists()
    assert not WeeklyPost.objects.exists()


def test_a_week_whose_listings_were_all_rejected_since_is_unpublished(
    sponsored, editor, past_week, client
):
    post, listings, _ = sponsored
    for listing in Listing.objects.running_in(past_week):
        listing.reject(by=editor, note="Withdrawn by agreement.")

    output = compile_command("--week", past_week.isoformat())

    assert "No approved listings run in the week of" in output
    assert f"Its earlier post “{post.title}” was unpublished (now a draft)." in output
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert client.get(post.get_absolute_url()).status_code == 404
    assert Post.objects.count() == WeeklyPost.objects.count() == 1


def test_the_week_can_be_given_by_any_of_its_days(editor, past_week):
    ListingFactory(approved=True, weeks=[past_week], text="Runs all week.")

    compile_command("--week", (past_week + timedelta(days=3)).isoformat())  # a Thursday

    weekly = WeeklyPost.objects.select_related("post").get()
    assert weekly.week == past_week
    assert "Runs all week." in weekly.post.excerpt_html
    assert timezone.localtime(weekly.post.publish_at).date() == past_week


def test_without_a_week_the_command_compiles_this_week(editor):
    ListingFactory(approved=True, weeks=[this_week()], text="This week's listing.")

    compile_command()

    assert WeeklyPost.objects.get().week == this_week()


@pytest.mark.parametrize("bad", ["2026-13-01", "next monday", "30/11/2026", ""])
def test_a_bad_week_is_refused_with_a_clear_message(editor, bad):
    ListingFactory(approved=True, weeks=[this_week()])

    with pytest.raises(CommandError) as refused:
        compile_command("--week", bad)

    assert "argument --week: wants a date like 2026-11-30" in str(refused.value)
    assert repr(bad) in str(refused.value)
    assert not Post.objects.exists()


def test_draft_creates_a_draft_readers_cannot_see(editor, past_week, client):
    ListingFactory(approved=True, weeks=[past_week], text="Draft-only listing.")

    output = compile_command("--week", past_week.isoformat(), "--draft")

    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert "(draft)" in output
    assert post.title not in text(client.get(reverse("digest:post-index")))
    assert client.get(post.get_absolute_url()).status_code == 404
    assert post.title not in text(client.get(reverse("digest:feed-rss")))


def test_the_author_can_be_named(editor, past_week):
    writer = staff(Role.EDITORS)
    ListingFactory(approved=True, weeks=[past_week])

    compile_command("--week", past_week.isoformat(), "--author", writer.username)

    assert Post.objects.get().author == writer


def test_an_unknown_author_is_refused(editor, past_week):
    ListingFactory(approved=True, weeks=[past_week])

    with pytest.raises(CommandError, match="No user is called 'nobody'."):
        compile_command("--week", past_week.isoformat(), "--author", "nobody")

    assert not Post.objects.exists()


def test_without_an_editor_or_author_the_post_is_by_the_sponsored_account(past_week):
    ListingFactory(approved=True, weeks=[past_week])

    compile_command("--week", past_week.isoformat())

    assert Post.objects.get().author.name == "Sponsored"


# --- A future week: scheduled -------------------------------------------------------------------


def test_a_future_weeks_post_is_scheduled_and_appears_at_its_time(
    editor, client, monkeypatch, django_capture_on_commit_callbacks
):
    week = next_week(2)
    ListingFactory(approved=True, weeks=[week], text="Next fortnight's listing.")

    # Committed, as the command's would be: the site learns when the next post goes live.
    with django_capture_on_commit_callbacks(execute=True):
        output = compile_command("--week", week.isoformat())

    post = Post.objects.get()
    assert "(scheduled)" in output
    assert post.status == Post.Status.PUBLISHED
    assert post.publish_at == timezone.make_aware(datetime.combine(week, time(9, 0)))
    assert post.title not in text(client.get(reverse("digest:post-index")))
    assert client.get(post.get_absolute_url()).status_code == 404
    assert post.title not in text(client.get(reverse("digest:feed-rss")))

    later = post.publish_at + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert post.title in text(client.get(reverse("digest:post-index")))
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "Next fortnight's listing." in text(response)


# --- What readers see ---------------------------------------------------------------------------


def test_readers_see_the_post_on_the_index_with_the_listings(sponsored, client):
    post, approved, _ = sponsored

    page = text(client.get(reverse("digest:post-index")))

    assert post.title in page
    assert "Beta Jobs is hiring a Senior Architect in Berlin." in page
    assert BELOW_THE_FOLD in page
    assert f'href="{post.get_absolute_url()}#more">Click to read more ...</a>' in page
    assert "Alpha makes" not in page  # descriptions are below the fold
    for listing in approved.values():
        assert reverse("sponsors:go", args=[listing.pk]) in page
        assert listing.link_url not in page


def test_readers_see_the_whole_post_on_its_permalink(sponsored, client):
    post, approved, excluded = sponsored

    response = client.get(post.get_absolute_url())

    page = text(response)
    assert response.status_code == 200
    assert f'<h1 class="entry-title">{post.title}</h1>' in page
    for listing in approved.values():
        assert listing.text_html in response.content.decode()
        assert reverse("sponsors:go", args=[listing.pk]) in page
    assert page.index(BELOW_THE_FOLD) < page.index("Alpha makes <strong>durable</strong> queues.")
    for listing in excluded.values():
        assert listing.text not in page


def test_the_go_links_in_the_post_lead_to_each_listings_own_link(sponsored, client):
    post, approved, _ = sponsored
    page = client.get(post.get_absolute_url()).content.decode()

    targets = [
        client.get(link, HTTP_USER_AGENT="Mozilla/5.0 reader")["Location"]
        for link in go_links(page)
    ]

    assert targets == [
        approved[key].link_url
        for key in ("beta-hiring", "alpha-hiring", "gamma-event", "alpha-product")
    ]


def test_the_rss_feed_carries_the_post_with_absolute_click_links(sponsored, client):
    post, approved, _ = sponsored

    feed = feedparser.parse(client.get(reverse("digest:feed-rss")).content)

    assert not feed.bozo, feed.get("bozo_exception")
    (entry,) = [entry for entry in feed.entries if entry.title == post.title]
    assert entry.link.endswith(post.get_absolute_url())
    content = entry.content[0].value
    assert "Gamma Conf: two days of talks on consensus." in content
    assert "Gamma runs the <em>Gamma</em> conference." in content
    for listing in approved.values():
        assert settings.SITE_URL + reverse("sponsors:go", args=[listing.pk]) in content
        assert listing.link_url not in content


# --- In the admin -------------------------------------------------------------------------------


def messages_on(response):
    return [html.unescape(m) for m in re.findall(r'<li class="\w+">(.*?)</li>', text(response))]


def test_the_compile_page_offers_this_week(editor_client):
    response = editor_client.get(COMPILE_URL)

    assert response.status_code == 200
    assert f'value="{this_week().isoformat()}"' in response.content.decode()
    assert COMPILE_URL in editor_client.get(QUEUE_URL).content.decode()


def test_compiling_a_week_in_the_admin_creates_then_updates_one_post(
    editor_client, editor, past_week, week_listings
):
    response = editor_client.post(
        COMPILE_URL, {"week": (past_week + timedelta(days=2)).isoformat()}, follow=True
    )

    assert response.redirect_chain == [(QUEUE_URL, 302)]
    post = Post.objects.get()
    assert post.title == "Sponsored Post: Beta Jobs, Alpha Queues, Gamma Conf"
    assert post.author == sponsored_author()
    assert go_links(post.excerpt_html) == [
        reverse("sponsors:go", args=[week_listings[0][key].pk])
        for key in ("beta-hiring", "alpha-hiring", "gamma-event", "alpha-product")
    ]
    page = text(response)
    assert (
        f"Created the sponsored post of the week of {long_date(past_week)}: "
        f'<a href="{reverse("admin:digest_post_change", args=[post.pk])}">{post.title}</a>'
        " (published)"
    ) in page

    week_listings[1]["pending"].approve(by=editor)
    response = editor_client.post(COMPILE_URL, {"week": past_week.isoformat()}, follow=True)

    assert Post.objects.count() == 1
    again = Post.objects.get()
    assert (again.pk, again.slug) == (post.pk, post.slug)
    assert again.title.endswith(", Delta Pending")
    assert f"Updated the sponsored post of the week of {long_date(past_week)}" in text(response)
    listed = text(editor_client.get(COMPILE_URL))
    assert f"Week of {past_week:%b} {past_week.day}, {past_week.year}: " in listed


def test_compiling_an_empty_week_in_the_admin_says_so_and_creates_nothing(editor_client, past_week):
    ListingFactory(weeks=[past_week])  # pending only

    response = editor_client.post(COMPILE_URL, {"week": past_week.isoformat()}, follow=True)

    assert (
        f"No approved listings run in the week of {long_date(past_week)}. Nothing was compiled."
        in messages_on(response)
    )
    assert not Post.objects.exists()


@pytest.mark.parametrize("bad", ["", "someday", "2026-02-30"])
def test_the_compile_page_refuses_a_bad_date(editor_client, bad):
    ListingFactory(approved=True, weeks=[this_week()])

    response = editor_client.post(COMPILE_URL, {"week": bad})

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Post.objects.exists()


def test_the_compile_action_builds_the_weeks_of_the_selected_listings(editor_client):
    first = ListingFactory(
        sponsor=SponsorFactory(name="First Co"), approved=True, weeks=[next_week(1)]
    )
    second = ListingFactory(
        sponsor=SponsorFactory(name="Second Co"), approved=True, weeks=[next_week(1), next_week(2)]
    )
    ListingFactory(
        sponsor=SponsorFactory(name="Unselected Co"), approved=True, weeks=[next_week(3)]
    )

    response = editor_client.post(
        QUEUE_URL,
        {"action": "compile_weeks", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    weeklies = {w.week: w.post for w in WeeklyPost.objects.select_related("post")}
    assert sorted(weeklies) == [next_week(1), next_week(2)]
    assert weeklies[next_week(1)].title == "Sponsored Post: First Co, Second Co"
    assert weeklies[next_week(2)].title == "Sponsored Post: Second Co"
    assert all(post.is_scheduled for post in weeklies.values())
    page = text(response)
    for week in (next_week(1), next_week(2)):
        assert f"Created the sponsored post of the week of {long_date(week)}" in page
    assert "(scheduled)" in page

    response = editor_client.post(
        QUEUE_URL, {"action": "compile_weeks", "_selected_action": [second.pk]}, follow=True
    )
    assert WeeklyPost.objects.count() == Post.objects.count() == 2
    assert f"Updated the sponsored post of the week of {long_date(next_week(1))}" in text(response)


def test_the_compile_action_on_a_week_with_nothing_approved_creates_nothing(editor_client):
    pending = ListingFactory(weeks=[next_week(1)])

    response = editor_client.post(
        QUEUE_URL, {"action": "compile_weeks", "_selected_action": [pending.pk]}, follow=True
    )

    assert (
        f"No approved listings run in the week of {long_date(next_week(1))}. Nothing was compiled."
    ) in messages_on(response)
    assert not Post.objects.exists()


def test_the_compile_action_ignores_weeks_gone_by(editor_client, past_week):
    old = ListingFactory(approved=True, weeks=[past_week])

    response = editor_client.post(
        QUEUE_URL, {"action": "compile_weeks", "_selected_action": [old.pk]}, follow=True
    )

    assert (
        "None of the selected listings runs this week or later; nothing was compiled."
        in messages_on(response)
    )
    assert not Post.objects.exists()


def test_an_author_cannot_compile(client, past_week):
    ListingFactory(approved=True, weeks=[past_week])
    client.force_login(staff(Role.AUTHORS))

    assert client.post(COMPILE_URL, {"week": past_week.isoformat()}).status_code == 403
    assert not Post.objects.exists()
