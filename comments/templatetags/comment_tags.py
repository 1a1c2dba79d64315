"""What digest pages show of comments, supplied by this app (digest never imports it).

Each tag states which narrow version its output depends on (caching.versions.depend) before
it reads a comment, so the page cache rebuilds a page when, and only when, a comment it shows
or counts changes.
"""

import hashlib

from django import template
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from caching import versions
from caching.content import cached
from digest.models import Post

from ..models import Comment, CommentSettings, Thread, cache_names

register = template.Library()


@register.inclusion_tag("comments/_section.html")
def comments_section(post):
    """The post's visible comments (replies under theirs), their count and, when comments
    are open, the form (with no per-reader token: see comments.views)."""
    name = cache_names(post.pk)[0]
    found = versions.depend(name)
    comments = list(Comment.objects.visible().filter(post=post))
    replies = {}
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
    threads = [(c, replies.get(c.pk, [])) for c in comments if not c.parent_id]
    is_open = (
        post.is_published
        and CommentSettings.load().is_open_for(post)
        and thread_is_open(post, found and found[name])
    )
    return {"post": post, "threads": threads, "count": len(comments), "is_open": is_open}


def thread_is_open(post, version):
    """Whether the post's own setting leaves its comments open; kept per the post's comment
    version (closing a thread renews it), so a cached answer is never out of date."""

    def build():
        return not Thread.objects.filter(post=post, is_open=False).exists()

    if version is None:
        return build()
    return cached(f"comment-thread-open:{post.pk}:{version.value}", build)


@register.simple_tag
def comment_counts(entries):
    """{post id: (count, post URL)} for the entries of a list page, in one query (kept per
    content token and the posts' comment versions)."""
    ids = [entry.pk for entry in entries]
    if not ids:
        return {}
    names = {pk: cache_names(pk)[0] for pk in ids}
    found = versions.depend(*names.values())

    def build():
        visible = (
            Comment.objects.visible()
            .filter(post=OuterRef("pk"))
            .order_by()
            .values("post")
            .annotate(n=Count("pk"))
            .values("n")
        )
        posts = Post.objects.filter(pk__in=ids).annotate(
            comment_count=Coalesce(Subquery(visible), 0)
        )
        return {
            post.pk: (post.comment_count, post.get_absolute_url())
            for post in posts.only("pk", "slug", "publish_at")
        }

    if found is None:
        return build()
    shown = ",".join(f"{pk}.{found[names[pk]].value}" for pk in ids)
    return cached("comment-counts:" + hashlib.sha256(shown.encode()).hexdigest(), build)


@register.inclusion_tag("comments/_count.html")
def comment_count(counts, post_id):
    count, url = counts.get(post_id, (None, ""))
    return {"count": count, "url": url}
