"""Third-party apps under the names editors read in the admin's sections ("Tags", not
"TAGGIT"). Each is the library's own AppConfig with another verbose_name only."""

from axes.apps import AppConfig as AxesConfig
from django_tasks_db.apps import TasksAppConfig
from taggit.apps import TaggitAppConfig


class TagsConfig(TaggitAppConfig):
    verbose_name = "Tags"


class LoginAttemptsConfig(AxesConfig):
    verbose_name = "Login attempts"


class BackgroundJobsConfig(TasksAppConfig):
    verbose_name = "Background jobs (queue)"
