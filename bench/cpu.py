"""CPU time per request: a figure that a busy machine bends far less than requests/s.

On a machine shared with other work, wrk's requests/s follows everyone else's load (the
minimal-WSGI ceiling moved between 600 and 3,800 requests/s within minutes here). The CPU
seconds that the app server's processes, the database's and the load generator spend during a
run, divided by the requests answered, hardly move with it; and cores × 1000 / (CPU ms per
request) is what this machine would answer with nothing else running.

Linux only (/proc). The database is the PostgreSQL server that Django's default connection
reaches (its postmaster and every backend); Redis is left out (one or two round trips per
request).
"""

import os
import resource
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    """(parent pid, CPU seconds) of a process, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def family(pid):
    """`pid` and its children, e.g. gunicorn's master and workers."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(entry.name)) and stat[0] == pid:
            children.append(int(entry.name))
    return [pid, *children]


def postgres_server():
    """The pid of the PostgreSQL server behind Django's default database, or None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    stat = _stat(backend)
    connection.close()
    return stat[0] if stat else None


class Meter:
    """CPU seconds spent, between entering and leaving, by the families of `roots` (read again
    at the end: a process born meanwhile counts whole) and by this process's finished
    children (wrk)."""

    def __init__(self, *roots):
        self.roots = [root for root in roots if root]
        self.seconds = 0.0

    def _now(self):
        return {pid: stat[1] for root in self.roots for pid in family(root) if (stat := _stat(pid))}

    def __enter__(self):
        self.start = self._now()
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return self

    def __exit__(self, *exc):
        end = self._now()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent = sum(seconds - self.start.get(pid, 0.0) for pid, seconds in end.items())
        spent += children.ru_utime - self.children.ru_utime
        spent += children.ru_stime - self.children.ru_stime
        self.seconds = spent
