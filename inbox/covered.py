""" "Already covered": has the site published this link, or was it kept before?

Published links are found in the stored HTML of published posts (a digest's parts, excerpt
and body), narrowed by a substring search on host and path, then confirmed by normalising
every link of the candidates: a different spelling of the same page matches, a longer path
that merely contains it does not. Run once when an entry is kept, never on a page view.
"""

import html
import re

from django.db.models import Q

from digest.models import Post

from .normalize import needle, normalize_url

HREF = re.compile(r'href="([^"]+)"')
HTML_FIELDS = ("parts_full_html", "excerpt_html", "body_html")
# Candidates read per check: a host-only address could match thousands of posts.
MAX_CANDIDATES = 50


def links_in(markup):
    return (html.unescape(href) for href in HREF.findall(markup or ""))


def covering_post(normal):
    """The newest published post that links to this normalised address, or None."""
    if not normal:
        return None
    text = needle(normal)
    matches = Q()
    for field in HTML_FIELDS:
        matches |= Q(**{f"{field}__icontains": text})
    candidates = (
        Post.objects.published()
        .filter(matches)
        .only("title", "slug", "publish_at", *HTML_FIELDS)
        .order_by("-publish_at", "-pk")[:MAX_CANDIDATES]
    )
    for post in candidates:
        for field in HTML_FIELDS:
            if any(normalize_url(link) == normal for link in links_in(getattr(post, field))):
                return post
    return None
