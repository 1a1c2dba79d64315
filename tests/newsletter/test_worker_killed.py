"""The worker is SIGKILLed three times in the middle of a sending and restarted each time:
every subscriber receives the issue exactly once.

A real `manage.py run_worker` process (django-tasks-db's worker and the periodic scheduler)
sends to the test's own SMTP server. The server kills the worker while the worker waits for
the answer to a message (so that message is never accepted, as when a worker dies mid-SMTP
transaction), at three points far apart; the test then starts a new worker. No clock is
read: the test polls for counts with generous deadlines.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.newsletter.smtp_sink import SmtpSink

pytestmark = pytest.mark.serial

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 2000
KILL_AT = (150, 900, 1700)  # the nth message offered to the server
DEADLINE = 600  # seconds; a sending on an idle machine takes well under a minute


def database_url(tmp_path):
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        host = db["HOST"] or "127.0.0.1"
        return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'worker.sqlite3'}"


class Workers:
    def __init__(self, env, log):
        self.env, self.log = env, log
        self.process = None
        self.started = 0

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        self.started += 1

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def manage(env, code):
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def shared_database(request, tmp_path):
    if connection.vendor == "postgresql":
        request.getfixturevalue("transactional_db")
    return database_url(tmp_path)


def test_a_worker_killed_three_times_sends_each_subscriber_exactly_one(shared_database, tmp_path):
    sink = SmtpSink().start()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": shared_database,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "CACHE_DIR": str(tmp_path / "cache"),
        "SITE_URL": "https://news.example.org",
        "NEWSLETTER_TICK": "1",
        "JOBS_SCHEDULER_SECONDS": "0.5",
        "NEWSLETTER_BATCH_SIZE": "25",
        "NEWSLETTER_RATE": "0",
        # Far longer than the test: a take-over here comes from seeing the process gone.
        "NEWSLETTER_LEASE_SECONDS": "3600",
        "NEWSLETTER_BLOCKS": "",
        "LOG_LEVEL": "WARNING",
    }
    if connection.vendor != "postgresql":
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    manage(env, f"from tests.newsletter.scenario import seed; seed({SUBSCRIBERS})")
    workers = Workers(env, tmp_path / "worker.log")
    offered, killed = [0], threading.Event()

    def maybe_kill(envelope):
        offered[0] += 1
        if offered[0] in KILL_AT:
            workers.kill()  # while the worker waits for this answer
            killed.set()
            return "451 4.3.0 connection lost"  # to nobody: the message is not accepted
        return None

    sink.on_data = maybe_kill
    try:
        workers.start()
        for _ in KILL_AT:
            assert killed.wait(DEADLINE), (tmp_path / "worker.log").read_text()[-3000:]
            killed.clear()
            workers.start()
        state = wait_for_sent(env)
    finally:
        workers.stop()
        sink.stop()

    counts = sink.per_recipient()
    assert workers.started == 4
    # Each new worker took the sending over from the dead one (seen: its process is gone).
    assert (tmp_path / "worker.log").read_text().count("taken over") == len(KILL_AT)
    assert len(counts) == SUBSCRIBERS
    assert set(counts.values()) == {1}, {a: n for a, n in counts.items() if n != 1}
    assert state["deliveries"]["sent"] == SUBSCRIBERS
    assert state["distinct"] == SUBSCRIBERS


def wait_for_sent(env):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        state = manage(env, "from tests.newsletter.scenario import report; report()")
        if state["state"] == "sent":
            return state
        time.sleep(1)
    raise AssertionError(f"not sent in {DEADLINE} s: {state}")
