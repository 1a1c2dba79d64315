from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background-job set-up that is about no app in particular: the periodic-job scheduler
    and the worker command. It imports no app of ours; jobs are named by dotted path."""

    name = "jobs"
    verbose_name = "Background jobs"
