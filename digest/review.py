"""Submit for review: an author's post waits for an editor, who is told by e-mail; an
editor who sends it back to draft tells its author, with a note.

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
        f"Read it and publish it (or send it back to draft with a note) here:\n{link}\n",
        None,
        addresses,
    )
    return len(addresses)


@task()
def notify_author(post_id, editor_id, note):
    """E-mail the post's author that an editor sent it back to draft, with the editor's note."""
    post = Post.objects.filter(pk=post_id).select_related("author").first()
    if post is None or not post.author.email or post.author_id == editor_id:
        return 0
    editor = get_user_model().objects.filter(pk=editor_id).first()
    link = settings.SITE_URL + reverse("admin:digest_post_change", args=[post.pk])
    said = f"\n\n“{note}”" if note else ""
    send_mail(
        f"Back to draft: {post.title}",
        f"{editor or 'An editor'} sent “{post.title}” back to draft.{said}\n\n"
        f"Change it and submit it for review again here:\n{link}\n",
        None,
        [post.author.email],
    )
    return 1
