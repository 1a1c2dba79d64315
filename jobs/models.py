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
