"""Time the reader pages in-process: milliseconds per request and queries, cold and warm.

    .venv/bin/python bench/pages.py [--posts 2000] [--requests 30]

Uses DATABASE_URL when set (bring your own data), otherwise a throwaway SQLite file in var/
filled with demo content. "cold" empties the cache before every request (sidebar, page counts
and content state are rebuilt); "warm" is the steady state. This measures the application's
own cost per page; the load benchmarks against gunicorn measure throughput.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("CACHE_DIR", str(ROOT / "var" / "bench-cache"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from digest.models import Post

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Post.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", posts=args.posts, verbosity=0)
        print(f"seeded {args.posts} posts in {time.perf_counter() - started:.1f}s")

    published = Post.objects.published()
    post = published.filter(kind=Post.Kind.DIGEST).first()
    last_page = (published.count() + 9) // 10
    tag = post.tags.first()
    pages = {
        "index page 1": reverse("digest:post-index"),
        f"index page {last_page}": f"{reverse('digest:post-index')}?page={last_page}",
        "digest post": post.get_absolute_url(),
        f"tag {tag.slug}": reverse("digest:tag-detail", kwargs={"slug": tag.slug}),
        "year archive": reverse("digest:archive-year", kwargs={"year": post.publish_at.year}),
        "search": f"{reverse('digest:search')}?q=kafka+latency",
        "rss feed": reverse("digest:feed-rss"),
    }

    client = Client()
    print(
        f"{connection.vendor}, {published.count()} published posts, {args.requests} requests each"
    )
    print(f"{'page':<22}{'cold ms':>10}{'warm ms':>10}{'cold q':>8}{'warm q':>8}{'KB':>7}")
    for name, url in pages.items():
        timings = {}
        for mode in ("cold", "warm"):
            samples = []
            for _ in range(args.requests):
                if mode == "cold":
                    cache.clear()
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                if mode == "cold":
                    cache.clear()
                client.get(url)
            timings[mode] = (statistics.median(samples), len(queries))
        size = len(response.content) / 1024
        print(
            f"{name[:21]:<22}{timings['cold'][0]:>10.1f}{timings['warm'][0]:>10.1f}"
            f"{timings['cold'][1]:>8}{timings['warm'][1]:>8}{size:>7.0f}"
        )


if __name__ == "__main__":
    main()
