"""Load data for the benchmarks: N published posts on PostgreSQL, spread evenly from a date.

    DATABASE_URL=postgres://… .venv/bin/python bench/generate.py [--posts N] [--since 2000-01-01]

The same content as `seed_demo` (the sample archive imported, then generated digests with
stats, quotes and items, articles, guest posts, tags, lead images), but spread over every day
since `--since`, several entries a day: one entry a day at most would reach back five
centuries, outside the site's calendar. A database that already has N published posts is left
alone; one with fewer (an interrupted or smaller run) is emptied and filled again. Search
vectors are filled and the tables vacuumed and analysed, so the planner sees the real sizes.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--since", type=date.fromisoformat, default=date(2000, 1, 1))
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from digest.demo import create_demo_content, demo_authors
    from digest.importers.archive import import_archive
    from digest.management.commands.seed_demo import SAMPLE
    from digest.models import Post

    if connection.vendor != "postgresql":
        sys.exit("bench/generate.py: DATABASE_URL must name a PostgreSQL database")
    existing = Post.objects.published().count()
    if existing >= args.posts:
        print(f"data: {existing} published posts already; nothing generated")
        return
    if Post.objects.exists():
        print(f"data: only {existing} published posts; emptying the database and starting over")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        call_command("migrate", verbosity=0)

    started = time.perf_counter()
    report = import_archive(SAMPLE.read_text(encoding="utf-8"), author=demo_authors())
    imported = sum(counts["created"] for counts in report.counts.values())
    create_demo_content(total=args.posts - imported, seed=args.seed, since=args.since)
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    total = time.perf_counter() - started

    published = Post.objects.published()
    missing = published.filter(search_vector__isnull=True).count()
    first, last = published.order_by("publish_at")[:1].get(), published.latest()
    print(
        f"data: {published.count()} published posts "
        f"({published.filter(kind=Post.Kind.DIGEST).count()} digests) from "
        f"{first.publish_at:%Y-%m-%d} to {last.publish_at:%Y-%m-%d}, "
        f"{missing} without a search vector; generated in {generated:.0f}s, "
        f"{total:.0f}s with VACUUM ANALYZE"
    )
    if missing:
        sys.exit("bench/generate.py: some posts have no search vector")


if __name__ == "__main__":
    main()
