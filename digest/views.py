"""Reader-facing pages. Every list starts from Post.objects.published(); none filters status."""

import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from . import queries
from .entries import render_entries
from .http import NotFound
from .models import Post, Quote, period_bounds
from .pagination import SitePaginator, requested_page
from .prepared import PreparedPage
from .search import RANKED, clean_query, newest_quotes, search_posts

# What a list page reads of its posts: their entries are kept under these (digest.entries).
ENTRY_KEY = ("pk", "version")


class SiteListView(ListView):
    """A list page paged by SitePaginator: strict page numbers (a helpful 404, never a
    clamp), a count the view may know without counting (`known_count`), and a 404 with
    `empty_reason` when a named subject (tag, author, month) has nothing to list.
    `shown(rows)` turns a page's rows into what its template lists."""

    paginator_class = SitePaginator
    page_fields = None
    empty_reason = None
    # A digest.prepared.PreparedPage of the same list as get_queryset(), when it has one.
    prepared_page = None

    def known_count(self, queryset):
        return None

    def shown(self, rows):
        return rows

    def get_paginator(self, queryset, per_page, **kwargs):
        return self.paginator_class(
            queryset,
            per_page,
            count=self.known_count(queryset),
            fields=self.page_fields,
            prepared=self.prepared_page,
            **kwargs,
        )

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.page(requested_page(self.request))
        if self.empty_reason and not paginator.count:
            raise NotFound(self.empty_reason)
        page.object_list = self.shown(page.object_list)
        return paginator, page, page.object_list, page.has_other_pages()


class EntryListView(SiteListView):
    """Published entries, newest first, ten a page, with the entry count cached per content
    version when the view names it (`count_name`).

    Subclasses say which posts (`posts()`). The page's `object_list` holds each post's entry
    (digest.entries.Entry): its HTML is kept per content version, so a page reads no more
    than the ids and versions of its posts.
    """

    template_name = "digest/post_list.html"
    paginate_by = settings.POSTS_PER_PAGE
    page_fields = ENTRY_KEY
    count_name = None

    def posts(self):
        return Post.objects.published()

    def get_queryset(self):
        return self.posts()

    def known_count(self, queryset):
        return queries.count_of(self.count_name, queryset) if self.count_name else None

    def shown(self, keys):
        return render_entries(keys)


class PostIndexView(EntryListView):
    count_name = "index"
    # The most read list: its pages' SQL is compiled once per process.
    prepared_page = PreparedPage(lambda now: Post.objects.published(now))


class TagView(EntryListView):
    empty_reason = "No published post has this tag."
    # A page is a slice of the tag's ids, kept in order: the middle of a big tag costs what
    # its first page does.
    page_fields = None

    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Tag, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return queries.tag_post_ids(self.tag)

    def shown(self, ids):
        keys = Post.objects.published().filter(pk__in=ids).values_list(*ENTRY_KEY)
        return render_entries(list(keys))

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(EntryListView):
    template_name = "digest/author_detail.html"
    # Accounts without published posts (sponsors, authors of drafts) have no public page.
    empty_reason = "There is no author page at this address."

    def get(self, request, *args, **kwargs):
        self.author = get_user_model().objects.filter(username=kwargs["username"]).first()
        if self.author is None:
            raise NotFound(self.empty_reason)
        self.count_name = f"author:{self.author.pk}"
        return super().get(request, *args, **kwargs)

    def posts(self):
        return Post.objects.published().filter(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class PostDetailView(DetailView):
    """A post at its permalink; staff who may edit it also see it before it is published."""

    context_object_name = "post"

    def get_object(self, queryset=None):
        kwargs = self.kwargs
        posts = (
            Post.objects.previewable_by(self.request.user)
            .select_related("author")
            .prefetch_related("tags")
        )
        post = (
            posts.in_period(kwargs["year"], kwargs["month"], kwargs["day"])
            .filter(slug=kwargs["slug"])
            .first()
        )
        if post is None:
            # A link with the right slug but another day (time zones, an edited date):
            # send the reader to the post if exactly one visible post has that slug.
            candidates = list(posts.filter(slug=kwargs["slug"])[:2])
            if len(candidates) == 1:
                return candidates[0]
            raise NotFound("There is no published post at this address.")
        return post

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if request.path != self.object.get_absolute_url():
            return HttpResponsePermanentRedirect(self.object.get_absolute_url())
        return render_post(request, self.object)


def render_post(request, post):
    """The post page; a post readers can't see yet is a preview: marked, never cached."""
    is_preview = not post.is_published
    response = render(
        request,
        "digest/post_detail.html",
        {
            "post": post,
            "is_preview": is_preview,
            "previous_post": None if is_preview else post.adjacent(-1),
            "next_post": None if is_preview else post.adjacent(+1),
        },
    )
    if is_preview:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"  # a secret preview URL never leaves
    return response


@require_safe
def secret_preview(request, token):
    """A post through its secret preview link, for a guest author without an account."""
    post = (
        Post.objects.filter(preview_token=token)
        .select_related("author")
        .prefetch_related("tags")
        .first()
    )
    if post is None:
        raise NotFound(
            "This preview link has expired or was revoked. Ask the editor for a new one."
        )
    if post.is_published:
        return redirect(post.get_absolute_url())
    return render_post(request, post)


class QuoteListView(SiteListView):
    """Every published quote, newest issue first, searchable by speaker or words."""

    template_name = "digest/quote_list.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        self.query = clean_query(request.GET.get("q", ""))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Quote.objects.published().matching(self.query).for_listing()

    def known_count(self, queryset):
        return None if self.query else queries.count_of("quotes", Quote.objects.published())

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


class SpeakerView(QuoteListView):
    """All published quotes of one speaker across every issue."""

    template_name = "digest/quote_speaker.html"
    empty_reason = "No published quote is by this speaker."

    def get_queryset(self):
        return super().get_queryset().filter(speaker_key=self.kwargs["key"])

    def known_count(self, queryset):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["speaker"] = context["object_list"][0].speaker if context["object_list"] else ""
        return context


class ArchiveView(TemplateView):
    template_name = "digest/archive.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(years=queries.year_counts(), months=queries.month_counts())


class YearArchiveView(SiteListView):
    """Every title of a year, grouped by month, a hundred to a page."""

    template_name = "digest/post_archive_year.html"
    context_object_name = "posts"
    paginate_by = settings.ARCHIVE_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.months = queries.month_counts(kwargs["year"])
        self.empty_reason = f"Nothing was published in {kwargs['year']}."
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Post.objects.published()
            .in_period(self.kwargs["year"])
            .only("title", "slug", "publish_at", "kind")
        )

    def known_count(self, queryset):
        return sum(row["count"] for row in self.months)

    def get_context_data(self, **kwargs):
        year = self.kwargs["year"]
        context = super().get_context_data(year=year, **kwargs)
        context["months"] = self.months
        years = [row["year"] for row in queries.year_counts()]
        context["previous_year"] = max((y for y in years if y < year), default=None)
        context["next_year"] = min((y for y in years if y > year), default=None)
        return context


class MonthArchiveView(EntryListView):
    template_name = "digest/post_archive_month.html"

    def get(self, request, *args, **kwargs):
        bounds = period_bounds(kwargs["year"], kwargs["month"])
        if bounds is None:
            raise NotFound("There is no such month.")
        self.month_start = bounds[0]
        self.empty_reason = f"Nothing was published in {self.month_start:%B %Y}."
        return super().get(request, *args, **kwargs)

    def posts(self):
        return Post.objects.published().in_period(self.kwargs["year"], self.kwargs["month"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(month=self.month_start, **kwargs)


class SearchView(SiteListView):
    """Posts matching the query, best first, each with a highlighted snippet; on the first
    page also the newest quotes that match."""

    template_name = "digest/search.html"
    paginate_by = settings.POSTS_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.query = clean_query(request.GET.get("q", ""))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return search_posts(self.query) if self.query else []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(query=self.query, **kwargs)
        context["more_results"] = bool(self.query) and self.object_list.is_more
        if self.query and context["page_obj"].number == 1:
            is_common = self.object_list.count >= RANKED
            context["quotes"] = newest_quotes(self.query, is_common=is_common)
        return context


@require_safe
def legacy_blog_index(request):
    """/blog/ and /blog/?currentPage=N of the original site, moved for good to /?page=N."""
    target = reverse("digest:post-index")
    if "currentPage" in request.GET:
        target += "?" + urlencode({"page": requested_page(request, "currentPage")})
    return HttpResponsePermanentRedirect(target)


@require_safe
def legacy_category(request, name):
    """/blog/category/<name> of the original site, moved for good to its tag page."""
    slug = slugify(name)
    if not slug:
        raise NotFound("There is no category at this address.")
    return redirect("digest:tag-detail", slug=slug, permanent=True)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        "Disallow: /sponsors/dashboard/",
        "Disallow: /go/",
        "Disallow: /preview/",
        f"Sitemap: {settings.SITE_URL}{reverse('digest:sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 when this process can reach its database, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 -- any database failure means "not healthy"
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def page_not_found(request, exception):
    """The 404 page; it gives the reason only when our own code wrote it for readers."""
    reason = str(exception) if isinstance(exception, NotFound) else ""
    return render(request, "404.html", {"reason": reason}, status=404)


def too_many_requests(request, exception):
    """django-ratelimit's refusal (RATELIMIT_VIEW): a 429 page, with nothing lost but time."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "3600"
    return response


def server_error(request):
    """The 500 page, or a 503 when the database is out of reach (its outage is not a bug of
    ours, and load balancers and crawlers should come back later). Neither page touches the
    database: no context processors run for them."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError):
        body = loader.render_to_string("503.html")
        return HttpResponse(body, status=503, headers={"Retry-After": "30"})
    return HttpResponseServerError(loader.render_to_string("500.html"))
