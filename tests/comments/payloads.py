"""Comments carrying every XSS payload of tests/security in every field a reader fills in."""

from comments.models import Comment
from tests.digest.factories import PostFactory
from tests.security.xss_helpers import PAYLOADS, storable

PER_POST = 60


def payload_comments(approve=True):
    """Posts whose comments carry the payloads: the name, the website (also as the path of a
    web address, which the form accepts) and the text are each one payload. Returns the
    posts."""
    usable = [p for p in PAYLOADS if storable(p)]
    posts = []
    for start in range(0, len(usable), PER_POST):
        post = PostFactory(title=f"Payload post {start}")
        posts.append(post)
        for n, payload in enumerate(usable[start : start + PER_POST]):
            website = payload if n % 2 else "https://x.example/" + payload[:150]
            comment, _ = Comment.submit(
                post,
                name=payload[:80],
                email=f"payload{start + n}@example.net",
                website=website[:200],
                body=payload,
            )
            if approve:
                comment.approve()
    return posts
