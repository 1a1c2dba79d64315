from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import converters, feeds, views  # noqa: F401 -- converters registers year/md/username
from .sitemaps import SITEMAPS

app_name = "digest"

urlpatterns = [
    path("", views.PostIndexView.as_view(), name="post-index"),
    path(
        "blog/<year:year>/<md:month>/<md:day>/<slug:slug>.html",
        views.PostDetailView.as_view(),
        name="post-detail",
    ),
    path("blog/", views.legacy_blog_index, name="legacy-index"),
    path("blog/category/<str:name>", views.legacy_category, name="legacy-category"),
    path("blog/category/<str:name>/", views.legacy_category),
    path("tags/<tagslug:slug>/", views.TagView.as_view(), name="tag-detail"),
    path("tags/<tagslug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("archive/<year:year>/", views.YearArchiveView.as_view(), name="archive-year"),
    path(
        "archive/<year:year>/<md:month>/",
        views.MonthArchiveView.as_view(),
        name="archive-month",
    ),
    path("authors/<username:username>/", views.AuthorView.as_view(), name="author-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("quotes/", views.QuoteListView.as_view(), name="quote-list"),
    path("quotes/<slug:key>/", views.SpeakerView.as_view(), name="quote-speaker"),
    path("preview/<slug:token>/", views.secret_preview, name="secret-preview"),
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
