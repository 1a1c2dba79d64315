"""The uncached floors of issue 13: the origin alone (PAGE_CACHE=0) on the benchmark data.

    bench/floors [--only search,rss] [--baseline DIR]      # services and data, then this
    .venv/bin/python bench/floors.py [--duration 10s] [--connections 32] [--only …] [--baseline DIR]
                                     [--rounds N]

Needs what bench/load.py needs (DATABASE_URL with bench/generate.py's posts, REDIS_URL, wrk;
bench/floors provides them). Every page is loaded with `wrk --latency` against gunicorn (2 sync
workers, config.wsgi, PAGE_CACHE=0: no whole pages are kept, fragments and counts still are),
and right after it the minimal WSGI function answers the same number of bytes under the same
gunicorn: the ceiling of this machine at that moment. The targets are judged at the end:

- index page 1 at least 10% of its ceiling;
- search (a word most posts have, a rare word, a phrase) at least 100 requests/s;
- RSS, Atom and a tag's feed with p99 under 500 ms at 32 connections;
- the middle page of the biggest tag within 2x of its first page (requests/s, and the median
  of sequential requests).

With --baseline DIR, a copy of an older commit (`git archive COMMIT | tar -x -C DIR`, with its
static files collected), each page is first measured on that code too, on the same data: before
and after side by side in one run, under the same load.
"""

import argparse
import http.client
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import cpu  # noqa: E402
from bench.servers import stop_process  # noqa: E402
from bench.wrk import fmt, free_port, wrk  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "0")
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 2

ORIGIN_ONLY = {"PAGE_CACHE": "0"}
INDEX_MIN_RATIO = 0.10
SEARCH_MIN_RPS = 100.0
FEED_P99_MAX_MS = 500.0
TAG_MIDDLE_MAX_SLOWDOWN = 2.0
SEARCHES = {
    "search-common": "latency",  # in most posts
    "search-rare": "unikernels",  # in one imported digest
    "search-phrase": '"tail latency"',
}


@dataclass
class Page:
    slug: str
    name: str
    path: str
    size: int = 0
    error: str = ""


def fetch(port, path, timeout=60):
    """(status, body, seconds) of one GET on a new connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": "scalepress-bench"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, body, time.perf_counter() - started


class Gunicorn:
    """gunicorn with 2 sync workers on a free loopback port, stopped on exit."""

    def __init__(self, name, app, tmp, env=None, pythonpath=None, chdir=ROOT):
        self.port = free_port()
        self.ready = "/healthz" if app == "config.wsgi" else "/"
        argv = [str(GUNICORN), app, "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}"]
        argv += ["--log-level", "warning"]
        if pythonpath:
            argv += ["--pythonpath", str(pythonpath)]
        self.log = Path(tmp) / f"{name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                argv,
                cwd=chdir,
                env={**os.environ, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if fetch(self.port, self.ready, timeout=5)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"gunicorn did not start:\n{self.log.read_text(errors='replace')}")

    def __exit__(self, *exc):
        stop_process(self.process)


def choose_pages():
    """The pages, found in the benchmark database, and a line of facts about the data."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections
    from django.db.models import Count
    from django.urls import reverse
    from taggit.models import Tag, TaggedItem

    from digest.models import Post

    published = Post.objects.published()
    count = published.count()
    if not count:
        raise SystemExit("no published posts: run bench/generate.py first")
    per_page = settings.POSTS_PER_PAGE
    biggest = (
        TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Post))
        .values("tag")
        .annotate(posts=Count("pk"))
        .order_by("-posts")
        .first()
    )
    tag = Tag.objects.get(pk=biggest["tag"])
    tag_posts = published.tagged(tag).count()
    index, search = reverse("digest:post-index"), reverse("digest:search")
    tag_url = reverse("digest:tag-detail", args=[tag.slug])
    last, tag_last = math.ceil(count / per_page), math.ceil(tag_posts / per_page)
    pages = [
        Page("index-1", "index page 1", index),
        Page("index-middle", f"index page {last // 2} (middle)", f"{index}?page={last // 2}"),
        Page("index-last", f"index page {last} (last)", f"{index}?page={last}"),
        *(
            Page(slug, f"search {query}", f"{search}?q={quote_plus(query)}")
            for slug, query in SEARCHES.items()
        ),
        Page("rss", "RSS feed", reverse("digest:feed-rss")),
        Page("atom", "Atom feed", reverse("digest:feed-atom")),
        Page("tag-feed", f"tag {tag.slug} feed", reverse("digest:tag-feed", args=[tag.slug])),
        Page("tag-1", f"tag {tag.slug} page 1", tag_url),
        Page(
            "tag-middle",
            f"tag page {tag_last // 2} (middle)",
            f"{tag_url}?page={tag_last // 2}",
        ),
        Page("tag-last", f"tag page {tag_last} (last)", f"{tag_url}?page={tag_last}"),
    ]
    facts = (
        f"{count} published posts on {connections['default'].vendor}; "
        f"tag {tag.slug} has {tag_posts}"
    )
    connections.close_all()
    return pages, facts


def median_ms(port, path, samples):
    fetch(port, path)
    return statistics.median(fetch(port, path)[2] * 1000 for _ in range(samples))


def metered_wrk(url, args, *processes):
    """wrk's Result with the CPU ms per request spent by `processes` (their families) and wrk."""
    with cpu.Meter(*processes) as meter:
        result = wrk(url, args)
    if result.requests:
        result.cpu_ms = meter.seconds * 1000 / result.requests
    return result


def measure(server, page, args, database=None):
    """(bytes, sequential median ms, wrk Result) of one page, or why it could not be."""
    try:
        # The first requests also wait out what the previous run left queued.
        for _ in range(2 * WORKERS):
            status, body, _seconds = fetch(server.port, page.path, timeout=300)
    except OSError as error:
        return f"no answer: {error}"
    if status != 200:
        return f"HTTP {status}"
    alone = median_ms(server.port, page.path, args.samples)
    result = metered_wrk(server.url(page.path), args, server.process.pid, database)
    # Requests wrk left queued are still served after it stops: wait for them, so that they
    # do not weigh on the next measurement.
    fetch(server.port, server.ready, timeout=600)
    return len(body), alone, result


def idle_rps(result):
    return (os.cpu_count() or 1) * 1000 / result.cpu_ms


def verdict(ok):
    return "PASS" if ok else "FAIL"


def judge(pages, results, ceilings, sequential, say):
    by_slug = {page.slug: page for page in pages}
    say("\ntargets (PAGE_CACHE=0)")
    if "index-1" in results:
        ratio = results["index-1"].rps / ceilings["index-1"].rps
        say(
            f"  {verdict(ratio >= INDEX_MIN_RATIO)}  index page 1 ≥ {INDEX_MIN_RATIO:.0%} of the "
            f"minimal-WSGI ceiling: {ratio:.1%} ({results['index-1'].rps:.0f} req/s)"
        )
        ratio = ceilings["index-1"].cpu_ms / results["index-1"].cpu_ms
        say(
            f"  {verdict(ratio >= INDEX_MIN_RATIO)}  the same, read from CPU time per request: "
            f"{ratio:.1%} ({results['index-1'].cpu_ms:.2f} ms against the ceiling's "
            f"{ceilings['index-1'].cpu_ms:.2f})"
        )
    for slug in SEARCHES:
        if slug in results:
            rps, idle = results[slug].rps, idle_rps(results[slug])
            say(
                f"  {verdict(rps >= SEARCH_MIN_RPS)}  {by_slug[slug].name} ≥ "
                f"{SEARCH_MIN_RPS:.0f} req/s: {rps:.1f}; on an idle machine, from its CPU time: "
                f"{verdict(idle >= SEARCH_MIN_RPS)} {idle:.0f}"
            )
    for slug in ("rss", "atom", "tag-feed"):
        if slug in results:
            p99 = results[slug].p99
            say(
                f"  {verdict(p99 < FEED_P99_MAX_MS)}  {by_slug[slug].name} p99 < "
                f"{FEED_P99_MAX_MS:.0f} ms: {p99:.0f} ms"
            )
    if "tag-1" in results and "tag-middle" in results:
        slowdown = results["tag-1"].rps / results["tag-middle"].rps
        first_ms, middle_ms = sequential.get("tag-1"), sequential.get("tag-middle")
        alone = middle_ms / first_ms if first_ms and middle_ms else math.nan
        ok = slowdown <= TAG_MIDDLE_MAX_SLOWDOWN and not alone > TAG_MIDDLE_MAX_SLOWDOWN
        say(
            f"  {verdict(ok)}  {by_slug['tag-middle'].name} within "
            f"{TAG_MIDDLE_MAX_SLOWDOWN:.0f}x of page 1: x{slowdown:.2f} in req/s, "
            f"x{alone:.2f} in sequential median ({fmt(first_ms, '{:.1f}')} vs "
            f"{fmt(middle_ms, '{:.1f}')} ms)"
        )
    for page in pages:
        if page.error:
            say(f"  FAIL  {page.name}: {page.error}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default=os.environ.get("BENCH_DURATION", "10s"))
    parser.add_argument(
        "--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "32"))
    )
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "2")))
    parser.add_argument("--samples", type=int, default=20, help="sequential requests per page")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure each page (before, after, ceiling) this many times in turn and show the "
        "round with the median ratio: on a shared machine one round can meet a burst of load",
    )
    parser.add_argument("--only", default="", help="comma-separated page slugs or prefixes")
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "bench-floors.txt")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of the project (e.g. `git archive` of an older commit) whose "
        "pages are measured just before this one's, on the same data",
    )
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL must name the shared cache (bench/floors starts one)")

    started = time.monotonic()
    pages, facts = choose_pages()
    pg = cpu.postgres_server()
    if args.only:
        wanted = args.only.split(",")
        pages = [page for page in pages if any(page.slug.startswith(w) for w in wanted)]
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    one, five, _ = os.getloadavg()
    say(f"Scalepress uncached floors, {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores")
    say(f"data: {facts}")
    say(
        f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration} per row; gunicorn "
        f"{WORKERS} sync workers, PAGE_CACHE=0; {args.rounds} round(s) per page; load average "
        f"before {one:.1f}/{five:.1f}"
    )
    results, ceilings, sequential, before = {}, {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="scalepress-floors-") as tmp, ExitStack() as running:
        site = running.enter_context(Gunicorn("site", "config.wsgi", tmp, env=ORIGIN_ONLY))
        minimal = Gunicorn("minimal", "minimal_wsgi", tmp, pythonpath=ROOT / "bench")
        running.enter_context(minimal)
        old = None
        if args.baseline:
            old = Gunicorn("baseline", "config.wsgi", tmp, env=ORIGIN_ONLY, chdir=args.baseline)
            running.enter_context(old)
        # Each page's ceiling is measured right after the page, so that both meet the same
        # load from the rest of the machine.
        for page in pages:
            print(f"  {page.name}", flush=True)
            rounds = []
            for _ in range(args.rounds):
                measured = {"before": measure(old, page, args, pg)} if old is not None else {}
                measured["after"] = measure(site, page, args, pg)
                if not isinstance(measured["after"], tuple):
                    page.error = measured["after"]
                    break
                size = measured["after"][0]
                ceiling_url = minimal.url(f"/?bytes={size}")
                measured["ceiling"] = metered_wrk(ceiling_url, args, minimal.process.pid)
                rounds.append(measured)
            if not rounds:
                continue
            # On a shared machine the load moves between rounds: the round shown is the one
            # whose ratio to its own ceiling is the median.
            rounds.sort(key=lambda r: r["after"][2].rps / r["ceiling"].rps)
            chosen = rounds[(len(rounds) - 1) // 2]
            page.size, sequential[page.slug], results[page.slug] = chosen["after"]
            ceilings[page.slug] = chosen["ceiling"]
            if isinstance(chosen.get("before"), tuple):
                before[page.slug] = chosen["before"]

    header = (
        f"{'page':<32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'alone ms':>9} {'KB':>6} "
        f"{'ceiling':>8} {'× WSGI':>7} {'CPU ms':>7} {'idle/s':>7} {'× CPU':>6}"
    )
    say()
    say(header)
    say("-" * len(header))
    for page in pages:
        if page.slug not in results:
            continue
        ceiling = ceilings[page.slug]
        rows = [(page.name, page.size, sequential[page.slug], results[page.slug])]
        if page.slug in before:
            rows.insert(0, ("  before", *before[page.slug]))
        for name, size, alone, result in rows:
            say(
                f"{name[:32]:<32} {fmt(result.rps, '{:.1f}'):>8} {fmt(result.p50, '{:.1f}'):>8} "
                f"{fmt(result.p99, '{:.1f}'):>8} {fmt(alone, '{:.1f}'):>9} {size / 1024:>6.1f} "
                f"{fmt(ceiling.rps, '{:.0f}'):>8} {fmt(result.rps / ceiling.rps, '{:.3f}'):>7} "
                f"{fmt(result.cpu_ms, '{:.2f}'):>7} {fmt(idle_rps(result), '{:.0f}'):>7} "
                f"{fmt(ceiling.cpu_ms / result.cpu_ms, '{:.3f}'):>6}"
                + (f"   ({result.problems})" if result.problems else "")
            )
    say(
        "alone: median of sequential requests, one at a time; ceiling: the minimal WSGI "
        "function's req/s for the same number of bytes; × WSGI: req/s over the ceiling.\n"
        "CPU ms: CPU time of gunicorn, PostgreSQL and wrk per request (bench/cpu.py); idle/s: "
        "what that allows on this machine with nothing else running; × CPU: the ceiling's CPU "
        "ms per request over the page's (the × WSGI ratio, read from CPU time)."
    )
    judge(pages, results, ceilings, sequential, say)
    one, five, _ = os.getloadavg()
    say(
        f"\nfloors run took {time.monotonic() - started:.0f}s; "
        f"load average after {one:.1f}/{five:.1f}"
    )
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
