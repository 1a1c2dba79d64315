"""E-mail about comments, through the job queue and a real SMTP server: the post's author
hears of each new visible comment, followers of a thread (double opt-in) too, each message
with a one-click unsubscribe (RFC 8058) for that thread alone; once per comment."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, ThreadSubscription
from comments.tasks import notify_approved
from newsletter import tokens
from tests.accounts.factories import UserFactory
from tests.comments.conftest import form_data, run_jobs
from tests.comments.factories import CommentFactory
from tests.digest.factories import PostFactory

pytestmark = pytest.mark.django_db


def link_in(message, pattern):
    return re.search(rf"https://news\.example\.org{pattern}\S+/", message.get_content()).group()


def path_of(url):
    return url.removeprefix("https://news.example.org")


def test_the_author_hears_of_an_approved_comment_once_and_never_of_a_held_one(smtp, editor):
    post = PostFactory(author=UserFactory(email="author@example.org"))
    comment, _ = Comment.submit(post, name="Grace", email="grace@example.net", body="Hi *you*")
    run_jobs()
    assert smtp.messages == []  # held: nobody is told

    comment.approve(by=editor)
    run_jobs()
    (message,) = smtp.to("author@example.org")
    assert "Grace" in message.get_content() and comment.get_absolute_url() in message.get_content()
    assert "grace@example.net" not in message.as_string()

    notify_approved.enqueue(comment.pk)  # a job run twice sends nothing more
    run_jobs()
    assert len(smtp.messages) == 1


def test_a_follower_confirms_gets_replies_and_unsubscribes_in_one_click(smtp, editor):
    post = PostFactory(author=UserFactory(email="author@example.org"))
    CommentFactory(post=post, name="Grace", email="grace@example.net")  # approved already
    client = Client(enforce_csrf_checks=False)
    token = client.get(reverse("comments:form-token")).json()

    client.post(
        reverse("comments:post", args=[post.pk]),
        form_data(notify="1", body="Tell me more"),
        HTTP_X_CSRFTOKEN=token["csrf"],
        HTTP_ACCEPT="application/json",
    )
    run_jobs()
    (confirmation,) = smtp.to("grace@example.net")
    confirm = path_of(link_in(confirmation, "/comments/follow/"))
    assert client.get(confirm).status_code == 200  # opening the link confirms nothing
    assert ThreadSubscription.objects.get().status == ThreadSubscription.Status.PENDING
    client.post(confirm)
    assert ThreadSubscription.objects.get().status == ThreadSubscription.Status.CONFIRMED

    reply, _ = Comment.submit(
        post,
        name="Ada",
        email="ada@example.net",
        body="A reply",
        parent=Comment.objects.visible().first(),
    )
    reply.approve(by=editor)
    run_jobs()
    (notice,) = [m for m in smtp.to("grace@example.net") if "A reply" in m.get_content()]
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = notice["List-Unsubscribe"].strip().strip("<>")
    assert "ada@example.net" not in notice.as_string()

    # What a mail client does: one POST, no cookie, no CSRF token.
    mail_client = Client(enforce_csrf_checks=True)
    answer = mail_client.post(
        path_of(unsubscribe),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert ThreadSubscription.objects.get().status == ThreadSubscription.Status.UNSUBSCRIBED

    later, _ = Comment.submit(post, name="Ada", email="ada@example.net", body="Later")
    later.approve(by=editor)
    run_jobs()
    assert not [m for m in smtp.to("grace@example.net") if "Later" in m.get_content()]


def test_a_thread_link_is_not_a_newsletter_link(client):
    subscription = ThreadSubscription.objects.create(post=PostFactory(), email="a@example.net")
    forged = tokens.make(subscription, tokens.MANAGE)
    assert client.get(reverse("comments:thread-unsubscribe", args=[forged])).status_code == 404
