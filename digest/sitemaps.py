"""The sitemap: the front page and archive, every published post, every tag with a published
post, and every year of the archive (search engines find the lists readers use too)."""

from django.contrib.sitemaps import Sitemap
from django.db.models.functions import ExtractYear
from django.urls import reverse
from taggit.models import Tag

from .models import Post, tag_url


class PostSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Post.objects.published().only("slug", "publish_at", "updated").order_by("-pk")

    def lastmod(self, post):
        return post.updated


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["digest:post-index", "digest:archive"]

    def location(self, name):
        return reverse(name)


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    limit = 5000

    def items(self):
        return (
            Tag.objects.filter(
                taggit_taggeditem_items__content_type__app_label="digest",
                taggit_taggeditem_items__content_type__model="post",
                taggit_taggeditem_items__object_id__in=Post.objects.published().values("pk"),
            )
            .distinct()
            .only("slug")
            .order_by("slug")
        )

    def location(self, tag):
        return tag_url(tag.slug)


class YearSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        years = Post.objects.published().annotate(year=ExtractYear("publish_at"))
        return sorted(set(years.values_list("year", flat=True)), reverse=True)

    def location(self, year):
        return reverse("digest:archive-year", args=[year])


SITEMAPS = {"pages": PageSitemap, "posts": PostSitemap, "tags": TagSitemap, "years": YearSitemap}
