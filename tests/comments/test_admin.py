"""The moderation queue: held first with the post and a preview; bulk approve, spam and delete,
allowed to editors only, checked on the server."""

import pytest
from django.urls import reverse

from accounts.models import Role
from comments.models import Comment, CommentSettings
from tests.accounts.factories import staff
from tests.comments.factories import CommentFactory
from tests.digest.factories import PostFactory

pytestmark = pytest.mark.django_db
QUEUE = "admin:comments_comment_changelist"


def act(client, action, comments):
    return client.post(
        reverse(QUEUE),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def test_the_queue_shows_held_comments_first_with_post_and_preview(editor_client):
    post = PostFactory(title="Sharding stories")
    CommentFactory(post=post, body_markdown="approved one")
    held = CommentFactory(post=post, status=Comment.Status.PENDING, body_markdown="*held* one")
    page = editor_client.get(reverse(QUEUE)).content.decode()
    assert page.index("<em>held</em> one") < page.index("approved one")
    assert "Sharding stories" in page and held.post.get_absolute_url() in page


def test_an_editor_approves_spams_and_deletes_in_bulk(editor_client, editor):
    held = CommentFactory.create_batch(3, status=Comment.Status.PENDING)
    act(editor_client, "approve", held[:2])
    act(editor_client, "mark_spam", held[2:])
    states = {c.pk: (c.status, c.moderated_by) for c in Comment.objects.all()}
    assert states == {
        held[0].pk: ("approved", editor),
        held[1].pk: ("approved", editor),
        held[2].pk: ("spam", editor),
    }
    act(editor_client, "delete_comments", held[:1])
    assert Comment.objects.get(pk=held[0].pk).status == Comment.Status.DELETED
    assert Comment.objects.visible().count() == 1


def test_an_author_cannot_moderate_even_by_posting_the_action(client):
    author = staff(Role.AUTHORS)
    client.force_login(author)
    held = CommentFactory(status=Comment.Status.PENDING)
    answer = client.post(reverse(QUEUE), {"action": "approve", "_selected_action": [held.pk]})
    assert answer.status_code in (302, 403)
    held.refresh_from_db()
    assert held.status == Comment.Status.PENDING


def test_the_queue_offers_no_hard_delete_or_add(editor_client):
    page = editor_client.get(reverse(QUEUE)).content.decode()
    assert "delete_selected" not in page
    assert editor_client.get(reverse("admin:comments_comment_add")).status_code == 403


def test_an_editor_closes_one_posts_comments_and_changes_the_settings(editor_client):
    post = PostFactory()
    answer = editor_client.post(
        reverse("admin:comments_thread_add"), {"post": post.pk, "is_open": ""}
    )
    assert answer.status_code == 302
    assert not Comment.is_open_on(post)
    answer = editor_client.post(
        reverse("admin:comments_commentsettings_add"),
        {"comments_open": "on", "close_after_days": 0, "max_links": 3, "blocklist": "casino"},
    )
    assert answer.status_code == 302
    assert CommentSettings.load().max_links == 3
    assert editor_client.get(reverse("admin:comments_commentsettings_add")).status_code == 403
