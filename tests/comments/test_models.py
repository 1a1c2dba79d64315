"""A comment's rules: rendering, WordPress's moderation, the edit window, the verbs, what is
visible, spam purging and the comments a WXR import kept aside."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.importing import attach_imported
from comments.models import Comment, CommentSettings, Thread, hash_ip
from comments.tasks import purge_spam
from digest.models import ImportedComment
from tests.comments.conftest import form_data
from tests.comments.factories import CommentFactory
from tests.digest.factories import PostFactory

pytestmark = pytest.mark.django_db


def submit(post, **fields):
    values = {"name": "Grace", "email": "grace@example.net", "body": "Nice.", **fields}
    return Comment.submit(post, **values)


def test_markdown_is_limited_to_emphasis_links_code_and_quotes():
    comment = CommentFactory(
        body_markdown="*em* **strong** `code` [x](https://x.example) [bad](javascript:alert(1))"
        "\n\n> quoted\n\n# not a heading\n\n<b>raw</b> ![img](https://x.example/i.png)"
    )
    html = comment.body_html
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert "<code>code</code>" in html and "<blockquote>" in html
    assert '<a href="https://x.example" rel="nofollow ugc noopener">x</a>' in html
    assert "javascript:" not in html.replace("[bad](javascript:alert(1))", "")
    assert "<h1" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;b&gt;raw&lt;/b&gt;" in html


def test_a_first_comment_waits_and_later_ones_from_an_approved_address_appear_at_once():
    post = PostFactory()
    first, _ = submit(post)
    assert first.status == Comment.Status.PENDING and first.hold_reason == "first comment"
    second, _ = submit(post, email=" GRACE@example.net ")
    assert second.status == Comment.Status.PENDING  # nothing of this address approved yet

    first.approve()
    third, _ = submit(post, email="Grace@Example.net")
    assert third.status == Comment.Status.APPROVED
    assert third.email == "grace@example.net"


@pytest.mark.parametrize(
    ("settings_fields", "comment_fields", "reason"),
    [
        ({"max_links": 1}, {"body": "https://a.example and https://b.example"}, "too many links"),
        ({"max_links": 0}, {"website": "https://mine.example"}, "too many links"),
        ({"blocklist": "casino\ncheap pills"}, {"body": "Best CASINO here"}, "blocklisted word"),
        ({"blocklist": "cheap pills"}, {"name": "Cheap pills"}, "blocklisted word"),
        ({"blocked_addresses": "grace@example.net"}, {}, "blocked address"),
        ({"blocked_addresses": "@example.net"}, {}, "blocked address"),
        ({"blocked_addresses": "203.0.113.9"}, {"ip": "203.0.113.9"}, "blocked address"),
    ],
)
def test_spammy_comments_are_held_even_from_an_approved_address(
    settings_fields, comment_fields, reason
):
    post = PostFactory()
    CommentFactory(post=post, name="Grace", email="grace@example.net")
    CommentSettings.objects.update_or_create(pk=1, defaults=settings_fields)
    comment, _ = submit(post, **comment_fields)
    assert (comment.status, comment.hold_reason) == (Comment.Status.PENDING, reason)


def test_a_blocklisted_word_matches_words_not_parts_of_words():
    post = PostFactory()
    CommentFactory(post=post, name="Grace", email="grace@example.net")
    CommentSettings.objects.update_or_create(pk=1, defaults={"blocklist": "ass"})
    comment, _ = submit(post, body="A class of assumptions.")
    assert comment.status == Comment.Status.APPROVED


def test_the_raw_ip_address_is_never_stored():
    comment, _ = submit(PostFactory(), ip="198.51.100.7")
    assert comment.ip_hash == hash_ip("198.51.100.7")
    stored = Comment.objects.filter(pk=comment.pk).values().get()
    assert "198.51.100.7" not in str(stored)


def test_replies_are_one_level_deep():
    top = CommentFactory()
    reply, _ = submit(top.post, parent=top)
    answer, _ = submit(top.post, parent=reply)
    assert reply.parent == top and answer.parent == top


def test_the_writer_may_edit_with_the_key_for_fifteen_minutes():
    comment, key = submit(PostFactory())
    assert len(key) >= 30 and key not in comment.edit_key_hash
    assert not comment.may_edit("wrong")
    assert comment.may_edit(key, now=comment.created + timedelta(minutes=14))
    assert not comment.may_edit(key, now=comment.created + timedelta(minutes=16))
    comment.edit("Changed **text**.")
    comment.refresh_from_db()
    assert comment.body_html == "<p>Changed <strong>text</strong>.</p>\n"
    comment.delete()
    assert not comment.may_edit(key)


def test_a_comment_marked_as_spam_is_out_of_its_writers_hands(editor):
    comment, key = submit(PostFactory())
    comment.mark_spam(by=editor)
    assert not comment.may_edit(key)


def test_visible_is_approved_comments_of_published_posts(editor):
    post, draft = PostFactory(), PostFactory(draft=True)
    approved = CommentFactory(post=post)
    held = CommentFactory(post=post, status=Comment.Status.PENDING)
    spam = CommentFactory(post=post)
    spam.mark_spam(by=editor)
    gone = CommentFactory(post=post)
    gone.delete(by=editor)
    CommentFactory(post=draft)
    assert list(Comment.objects.visible()) == [approved]
    held.approve(by=editor)
    held.refresh_from_db()
    assert held.moderated_by == editor and held.moderated_at is not None
    assert set(Comment.objects.visible()) == {approved, held}
    gone.refresh_from_db()
    assert gone.status == Comment.Status.DELETED  # its row stays


def test_spam_is_purged_after_thirty_days():
    now = timezone.now()
    old = CommentFactory(status=Comment.Status.SPAM, created=now - timedelta(days=31))
    recent = CommentFactory(status=Comment.Status.SPAM, created=now - timedelta(days=29))
    approved_old = CommentFactory(created=now - timedelta(days=400))
    assert list(Comment.objects.spam_to_purge(now=now)) == [old]
    assert Comment.objects.spam_to_purge(now=now).purge() == 1
    assert set(Comment.objects.all()) == {recent, approved_old}


def test_purging_spam_keeps_the_approved_replies_to_it(editor):
    """A reader's approved answer to a comment later marked spam outlives the spam's purge."""
    now = timezone.now()
    spam = CommentFactory(created=now - timedelta(days=40))
    answer = CommentFactory(post=spam.post, parent=spam, created=now - timedelta(days=40))
    spam.mark_spam(by=editor)
    assert not Comment.objects.spam_to_purge(now=now).exists()  # kept 30 days from marking
    assert Comment.objects.spam_to_purge(now=now + timedelta(days=31)).purge() == 1
    answer.refresh_from_db()
    assert answer.parent is None and list(Comment.objects.visible()) == [answer]
    assert not Comment.objects.filter(pk=spam.pk).exists()


def test_comments_close_per_post_site_wide_and_after_n_days():
    now = timezone.now()
    post = PostFactory(publish_at=now - timedelta(days=10))
    assert Comment.is_open_on(post, now=now)
    Thread.set_open(post, False)
    assert not Comment.is_open_on(post, now=now)
    Thread.set_open(post, True)
    CommentSettings.objects.update_or_create(pk=1, defaults={"close_after_days": 7})
    assert not Comment.is_open_on(post, now=now)
    assert Comment.is_open_on(PostFactory(publish_at=now - timedelta(days=2)), now=now)
    CommentSettings.objects.update_or_create(pk=1, defaults={"close_after_days": 0})
    settings_record = CommentSettings.objects.get()
    settings_record.comments_open = False
    settings_record.save()
    assert not Comment.is_open_on(post, now=now)
    assert not Comment.is_open_on(PostFactory(draft=True), now=now)


def test_imported_comments_are_attached_with_their_states_and_a_second_run_changes_nothing():
    post = PostFactory()
    when = timezone.now() - timedelta(days=3000)

    def kept(source_id, status, parent="", kind="", **fields):
        return ImportedComment.objects.create(
            post=post,
            source_id=source_id,
            parent_source_id=parent,
            status=status,
            kind=kind,
            author_name=fields.get("name", f"Old reader {source_id}"),
            author_email=f"old{source_id}@example.org",
            author_url=fields.get("url", ""),
            posted_at=when + timedelta(minutes=int(source_id)),
            body_html=fields.get("html", f"<p>Comment {source_id}</p>"),
        )

    kept("1", "1", url="javascript:alert(1)", html='<p onclick="x()">Hi <img src=x></p>')
    kept("2", "1", parent="1")
    kept("3", "1", parent="2")  # a reply to a reply joins the thread
    kept("4", "0")
    kept("5", "spam")
    kept("6", "trash")
    kept("7", "1", kind="pingback")

    report = attach_imported()
    assert report == (6, 0, 1)
    comments = {c.source_id: c for c in Comment.objects.all()}
    assert comments["1"].status == Comment.Status.APPROVED
    assert comments["1"].website == "" and comments["1"].body_html == "<p>Hi </p>"
    assert comments["2"].parent == comments["1"] and comments["3"].parent == comments["1"]
    assert comments["4"].status == Comment.Status.PENDING
    assert comments["5"].status == Comment.Status.SPAM
    assert comments["6"].status == Comment.Status.DELETED
    assert comments["1"].created == when + timedelta(minutes=1)
    assert Comment.objects.visible().count() == 3

    assert attach_imported() == (0, 6, 1)
    assert Comment.objects.count() == 6


def test_the_periodic_job_purges_old_spam():
    old = CommentFactory(status=Comment.Status.SPAM, created=timezone.now() - timedelta(days=40))
    purge_spam.call()
    assert not Comment.objects.filter(pk=old.pk).exists()


def test_a_signed_in_editor_comments_as_themselves_and_appears_at_once(editor_client, editor):
    post = PostFactory()
    token = editor_client.get(reverse("comments:form-token")).json()
    answer = editor_client.post(
        reverse("comments:post", args=[post.pk]),
        form_data(name="", email="", body="From the desk."),
        HTTP_X_CSRFTOKEN=token["csrf"],
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 201, answer.content
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED and comment.user == editor
    assert comment.name == editor.name and comment.email == editor.email


def test_an_approved_comment_edited_into_spam_goes_back_to_the_queue():
    post = PostFactory()
    CommentSettings.objects.update_or_create(pk=1, defaults={"max_links": 1})
    comment = CommentFactory(post=post)
    comment.edit("Now https://a.example and https://b.example")
    comment.refresh_from_db()
    assert (comment.status, comment.hold_reason) == (Comment.Status.PENDING, "too many links")


def test_replies_to_a_removed_comment_are_shown_where_they_are_counted(client, editor):
    """Deleting a comment (or marking it spam) keeps its approved replies on the page, under
    a "removed" line, as the count and the feeds keep them."""
    post = PostFactory()
    first = CommentFactory(post=post, body_markdown="The first word.")
    reply = CommentFactory(post=post, parent=first, body_markdown="A reply that stays.")
    later = CommentFactory(post=post, body_markdown="A later thread.")
    first.delete(by=editor)

    page = client.get(post.get_absolute_url()).content.decode()
    assert "The first word." not in page
    assert "2 comments" in page and "This comment was removed." in page
    assert f'id="{reply.anchor}"' in page
    assert (
        page.index("This comment was removed.")
        < page.index(reply.anchor)
        < page.index(later.anchor)
    )
    assert f'data-reply-to="{first.pk}"' not in page


def test_an_approved_address_under_another_name_or_an_accounts_address_waits(editor):
    """Anyone can type an address: a known one skips the queue only with its approved name,
    and the address of an account (an editor's) never does without signing in."""
    post = PostFactory()
    CommentFactory(post=post, name="Grace", email="grace@example.net")
    CommentFactory(post=post, name=editor.name, email=editor.email)

    same, _ = submit(post, name="grace", email="Grace@example.net")
    other, _ = submit(post, name="Grace's fan", email="grace@example.net")
    posing, _ = submit(post, name=editor.name, email=editor.email.upper())

    assert same.status == Comment.Status.APPROVED
    assert (other.status, other.hold_reason) == (Comment.Status.PENDING, "first comment")
    assert (posing.status, posing.hold_reason) == (
        Comment.Status.PENDING,
        "address of an account",
    )
