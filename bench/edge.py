"""The production stack under load: nginx (deploy/) in front of gunicorn, side by side with nginx
serving the same bytes as static files, in one run.

    bench/run                         # services and data, then bench/load.py and this
    .venv/bin/python bench/edge.py [--duration 10s] [--connections 256]

Needs DATABASE_URL (PostgreSQL with bench/generate.py's posts), REDIS_URL, collectstatic done,
wrk and nginx. Phases:
1. cached pages through the stack (two app servers, deploy/nginx's site), `wrk -c256` per page,
   next to nginx serving each page's bytes as a static file (the ceiling): ratio ≥ 50%, p99 < 20
   ms, 0 errors;
2. publish under load: wrk -c256 on the index while a post is published (in the database, with
   the content change recorded as the admin does); the seconds until the index shows it through
   nginx (≤ 2 s), and how many requests reached the app servers per second (origin renders ≤ 1
   per second per page);
3. slow clients: 500 connections trickling their headers while one reader fetches the index
   and an article sequentially: p99 < 100 ms, 0 errors.
"""

import argparse
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import choose_pages, fmt, load_average, nginx, wrk  # noqa: E402
from deploy.stack import Gunicorn, Nginx  # noqa: E402

EDGE_MIN_RATIO = 0.50
EDGE_P99_MAX_MS = 20.0
VISIBLE_WITHIN = 2.0
RENDERS_PER_SECOND = 1.0
SLOW_CLIENTS = 500
SLOW_P99_MAX_MS = 100.0


def stack(tmp, app_servers=2):
    apps = [
        Gunicorn(
            Path(tmp) / "apps",
            env={"LOG_LEVEL": "WARNING", "GUNICORN_ACCESS_LOG": f"{tmp}/apps/access-{n}.log"},
        )
        for n in range(app_servers)
    ]
    for app in apps:
        app.start()
    for app in apps:
        app.wait_ready(f"http://{app.address}/healthz", seconds=60)
    edge = Nginx(Path(tmp) / "edge", [app.address for app in apps])
    # Logged as a busy site logs: written in 64 KB blocks, not a write per request.
    edge.start(access_log=f"{Path(tmp) / 'edge' / 'access.log'} scalepress buffer=64k flush=1s")
    edge.wait_ready(edge.url + "/healthz")
    return edge, apps


def warmed_wrk(url, args):
    """wrk after two seconds of the same load, unmeasured: each server's workers, page cache
    and the machine settled before the figures, for the stack and its static ceiling alike
    (the first page measured after starting the stack showed p99 1.5-2× the others')."""
    wrk(url, argparse.Namespace(**{**vars(args), "duration": "2s"}))
    return wrk(url, args)


def fetch(port, path, headers=None):
    """(status, head, body) of one request on a new connection, done when the body is whole
    (Content-Length), as a browser is: nginx closes the connection only after a background
    refresh the request started, which a reader does not wait for."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    raw, length = b"", None
    while chunk := connection.recv(65536):
        raw += chunk
        head, found, body = raw.partition(b"\r\n\r\n")
        if found and length is None:
            sizes = re.findall(rb"(?im)^content-length:\s*(\d+)", head)
            length = int(sizes[0]) if sizes else -1
        if found and 0 <= length <= len(body):
            break
    connection.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.decode("latin-1"), body


def publish_under_load(edge, args):
    """Seconds until a post published during a front-page spike shows on the index, the
    writer's seconds, the spike's wrk result, and the index requests that reached the app
    servers per second, and of them those that rebuilt the page (the app servers' logs)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.utils import timezone

    from digest.models import Post

    app_logs = sorted(Path(edge.folder).parent.glob("apps/access-*.log"))
    for log in app_logs:
        log.write_text("")  # gunicorn appends: the logs now hold this phase only
    phase_started = time.monotonic()
    title = f"Published during a spike {time.time():.0f}"
    result = {}

    def load():
        result["wrk"] = wrk(edge.url + "/", args)

    spike = threading.Thread(target=load)
    spike.start()
    time.sleep(2)
    author = get_user_model().objects.filter(is_superuser=True).first() or (
        get_user_model().objects.first()
    )
    # From the moment the publish starts: the writer's own work after its commit (building
    # the new version's sidebar, caching.content._prebuild) is part of the wait.
    published = time.monotonic()
    Post.objects.create(
        title=title,
        excerpt="Shown within two seconds.",
        status=Post.Status.PUBLISHED,
        publish_at=timezone.now(),
        author=author,
    )  # Post.save records the content change, as the admin's save does
    result["writer"] = time.monotonic() - published
    seen = None
    while time.monotonic() < published + 30:
        if title.encode() in fetch(edge.port, "/")[2]:
            seen = time.monotonic() - published
            break
        time.sleep(0.02)
    spike.join()
    seconds = time.monotonic() - phase_started
    lines = [line for log in app_logs for line in log.read_text().splitlines()]
    Post.objects.filter(title=title).delete()
    connections.close_all()
    origin = [line for line in lines if '"GET / HTTP' in line]
    renders = [line for line in origin if "page=miss" in line]
    return seen, result["writer"], result["wrk"], len(origin) / seconds, len(renders) / seconds


class Trickle:
    def __init__(self, port, count):
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.wait(1):
            for sock in list(self.sockets):
                try:
                    sock.send(b"X")
                except OSError:
                    self.sockets.remove(sock)

    def close(self):
        self.stop.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def slow_clients(edge, paths, samples=200):
    """(p99 ms, errors, connections still open) of a reader while 500 clients trickle."""
    trickle = Trickle(edge.port, SLOW_CLIENTS)
    times, errors = [], 0
    try:
        time.sleep(1)
        for n in range(samples):
            started = time.perf_counter()
            try:
                status = fetch(edge.port, paths[n % len(paths)])[0]
                errors += status != 200
            except OSError:
                errors += 1
            times.append((time.perf_counter() - started) * 1000)
        still_open = len(trickle.sockets)
    finally:
        trickle.close()
    return statistics.quantiles(times, n=100)[98], errors, still_open


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default=os.environ.get("BENCH_DURATION", "10s"))
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", type=Path, default=Path("var") / "bench-edge.txt")
    args = parser.parse_args()
    pages, _earliest, facts = choose_pages()
    pages = [p for p in pages if p.slug in ("index-1", "index-last", "digest", "tag-1", "rss")]
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    say(f"Scalepress edge benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}; {os.cpu_count()} cores")
    say(f"data: {facts}")
    say(f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration}; {load_average()}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="scalepress-edge-") as tmp:
        os.chmod(tmp, 0o755)  # noqa: S103 -- nginx's workers read the saved pages
        pages_dir = Path(tmp) / "pages"
        pages_dir.mkdir()
        (pages_dir / "ready.html").write_text("ok\n")
        edge, apps = stack(tmp)
        try:
            say(f"\nphase 1/3: cached pages through nginx and two app servers; {load_average()}")
            for page in pages:
                for _ in range(3):
                    status, head, body = fetch(edge.port, page.path)
                if status != 200 or "X-Edge-Cache: HIT" not in head:
                    found = re.findall(r"X-Edge-Cache: \w+", head)
                    page.errors.append(f"HTTP {status}, {found or 'no X-Edge-Cache'}")
                page.size = len(body)
                (pages_dir / f"{page.slug}.html").write_bytes(body)
                results[page.slug, "edge"] = warmed_wrk(edge.url + page.path, args)
            say(f"phase 2/3: publish during a spike on the index; {load_average()}")
            seen, writer, spike, origin_rps, renders_ps = publish_under_load(edge, args)
            say(f"phase 3/3: {SLOW_CLIENTS} slow clients and one reader; {load_average()}")
            slow_p99, slow_errors, still_open = slow_clients(edge, [pages[0].path, pages[2].path])
        finally:
            edge.stop()
            for app in apps:
                app.stop()
        with nginx(tmp) as static:
            for page in pages:
                if page.size:
                    results[page.slug, "static"] = warmed_wrk(
                        static.url(f"/{page.slug}.html"), args
                    )

    say()
    header = (
        f"{'page':<28} {'served by':<22} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'KB':>6} "
        f"{'× static':>8}"
    )
    say(header)
    say("-" * len(header))
    verdicts = []
    for page in pages:
        edge_result, static_result = (
            results.get((page.slug, "edge")),
            results.get((page.slug, "static")),
        )
        ratio = edge_result.rps / static_result.rps if edge_result and static_result else None
        for label, result in (
            ("nginx → app (stack)", edge_result),
            ("  nginx static file", static_result),
        ):
            if result is None:
                continue
            shown = ratio if label.startswith("nginx →") else 1.0
            say(
                f"{page.name[:28]:<28} {label:<22} {fmt(result.rps, '{:.0f}'):>9} "
                f"{fmt(result.p50, '{:.1f}'):>7} {fmt(result.p99, '{:.1f}'):>7} "
                f"{page.size / 1024:>6.1f} {fmt(shown, '{:.2f}'):>8}"
                + (f"  ({result.problems})" if result.problems else "")
            )
        ok = ratio is not None and ratio >= EDGE_MIN_RATIO and edge_result.p99 < EDGE_P99_MAX_MS
        ok = ok and not edge_result.problems and not page.errors
        verdicts.append((page, ok, ratio, edge_result))
        for error in page.errors:
            say(f"  ! {error}")
    say("\ntargets")
    for page, ok, ratio, result in verdicts:
        say(
            f"  {'PASS' if ok else 'FAIL'}  {page.name}: {fmt(ratio, '{:.0%}')} of nginx static "
            f"(≥ {EDGE_MIN_RATIO:.0%}), p99 {fmt(result.p99 if result else None, '{:.1f}')} ms "
            f"(< {EDGE_P99_MAX_MS:.0f})"
        )
    say(
        f"  {'PASS' if seen is not None and seen <= VISIBLE_WITHIN else 'FAIL'}  a post published "
        f"during a spike ({fmt(spike.rps, '{:.0f}')} req/s on the index, "
        f"{spike.problems or '0 errors'}) shows on the index after {fmt(seen, '{:.2f}')} s "
        f"from the start of the publish (≤ {VISIBLE_WITHIN:.0f} s; the publish itself took "
        f"{writer:.2f} s)"
    )
    say(
        f"  {'PASS' if renders_ps <= RENDERS_PER_SECOND else 'FAIL'}  index requests reaching the "
        f"app servers: {origin_rps:.2f}/s, of which rebuilt: {renders_ps:.2f}/s "
        f"(≤ {RENDERS_PER_SECOND:.0f}/s)"
    )
    say(
        f"  {'PASS' if slow_p99 < SLOW_P99_MAX_MS and not slow_errors else 'FAIL'}  with "
        f"{still_open} slow clients open, a reader's p99 {slow_p99:.1f} ms (< "
        f"{SLOW_P99_MAX_MS:.0f}), {slow_errors} errors"
    )
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
