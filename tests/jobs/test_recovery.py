"""A job whose worker was killed outright runs again on another worker (jobs.recovery)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs.models import WorkerBeat
from jobs.recovery import beat, requeue_lost
from tests.jobs.tasks import held_once

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120  # seconds; each step takes about a second on an idle machine


def running(worker_id, started):
    result = held_once.enqueue("/nonexistent")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=[worker_id]
    )
    return result.id


@pytest.mark.django_db
def test_only_the_jobs_of_workers_not_seen_go_back_to_the_queue(settings):
    settings.JOBS_WORKER_LOST_SECONDS = 60
    now = timezone.now()
    beat("alive", now - timedelta(seconds=5))
    beat("dead", now - timedelta(seconds=61))
    beat("long-gone", now - timedelta(days=2))
    of_alive = running("alive", now - timedelta(hours=1))
    of_dead = running("dead", now - timedelta(hours=1))
    of_unknown = running("never-beat", now - timedelta(hours=1))
    just_taken = running("not-yet-beating", now - timedelta(seconds=10))

    assert requeue_lost(now) == 2

    status = {str(pk): status for pk, status in DBTaskResult.objects.values_list("pk", "status")}
    assert status[of_alive] == TaskResultStatus.RUNNING  # a long job of a live worker
    assert status[of_dead] == status[of_unknown] == TaskResultStatus.READY
    assert status[just_taken] == TaskResultStatus.RUNNING  # its worker may not have beaten yet
    assert set(WorkerBeat.objects.values_list("worker_id", flat=True)) == {"alive", "dead"}
    assert requeue_lost(now) == 0


@pytest.fixture
def shared_database(request, tmp_path):
    if connection.vendor == "postgresql":
        request.getfixturevalue("transactional_db")
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        host = db["HOST"] or "127.0.0.1"
        return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'worker.sqlite3'}"


def wait_until(condition, what, log):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {DEADLINE} s\n{log.read_text()[-3000:]}")


@pytest.mark.serial
def test_a_job_of_a_sigkilled_worker_is_run_by_the_next_one(shared_database, tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": shared_database,
        "CACHE_DIR": str(tmp_path / "cache"),
        "JOBS_SCHEDULER_SECONDS": "0.2",
        "JOBS_WORKER_LOST_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            text=True,
            capture_output=True,
        ).stdout

    if connection.vendor != "postgresql":
        manage("migrate", "--no-input", "--verbosity", "0")
    starts, log = tmp_path / "starts", tmp_path / "worker.log"
    code = f"from tests.jobs.tasks import held_once; print(held_once.enqueue({str(starts)!r}).id)"
    job_id = manage("shell", "-c", code).strip().splitlines()[-1]

    def worker():
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def status():
        code = (
            "from django_tasks_db.models import DBTaskResult; "
            f"print(DBTaskResult.objects.get(pk={job_id!r}).status)"
        )
        return manage("shell", "-c", code).strip().splitlines()[-1]

    first = worker()
    try:
        wait_until(lambda: starts.exists(), "the first worker took the job", log)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert status() == TaskResultStatus.RUNNING  # what the dead worker left

        second = worker()
        try:
            wait_until(lambda: status() == TaskResultStatus.SUCCESSFUL, "run again", log)
        finally:
            second.terminate()
            second.wait(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()

    assert starts.read_text().count("start") == 2
    assert "put back in the queue" in log.read_text()
