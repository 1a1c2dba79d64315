"""Readers' fields are inert wherever they are shown (the post page, the list pages' counts,
the feeds, the admin queue), and no page, feed or log shows a commenter's e-mail address."""

import logging

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.comments.factories import CommentFactory
from tests.comments.payloads import payload_comments
from tests.security.xss_helpers import check_html, check_xml

pytestmark = pytest.mark.django_db


def test_every_payload_in_every_field_is_inert_on_pages_and_feeds(client):
    posts = payload_comments()
    assert Comment.objects.visible().count() > 250
    for post in posts:
        page = client.get(post.get_absolute_url())
        assert page.status_code == 200
        assert check_html(page.content.decode()) == [], post.title
        feed = client.get(reverse("comments:post-feed", args=[post.pk]))
        assert check_xml(feed.content) == []
    for name in ("comments:feed-rss", "comments:feed-atom"):
        assert check_xml(client.get(reverse(name)).content) == []
    assert check_html(client.get(reverse("digest:post-index")).content.decode()) == []


def test_the_moderation_queue_shows_payloads_inertly(editor_client):
    payload_comments(approve=False)
    queue = reverse("admin:comments_comment_changelist")
    for number in range(Comment.objects.count() // 50 + 1):
        page = editor_client.get(f"{queue}?p={number + 1}")
        assert page.status_code == 200
        assert check_html(page.content.decode(), svgs={"admin"}) == []
    for comment in Comment.objects.all()[::25]:
        page = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
        assert check_html(page.content.decode(), svgs={"admin"}) == []


def test_website_links_are_nofollow_ugc_noopener(client):
    comment = CommentFactory(website="https://grace.example", body_markdown="see https://x.example")
    html = client.get(comment.post.get_absolute_url()).content.decode()
    assert '<a href="https://grace.example" rel="nofollow ugc noopener">' in html
    assert '<a href="https://x.example" rel="nofollow ugc noopener">' in html


def test_an_address_is_never_shown_in_pages_feeds_the_queue_or_logs(client, editor_client, caplog):
    address = "secret.reader@example.net"
    comment = CommentFactory(email=address, website="https://grace.example")
    held = CommentFactory(post=comment.post, email=address, status=Comment.Status.PENDING)
    caplog.set_level(logging.DEBUG)
    bodies = [
        client.get(comment.post.get_absolute_url()).content,
        client.get(reverse("digest:post-index")).content,
        client.get(reverse("comments:feed-rss")).content,
        client.get(reverse("comments:feed-atom")).content,
        client.get(reverse("comments:post-feed", args=[comment.post.pk])).content,
        editor_client.get(reverse("admin:comments_comment_changelist")).content,
        editor_client.get(reverse("admin:comments_comment_change", args=[held.pk])).content,
    ]
    for body in bodies:
        assert address.encode() not in body
    assert address not in caplog.text
