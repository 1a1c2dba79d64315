"""A job for tests/jobs: it holds its first run until the worker is killed, and finishes the
next one. Each start is a line in a file, so the test sees how often it ran."""

import time
from pathlib import Path

from django_tasks import task


@task()
def held_once(path):
    starts = Path(path)
    with starts.open("a") as file:
        file.write("start\n")
    if starts.read_text().count("start") == 1:
        time.sleep(600)  # until the test kills this worker
    return "done"
