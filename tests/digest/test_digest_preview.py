"""Before a digest is published: previews for staff, secret links for guests, and the
scheduled issue going live at its time with no one acting (the clock is moved, never waited on).
"""

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.urls import reverse

from digest.models import Post
from tests.digest.factories import PostFactory, digest_with_parts
from tests.digest.helpers import read

BANNER = "Preview"
ISSUE_TIME = datetime(2016, 2, 19, 9, 0, tzinfo=UTC)


def unpublished_digest(state, **fields):
    """A digest readers can't see yet: a draft, or published with a time still to come."""
    traits = {"draft": {"draft": True}, "scheduled": {"scheduled": True}}[state]
    fields = {"title": f"A {state} digest", **traits, **fields}
    return digest_with_parts(quotes=[("@antirez", "Not out yet.", True)], **fields)


def assert_is_private_preview(response):
    assert response.status_code == 200
    assert BANNER in read(response.content).text
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control, cache_control
    assert "noindex" in response["X-Robots-Tag"]


def make_preview_link(client, editor, post):
    client.force_login(editor)
    response = client.post(reverse("admin:digest_post_preview_link", args=[post.pk]))
    assert response.status_code == 302
    client.logout()
    post.refresh_from_db()
    assert post.preview_token
    return reverse("digest:secret-preview", kwargs={"token": post.preview_token})


# Previews at the permalink --------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_readers_get_a_404_at_an_unpublished_digests_permalink(client, db, state):
    post = unpublished_digest(state)

    response = client.get(post.get_absolute_url())

    assert response.status_code == 404
    assert "Not out yet." not in response.content.decode()


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_an_editor_previews_an_unpublished_digest_with_a_banner_never_cached(client, editor, state):
    post = unpublished_digest(state)
    client.force_login(editor)

    response = client.get(post.get_absolute_url())

    assert_is_private_preview(response)
    text = read(response.content).text
    assert "@antirez : Not out yet." in text
    assert ("Draft" if state == "draft" else "Scheduled") in text


def test_a_published_digest_has_no_preview_banner(client, editor):
    post = digest_with_parts(quotes=[("@antirez", "Out now.", True)])
    client.force_login(editor)

    response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert BANNER not in read(response.content).text
    assert "X-Robots-Tag" not in response


def test_an_author_previews_their_own_drafts_but_not_another_authors(client, author):
    own = unpublished_digest("draft", author=author)
    others = unpublished_digest("draft", title="Someone else's draft")
    client.force_login(author)

    assert_is_private_preview(client.get(own.get_absolute_url()))
    response = client.get(others.get_absolute_url())
    assert response.status_code == 404
    assert "Not out yet." not in response.content.decode()


# Secret preview links -------------------------------------------------------------------------


def test_an_unknown_preview_token_is_a_404(client, db):
    unpublished_digest("draft", preview_token="a-real-token-0123456789")

    response = client.get(reverse("digest:secret-preview", kwargs={"token": "a-guessed-token"}))

    assert response.status_code == 404
    assert "Not out yet." not in response.content.decode()


def test_a_guest_reads_a_draft_through_its_secret_link(client, editor):
    post = unpublished_digest("draft")
    url = make_preview_link(client, editor, post)

    response = client.get(url)

    assert_is_private_preview(response)
    assert "@antirez : Not out yet." in read(response.content).text
    assert len(post.preview_token) >= 20


def test_a_new_link_replaces_the_old_one(client, editor):
    post = unpublished_digest("draft")
    old = make_preview_link(client, editor, post)
    new = make_preview_link(client, editor, post)

    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_revoked_preview_link_is_a_404(client, editor):
    post = unpublished_digest("scheduled")
    url = make_preview_link(client, editor, post)
    assert client.get(url).status_code == 200
    client.force_login(editor)

    response = client.post(
        reverse("admin:digest_post_preview_link", args=[post.pk]), {"action": "revoke"}
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.preview_token is None
    client.logout()
    assert client.get(url).status_code == 404


def test_an_author_cannot_make_a_link_to_another_authors_draft(client, author):
    post = unpublished_digest("draft")
    client.force_login(author)

    response = client.post(reverse("admin:digest_post_preview_link", args=[post.pk]))

    assert response.status_code in {403, 404}
    post.refresh_from_db()
    assert post.preview_token is None


def test_once_published_the_secret_link_redirects_to_the_permalink(client, editor):
    post = unpublished_digest("draft")
    url = make_preview_link(client, editor, post)
    post.status = Post.Status.PUBLISHED
    post.publish_at = datetime.now(UTC) - timedelta(minutes=1)
    post.save()

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_a_scheduled_digests_secret_link_redirects_once_its_time_has_come(
    client, editor, monkeypatch
):
    post = unpublished_digest("scheduled", publish_at=ISSUE_TIME)
    url = make_preview_link(client, editor, post)
    monkeypatch.setattr("django.utils.timezone.now", lambda: ISSUE_TIME - timedelta(minutes=1))
    assert client.get(url).status_code == 200

    monkeypatch.setattr("django.utils.timezone.now", lambda: ISSUE_TIME + timedelta(minutes=1))
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()


# Scheduling -----------------------------------------------------------------------------------


def test_a_digest_scheduled_for_friday_0900_appears_everywhere_at_that_time(
    client, db, monkeypatch
):
    PostFactory(title="Last week's article", publish_at=ISSUE_TIME - timedelta(days=7))
    post = digest_with_parts(
        quotes=[("@antirez", "Scheduled words of wisdom.", True)],
        title="Stuff The Internet Says On Scalability For February 19th, 2016",
        publish_at=ISSUE_TIME,
    )
    assert post.status == Post.Status.PUBLISHED

    def reader_sees():
        index = read(client.get(reverse("digest:post-index")).content).text
        permalink = client.get(post.get_absolute_url()).status_code
        feed = feedparser.parse(client.get(reverse("digest:feed-rss")).content)
        quotes = read(client.get(reverse("digest:quote-list")).content).text
        return {
            "index": post.title in index,
            "permalink": permalink == 200,
            "feed": post.title in [entry.title for entry in feed.entries],
            "quotes": "Scheduled words of wisdom." in quotes,
            "last week": "Last week's article" in index,
        }

    # The cache is not cleared between the two moments: the content version must expire by
    # itself at the publish time.
    monkeypatch.setattr("django.utils.timezone.now", lambda: ISSUE_TIME - timedelta(seconds=30))
    assert reader_sees() == {
        "index": False,
        "permalink": False,
        "feed": False,
        "quotes": False,
        "last week": True,
    }

    monkeypatch.setattr("django.utils.timezone.now", lambda: ISSUE_TIME + timedelta(seconds=30))
    assert reader_sees() == {
        "index": True,
        "permalink": True,
        "feed": True,
        "quotes": True,
        "last week": True,
    }
