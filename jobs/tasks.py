"""Periodic upkeep that belongs to no feature app (settings.PERIODIC_JOBS)."""

from django.core.management import call_command
from django_tasks import task


@task()
def sweep_media():
    """Delete uploads that no row names (what a killed web worker left behind)."""
    call_command("sweep_media", verbosity=0)


@task()
def prune_job_results():
    """Forget finished jobs after a week; the queue table would otherwise only grow."""
    call_command("prune_db_task_results", min_age_days=7, verbosity=0)
