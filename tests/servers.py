"""The project served as in production (gunicorn, DEBUG off) for tests that need real server
processes: tests/faults breaks things under one, tests/scaleout runs two side by side. Also
what talks to them: `fetch` for anonymous reads, `Browser` for a person with cookies, and
`production_password` for accounts that log in through them."""

import fcntl
import functools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@functools.cache
def collect_static():
    """Once per process: DEBUG off serves hashed static names from the manifest this writes.
    Under a lock, since the suite's processes share the project's staticfiles folder."""
    (ROOT / "var").mkdir(exist_ok=True)
    with (ROOT / "var" / ".collectstatic.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "0"},
            check=True,
        )


def fetch(url, data=None, timeout=10, headers=None):
    """(status, body text, seconds); never raises for an HTTP error status."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body, status = response.read().decode(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(), error.code
    return status, body, time.monotonic() - started


class AppServer:
    """gunicorn serving the project on a free port against the given database (PostgreSQL's
    settings dict with its host and port, or a DATABASE_URL).

    Each server keeps its file cache and log in a folder of its own under `tmp_path`, so two
    servers started by one test share nothing but what `env` gives them (REDIS_URL).
    """

    def __init__(self, database, db_host, db_port, tmp_path, workers=2, env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = tmp_path / f"server-{self.port}"
        self.folder.mkdir()
        if isinstance(database, str):
            database_url = database
        else:
            user = database["USER"]
            database_url = f"postgres://{user}@{db_host}:{db_port}/{database['NAME']}"
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.url,
            "CACHE_DIR": str(self.folder / "cache"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SERVE_MEDIA": "0",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.log = self.folder / "gunicorn.log"
        self.workers = workers
        self.process = None

    @classmethod
    def on_sqlite(cls, tmp_path, workers=1, env=None):
        """A server on a SQLite file of its own, migrated: for tests that need a real server
        in front of them but no PostgreSQL (the database is not what they test)."""
        database_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
        server = cls(database_url, None, None, tmp_path, workers=workers, env=env)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env=server.env,
            check=True,
        )
        return server

    def spawn(self):
        """Start gunicorn without waiting for it (see `wait_ready`)."""
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                # The deployed settings; the options after it override a few for the tests.
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "config.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "30",
                "--graceful-timeout",
                "20",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if fetch(self.url + "/healthz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()}")

    def start(self):
        return self.spawn().wait_ready()

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def production_password(user, password):
    """Give `user` a password the app servers can check: they use the production hashers,
    not the tests' fast MD5 one."""
    user.password = PBKDF2PasswordHasher().encode(password, "appserversalt")
    user.save(update_fields=["password"])
    return user


@dataclass
class Answer:
    status: int
    headers: object
    body: str
    at: float  # time.monotonic() when the answer had arrived


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser, reduced to what the tests need: it keeps its cookies by name
    (as a browser does for one host name behind a load balancer, whichever server answers),
    shows every answer as it came (redirects are not followed) and posts forms."""

    def __init__(self):
        self.cookies = {}
        self.opener = urllib.request.build_opener(_NoRedirects)

    def request(self, url, fields=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if fields is not None:
            data = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=15) as response:
                answer = Answer(response.status, response.headers, response.read().decode(), 0)
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.headers, error.read().decode(), 0)
        answer.at = time.monotonic()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, url):
        return self.request(url)

    def post(self, url, fields):
        return self.request(url, fields)

    @property
    def session(self):
        return self.cookies.get(settings.SESSION_COOKIE_NAME)
