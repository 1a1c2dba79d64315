from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Post


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


SITEMAPS = {"pages": PageSitemap, "posts": PostSitemap}
