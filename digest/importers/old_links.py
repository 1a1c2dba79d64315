"""Links to the old site inside imported HTML, pointed at this site's addresses.

A link is the old site's when its host is one of settings.LEGACY_DOMAINS, with or without
"www.", over http, https or scheme-relative. Its pages become this site's paths:

    /blog/<y>/<m>/<d>/<slug>(.html)   the post's address (the legacy shape, with .html)
    /blog/category/<name>             /tags/<slug>/
    /blog/ (?currentPage=N)           / (?page=N)
    /rss.xml, /blog/rss.xml           /feed/
    any other page                    the same path, relative; /blog/author/<name>,
                                      /blog/recommend/<id> and /all-time-favorites/ are
                                      redirected by this site when they are followed

The old site's files (under /storage/, /s/, /static/ or /wp-content/, or a name with an
extension other than .html) keep their old address: this site does not serve them, and an
importer that brings attachments finds them by that address. Tracking parameters (utm_*) are
dropped; a page's own parameters and a fragment are kept.
"""

import re
from html import escape, unescape
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify

from ..models import SLUG_LENGTH
from .base import LEGACY_LINK_RE

# nh3 writes every attribute in double quotes with ">" escaped, so an <a> tag ends at the
# first ">" and its href value at the next quote.
_HREF_RE = re.compile(r'(<a(?:\s[^>]*?)?\shref=")([^"]*)(")', re.IGNORECASE)
_CATEGORY_RE = re.compile(r"^/blog/category/(?P<name>[^/]+)/?$")
_FEED_PATHS = {"/rss.xml", "/blog/rss.xml"}
_FILE_FOLDERS = ("/storage/", "/s/", "/static/", "/wp-content/")
_PAGE_EXTENSIONS = {".html", ".htm"}
# A file name's extension: a short run of letters and digits after the last dot of the path.
_EXTENSION_RE = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def rewrite_old_links(markup):
    """`markup` (sanitised HTML) with each <a href> to the old site pointed at this site."""
    if not markup:
        return markup
    lowered = markup.lower()
    if not any(domain in lowered for domain in _domains()):
        return markup
    return _HREF_RE.sub(_rewrite_match, markup)


def _rewrite_match(match):
    new = new_address(unescape(match[2]))
    if new is None:
        return match[0]
    return match[1] + escape(new) + match[3]


def new_address(url):
    """This site's address for `url` when it is a page of the old site, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "http://[not-an-ipv6" and the like: not a link this can place
        return None
    if parts.scheme.lower() not in ("http", "https", "") or not parts.netloc:
        return None
    host = (parts.hostname or "").removeprefix("www.")
    if host not in _domains():
        return None
    path = parts.path or "/"
    query = [p for p in parts.query.split("&") if p and not p.lower().startswith("utm_")]
    page = _known_page(path, query)
    if page is None and _is_file(path):
        return None
    new_path, query = page or (path, query)
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return new_path + (f"?{'&'.join(query)}" if query else "") + fragment


def _domains():
    return {domain.lower().removeprefix("www.") for domain in settings.LEGACY_DOMAINS}


def _is_file(path):
    extension = _EXTENSION_RE.search(path)
    return path.startswith(_FILE_FOLDERS) or (
        extension is not None and extension[0].lower() not in _PAGE_EXTENSIONS
    )


def _known_page(path, query):
    """(path, query parameters) on this site of a page the old site had at `path`, or None.
    Pages that read no parameters lose them: they would only keep a page out of the cache."""
    if post := LEGACY_LINK_RE.fullmatch(path):
        slug = slugify(unquote(post["slug"]))[:SLUG_LENGTH].strip("-")
        day = {"year": int(post["y"]), "month": int(post["m"]), "day": int(post["d"])}
        return _reverse("digest:post-detail", path, **day, slug=slug), []
    if category := _CATEGORY_RE.fullmatch(path):
        slug = slugify(unquote(category["name"]))
        return _reverse("digest:tag-detail", path, slug=slug), []
    if path in ("/blog", "/blog/"):
        pages = [p.split("=", 1)[1] for p in query if p.startswith("currentPage=")]
        page = [f"page={pages[0]}"] if pages and pages[0].isdigit() else []
        return reverse("digest:post-index"), page
    if path in _FEED_PATHS:
        return reverse("digest:feed-rss"), []
    return None


def _reverse(name, path, **kwargs):
    """The address `name` gives, or the old path as it is when this site has no such one."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return path
