"""What an issue's figures cost to show: counted from its deliveries, or read off its row.

    .venv/bin/python bench/newsletter_figures.py [--issues 3] [--recipients 100000]

A throwaway SQLite file in var/ (or DATABASE_URL's PostgreSQL, which it fills and does not
empty) with ISSUES sent issues of RECIPIENTS deliveries each, a few reported on. Prints the
median of five runs of: the figures counted from the deliveries for every issue (what the list
of sendings did before the counters: one grouped aggregate), the list's figures read off the
issue rows (what it does now), and one sending issue's live count (what its page and the post
panel still do while it is being sent).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(work, runs=5):
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=3)
    parser.add_argument("--recipients", type=int, default=100_000)
    options = parser.parse_args()
    database = ROOT / "var" / "bench-figures.sqlite3"
    if "DATABASE_URL" not in os.environ:
        database.parent.mkdir(exist_ok=True)
        database.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Count, Q
    from django.utils import timezone

    from accounts.models import User
    from digest.models import Post
    from newsletter.models import Delivery, Figures, Issue, Subscriber

    call_command("migrate", verbosity=0)
    now = timezone.now()
    with transaction.atomic():
        first = Subscriber.objects.count()
        Subscriber.objects.bulk_create(
            Subscriber(email=f"bench{first + n}@example.net", status="confirmed")
            for n in range(options.recipients)
        )
        subscribers = list(
            Subscriber.objects.order_by("-pk").values_list("pk", flat=True)[: options.recipients]
        )
        author = User.objects.create(username=f"bench-figures-{now.timestamp()}")
        issues = []
        for n in range(options.issues):
            post = Post.objects.create(
                title=f"Figures bench {now.timestamp()} {n}",
                slug=f"figures-bench-{int(now.timestamp())}-{n}",
                kind=Post.Kind.DIGEST,
                status=Post.Status.PUBLISHED,
                publish_at=now,
                author=author,
            )
            issue = Issue.objects.create(post=post, send=True, recipients=len(subscribers))
            issues.append(issue)
            Delivery.objects.bulk_create(
                (
                    Delivery(
                        issue=issue,
                        subscriber_id=pk,
                        state=Delivery.State.SENT,
                        sent_at=now,
                        bounced_at=now if i % 100 == 0 else None,
                    )
                    for i, pk in enumerate(subscribers)
                ),
                batch_size=5000,
            )
            Issue.objects.filter(pk=issue.pk).update(
                state=Issue.State.SENT,
                sent_count=len(subscribers),
                untracked_count=len(subscribers),
                bounced_count=len(subscribers[::100]),
            )
    ids = [issue.pk for issue in issues]
    sent = Q(deliveries__state=Delivery.State.SENT)

    def counted():
        # The list's aggregate before the counters (IssueQuerySet.with_figures, removed).
        def count(condition):
            return Count("deliveries", filter=condition)

        rows = Issue.objects.filter(pk__in=ids).annotate(
            sent_n=count(sent),
            failed_n=count(Q(deliveries__state=Delivery.State.FAILED)),
            delivered_n=count(
                Q(deliveries__delivered_at__isnull=False) | sent & Q(deliveries__esp_message_id="")
            ),
            bounced_n=count(Q(deliveries__bounced_at__isnull=False)),
            complained_n=count(Q(deliveries__complained_at__isnull=False)),
            unsubscribed_n=count(Q(deliveries__unsubscribed_at__isnull=False)),
        )
        return list(rows.values_list("sent_n", "delivered_n", "bounced_n"))

    def read_off_the_rows():
        return [Figures.of(issue) for issue in Issue.objects.filter(pk__in=ids)]

    live = Issue.objects.get(pk=ids[0])
    live.state = Issue.State.SENDING  # in memory only: counts its deliveries

    print(
        f"{options.issues} issues × {len(subscribers):,} deliveries ({django.db.connection.vendor})"
    )
    print(f"  counted from the deliveries (the old list): {timed(counted):8.1f} ms")
    print(f"  read off the issue rows (the list now):     {timed(read_off_the_rows):8.2f} ms")
    print(
        f"  one sending issue's live figures:           {timed(lambda: Figures.of(live)):8.1f} ms"
    )
    assert counted()[0] == (len(subscribers), len(subscribers), len(subscribers[::100]))
    assert read_off_the_rows()[0].bounced == len(subscribers[::100])


if __name__ == "__main__":
    main()
