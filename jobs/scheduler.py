"""The periodic-job scheduler that runs inside the worker process (`manage.py run_worker`).

Every few seconds it enqueues each job of settings.PERIODIC_JOBS that is due. "Due" is a row
(jobs.PeriodicJob): moving its time forward and enqueueing happen in one transaction, under a
conditional update, so a job is enqueued once per period however many workers run, and a
restart neither skips nor repeats one. No cron. Each round also says the worker is alive and
puts back in the queue the jobs of workers that are not (jobs.recovery).
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicJob
from .recovery import beat, requeue_lost

logger = logging.getLogger(__name__)


def enqueue_due(now=None):
    """Enqueue every periodic job that is due; return their names."""
    now = now or timezone.now()
    enqueued = []
    for name, (path, every) in settings.PERIODIC_JOBS.items():
        job, _ = PeriodicJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
        with transaction.atomic():
            claimed = PeriodicJob.objects.filter(pk=job.pk, next_run_at__lte=now).update(
                next_run_at=now + timedelta(seconds=every), last_enqueued_at=now
            )
            if claimed:
                import_string(path).enqueue()
                enqueued.append(name)
    return enqueued


class Scheduler(threading.Thread):
    """A daemon thread: it dies with the worker process, whose jobs it only enqueues."""

    def __init__(self, worker_id, interval=None):
        super().__init__(name="periodic-jobs", daemon=True)
        self.worker_id = worker_id
        self.interval = settings.JOBS_SCHEDULER_SECONDS if interval is None else interval
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                close_old_connections()
                beat(self.worker_id)
                requeued = requeue_lost()
                if requeued:
                    logger.warning("%d job(s) of a lost worker put back in the queue", requeued)
                enqueue_due()
            except Exception:
                # A locked SQLite file or a database restart: try again next round.
                logger.exception("Periodic jobs could not be enqueued this round")
            self.stopped.wait(self.interval)
