"""The production stack on one machine: nginx in front of gunicorn, from the files in deploy/.

    python deploy/stack.py serve [--host H] [--port P] [--app-servers N]   # what `make serve` runs
    python deploy/stack.py render-site [--listen 80] [--server-name example.org] ...

`serve` starts N gunicorn servers (deploy/gunicorn.conf.py) on free loopback ports and nginx on
--port with the site file deploy/nginx/scalepress.conf.template, as an ordinary user, with every
file under var/nginx; Ctrl+C stops them all. `render-site` prints the site file for
/etc/nginx/sites-available/ with production paths. The tests and benchmarks use `Nginx` and
`Gunicorn` from here, so the shape that is tested and measured is the one that is deployed.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "deploy" / "nginx"
BROTLI_MODULES = (
    Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so"),
    Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"),
)
BROTLI = """    brotli on;
    brotli_comp_level 5;
    brotli_types text/css application/javascript text/javascript application/json
                 application/rss+xml application/atom+xml application/xml text/xml
                 image/svg+xml text/plain;"""
# The largest request the app accepts: an admin post with its lead image
# (config/settings.py ADMIN_REQUEST_BODY_MAX_BYTES, 16 MB), with room for the framing. The app
# refuses smaller bodies per page itself (hardening.middleware).
MAX_BODY = "17m"
EDGE_SECONDS = int(os.environ.get("EDGE_CACHE_SECONDS", "1"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_binary():
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if os.access(found, os.X_OK) else None


def has_brotli():
    return all(module.exists() for module in BROTLI_MODULES)


def fill(template, **values):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", str(value))
    if "{{" in text:
        raise ValueError(f"{template}: a placeholder was left unfilled")
    return text


def render_site(listen, upstreams, cache_dir, static_root, media_root, server_name="_"):
    """The site file: `upstreams` are "host:port" of the app servers."""
    return fill(
        "scalepress.conf.template",
        LISTEN=listen,
        SERVER_NAME=server_name,
        UPSTREAM_SERVERS="\n".join(
            f"    server {address} max_fails=1 fail_timeout=2s;" for address in upstreams
        ),
        CACHE_DIR=cache_dir,
        STATIC_ROOT=static_root,
        MEDIA_ROOT=media_root,
        MAX_BODY=MAX_BODY,
        EDGE_SECONDS=EDGE_SECONDS,
        BROTLI=BROTLI if has_brotli() else "    # brotli: install libnginx-mod-http-brotli-filter",
    )


class Process:
    """A server process with its output in a log file, stopped with SIGTERM (then SIGKILL)."""

    process = None

    def wait_ready(self, url, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self} exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self} did not answer {url} within {seconds}s")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Gunicorn(Process):
    """One app server: gunicorn with deploy/gunicorn.conf.py on a loopback port."""

    def __init__(self, folder, port=None, env=None, workers=2):
        self.port = port or free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = self.folder / f"gunicorn-{self.port}.log"
        self.env = {
            **os.environ,
            "GUNICORN_BIND": self.address,
            "GUNICORN_WORKERS": str(workers),
            "BEHIND_PROXY": "1",
            "CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
            **(env or {}),
        }

    def __str__(self):
        return f"gunicorn on {self.address}"

    def start(self):
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "config.wsgi",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        return self


class Nginx(Process):
    """nginx run as an ordinary user with every file in `folder`, in front of `upstreams`."""

    def __init__(self, folder, upstreams, port=None, host="127.0.0.1", **roots):
        self.host, self.port = host, port or free_port()
        self.url = f"http://{host}:{self.port}"
        self.folder = Path(folder)
        self.upstreams = list(upstreams)
        self.static_root = roots.get("static_root") or ROOT / "staticfiles"
        self.media_root = roots.get("media_root") or os.environ.get("MEDIA_ROOT", ROOT / "media")
        self.log = self.folder / "error.log"

    def __str__(self):
        return f"nginx on {self.port}"

    access_log = "off"

    def write_config(self):
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "cache"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        modules = "\n".join(f"load_module {m};" for m in BROTLI_MODULES) if has_brotli() else ""
        (self.folder / "scalepress.conf").write_text(
            render_site(
                f"{self.host}:{self.port}",
                self.upstreams,
                self.folder / "cache",
                self.static_root,
                self.media_root,
            )
        )
        (self.folder / "nginx.conf").write_text(
            fill(
                "nginx.conf.template",
                PREFIX=self.folder,
                # Started as root (a container, CI), nginx would run its workers as nobody,
                # who cannot write this folder; as anyone else, workers stay that user.
                USER="user root;" if os.geteuid() == 0 else "",
                LOAD_MODULES=modules,
                ACCESS_LOG=self.access_log,
            )
        )

    def start(self, access_log="off"):
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
        self.access_log = access_log
        self.write_config()
        self.process = subprocess.Popen(
            [binary, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")],
            stdout=(self.folder / "nginx.out").open("ab"),
            stderr=subprocess.STDOUT,
        )
        return self

    def reload(self):
        self.write_config()
        self.process.send_signal(signal.SIGHUP)


def serve(host, port, app_servers):
    folder = ROOT / "var" / "nginx"
    shutil.rmtree(folder / "cache", ignore_errors=True)  # pages of an older run
    env = {"SERVE_MEDIA": "0", "SITE_URL": os.environ.get("SITE_URL", f"http://{host}:{port}")}
    apps = [Gunicorn(folder, env=env).start() for _ in range(app_servers)]
    edge = Nginx(folder, [app.address for app in apps], port=port, host=host)
    stopping = []

    def stop(*_):
        stopping.append(True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for app in apps:
            app.wait_ready(f"http://{app.address}/healthz")
        edge.start(access_log=f"{folder / 'access.log'} scalepress")
        edge.wait_ready(f"{edge.url}/healthz")
        print(f"Serving on http://{host}:{port}/ (nginx, {app_servers} app servers); Ctrl+C stops")
        while not stopping and all(p.process.poll() is None for p in [edge, *apps]):
            time.sleep(0.5)
    finally:
        for process in [edge, *apps]:
            process.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="nginx and gunicorn on this machine")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--app-servers", type=int, default=1)
    site = commands.add_parser("render-site", help="print the nginx site file for production")
    site.add_argument("--listen", default="80")
    site.add_argument("--server-name", default="scalepress.example")
    site.add_argument("--upstream", action="append", default=[])
    site.add_argument("--root", default="/srv/scalepress")
    site.add_argument("--cache-dir", default="/var/cache/nginx/scalepress")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.host, args.port, args.app_servers)
    else:
        print(
            render_site(
                args.listen,
                args.upstream or ["127.0.0.1:8001"],
                args.cache_dir,
                f"{args.root}/staticfiles",
                f"{args.root}/media",
                server_name=args.server_name,
            )
        )


if __name__ == "__main__":
    main()
