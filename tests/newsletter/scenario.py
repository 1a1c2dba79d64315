"""Run inside `manage.py shell -c` by the worker-kill test, against the database the worker
uses (a SQLite file of the test's own, or the PostgreSQL test database)."""

import json
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from digest.models import Post
from newsletter.models import Delivery, Issue, Subscriber


def seed(count):
    """`count` confirmed subscribers and a digest published a minute ago, to be sent."""
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.net", status=Subscriber.Status.CONFIRMED)
        for n in range(count)
    )
    author = User.objects.create(username="kill-test", email="kill-test@example.org")
    post = Post.objects.create(
        title="Stuff The Internet Says On Scalability For December 4th, 2026",
        kind=Post.Kind.DIGEST,
        status=Post.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(minutes=1),
        author=author,
        excerpt="This week: **queues**.",
        body="The rest of it.",
    )
    print(json.dumps({"post": post.pk}))


def report():
    issue = Issue.objects.filter(send=True).first()
    print(
        json.dumps(
            {
                "state": issue.state if issue else None,
                "deliveries": dict(issue.progress()) if issue else {},
                "distinct": Delivery.objects.values("issue", "subscriber").distinct().count(),
            }
        )
    )
