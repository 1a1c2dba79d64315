"""The cache rule under load: readers keep asking a live server for unrelated posts from
several threads while 100 comments are approved (and the commented post is read) beside them.
Every answer for an unrelated page comes from the page cache; the figure is printed."""

import threading
import urllib.request

import pytest

from comments.models import Comment
from tests.comments.factories import CommentFactory
from tests.digest.factories import PostFactory

APPROVALS = 100
READERS = 4


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 -- our live server
        answer.read()
        return answer.headers.get("X-Page-Cache")


@pytest.mark.django_db(transaction=True)
def test_unrelated_pages_stay_hits_while_comments_are_approved(live_server):
    commented = PostFactory(title="The busy thread")
    unrelated = [live_server.url + post.get_absolute_url() for post in PostFactory.create_batch(8)]
    held = CommentFactory.create_batch(APPROVALS, post=commented, status=Comment.Status.PENDING)
    for url in unrelated:
        fetch(url)
    done = threading.Event()
    counts = {"hit": 0, "other": 0}
    lock = threading.Lock()

    def read(offset):
        n = offset
        while not done.is_set():
            state = fetch(unrelated[n % len(unrelated)])
            with lock:
                counts["hit" if state == "hit" else "other"] += 1
            n += 1

    readers = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
    for thread in readers:
        thread.start()
    try:
        for comment in held:
            comment.approve()
            fetch(live_server.url + commented.get_absolute_url())
    finally:
        done.set()
        for thread in readers:
            thread.join()
    asked = counts["hit"] + counts["other"]
    print(
        f"\nunder load: {counts['hit']}/{asked} requests for unrelated pages were hits "
        f"across {APPROVALS} approvals ({counts['hit'] / asked:.1%})"
    )
    assert asked > 0 and counts["other"] == 0
    assert Comment.objects.visible().filter(post=commented).count() == APPROVALS
