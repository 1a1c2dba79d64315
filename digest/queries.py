"""Aggregates shown around the posts (sidebar, archive), cached per content version."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, Max, Min, Value
from django.db.models.functions import TruncMonth
from taggit.models import Tag

from caching.content import cached

from .models import Post, Quote


def tag_counts(limit=None):
    """Tags of published posts with how many posts carry each, most used first.

    Counted on the tagged items alone, grouped by tag id, every post's and apart those of the
    posts readers cannot see (drafts and scheduled posts, a few), in one statement so that
    both counts see the same commits; then the names of the tags left. On 100,000 posts this
    takes 40-65 ms where joining every item with its tag or with the published posts took
    120-250: it is built by the writer of every change (digest.apps), on a publish's path.
    """

    def build():
        items = Post.tags.through.objects.filter(
            content_type=ContentType.objects.get_for_model(Post)
        )
        every = items.values("tag_id").annotate(seen=Value(True), n=Count("pk")).order_by()
        hidden = (
            items.filter(object_id__in=Post.objects.unseen().values("pk"))
            .values("tag_id")
            .annotate(seen=Value(False), n=Count("pk"))
            .order_by()
        )
        counts = {}
        for row in every.union(hidden, all=True):
            counts[row["tag_id"]] = counts.get(row["tag_id"], 0) + row["n"] * (
                1 if row["seen"] else -1
            )
        tags = Tag.objects.filter(pk__in=[pk for pk, n in counts.items() if n > 0])
        rows = [
            {"name": name, "slug": slug, "num_posts": counts[pk]}
            for pk, name, slug in tags.order_by("name").values_list("pk", "name", "slug")
        ]
        rows.sort(key=lambda row: -row["num_posts"])  # stable: names stay in the database's order
        return rows[:limit] if limit else rows

    return cached(f"tag-counts:{limit}", build)


def year_counts():
    """[{'year': 2016, 'count': 52}, …], newest year first.

    A count of each year's range of the publish-time index, all in one statement: grouping
    100,000 posts by an extracted year made PostgreSQL sort them all (it cannot estimate how
    many years there are), twice as slow."""

    def build():
        posts = Post.objects.published()
        bounds = posts.aggregate(first=Min("publish_at"), last=Max("publish_at"))
        if bounds["first"] is None:
            return []
        years = range(bounds["last"].year, bounds["first"].year - 1, -1)
        each = [
            posts.filter(publish_at__year=year)
            .annotate(year=Value(year, output_field=IntegerField()))
            .values("year")
            .annotate(count=Count("pk"))
            .order_by()
            for year in years
        ]
        rows = each[0].union(*each[1:], all=True)
        return sorted((row for row in rows if row["count"]), key=lambda row: -row["year"])

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
