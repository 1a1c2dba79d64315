"""The old site's addresses that have no page here move for good to the page that took their
place: /blog/author/<name>, /blog/recommend/<id>, /rss.xml, /blog/rss.xml and
/all-time-favorites/ (where the editor chooses, never another site)."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from accounts.models import Role
from digest.models import SiteSettings
from tests.accounts.factories import UserFactory
from tests.digest.factories import PostFactory

FEB_19 = timezone.make_aware(datetime(2016, 2, 19, 16, 0))
# The old platform's id of a post, the last part of its Squarespace guid ("426227:4867632:…").
ITEM_ID = "28815239"


def lands(client, response):
    """The status of the page a redirect leads to."""
    return client.get(response["Location"]).status_code


def warm(client):
    """Let the page cache read the content state (once per content version, for any request),
    so that a query count is the redirect's own."""
    client.get("/rss.xml")


def choose_favourites(value):
    record = SiteSettings.objects.get(pk=1)
    record.favourites_url = value
    record.save()


@pytest.fixture
def todd(db):
    user = UserFactory(username="todd-hoff", display_name="Todd Hoff")
    PostFactory(author=user, title="Stuff The Internet Says On Scalability For February 19th")
    return user


# /blog/author/<name> --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["nobody", "%00", "a%0Ab", "x" * 151, "%C2%A0"],
)
def test_an_old_author_address_with_no_such_author_is_not_found(client, todd, name):
    response = client.get(f"/blog/author/{name}")
    assert response.status_code == 404


def test_an_old_author_address_of_someone_without_published_posts_is_not_found(client, db):
    # Sponsors and authors of drafts have no public page, so their names are not revealed.
    drafter = UserFactory(username="drafter", display_name="Dee Drafter")
    PostFactory(author=drafter, draft=True)
    PostFactory(author=drafter, scheduled=True)
    UserFactory(username="sponsor-account", roles=[Role.SPONSORS])

    for name in ("drafter", "Dee%20Drafter", "sponsor-account"):
        assert client.get(f"/blog/author/{name}").status_code == 404, name


@pytest.mark.parametrize(
    "name",
    ["todd-hoff", "Todd-Hoff", "Todd%20Hoff", "todd%20hoff", "Todd+Hoff", "todd_hoff"],
)
def test_an_old_author_address_moves_for_good_to_the_author_page(client, todd, name):
    for address in (f"/blog/author/{name}", f"/blog/author/{name}/"):
        response = client.get(address)

        assert response.status_code == 301, address
        assert response["Location"] == reverse(
            "digest:author-detail", kwargs={"username": "todd-hoff"}
        )
        assert lands(client, response) == 200


def test_a_username_written_alike_wins_over_a_display_name(client, todd):
    namesake = UserFactory(username="toddhoff", display_name="todd-hoff")
    PostFactory(author=namesake)

    response = client.get("/blog/author/toddhoff")
    assert response["Location"] == reverse("digest:author-detail", args=["toddhoff"])
    response = client.get("/blog/author/todd-hoff")
    assert response["Location"] == reverse("digest:author-detail", args=["todd-hoff"])


def test_an_old_author_address_costs_one_query(client, todd, django_assert_num_queries):
    warm(client)
    with django_assert_num_queries(1):
        response = client.get("/blog/author/Todd%20Hoff")
    assert response.status_code == 301


# /blog/recommend/<id> -------------------------------------------------------------------------


def test_an_old_recommend_address_without_its_post_is_not_found(client, db):
    PostFactory(legacy_id="1")
    for address in (f"/blog/recommend/{ITEM_ID}", "/blog/recommend/%00", "/blog/recommend/"):
        assert client.get(address).status_code == 404, address


@pytest.mark.parametrize("hidden", [{"draft": True}, {"scheduled": True}])
def test_an_old_recommend_address_of_an_unpublished_post_is_not_found(client, db, hidden):
    PostFactory(legacy_id=ITEM_ID, **hidden)
    assert client.get(f"/blog/recommend/{ITEM_ID}").status_code == 404


def test_an_old_recommend_address_moves_for_good_to_its_post(client, db, django_assert_num_queries):
    post = PostFactory(
        title="Stuff The Internet Says On Scalability For February 19th, 2016",
        publish_at=FEB_19,
        legacy_id=ITEM_ID,
    )
    PostFactory(legacy_id="28815240")
    warm(client)

    for address in (f"/blog/recommend/{ITEM_ID}", f"/blog/recommend/{ITEM_ID}/"):
        with django_assert_num_queries(1):
            response = client.get(address)

        assert response.status_code == 301
        assert response["Location"] == post.get_absolute_url()
        assert response["Location"] == (
            "/blog/2016/2/19/stuff-the-internet-says-on-scalability-for-february-19th-201.html"
        )
        assert lands(client, response) == 200


# /rss.xml, /blog/rss.xml ----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["/rss.xml", "/blog/rss.xml"])
def test_the_old_feed_addresses_move_for_good_to_the_feed(
    client, db, address, django_assert_num_queries
):
    PostFactory()
    warm(client)
    with django_assert_num_queries(0):
        response = client.get(address)

    assert response.status_code == 301
    assert response["Location"] == reverse("digest:feed-rss")
    assert lands(client, response) == 200


def test_the_old_addresses_answer_only_reading(client, todd):
    for address in ("/rss.xml", "/blog/author/todd-hoff", "/all-time-favorites/"):
        assert client.post(address).status_code == 405, address


# /all-time-favorites/ -------------------------------------------------------------------------


def test_with_nothing_chosen_and_no_favourites_tag_the_favourites_lead_to_the_archive(client, db):
    PostFactory(tags=["caching"])

    for address in ("/all-time-favorites/", "/all-time-favorites"):
        response = client.get(address)
        assert response.status_code == 301
        assert response["Location"] == reverse("digest:archive")
        assert lands(client, response) == 200


@pytest.mark.parametrize("slug", ["all-time-favorites", "favorites", "favourites"])
def test_with_nothing_chosen_a_favourites_tag_is_where_they_lead(client, db, slug):
    PostFactory(tags=[slug, "caching"])

    response = client.get("/all-time-favorites/")

    assert response.status_code == 301
    assert response["Location"] == reverse("digest:tag-detail", kwargs={"slug": slug})
    assert lands(client, response) == 200


def test_the_oldest_favourites_tag_name_wins_when_there_are_several(client, db):
    PostFactory(tags=["favorites", "all-time-favorites"])
    response = client.get("/all-time-favorites/")
    assert response["Location"] == reverse("digest:tag-detail", args=["all-time-favorites"])


def test_the_editor_chooses_a_tag_for_the_favourites(client, db):
    PostFactory(tags=["best-of", "favorites"])
    choose_favourites("best-of")

    response = client.get("/all-time-favorites/")

    assert response.status_code == 301
    assert response["Location"] == reverse("digest:tag-detail", kwargs={"slug": "best-of"})
    assert lands(client, response) == 200


def test_the_editor_chooses_a_page_for_the_favourites(client, db):
    post = PostFactory()
    choose_favourites(post.get_absolute_url())

    response = client.get("/all-time-favorites/")

    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()
    assert lands(client, response) == 200


@pytest.mark.parametrize(
    "stored",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "/tags/x/\nLocation: https://evil.example/",
        "/all-time-favorites",  # itself: a redirect that never ends
    ],
)
def test_a_stored_favourites_address_that_names_another_host_is_never_followed(client, db, stored):
    # Written past the admin's validation (a shell, a fixture): the default applies instead.
    SiteSettings.objects.filter(pk=1).update(favourites_url=stored)

    response = client.get("/all-time-favorites/")

    assert response.status_code == 301
    assert response["Location"] == reverse("digest:archive")


def test_browsers_ask_again_for_the_favourites_after_a_day(client, db):
    # The editor may choose another page; a 301 without a lifetime is kept for ever.
    response = client.get("/all-time-favorites/")
    assert response["Cache-Control"] == "max-age=86400"


def test_the_favourites_redirect_costs_two_queries_at_most(
    client, db, django_assert_max_num_queries
):
    PostFactory(tags=["favorites"])
    warm(client)
    with django_assert_max_num_queries(2):
        client.get("/all-time-favorites/")
    with django_assert_max_num_queries(1):  # the settings record comes from the cache now
        response = client.get("/all-time-favorites/")
    assert response["Location"] == reverse("digest:tag-detail", args=["favorites"])


# Choosing the favourites in the admin ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://evil.example/", "a path of this site"),
        ("//evil.example/x", "without a host"),
        ("/\\evil.example", "without a host"),
        ("/tags/a b/", "spaces"),
        ("javascript:alert(1)", "a tag's slug"),
        ("never-used", "No tag has the slug"),
        ("/no/such/page/", "No page of this site"),
        ("/all-time-favorites/", "itself"),
        ("/all-time-favorites", "itself"),
    ],
)
def test_the_favourites_setting_refuses_other_hosts_and_unknown_pages(db, value, message):
    record = SiteSettings.objects.get(pk=1)
    record.favourites_url = value

    with pytest.raises(ValidationError) as refused:
        record.full_clean()

    assert message in str(refused.value.message_dict["favourites_url"])


@pytest.mark.parametrize(
    "value", ["favorites", "/tags/favorites/", "/search/?q=favourite", "/archive/2016/"]
)
def test_the_favourites_setting_takes_a_tag_or_a_page_of_this_site(db, value):
    Tag.objects.create(name="favorites", slug="favorites")
    record = SiteSettings.objects.get(pk=1)
    record.favourites_url = value
    record.full_clean()


def test_an_editor_chooses_the_favourites_in_the_site_settings_screen(client, db):
    PostFactory(tags=["best-of"])
    client.force_login(UserFactory(is_staff=True, roles=[Role.EDITORS]))
    url = reverse("admin:digest_sitesettings_change", args=[1])
    record = SiteSettings.objects.get(pk=1)
    form = {
        field: getattr(record, field)
        for field in (
            "site_name",
            "tagline",
            "support_blurb",
            "support_url",
            "closing_line",
            "empty_section_text",
        )
    }
    assert 'name="favourites_url"' in client.get(url).content.decode()

    refused = client.post(url, {**form, "favourites_url": "https://evil.example/"})
    assert refused.status_code == 200
    assert "a path of this site" in refused.content.decode()
    assert SiteSettings.objects.get().favourites_url == ""

    saved = client.post(url, {**form, "favourites_url": "best-of"})
    assert saved.status_code == 302
    assert SiteSettings.objects.get().favourites_url == "best-of"
    client.logout()
    response = client.get("/all-time-favorites/")
    assert response["Location"] == reverse("digest:tag-detail", args=["best-of"])


def test_a_chosen_page_is_the_address_the_editor_gave_not_one_from_the_request(client, db):
    post = PostFactory(publish_at=timezone.now() - timedelta(days=3))
    choose_favourites(post.get_absolute_url())

    response = client.get("/all-time-favorites/?next=https://evil.example/", HTTP_HOST="localhost")

    assert response["Location"] == post.get_absolute_url()
