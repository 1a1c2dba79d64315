"""Submit for review: an author's post waits for an editor, who is told by e-mail.

The e-mail goes from the job queue (django-tasks, `manage.py run_worker`), so the author's save
answers at once whatever the mail server does.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from .models import Post


@task()
def notify_editors(post_id, author_id):
    """E-mail every editor with an address that the post waits for their review."""
    post = Post.objects.filter(pk=post_id).select_related("author").first()
    if post is None:
        return 0
    User = get_user_model()
    author = User.objects.filter(pk=author_id).first()
    addresses = list(
        User.objects.editors()
        .filter(is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not addresses:
        return 0
    link = settings.SITE_URL + reverse("admin:digest_post_change", args=[post.pk])
    send_mail(
        f"For review: {post.title}",
        f"{author or 'An author'} submitted “{post.title}” for review.\n\n"
        f"Read it and publish it (or send it back) here:\n{link}\n",
        None,
        addresses,
    )
    return len(addresses)
