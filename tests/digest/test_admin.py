"""The post admin as editors and authors use it: who sees what, and what they may choose."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role
from digest.models import Post
from tests.accounts.factories import UserFactory
from tests.digest.factories import PostFactory


def staff(role):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db):
    return staff(Role.EDITORS)


@pytest.fixture
def author(db):
    return staff(Role.AUTHORS)


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
