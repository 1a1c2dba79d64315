"""The jobs a killed worker was running go back to the queue.

django-tasks-db marks a job RUNNING when a worker takes it, and nothing looks at it again: a
worker killed outright (SIGKILL, the OOM killer, a machine lost) leaves it RUNNING forever,
and the job never runs. So every worker says it is alive (a WorkerBeat row its scheduler
thread renews each round, also while a long job runs), and every round any worker puts back
to READY the running jobs whose worker has not been seen for WORKER_LOST_SECONDS. A job may
thus run again after its worker died part-way: at least once, never zero times. Ours are
written to be repeated (the newsletter records each delivery under a unique constraint;
fetching a page's metadata again overwrites it; an e-mail to editors may come twice).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerBeat

# Beats of workers gone this long are forgotten (a restarted worker has a new id).
FORGOTTEN_AFTER = timedelta(days=1)


def beat(worker_id, now=None):
    """Record that the worker `worker_id` is alive."""
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": now or timezone.now()}
    )


def requeue_lost(now=None):
    """Put back in the queue every running job whose worker has stopped beating; return how
    many. A job taken less than WORKER_LOST_SECONDS ago is left alone, whatever its worker:
    a worker beats before it takes its first job, and this leaves room for that beat."""
    now = now or timezone.now()
    lost_before = now - timedelta(seconds=settings.JOBS_WORKER_LOST_SECONDS)
    alive = set(
        WorkerBeat.objects.filter(seen_at__gte=lost_before).values_list("worker_id", flat=True)
    )
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=lost_before
    ).values_list("pk", "worker_ids")
    lost = [pk for pk, worker_ids in running if not worker_ids or worker_ids[-1] not in alive]
    # Conditional on still running: a job that finished meanwhile keeps its result.
    requeued = DBTaskResult.objects.filter(pk__in=lost, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    WorkerBeat.objects.filter(seen_at__lt=now - FORGOTTEN_AFTER).delete()
    return requeued
