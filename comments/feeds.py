"""Comments feeds (RSS 2.0 and Atom): the newest visible comments of the site, and of one
post. Each depends on its narrow version (caching.versions), read before its comments, so the
page cache keeps it until a comment there changes. No feed names an e-mail address."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from caching import versions
from digest.models import Post

from .models import Comment, cache_names

FEED_LENGTH = 30


class CommentsFeed(Feed):
    """The newest comments of the whole site."""

    description = "The newest comments."

    def title(self, obj=None):
        return f"Comments on {settings.SITE_NAME}"

    def link(self, obj=None):
        return reverse("digest:post-index")

    def comments(self, obj):
        versions.depend("comments:all")
        return Comment.objects.visible()

    def items(self, obj=None):
        return self.comments(obj).select_related("post").order_by("-created", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.name} on {item.post.title}"

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        return item.name

    def item_pubdate(self, item):
        return item.created


class AtomCommentsFeed(CommentsFeed):
    feed_type = Atom1Feed
    subtitle = CommentsFeed.description


class PostCommentsFeed(CommentsFeed):
    """The newest comments of one post."""

    def get_object(self, request, post_id):
        return get_object_or_404(Post.objects.published(), pk=post_id)

    def title(self, obj=None):
        return f"Comments on “{obj.title}”"

    def link(self, obj=None):
        return obj.get_absolute_url()

    def comments(self, obj):
        versions.depend(cache_names(obj.pk)[0])
        return Comment.objects.visible().filter(post=obj)
