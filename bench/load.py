"""Load benchmark: the reader pages under wrk against gunicorn on loopback, cache on and off,
next to two ceilings measured in the same run.

    bench/run                          # the whole thing: services, data, then this
    .venv/bin/python bench/load.py [--duration 10s] [--connections 32] [--threads 2]

Needs DATABASE_URL (PostgreSQL with the benchmark data, bench/generate.py) and REDIS_URL (the
shared cache), `collectstatic` done, and wrk and nginx on the PATH; bench/run provides all of
it. For every page: `wrk --latency` against gunicorn (2 sync workers, config.wsgi) with the
page cache on, and again with PAGE_CACHE=0; then the ceilings: the same gunicorn serving the
same number of bytes from bench/minimal_wsgi.py (one run per page size), and nginx serving the
page's body saved as a static file. Throughput is printed as a ratio of the minimal-WSGI
ceiling, which holds on any machine. Before the load runs, deep pages are timed against first
pages (cache off, sequential requests, median). The table is also written to
var/bench-results.txt.
"""

import argparse
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.servers import WORKERS, gunicorn, nginx  # noqa: E402, F401 -- edge.py reads nginx here
from bench.wrk import Result, fmt, free_port, wrk  # noqa: E402, F401 -- edge.py reads them here

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "0")

# The targets.
CACHED_MIN_RATIO = 0.50
UNCACHED_INDEX_MIN_RATIO = 0.05
CACHED_P99_MAX_MS = 50.0
DEEP_MAX_SLOWDOWN = 1.20


@dataclass
class Page:
    name: str
    path: str
    slug: str
    size: int = 0
    errors: list = field(default_factory=list)


# --- wrk -----------------------------------------------------------------------------------

# --- the pages -----------------------------------------------------------------------------


def choose_pages():
    """The pages to load, found in the benchmark database, and facts for the header."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.db.models import Count
    from django.urls import reverse
    from taggit.models import Tag

    from digest.models import Post

    published = Post.objects.published()
    count = published.count()
    if not count:
        raise SystemExit("no published posts: run bench/generate.py first")
    per_page = settings.POSTS_PER_PAGE
    digest = published.filter(kind=Post.Kind.DIGEST).latest()
    tag = (
        Tag.objects.filter(taggit_taggeditem_items__object_id__in=published.values("pk"))
        .annotate(posts=Count("taggit_taggeditem_items"))
        .order_by("-posts", "name")
        .first()
    )
    first_year = published.order_by("publish_at").values_list("publish_at", flat=True)[:1].get()
    last_year = published.latest().publish_at
    index, tag_url = reverse("digest:post-index"), reverse("digest:tag-detail", args=[tag.slug])
    last_page, tag_last_page = math.ceil(count / per_page), math.ceil(tag.posts / per_page)
    pages = [
        Page("index page 1", index, "index-1"),
        Page(f"index page {last_page} (last)", f"{index}?page={last_page}", "index-last"),
        Page("digest post", digest.get_absolute_url(), "digest"),
        Page(f"tag {tag.slug} page 1", tag_url, "tag-1"),
        Page(f"tag page {tag_last_page} (last)", f"{tag_url}?page={tag_last_page}", "tag-last"),
        Page(
            f"year archive {last_year.year}",
            reverse("digest:archive-year", args=[last_year.year]),
            "year-latest",
        ),
        Page("search kafka latency", f"{reverse('digest:search')}?q=kafka+latency", "search"),
        Page("rss feed", reverse("digest:feed-rss"), "rss"),
    ]
    earliest = Page(
        f"year archive {first_year.year}",
        reverse("digest:archive-year", args=[first_year.year]),
        "year-earliest",
    )
    facts = (
        f"{count} published posts on {connections['default'].vendor} "
        f"({published.filter(kind=Post.Kind.DIGEST).count()} digests, "
        f"{first_year.year}–{last_year.year}); tag {tag.slug} has {tag.posts} posts"
    )
    connections.close_all()
    return pages, earliest, facts


def warm(server, page, expect_hit):
    """A few requests per page so both workers have loaded it (and the cache holds it)."""
    cache_state = ""
    for _ in range(2 * WORKERS + 2):
        status, headers, body, _seconds = server.fetch(page.path)
        if status != 200:
            page.errors.append(f"{server.name}: HTTP {status}")
            return None
        cache_state = headers.get("X-Page-Cache", "")
    if expect_hit and cache_state != "hit":
        page.errors.append(f"cache on but X-Page-Cache: {cache_state or 'absent'}")
    return body


def median_ms(server, path, samples):
    server.fetch(path)
    return statistics.median(server.fetch(path)[3] * 1000 for _ in range(samples))


def load_average():
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


# --- report --------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default=os.environ.get("BENCH_DURATION", "10s"))
    parser.add_argument(
        "--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "32"))
    )
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "2")))
    parser.add_argument("--samples", type=int, default=30, help="sequential requests per deep page")
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "bench-results.txt")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed (bench/run installs it)")
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL must name the shared cache (bench/run starts one)")

    started = time.monotonic()
    pages, earliest, facts = choose_pages()
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    say(f"Scalepress load benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    say(f"machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}")
    say(f"data: {facts}")
    if os.getloadavg()[0] > 1:
        say(f"WARNING: the machine is busy before the run ({load_average()}); figures are low")
    say(
        f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration} --latency per row; "
        f"gunicorn {WORKERS} sync workers; cache on = page cache in Redis (REDIS_URL), "
        "cache off = PAGE_CACHE=0 (the sidebar and counts stay cached in Redis)"
    )
    results, deep = {}, []
    with tempfile.TemporaryDirectory(prefix="scalepress-bench-") as tmp:
        # nginx's workers run as nobody when we are root: they must reach the saved pages.
        os.chmod(tmp, 0o755)  # noqa: S103 -- page bodies anyone may read anyway
        pages_dir = Path(tmp) / "pages"
        pages_dir.mkdir()
        (pages_dir / "ready.html").write_text("ok\n")

        say(f"\nphase 1/4: cache off (PAGE_CACHE=0): deep pages, then load; {load_average()}")
        with gunicorn("gunicorn-cache-off", "config.wsgi", tmp, {"PAGE_CACHE": "0"}) as server:
            for page in [*pages, earliest]:
                warm(server, page, expect_hit=False)
            by_slug = {page.slug: page for page in [*pages, earliest]}
            for first, deeper in (
                ("index-1", "index-last"),
                ("tag-1", "tag-last"),
                ("year-latest", "year-earliest"),
            ):
                a, b = by_slug[first], by_slug[deeper]
                if a.errors or b.errors:
                    continue
                first_ms = median_ms(server, a.path, args.samples)
                deep.append((a, first_ms, b, median_ms(server, b.path, args.samples)))
            for page in pages:
                if not page.errors:
                    results[page.slug, "off"] = wrk(server.url(page.path), args)

        say(f"phase 2/4: cache on (page cache in Redis); {load_average()}")
        with gunicorn("gunicorn-cache-on", "config.wsgi", tmp) as server:
            for page in pages:
                body = warm(server, page, expect_hit=True)
                if body is None:
                    continue
                page.size = len(body)
                (pages_dir / f"{page.slug}.html").write_bytes(body)
                results[page.slug, "on"] = wrk(server.url(page.path), args)

        say(f"phase 3/4: ceiling, minimal WSGI function under the same gunicorn; {load_average()}")
        minimal = gunicorn("gunicorn-minimal", "minimal_wsgi", tmp, pythonpath=ROOT / "bench")
        with minimal as server:
            for page in pages:
                if page.size:
                    results[page.slug, "wsgi"] = wrk(server.url(f"/?bytes={page.size}"), args)

        say(f"phase 4/4: ceiling, nginx serving the saved pages as static files; {load_average()}")
        with nginx(tmp) as server:
            for page in pages:
                if page.size:
                    results[page.slug, "nginx"] = wrk(server.url(f"/{page.slug}.html"), args)

    say()
    header = (
        f"{'page':<30} {'cache':<14} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'KB':>7} "
        f"{'× WSGI':>7}"
    )
    say(header)
    say("-" * len(header))
    ratios = {}
    labels = {
        "on": "on",
        "off": "off",
        "wsgi": "minimal WSGI",
        "nginx": "nginx static",
    }
    for page in pages:
        ceiling = results.get((page.slug, "wsgi"))
        for mode in ("on", "off", "wsgi", "nginx"):
            result = results.get((page.slug, mode))
            if result is None:
                continue
            ratio = result.rps / ceiling.rps if ceiling else None
            ratios[page.slug, mode] = ratio
            name = page.name if mode in ("on", "off") else "  ceiling"
            row = (
                f"{name[:30]:<30} {labels[mode]:<14} {fmt(result.rps, '{:.1f}'):>9} "
                f"{fmt(result.p50, '{:.1f}'):>8} {fmt(result.p99, '{:.1f}'):>8} "
                f"{fmt(page.size / 1024, '{:.1f}'):>7} {fmt(ratio, '{:.3f}'):>7}"
            )
            say(row + (f"   ({result.problems})" if result.problems else ""))
        for error in page.errors:
            say(f"{page.name[:30]:<30} ! {error}")
    say(
        "× WSGI: requests/s divided by the minimal WSGI function's under the same gunicorn, "
        "answering the same number of bytes (one ceiling run per page size)."
    )

    say(
        "\nfirst vs deep pages, cache off: median of "
        f"{args.samples} sequential requests (urllib, one at a time)"
    )
    for first, first_ms, deeper, deeper_ms in deep:
        slowdown = deeper_ms / first_ms
        verdict = "PASS" if slowdown <= DEEP_MAX_SLOWDOWN else "FAIL"
        say(
            f"  {first.name:<28} {first_ms:8.1f} ms   {deeper.name:<28} {deeper_ms:8.1f} ms"
            f"   ×{slowdown:.2f}  {verdict}"
        )
    for page in [earliest]:
        for error in page.errors:
            say(f"  {page.name}: {error}")

    say("\ntargets")
    cached = [(page, ratios[page.slug, "on"]) for page in pages if ratios.get((page.slug, "on"))]
    if cached:
        worst_page, worst = min(cached, key=lambda pair: pair[1])
        below = [f"{p.name} {r:.2f}" for p, r in cached if not r >= CACHED_MIN_RATIO]
        say(
            f"  {'PASS' if not below and len(cached) == len(pages) else 'FAIL'}  cached pages "
            f"≥ {CACHED_MIN_RATIO:.0%} of the minimal-WSGI ceiling: lowest {worst:.1%} "
            f"({worst_page.name})" + (f"; below: {', '.join(below)}" if below else "")
        )
    index_off = ratios.get(("index-1", "off"))
    if index_off is not None:
        say(
            f"  {'PASS' if index_off >= UNCACHED_INDEX_MIN_RATIO else 'FAIL'}  uncached index "
            f"page 1 ≥ {UNCACHED_INDEX_MIN_RATIO:.0%} of the ceiling: {index_off:.1%} "
            f"({results['index-1', 'off'].rps:.1f} req/s)"
        )
    p99s = [(page, results[page.slug, "on"].p99) for page in pages if (page.slug, "on") in results]
    if p99s:
        worst_page, worst = max(p99s, key=lambda pair: pair[1])
        over = [f"{p.name} {v:.1f} ms" for p, v in p99s if not v < CACHED_P99_MAX_MS]
        say(
            f"  {'PASS' if not over else 'FAIL'}  p99 of cached pages < {CACHED_P99_MAX_MS:.0f} ms "
            f"at {args.connections} connections: highest {worst:.1f} ms ({worst_page.name})"
            + (f"; over: {', '.join(over)}" if over else "")
        )
    if deep:
        slow = [f"{b.name} ×{bm / am:.2f}" for a, am, b, bm in deep if bm / am > DEEP_MAX_SLOWDOWN]
        say(
            f"  {'PASS' if not slow else 'FAIL'}  deep pages within {DEEP_MAX_SLOWDOWN - 1:.0%} "
            "of the first (cache off)" + (f": {', '.join(slow)}" if slow else "")
        )
    failed = [page.name for page in [*pages, earliest] if page.errors]
    if failed:
        say(f"  FAIL  pages that did not answer as expected: {', '.join(failed)}")
    say(f"\nload run took {time.monotonic() - started:.0f}s")

    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")
    print(f"written to {args.output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
