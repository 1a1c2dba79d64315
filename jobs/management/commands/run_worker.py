from django.core.management import call_command
from django.core.management.base import BaseCommand

from jobs.scheduler import Scheduler


class Command(BaseCommand):
    help = (
        "Run background jobs (django-tasks-db's db_worker) with the periodic-job scheduler "
        "beside it, so nothing needs cron. Ctrl-C or SIGTERM finishes the running job first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, interval, verbosity, **options):
        Scheduler().start()
        # No autoreload: the reloader's parent process would start a second scheduler.
        call_command(
            "db_worker",
            interval=interval,
            reload=False,
            startup_delay=False,
            verbosity=verbosity,
        )
