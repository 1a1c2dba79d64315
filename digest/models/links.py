"""Addresses and tag links for pages that list many posts, made cheaply."""

from functools import lru_cache
from typing import NamedTuple

from django.urls import get_script_prefix, reverse


class TagLink(NamedTuple):
    name: str
    slug: str

    @property
    def url(self):
        return tag_url(self.slug)


# An address depends only on its parts (and the prefix the site is served under), and
# reversing one for every link of every entry was a tenth of an index page's time.
@lru_cache(maxsize=65536)
def _reverse(prefix, name, *args):
    return reverse(name, args=args)


def post_url(year, month, day, slug):
    return _reverse(get_script_prefix(), "digest:post-detail", year, month, day, slug)


def tag_url(slug):
    return _reverse(get_script_prefix(), "digest:tag-detail", slug)


def speaker_url(key):
    return _reverse(get_script_prefix(), "digest:quote-speaker", key)


def attach_tags(posts):
    """Give each post `tag_list`, its tags in the order they were added, in one query.

    taggit's prefetch builds a queryset per post; a list page needs names and slugs only.
    """
    from taggit.models import TaggedItem

    by_post = {post.pk: post for post in posts}
    for post in posts:
        post.tag_list = []
    if not by_post:
        return posts
    rows = (
        TaggedItem.objects.filter(
            content_type__app_label="digest",
            content_type__model="post",
            object_id__in=by_post,
        )
        .order_by("pk")
        .values_list("object_id", "tag__name", "tag__slug")
    )
    for post_id, name, slug in rows:
        by_post[post_id].tag_list.append(TagLink(name, slug))
    return posts
