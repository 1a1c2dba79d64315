""" "Already covered": has the site published this link before?

Published links are found in the stored HTML of published posts (a digest's parts, excerpt
and body), narrowed by a substring search on host and path, then confirmed by normalising
every link of the candidates: a different spelling of the same page matches, a longer path
that merely contains it does not. Run when an inbox entry is kept or an editor asks the
composer to check a digest's links, never on a page view.
"""

import html
import re

from django.db.models import Q

from .link_normal import needle, normalize_url
from .models import Post

HREF = re.compile(r'href="([^"]+)"')
HTML_FIELDS = ("parts_full_html", "excerpt_html", "body_html")
# Candidates read per check: a host-only address could match thousands of posts.
MAX_CANDIDATES = 50


def links_in(markup):
    return (html.unescape(href) for href in HREF.findall(markup or ""))


def covering_post(normal, exclude=None):
    """The newest published post that links to this normalised address, or None;
    `exclude`: a post not to count (the one being written)."""
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
        .exclude(pk=getattr(exclude, "pk", None))
        .order_by("-publish_at", "-pk")[:MAX_CANDIDATES]
    )
    for post in candidates:
        for field in HTML_FIELDS:
            if any(normalize_url(link) == normal for link in links_in(getattr(post, field))):
                return post
    return None


def digest_links(stats, quotes, items):
    """(where, address) of every link in a digest's parts, in order: "item 3", "quote 2"."""
    found = []
    for noun, parts in (("stat", stats), ("quote", quotes), ("item", items)):
        for place, part in enumerate(parts, 1):
            urls = [getattr(part, "figure_url", ""), getattr(part, "source_url", "")]
            for field in ("text_html", "label_html"):
                urls += list(links_in(getattr(part, field, "") or ""))
            found += [(f"{noun} {place}", url) for url in urls if url]
    return found


MAX_CHECKED_LINKS = 100


def check_digest_links(post):
    """Each link of the digest that was published before (where) or appears twice in it."""
    links = digest_links(list(post.stats.all()), list(post.quotes.all()), list(post.items.all()))
    report, first_seen = [], {}
    for where, url in links[:MAX_CHECKED_LINKS]:
        normal = normalize_url(url)
        if not normal:
            continue
        if normal in first_seen:
            if first_seen[normal] != where:
                report.append({"where": where, "url": url, "repeats": first_seen[normal]})
            continue
        first_seen[normal] = where
        earlier = covering_post(normal, exclude=post)
        if earlier is not None:
            report.append(
                {
                    "where": where,
                    "url": url,
                    "covered_by": earlier.title,
                    "covered_url": earlier.get_absolute_url(),
                    "covered_on": earlier.publish_at.date().isoformat(),
                }
            )
    return report, len(links) > MAX_CHECKED_LINKS
