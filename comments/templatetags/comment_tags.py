"""What digest pages show of comments, supplied by this app (digest never imports it).

Each tag states which narrow version its output depends on (caching.versions.depend) before
it reads a comment, so the page cache rebuilds a page when, and only when, a comment it shows
or counts changes.
"""

import hashlib

from django import template
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

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
    return {
        "post": post,
        "threads": threads_of(comments),
        "count": len(comments),
        "is_open": is_open(post, found and found[name]),
    }


def threads_of(comments):
    """[(comment, its replies)] in order. The replies to a comment no longer shown (deleted,
    or marked spam after they were written) keep their place under a None, drawn as "removed":
    they are counted everywhere, so they must be shown too."""
    replies, threads = {}, []
    shown = {comment.pk for comment in comments if not comment.parent_id}
    for comment in comments:
        if not comment.parent_id:
            threads.append((comment, replies.setdefault(comment.pk, [])))
        else:
            if comment.parent_id not in shown and comment.parent_id not in replies:
                threads.append((None, replies.setdefault(comment.parent_id, [])))
            replies.setdefault(comment.parent_id, []).append(comment)
    return threads


def is_open(post, version):
    return (
        post.is_published
        and CommentSettings.load().is_open_for(post)
        and thread_is_open(post, version)
    )


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
    """{post id: its comment line} for the entries of a list page ("3 comments", a link to
    them), counted in one query and drawn once, kept per content token and the posts' comment
    versions: a page then prints its ten lines without rendering a template for each."""
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
            post.pk: render_to_string(
                "comments/_count.html",
                {"count": post.comment_count, "url": post.get_absolute_url()},
            )
            for post in posts.only("pk", "slug", "publish_at")
        }

    if found is None:
        return build()
    shown = ",".join(f"{pk}.{found[names[pk]].value}" for pk in ids)
    return cached("comment-lines:" + hashlib.sha256(shown.encode()).hexdigest(), build)


@register.simple_tag
def comment_count(counts, post_id):
    """The post's comment line from `comment_counts`; nothing for a post it did not count."""
    return mark_safe(counts.get(post_id, ""))  # noqa: S308 -- our own template's output
