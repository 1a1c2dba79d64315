"""Two app servers side by side, as behind a load balancer: two gunicorn instances on two
ports sharing one PostgreSQL database and one Redis, and nothing else (each has its own
file-cache folder), so whatever one server knows the other can only learn through those two.

PostgreSQL only (skipped on SQLite, like tests/faults). Redis is a redis-server started for
each test on a free loopback port, without persistence; without redis-server installed the
tests are skipped, and they fail instead when REQUIRE_REDIS=1 (CI sets it).
"""

import os
import shutil
import subprocess
import time

import pytest
import redis
from django.db import connection

from tests.servers import AppServer, collect_static, free_port

START_SECONDS = 10


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("scale-out tests share one database between servers: PostgreSQL only")
    return connection.settings_dict


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of this test's own: loopback, a free port, no persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but {reason}")
        pytest.skip(f"{reason}; REQUIRE_REDIS=1 turns this skip into a failure")
    folder = tmp_path / "redis"
    folder.mkdir()
    port = free_port()
    log = folder / "redis.log"
    process = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(log),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"redis-server did not answer PING:\n{log.read_text()}"
                    ) from None
                time.sleep(0.02)
        yield url
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def two_servers(postgres, redis_url, tmp_path):
    """Servers A and B: two gunicorn instances, two workers each, DEBUG off, one database,
    one Redis, a file-cache folder each."""
    collect_static()
    host, port = postgres["HOST"], postgres["PORT"]
    servers = [
        AppServer(postgres, host, port, tmp_path, workers=2, env={"REDIS_URL": redis_url})
        for _ in range(2)
    ]
    try:
        for server in servers:
            server.spawn()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
