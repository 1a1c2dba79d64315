"""The comments' background jobs (django-tasks, run by `manage.py run_worker`).

Models are looked up through the app registry here: comments.models enqueues these jobs,
so this module cannot import it back.
"""

from django.apps import apps
from django.utils import timezone
from django_tasks import task

from . import notifications


@task()
def notify_approved(comment_id):
    """E-mail the post's author and the thread's confirmed subscribers about a comment that
    became visible, once: the claim on `notified_at` is a conditional UPDATE, so a job run
    twice (a worker restarted mid-job) sends nothing the second time."""
    Comment = apps.get_model("comments", "Comment")
    claimed = Comment.objects.filter(
        pk=comment_id, status=Comment.Status.APPROVED, notified_at=None
    ).update(notified_at=timezone.now())
    if claimed:
        comment = Comment.objects.select_related("post__author", "parent").get(pk=comment_id)
        notifications.send_for(comment)


@task()
def send_thread_confirmation(subscription_id):
    """The double opt-in e-mail for following a thread."""
    ThreadSubscription = apps.get_model("comments", "ThreadSubscription")
    subscription = ThreadSubscription.objects.select_related("post").filter(pk=subscription_id)
    subscription = subscription.first()
    if subscription is not None:
        notifications.send_confirmation(subscription)


@task()
def purge_spam():
    """Periodic (settings.PERIODIC_JOBS): spam is kept 30 days for review, then removed."""
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.spam_to_purge().purge()
