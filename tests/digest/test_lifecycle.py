"""A post's lifecycle through its verbs (publish, schedule, unpublish, submit for review, send
back): what readers see after
each, the steps that cannot be taken named for the editor, and the admin's list actions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from digest.models import IllegalTransition, Post
from tests.accounts.factories import staff
from tests.digest.factories import PostFactory


def on_index(client, post):
    return post.title in client.get(reverse("digest:post-index")).content.decode()


def test_publish_puts_a_draft_on_the_index_now(client, db):
    post = PostFactory(draft=True, title="A draft about queues")
    assert not on_index(client, post)

    post.publish()

    assert Post.objects.published().filter(pk=post.pk).exists()
    assert on_index(client, post)


def test_schedule_hides_a_post_until_its_time(client, db):
    post = PostFactory(draft=True, title="Next week's digest")

    post.schedule(timezone.now() + timedelta(days=2))

    assert post.is_scheduled and not on_index(client, post)
    with pytest.raises(IllegalTransition, match="time still to come"):
        post.schedule(timezone.now() - timedelta(minutes=1))


def test_unpublish_takes_a_post_off_and_keeps_its_address(client, db):
    post = PostFactory(title="Taken back")
    address = post.get_absolute_url()

    post.unpublish()

    assert not on_index(client, post)
    assert post.get_absolute_url() == address
    with pytest.raises(IllegalTransition, match="a draft already"):
        post.unpublish()


def test_publishing_a_live_post_is_refused_and_changes_nothing(db):
    post = PostFactory(title="Already live")
    version = post.version

    with pytest.raises(IllegalTransition, match="already published"):
        post.publish()

    post.refresh_from_db()
    assert post.version == version


def test_the_admin_publishes_the_selected_and_names_the_ones_it_cannot(client, db):
    client.force_login(staff(Role.EDITORS))
    draft = PostFactory(draft=True, title="Ready to go")
    live = PostFactory(title="Live one")

    response = client.post(
        reverse("admin:digest_post_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk, live.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "1 post published." in page
    assert "“Live one” is already published." in page
    draft.refresh_from_db()
    assert draft.is_published
    assert draft.revisions.get().note == "Published"


def test_an_authors_draft_waits_for_review_and_an_editor_publishes_or_sends_it_back(client, db):
    author, editor = staff(Role.AUTHORS), staff(Role.EDITORS)
    post = PostFactory(draft=True, author=author, title="For review")

    post.submit_for_review(by=author)
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING and not on_index(client, post)
    with pytest.raises(IllegalTransition, match="only a draft is submitted"):
        post.submit_for_review(by=author)

    post.send_back(by=editor)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    with pytest.raises(IllegalTransition, match="not waiting for review"):
        post.send_back(by=editor)

    post.submit_for_review(by=author)
    post.publish(by=editor)
    assert on_index(client, post)
    with pytest.raises(IllegalTransition, match="only a draft"):
        post.submit_for_review(by=author)


def test_an_author_can_take_no_publishing_step_whatever_asks(client, db):
    author = staff(Role.AUTHORS)
    post = PostFactory(pending=True, author=author, title="Mine")
    version = post.version
    for step in (
        lambda: post.publish(by=author),
        lambda: post.schedule(timezone.now() + timedelta(days=1), by=author),
        lambda: post.send_back(by=author),
    ):
        with pytest.raises(IllegalTransition, match="Only an editor"):
            step()
    live = PostFactory(author=author, title="Live and mine")
    with pytest.raises(IllegalTransition, match="Only an editor"):
        live.unpublish(by=author)
    post.refresh_from_db()
    assert (post.status, post.version) == (Post.Status.PENDING, version)

    # The list's actions are not offered to authors, and asking for one by hand does nothing.
    client.force_login(author)
    page = client.get(reverse("admin:digest_post_changelist")).content.decode()
    assert "publish_now" not in page
    client.post(
        reverse("admin:digest_post_changelist"),
        {"action": "publish_now", "_selected_action": [post.pk]},
    )
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_unpublishing_a_post_pending_review_is_refused(db):
    post = PostFactory(pending=True, title="Waiting")
    with pytest.raises(IllegalTransition, match="pending review already"):
        post.unpublish()
