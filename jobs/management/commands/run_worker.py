import signal

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from jobs.recovery import beat
from jobs.scheduler import Scheduler


class Command(BaseCommand):
    help = (
        "Run background jobs (django-tasks-db's worker) with the periodic-job scheduler beside "
        "it, so nothing needs cron. SIGTERM or Ctrl-C finishes the running job first; a second "
        "one stops it at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, interval, verbosity, **options):
        # Started in the background by a shell (`make run`), the worker finds Ctrl-C ignored:
        # the shell stops it with one SIGTERM instead, so a Ctrl-C is not counted twice (the
        # second signal would cut the running job short).
        interrupt_ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        DbWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(verbosity)
        worker_id = get_random_string(32)
        # Alive before the first job is taken (jobs.recovery); the scheduler beats after.
        beat(worker_id)
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        if interrupt_ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        Scheduler(worker_id).start()
        worker.run()
