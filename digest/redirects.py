"""Addresses of the old site that have no page of their own here, moved for good.

Each answers a permanent redirect to the page that took its place, an address made by
reverse() or get_absolute_url() (never taken from the request), or a 404 when there is none.
Each costs at most one query, or two for the favourites page on an empty cache.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from .http import NotFound
from .models import Post, SiteSettings

# Browsers keep a 301 for as long as they like unless told; the favourites page is the
# editor's choice and may change, so a browser asks again after a day.
FAVOURITES_MAX_AGE = 24 * 60 * 60


def author_named(name):
    """The author (with published posts) the old site's /blog/author/<name> meant, or None.

    The old addresses carried a username or a display name ("toddhoff", "todd-hoff",
    "Todd Hoff"); a username written alike wins over a display name, and among display
    names the oldest account.
    """
    if not name or len(name) > 150 or not name.isprintable():
        return None  # a NUL or a control character never reaches the database
    slug = slugify(name)
    spaced = " ".join(name.replace("-", " ").replace("_", " ").replace("+", " ").split())
    matches = (
        get_user_model()
        .objects.filter(
            Q(username__iexact=name)
            | Q(username=slug)
            | Q(display_name__iexact=name)
            | Q(display_name__iexact=spaced),
            pk__in=Post.objects.published().values("author"),
        )
        .order_by("pk")[:10]
    )

    def rank(user):
        return (user.username.lower() != name.lower(), user.username != slug, user.pk)

    return min(matches, key=rank, default=None)


@require_safe
def legacy_author(request, name):
    """/blog/author/<name> of the old site: the author's page."""
    author = author_named(name)
    if author is None:
        raise NotFound("There is no author page at this address.")
    return redirect("digest:author-detail", username=author.username, permanent=True)


@require_safe
def legacy_recommend(request, item_id):
    """/blog/recommend/<id> of the old site (its "recommend this post" link, by the old
    platform's own id of the post): the post."""
    post = Post.objects.published().filter(legacy_id=item_id).first()
    if post is None:
        raise NotFound("There is no published post at this address.")
    return HttpResponsePermanentRedirect(post.get_absolute_url())


@require_safe
def legacy_feed(request):
    """/rss.xml and /blog/rss.xml of the old site: the RSS feed."""
    return redirect("digest:feed-rss", permanent=True)


@require_safe
def legacy_favourites(request):
    """/all-time-favorites/ of the old site: the tag or page the editor chose in the site
    settings (SiteSettings.favourites_address says what happens when none is chosen)."""
    response = HttpResponsePermanentRedirect(SiteSettings.load().favourites_address())
    response["Cache-Control"] = f"max-age={FAVOURITES_MAX_AGE}"
    return response


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links to; the icon itself is a static
    file with a hashed, far-future name."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))
