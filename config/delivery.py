"""Settings for what the site sends and does in the background: e-mail (SMTP or an e-mail
service), the job worker and its periodic jobs, the newsletter, and the link inbox's fetcher.
config/settings.py reads them all; every value comes from the environment."""

import os
from datetime import timedelta

import dj_email_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Scalepress <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_URL"):
    globals().update(dj_email_url.parse(os.environ["EMAIL_URL"]))
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# An e-mail service instead of SMTP (docs/newsletter.md): ESP=amazon_ses|postmark|mailgun|
# sendgrid|… selects django-anymail's backend; ANYMAIL_<NAME> variables carry its keys.
ESP = os.environ.get("ESP", "").strip().lower()
ESP_APPS = ["anymail"] if ESP else []
if ESP:
    EMAIL_BACKEND = f"anymail.backends.{ESP}.EmailBackend"
    ANYMAIL = {
        key.removeprefix("ANYMAIL_"): value
        for key, value in os.environ.items()
        if key.startswith("ANYMAIL_")
    }
    if not ANYMAIL.get("WEBHOOK_SECRET") and not env_bool("DEBUG"):
        # Unauthenticated webhooks would let anyone suppress any subscriber.
        raise ImproperlyConfigured("ESP is set: set ANYMAIL_WEBHOOK_SECRET=user:password too.")
# Sending never waits on a hung mail server for long; the job retries later instead.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))

# Background jobs (django-tasks with its database backend): a job is a row, so it survives a
# worker restart; `manage.py run_worker` runs them and the periodic jobs below, no cron.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# name: (task's dotted path, every N seconds). The scheduler (jobs.scheduler) enqueues each
# when due; the due time is a row too, so several workers never run one twice.
PERIODIC_JOBS = {
    "sweep-media": ("jobs.tasks.sweep_media", 3600),
    "prune-job-results": ("jobs.tasks.prune_job_results", 86400),
    "newsletter-tick": ("newsletter.tasks.tick", int(os.environ.get("NEWSLETTER_TICK", "30"))),
    "comments-purge-spam": ("comments.tasks.purge_spam", 86400),
}
JOBS_SCHEDULER_SECONDS = float(os.environ.get("JOBS_SCHEDULER_SECONDS", "5"))
# A worker not seen for this long is taken for dead and its running jobs are queued again
# (jobs.recovery): several scheduler rounds, so a busy database does not make one look dead.
JOBS_WORKER_LOST_SECONDS = float(os.environ.get("JOBS_WORKER_LOST_SECONDS", "60"))

# The newsletter (docs/newsletter.md).
NEWSLETTER_FROM_EMAIL = os.environ.get("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "50"))
# Messages handed over per second at most (0: as fast as the mail server takes them).
NEWSLETTER_RATE = float(os.environ.get("NEWSLETTER_RATE", "20"))
NEWSLETTER_MAX_ATTEMPTS = int(os.environ.get("NEWSLETTER_MAX_ATTEMPTS", "6"))
# A sending whose worker has not been heard of for this long is taken over by another.
NEWSLETTER_LEASE_SECONDS = int(os.environ.get("NEWSLETTER_LEASE_SECONDS", "300"))
# Only posts published this recently are sent: an imported archive is never mailed out.
NEWSLETTER_SEND_WINDOW = timedelta(hours=int(os.environ.get("NEWSLETTER_SEND_WINDOW_HOURS", "48")))
NEWSLETTER_CONFIRM_MAX_AGE = int(os.environ.get("NEWSLETTER_CONFIRM_MAX_AGE", 7 * 86400))
# Blocks added to every issue's e-mail: dotted paths of callables returning HTML (the
# sponsors app's block of this week's sponsors, looked up here so newsletter never imports it).
NEWSLETTER_BLOCKS = env_list(
    "NEWSLETTER_BLOCKS", "sponsors.templatetags.sponsor_tags.sponsors_sidebar"
)
# A temporary error is retried after this many seconds, doubling each time (up to six hours).
NEWSLETTER_RETRY_SECONDS = int(os.environ.get("NEWSLETTER_RETRY_SECONDS", "60"))

# The link inbox fetches pages editors keep (inbox.fetching): only public addresses. Tests add
# their loopback servers here; production leaves it empty.
INBOX_FETCH_ALLOWED_NETWORKS = []
