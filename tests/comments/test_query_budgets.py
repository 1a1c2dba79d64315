"""The pages and feeds that show comments make the same number of queries for 3 comments as
for 30 (STYLE rule 7): comments, replies and list-page counts are each read in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.comments.factories import CommentFactory
from tests.digest.factories import PostFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url, settings):
    settings.PAGE_CACHE = False
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def commented(count):
    post = PostFactory()
    for n in range(count):
        top = CommentFactory(post=post, website="https://reader.example" if n % 2 else "")
        CommentFactory(post=post, parent=top)
    return post


@pytest.mark.parametrize(
    "url_of",
    [
        lambda post: post.get_absolute_url(),
        lambda post: reverse("digest:post-index"),
        lambda post: reverse("comments:post-feed", args=[post.pk]),
        lambda post: reverse("comments:feed-rss"),
        lambda post: reverse("comments:feed-atom"),
    ],
    ids=["post", "index", "post-feed", "feed-rss", "feed-atom"],
)
def test_comment_pages_do_not_grow_with_comments(client, settings, url_of):
    small = commented(3)
    url = url_of(small)
    client.get(url)  # the caches that are not pages, warm
    few = queries_for(client, url, settings)

    big = commented(30)
    PostFactory.create_batch(10)
    for post in (small, big):
        CommentFactory.create_batch(5, post=post)
    url = url_of(small)
    client.get(url)
    assert queries_for(client, url, settings) == few
