from django.db import models


class PeriodicJob(models.Model):
    """When a periodic job (settings.PERIODIC_JOBS) is next due.

    A row, not a timer in a process: a restarted worker picks up where the last one was, and
    of several workers only the one whose conditional update moves `next_run_at` enqueues it.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkerBeat(models.Model):
    """When a worker (`manage.py run_worker`) was last seen alive: its scheduler thread
    renews this every round, so the jobs of a worker that stopped beating can be put back in
    the queue (jobs.recovery)."""

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.worker_id
