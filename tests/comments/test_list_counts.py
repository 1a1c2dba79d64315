"""The comment line under each entry of a list page: counted in one query and drawn once per
set of comment versions (comment_tags.comment_counts), so a page prints its lines without
rendering a template per entry."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from tests.comments.factories import CommentFactory
from tests.digest.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_each_entry_shows_its_own_count_linked_to_its_comments(client, settings):
    settings.PAGE_CACHE = False
    quiet, talked_about = PostFactory(), PostFactory()
    CommentFactory.create_batch(2, post=talked_about)
    CommentFactory(post=quiet, status=Comment.Status.PENDING)  # held: not counted

    page = client.get(reverse("digest:post-index")).content.decode()

    for post, count in ((quiet, 0), (talked_about, 2)):
        line = render_to_string(
            "comments/_count.html", {"count": count, "url": post.get_absolute_url()}
        )
        assert line in page
    assert "2 comments</a>" in page and "No comments yet</a>" in page


def test_the_drawn_lines_are_kept_and_a_new_comment_redraws_them(client, settings):
    settings.PAGE_CACHE = False
    post = PostFactory()
    index = reverse("digest:post-index")
    client.get(index)

    with CaptureQueriesContext(connection) as again:
        assert "No comments yet</a>" in client.get(index).content.decode()
    assert not any("digest_post" in q["sql"] and "comment" in q["sql"] for q in again)

    comment = CommentFactory(post=post, status=Comment.Status.PENDING)
    comment.approve()

    assert "1 comment</a>" in client.get(index).content.decode()
