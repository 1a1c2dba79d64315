"""Writing a comment through the form's endpoints: the token a cached page fetches, CSRF, the
robot traps, limits, replies, editing within the window, and floods."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.forms import trap_token
from comments.models import BODY_MAX_CHARS, Comment, Thread, ThreadSubscription
from tests.comments.conftest import form_data
from tests.comments.factories import CommentFactory
from tests.digest.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    """A browser that played by the rules: it fetched the form's token (and CSRF cookie)."""
    client = Client(enforce_csrf_checks=True)
    answer = client.get(reverse("comments:form-token"))
    client.csrf = answer.json()["csrf"]
    return client


def send(client, post, **fields):
    return client.post(
        reverse("comments:post", args=[post.pk]),
        form_data(**fields),
        HTTP_X_CSRFTOKEN=getattr(client, "csrf", ""),
        HTTP_ACCEPT="application/json",
        REMOTE_ADDR=fields.pop("ip", "127.0.0.1") if "ip" in fields else "127.0.0.1",
    )


def test_the_token_answer_is_never_cached_and_sets_the_csrf_cookie(client):
    answer = client.get(reverse("comments:form-token"))
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"] and "X-Accel-Expires" not in answer
    assert "csrftoken" in answer.cookies
    assert set(answer.json()) == {"csrf", "trap"}


def test_the_cached_post_page_carries_no_per_reader_token(client):
    post = PostFactory()
    first = client.get(post.get_absolute_url())
    second = client.get(post.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    html = first.content.decode()
    assert 'class="comment-form"' in html
    assert "csrfmiddlewaretoken" not in html and not first.cookies


def test_a_post_without_the_csrf_token_is_refused():
    post = PostFactory()
    client = Client(enforce_csrf_checks=True)
    assert send(client, post).status_code == 403
    assert not Comment.objects.exists()


def test_a_reader_comments_and_a_first_comment_waits(reader):
    post = PostFactory()
    answer = send(reader, post)
    assert answer.status_code == 201, answer.content
    data = answer.json()
    comment = Comment.objects.get()
    assert data["status"] == "pending" and data["id"] == comment.pk
    assert "Waiting for moderation" in data["html"] and "grace@example.net" not in data["html"]
    assert comment.may_edit(data["edit_key"])
    assert comment.post == post and comment.name == "Grace"


def test_robots_are_answered_like_a_held_comment_and_nothing_is_written(reader):
    post = PostFactory()
    honeypot = send(reader, post, homepage="https://spam.example")
    too_fast = send(reader, post, trap=trap_token())
    for answer in (honeypot, too_fast):
        assert answer.status_code == 200 and answer.json() == {"status": "pending", "id": None}
    assert send(reader, post, trap="forged").status_code == 400
    assert (
        send(reader, post, trap=trap_token(now=timezone.now() - timedelta(days=2))).status_code
        == 400
    )
    assert not Comment.objects.exists()


def test_size_limits_and_bad_websites_are_refused(reader):
    post = PostFactory()
    assert send(reader, post, body="x" * (BODY_MAX_CHARS + 1)).status_code == 400
    assert send(reader, post, name="n" * 81).status_code == 400
    assert send(reader, post, website="javascript:alert(1)").status_code == 400
    assert send(reader, post, body="").status_code == 400
    assert not Comment.objects.exists()


def test_closed_drafts_and_unknown_posts_take_no_comments(reader):
    post = PostFactory()
    Thread.set_open(post, False)
    assert send(reader, post).status_code == 403
    without_script = reader.post(
        reverse("comments:post", args=[post.pk]),
        form_data(),
        HTTP_X_CSRFTOKEN=reader.csrf,
        HTTP_ACCEPT="text/html",
    )
    assert without_script.status_code == 403
    assert without_script["Content-Type"].startswith("text/html")
    assert send(reader, PostFactory(draft=True)).status_code == 404
    assert not Comment.objects.exists()


def test_a_reply_attaches_to_a_visible_comment_of_the_same_post_only(reader):
    post = PostFactory()
    top = CommentFactory(post=post)
    held = CommentFactory(post=post, status=Comment.Status.PENDING)
    other = CommentFactory()
    for parent, expected in ((top, top), (held, None), (other, None)):
        send(reader, post, parent=parent.pk, body=f"reply to {parent.pk}")
        assert Comment.objects.get(body_markdown=f"reply to {parent.pk}").parent == expected


def test_the_writer_edits_and_deletes_with_the_key(reader):
    post = PostFactory()
    data = send(reader, post).json()
    assert data["markdown"] == "Queues *decouple* things."  # what editing starts from
    url = reverse("comments:edit", args=[data["id"]])
    headers = {"HTTP_X_CSRFTOKEN": reader.csrf}
    assert reader.post(url, {"key": "guess", "body": "x"}, **headers).status_code == 404
    answer = reader.post(url, {"key": data["edit_key"], "body": "Now *better*."}, **headers)
    assert answer.status_code == 200 and "<em>better</em>" in answer.json()["html"]
    assert answer.json()["markdown"] == "Now *better*."
    delete = reverse("comments:delete", args=[data["id"]])
    assert reader.post(delete, {"key": data["edit_key"]}, **headers).status_code == 200
    assert Comment.objects.get().status == Comment.Status.DELETED
    assert (
        reader.post(url, {"key": data["edit_key"], "body": "again"}, **headers).status_code == 404
    )


def test_asking_for_replies_by_email_starts_a_double_opt_in(reader):
    post = PostFactory()
    send(reader, post, notify="1")
    subscription = ThreadSubscription.objects.get()
    assert subscription.status == ThreadSubscription.Status.PENDING
    assert subscription.email == "grace@example.net"


# A flood: the rate limits count in the shared "ratelimit" cache (Redis in production), so
# every app server sees the same counts. The windows are a minute long and aligned to the
# clock, so a run that crosses a minute's end may let one more window's worth through.
FLOOD = 1000
WINDOW_ALLOWANCE = 5


def test_a_thousand_posts_from_one_client_add_only_a_handful_of_rows(reader):
    post = PostFactory()
    statuses = {}
    for n in range(FLOOD):
        answer = send(reader, post, email=f"flood{n}@example.net", body=f"Buy {n}")
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
    rows = Comment.objects.count()
    print(f"\nflood: {FLOOD} POSTs from one address -> {rows} rows; answers {statuses}")
    assert rows <= 2 * WINDOW_ALLOWANCE
    assert statuses[429] >= FLOOD - 2 * WINDOW_ALLOWANCE


def test_one_email_address_from_many_addresses_is_limited_too(reader):
    post = PostFactory()
    for n in range(50):
        send(reader, post, ip=f"198.51.100.{n}", body=f"Same sender {n}")
    assert Comment.objects.count() <= 2 * WINDOW_ALLOWANCE


def test_posts_without_an_address_do_not_use_up_signed_in_writers_limit(reader, editor_client):
    """Signed-in writers send no address (theirs is their account's): their limit is their
    account's, not one shared with every POST that left the field empty."""
    post = PostFactory()
    for n in range(3 * WINDOW_ALLOWANCE):
        send(reader, post, ip=f"198.51.100.{n}", email="")
    token = editor_client.get(reverse("comments:form-token")).json()
    answer = editor_client.post(
        reverse("comments:post", args=[post.pk]),
        form_data(name="", email="", body="From the desk."),
        HTTP_X_CSRFTOKEN=token["csrf"],
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 201, answer.content


def test_json_answers_name_the_fields_in_error(reader):
    answer = send(reader, PostFactory(), email="not an address")
    assert answer.status_code == 400
    assert "email" in json.loads(answer.content)["errors"]


def test_without_script_a_reader_comments_from_the_form_on_its_own_page(settings):
    settings.COMMENTS_TRAP_MIN_SECONDS = 0
    post = PostFactory()
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("comments:write", args=[post.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    trap = re.search(r'name="trap" value="([^"]+)"', html)[1]
    fields = {"csrfmiddlewaretoken": token, "trap": trap, "name": "Ada", "email": "a@example.net"}
    url = reverse("comments:post", args=[post.pk])
    missing = client.post(url, {**fields, "body": ""})
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()
    sent = client.post(url, {**fields, "body": "No script here."})
    assert sent.status_code == 200 and "waits for an editor" in sent.content.decode()
    comment = Comment.objects.get()
    comment.approve()
    again = client.post(url, {**fields, "body": "Second."})
    assert again.status_code == 302
    assert again["Location"] == Comment.objects.latest().get_absolute_url()
