from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from caching.pages import public_page

# converters registers year, md, username and tagslug.
from . import converters, feeds, redirects, views  # noqa: F401
from .sitemaps import SITEMAPS

app_name = "digest"

# public_page: the same for every anonymous reader, so served from the page cache; with the
# query parameters each view reads (a page asked for with others is not stored).
PAGE = ("page",)
SEARCH = (("q", "page"), ("q",))
SITEMAP_PAGE = ("p",)

urlpatterns = [
    path("", public_page(views.PostIndexView.as_view(), PAGE), name="post-index"),
    path(
        "blog/<year:year>/<md:month>/<md:day>/<slug:slug>.html",
        public_page(views.PostDetailView.as_view()),
        name="post-detail",
    ),
    path("blog/", views.legacy_blog_index, name="legacy-index"),
    path("blog/category/<str:name>", views.legacy_category, name="legacy-category"),
    path("blog/category/<str:name>/", views.legacy_category),
    path("blog/author/<str:name>", redirects.legacy_author, name="legacy-author"),
    path("blog/author/<str:name>/", redirects.legacy_author),
    path("blog/recommend/<slug:item_id>", redirects.legacy_recommend, name="legacy-recommend"),
    path("blog/recommend/<slug:item_id>/", redirects.legacy_recommend),
    path("rss.xml", redirects.legacy_feed, name="legacy-feed"),
    path("blog/rss.xml", redirects.legacy_feed),
    path("all-time-favorites/", redirects.legacy_favourites, name="legacy-favourites"),
    path("all-time-favorites", redirects.legacy_favourites),
    path("tags/<tagslug:slug>/", public_page(views.TagView.as_view(), PAGE), name="tag-detail"),
    path("tags/<tagslug:slug>/feed/", public_page(feeds.TagFeed()), name="tag-feed"),
    path("archive/", public_page(views.ArchiveView.as_view()), name="archive"),
    path(
        "archive/<year:year>/",
        public_page(views.YearArchiveView.as_view(), PAGE),
        name="archive-year",
    ),
    path(
        "archive/<year:year>/<md:month>/",
        public_page(views.MonthArchiveView.as_view(), PAGE),
        name="archive-month",
    ),
    path(
        "authors/<username:username>/",
        public_page(views.AuthorView.as_view(), PAGE),
        name="author-detail",
    ),
    path("search/", public_page(views.SearchView.as_view(), *SEARCH), name="search"),
    path("quotes/", public_page(views.QuoteListView.as_view(), *SEARCH), name="quote-list"),
    path(
        "quotes/<slug:key>/",
        public_page(views.SpeakerView.as_view(), *SEARCH),
        name="quote-speaker",
    ),
    path("preview/<slug:token>/", views.secret_preview, name="secret-preview"),
    path("feed/", public_page(feeds.PostFeed()), name="feed-rss"),
    path("feed/atom/", public_page(feeds.AtomPostFeed()), name="feed-atom"),
    path(
        "sitemap.xml",
        public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "digest:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap, SITEMAP_PAGE),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", public_page(views.robots_txt), name="robots"),
    path("favicon.ico", public_page(redirects.favicon), name="favicon"),
    path("healthz", views.healthz, name="healthz"),
]
