"""The post admin as editors and authors use it: who sees what, and what they may choose."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role
from digest.models import Post
from tests.accounts.factories import UserFactory, staff
from tests.digest.factories import PostFactory
from tests.digest.helpers import change_form_data


def test_sponsors_never_reach_the_admin(client, db):
    sponsor = UserFactory()
    sponsor.groups.add(Group.objects.get(name=Role.SPONSORS))
    client.force_login(sponsor)
    response = client.get(reverse("admin:digest_post_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_authors_see_and_open_only_their_own_posts(client, author):
    own = PostFactory(author=author, title="My own post")
    other = PostFactory(title="Someone else's post")
    client.force_login(author)

    page = client.get(reverse("admin:digest_post_changelist")).content.decode()
    assert own.title in page
    assert other.title not in page
    response = client.get(reverse("admin:digest_post_change", args=[other.pk]))
    assert response.status_code == 302  # "doesn't exist" redirect, nothing shown
    assert client.get(reverse("admin:digest_post_change", args=[own.pk])).status_code == 200


def test_authors_cannot_choose_sponsored_posts_and_write_as_themselves(client, author):
    client.force_login(author)
    form = client.get(reverse("admin:digest_post_add")).content.decode()
    assert 'value="sponsored"' not in form

    response = client.post(
        reverse("admin:digest_post_add"),
        {
            "title": "An author's draft",
            "slug": "an-authors-draft",
            "kind": "sponsored",
            "status": "draft",
            "publish_at_0": "2026-01-02",
            "publish_at_1": "09:00:00",
            "tags": "",
            "excerpt": "Hello",
        },
    )
    assert response.status_code == 200  # the form is shown again with the error
    assert "Select a valid choice" in response.content.decode()
    assert not Post.objects.exists()


def test_editors_see_everything_with_status_labels(client, editor):
    PostFactory(title="Live one")
    PostFactory(title="Not yet", draft=True)
    PostFactory(title="Later", scheduled=True)
    client.force_login(editor)

    page = client.get(reverse("admin:digest_post_changelist")).content.decode()
    for label in ("Published", "Draft", "Scheduled"):
        assert f">{label}</strong>" in page


def test_an_editor_writes_a_post_in_the_admin_and_readers_see_it(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:digest_post_add"),
        {
            "title": "Written in the admin",
            "slug": "written-in-the-admin",
            "kind": "article",
            "status": "published",
            "publish_at_0": "2026-01-02",
            "publish_at_1": "09:00:00",
            "author": editor.pk,
            "tags": "caching, queues",
            "excerpt": "The *excerpt*.",
            "body": "The body.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert post.excerpt_html == "<p>The <em>excerpt</em>.</p>\n"
    assert sorted(post.tags.names()) == ["caching", "queues"]
    client.logout()
    assert "Written in the admin" in client.get(post.get_absolute_url()).content.decode()


def test_a_save_from_a_stale_form_is_refused_and_nothing_is_overwritten(client, editor):
    post = PostFactory(title="Original title")
    opened_by_a = change_form_data(post)  # editor A opens the form…
    other = staff(Role.EDITORS)
    client.force_login(other)  # …editor B opens it too and saves first
    url = reverse("admin:digest_post_change", args=[post.pk])
    response = client.post(url, change_form_data(post, title="B's title"))
    assert response.status_code == 302

    client.force_login(editor)
    response = client.post(url, {**opened_by_a, "title": "A's title"})

    assert response.status_code == 200
    assert "Someone else saved this post" in response.content.decode()
    post.refresh_from_db()
    assert post.title == "B's title"
    assert post.version == 1


def test_a_save_from_a_fresh_form_goes_through(client, editor):
    post = PostFactory(title="Original title")
    client.force_login(editor)
    url = reverse("admin:digest_post_change", args=[post.pk])
    assert client.post(url, change_form_data(post, title="First")).status_code == 302
    post.refresh_from_db()
    assert client.post(url, change_form_data(post, title="Second")).status_code == 302
    post.refresh_from_db()
    assert (post.title, post.version) == ("Second", 2)


def test_status_filter_uses_the_reader_rules(client, editor):
    PostFactory(title="Live one")
    PostFactory(title="Not yet", draft=True)
    PostFactory(title="Later", scheduled=True)
    client.force_login(editor)
    changelist = reverse("admin:digest_post_changelist")

    def titles(visibility):
        response = client.get(changelist, {"visibility": visibility})
        return {post.title for post in response.context["cl"].result_list}

    assert titles("draft") == {"Not yet"}
    assert titles("scheduled") == {"Later"}
    assert titles("published") == {"Live one"}


@pytest.mark.parametrize("role", [Role.EDITORS, Role.AUTHORS])
def test_editors_and_authors_get_the_digest_inlines(client, db, role):
    client.force_login(staff(role))
    response = client.get(reverse("admin:digest_post_add"), {"kind": "digest"})
    assert response.status_code == 200
    names = [formset.opts.model.__name__ for formset in response.context["inline_admin_formsets"]]
    assert names == ["Stat", "Quote", "Item"]


def test_editors_change_the_site_settings_and_readers_see_it(client, editor):
    client.force_login(editor)
    url = reverse("admin:digest_sitesettings_change", args=[1])
    response = client.post(
        url,
        {
            "site_name": "Scale Weekly",
            "tagline": "Numbers, quotes, links.",
            "support_blurb": "Support us.",
            "support_url": "https://example.com/support",
            "closing_line": "More below...",
            "empty_section_text": "Your listing here.",
        },
    )
    assert response.status_code == 302
    client.logout()
    page = client.get(reverse("digest:post-index")).content.decode()
    assert "Scale Weekly" in page and "Numbers, quotes, links." in page
