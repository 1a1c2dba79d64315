"""Aggregates shown around the posts (sidebar, archive), cached per content version."""

from django.db.models import Count
from django.db.models.functions import ExtractYear, TruncMonth
from taggit.models import Tag

from caching.content import cached

from .models import Post, Quote


def tag_counts(limit=None):
    """Tags of published posts with how many posts carry each, most used first."""

    def build():
        tags = (
            Tag.objects.filter(
                taggit_taggeditem_items__content_type__app_label="digest",
                taggit_taggeditem_items__content_type__model="post",
                taggit_taggeditem_items__object_id__in=Post.objects.published().values("pk"),
            )
            .annotate(num_posts=Count("taggit_taggeditem_items"))
            .order_by("-num_posts", "name")
            .values("name", "slug", "num_posts")
        )
        return list(tags[:limit] if limit else tags)

    return cached(f"tag-counts:{limit}", build)


def year_counts():
    """[{'year': 2016, 'count': 52}, …], newest year first."""

    def build():
        return list(
            Post.objects.published()
            .annotate(year=ExtractYear("publish_at"))
            .values("year")
            .annotate(count=Count("pk"))
            .order_by("-year")
        )

    return cached("year-counts", build)


def month_counts(year=None):
    """[{'month': date(2016, 2, 1), 'count': 9}, …], newest first, optionally for one year."""

    def build():
        posts = Post.objects.published()
        if year is not None:
            posts = posts.in_period(year)
        return [
            {"month": row["month"].date(), "count": row["count"]}
            for row in posts.annotate(month=TruncMonth("publish_at"))
            .values("month")
            .annotate(count=Count("pk"))
            .order_by("-month")
        ]

    return cached(f"month-counts:{year}", build)


def count_of(name, queryset):
    """`queryset.count()`, remembered until content changes, so deep pages don't rescan."""
    return cached(f"count:{name}", queryset.count)


def tag_post_ids(tag):
    """Ids of the published posts carrying `tag`, newest first, remembered until content
    changes. A tag's posts are ordered by a join of two tables that no index serves, so an
    OFFSET deep into a big tag read and sorted all of it; a page is a slice of this instead,
    the middle as cheap as the first, and the tag's feed takes the first twenty."""

    def build():
        return list(Post.objects.published().tagged(tag).values_list("pk", flat=True))

    return cached(f"tag-post-ids:{tag.pk}", build)


def posts_with_quotes(limit):
    """Ids of the `limit` newest published posts that have quotes, newest first."""

    def build():
        having = Post.objects.published().filter(pk__in=Quote.objects.values("post_id"))
        return list(having.values_list("pk", flat=True)[:limit])

    return cached(f"posts-with-quotes:{limit}", build)
