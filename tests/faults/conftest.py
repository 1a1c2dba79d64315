"""Fault tests run the site as in production (gunicorn, DEBUG off) against the test
database, and break things under it: the database, workers, the master process.

They need PostgreSQL (several processes share one database) and are skipped on SQLite.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.faults.tcp_proxy import TcpProxy, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("fault tests share one database between processes: PostgreSQL only")
    return connection.settings_dict


@pytest.fixture(scope="session")
def collected_static():
    # DEBUG off serves hashed static names from the manifest collectstatic writes.
    env = {**os.environ, "DEBUG": "0"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def fetch(url, data=None, timeout=10, headers=None):
    """(status, body text, seconds); never raises for an HTTP error status."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body, status = response.read().decode(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(), error.code
    return status, body, time.monotonic() - started


class AppServer:
    """gunicorn serving the project on a free port against the given database address."""

    def __init__(self, database, db_host, db_port, tmp_path, workers=2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        user = database["USER"]
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": f"postgres://{user}@{db_host}:{db_port}/{database['NAME']}",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.url,
            "CACHE_DIR": str(tmp_path / "cache"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SERVE_MEDIA": "0",
            "LOG_LEVEL": "WARNING",
        }
        self.log = tmp_path / "gunicorn.log"
        self.workers = workers
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
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
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if fetch(self.url + "/healthz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()}")

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


@pytest.fixture
def app_server(postgres, collected_static, tmp_path):
    """Start gunicorn reaching the database straight, or through `via` (a TcpProxy)."""
    servers = []

    def start(via=None, workers=2):
        host, port = ("127.0.0.1", via.port) if via else (postgres["HOST"], postgres["PORT"])
        server = AppServer(postgres, host, port, tmp_path, workers=workers).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def database_proxy(postgres):
    proxy = TcpProxy(postgres["HOST"] or "127.0.0.1", int(postgres["PORT"] or 5432))
    proxy.up()
    yield proxy
    proxy.down()
