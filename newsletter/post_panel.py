"""The "Newsletter" panel on a post's admin page (registered into digest.admin_panels by
NewsletterConfig.ready; digest knows nothing of it): whether the post is sent, to how many,
a test to oneself, "Send now", and the sending's live figures.

Editors (newsletter.change_issue) see it and act; anyone else with newsletter.view_issue sees
it read-only; Authors have no newsletter permission and see nothing. The buttons post to
IssueAdmin's views, which check the permission again."""

from django.conf import settings
from django.template.loader import render_to_string

from digest.models import Post

from .models import Figures, Issue, Subscriber, posts_in_send_window


def newsletter_panel(request, post):
    if not request.user.has_perm("newsletter.view_issue"):
        return ""
    # Not created on a page view: until an editor chooses or the tick comes, a post's issue is
    # what Issue.for_post would make of it.
    issue = Issue.objects.filter(post=post).first()
    if issue is None:
        issue = Issue(post=post, send=post.kind == Post.Kind.DIGEST)
    waiting = issue.state == Issue.State.WAITING
    can_send = request.user.has_perm("newsletter.change_issue")
    context = {
        "post": post,
        "issue": issue,
        "waiting": waiting,
        "can_send": can_send,
        "can_send_now": can_send and waiting and post.is_published,
        "in_send_window": waiting and posts_in_send_window().filter(pk=post.pk).exists(),
        "audience": Subscriber.objects.receiving(post.kind).count() if waiting else None,
        "figures": Figures.of(issue)._asdict() if not waiting else None,
        "window_hours": int(settings.NEWSLETTER_SEND_WINDOW.total_seconds() // 3600),
    }
    return render_to_string("admin/newsletter/issue/_post_panel.html", context, request=request)
