from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import feeds, views
from .sitemaps import SITEMAPS

app_name = "digest"

urlpatterns = [
    path("", views.PostIndexView.as_view(), name="post-index"),
    path(
        "blog/<int:year>/<int:month>/<int:day>/<str:slug>.html",
        views.PostDetailView.as_view(),
        name="post-detail",
    ),
    path("blog/", views.legacy_blog_index, name="legacy-index"),
    path("blog/category/<str:slug>", views.legacy_category, name="legacy-category"),
    path("blog/category/<str:slug>/", views.legacy_category),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag-detail"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("archive/<int:year>/", views.YearArchiveView.as_view(), name="archive-year"),
    path(
        "archive/<int:year>/<int:month>/",
        views.MonthArchiveView.as_view(),
        name="archive-month",
    ),
    path("authors/<str:username>/", views.AuthorView.as_view(), name="author-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", feeds.PostFeed(), name="feed-rss"),
    path("feed/atom/", feeds.AtomPostFeed(), name="feed-atom"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "digest:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
]
