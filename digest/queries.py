"""Aggregates shown around the posts (sidebar, archive), cached per content version."""

from django.db.models import Count
from django.db.models.functions import ExtractYear, TruncMonth
from taggit.models import Tag

from .cache import cached
from .models import Post


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
