"""Whole public pages for anonymous readers, in two layers.

At the edge, nginx keeps each page to the end of the current second (EDGE_CACHE_SECONDS = 1,
see `mark_for_edge`) and answers everyone else from that copy
(deploy/nginx/scalepress.conf.template): this is what carries a front-page spike. It stores
only what this module marks with `X-Accel-Expires`.

At the origin, this middleware keeps the finished page in the shared cache under the content
token (caching.content) that was current *before* the page was built, and serves it only while
that token is still current. Any change readers could see, a scheduled post's time coming, or
a new week of sponsors makes a new token, so the origin is always exact and nothing is purged;
when nginx asks again a second later, the page is rebuilt only if something changed. A change
therefore reaches every reader through every app server within about a second. A page may
also depend on narrow versions (caching.versions: a post's comments, the comment counts): it
is stored with them and served only while they are unchanged too, so a change that renews one
of them rebuilds only the pages that show it.

A view opts in with `@public_page`. Nobody with a session, messages or CSRF cookie, or an
Authorization header, is served or shares a stored page (nginx bypasses its cache for them
too). Only a 200 to a plain GET is stored here, and only a 200 or 301 of a public view (a 404
too, should a public view return one rather than raise it) is marked for nginx; never a
response that sets a cookie, is private or no-cache, or answers a query parameter the view
does not read (see `public_page`); and at most FREE_TEXT_PAGES searches per token here.
"""

import hashlib
from functools import wraps
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from . import versions
from .content import content_state, lifetime, shared, state_scope

# Free-text pages (search results) kept under one content token, at most: anyone can ask
# for any number of different searches, and each must not take a place in the cache.
FREE_TEXT_PAGES = 1000
# Cookies whose holder may see a page made for them alone.
PERSONAL_COOKIES = ("messages", "csrftoken")
STORED = (HTTPStatus.OK,)
EDGE_STORED = (HTTPStatus.OK, HTTPStatus.MOVED_PERMANENTLY, HTTPStatus.NOT_FOUND)
HIT_HEADER = "X-Page-Cache"
# Browsers revalidate every time (a 304 costs a cache read); nginx keeps the page for
# EDGE_CACHE_SECONDS, which X-Accel-Expires tells it and no one else.
CACHE_CONTROL = "public, max-age=0, must-revalidate"


def public_page(view, query=(), free_text=()):
    """Mark a view's responses as the same for every anonymous reader, so they may be shared.

    `query` names the query parameters the view reads and validates (a bad value is its 404,
    never stored). A page asked for with any other parameter, a repeated one, or a query
    string spelt other than the canonical way is built but not stored: `/?x=1`, `/?x=2`, …
    and `?page=%32` must not each take a place in the cache. `free_text` names those of them
    that take any words (a search): at most FREE_TEXT_PAGES such pages are kept per content
    token."""
    query, free_text = frozenset(query), frozenset(free_text)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = True
        response.page_query, response.page_free_text = query, free_text
        return response

    return wrapper


def storable_query(request, response):
    """Whether the response to this query string may be stored (see `public_page`)."""
    params = request.GET
    if not set(params) <= getattr(response, "page_query", frozenset()):
        return False
    if any(len(values) > 1 for _name, values in params.lists()):
        return False
    return request.META.get("QUERY_STRING", "") == params.urlencode()


def room_for_free_text(request, response, state):
    """False once FREE_TEXT_PAGES pages with free text were stored under this token."""
    if not any(request.GET.get(name) for name in getattr(response, "page_free_text", ())):
        return True
    limit = getattr(settings, "PAGE_CACHE_FREE_TEXT_PAGES", FREE_TEXT_PAGES)
    count = shared.count(f"page-cache:free-text:{state.token}", timeout=lifetime(state))
    return count is not None and count <= limit


def enabled():
    return getattr(settings, "PAGE_CACHE", True)


def is_shareable(request):
    """A plain anonymous GET or HEAD: no session, no personal cookie, no credentials."""
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = parse_cookie(request.META.get("HTTP_COOKIE", ""))
    personal = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, *PERSONAL_COOKIES)
    return not any(name in cookies for name in personal)


def page_key(request):
    """One key per scheme, host, path and query string, as the client sent them."""
    address = "|".join(
        (request.scheme, request.get_host(), request.path, request.META.get("QUERY_STRING", ""))
    )
    return "page:" + hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()


def may_share(request, response):
    """Whether this response to this request is the same for every anonymous reader."""
    control = response.get("Cache-Control", "")
    return (
        getattr(response, "public_page", False)
        and is_shareable(request)
        and not response.cookies
        and not response.streaming
        and not any(word in control for word in ("private", "no-cache", "no-store"))
        and storable_query(request, response)
    )


class PageCacheMiddleware:
    """Serves and stores public pages at the origin; marks those nginx may keep."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The content state is read once per request; the narrow versions the page depends
        # on are collected while it is built.
        with state_scope(), versions.page_scope() as depends:
            shareable = enabled() and is_shareable(request)
            # The token current *before* the page is built: if content changes meanwhile,
            # the page is stored under a token that is already out of date.
            state = content_state() if shareable else None
            if state is not None:
                entry = shared.get(page_key(request))
                if (
                    entry is not None
                    and entry["token"] == state.token
                    and versions.unchanged(entry.get("versions"))
                ):
                    return self.replay(request, entry)
            response = self.get_response(request)
            if may_share(request, response):
                modified = state and versions.latest_modified(depends, state.modified)
                self.label(response, modified)
                if state is not None and request.method == "GET" and None not in depends:
                    self.store(request, response, state, depends, modified)
                if enabled() and response.status_code in EDGE_STORED:
                    response = conditional(request, response)
                    mark_for_edge(response)
            return response

    def label(self, response, modified):
        """An ETag and, when its version has one, a Last-Modified for conditional GETs."""
        if response.status_code not in EDGE_STORED:
            return
        response["Cache-Control"] = CACHE_CONTROL
        if response.status_code != HTTPStatus.OK:
            return
        digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        response["ETag"] = f'"{digest}"'
        # The view's own date (a feed's newest entry) misses changes such as a renamed tag;
        # the content state's date covers everything on the page.
        if "Last-Modified" in response:
            del response["Last-Modified"]
        # HTTP dates count whole seconds: a state's date is the second after its change, sent
        # only once that second has begun, so one date never names two versions.
        if modified is not None and modified <= timezone.now().timestamp():
            response["Last-Modified"] = http_date(modified)

    def store(self, request, response, state, depends, modified):
        if response.status_code not in STORED:
            return
        entry = {
            "token": state.token,
            "status": response.status_code,
            "headers": [
                (k, v) for k, v in response.items() if k not in ("Last-Modified", "X-Accel-Expires")
            ],
            "body": response.content,
            "modified": modified,
            "versions": {name: version.value for name, version in depends.items()},
        }
        if not room_for_free_text(request, response, state):
            return
        response[HIT_HEADER] = "miss"
        shared.set(page_key(request), entry, timeout=lifetime(state))

    def replay(self, request, entry):
        """The stored page, or a 304 when the client holds it already."""
        response = HttpResponse(entry["body"], status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        if entry["modified"] <= timezone.now().timestamp():
            response["Last-Modified"] = http_date(entry["modified"])
        response = conditional(request, response)
        mark_for_edge(response)
        response[HIT_HEADER] = "hit"
        return response


def conditional(request, response):
    """A 304 when the client (or nginx revalidating its copy) holds this version already;
    it says, as the page would, whether the page was rebuilt (the app servers' access log
    shows it: nginx logs the headers of the copy it revalidated, not the 304's)."""
    answer = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )
    if answer is not response and HIT_HEADER in response:
        answer[HIT_HEADER] = response[HIT_HEADER]
    return answer


def mark_for_edge(response, now=None):
    """Let nginx keep the page (a 200, 301, 404, or the 304 that renews its copy) until the
    end of the EDGE_CACHE_SECONDS-th second, counting this one: an absolute second ("@…"),
    because nginx counts a relative lifetime from the whole second a copy is stored in, so
    "1" kept copies 1 to 2 s and a change waited 1.5 s on average; this way at most one.
    0 keeps nothing. nginx compares the second with its own clock: an app server whose clock
    is ahead by k seconds has its pages kept k seconds longer; one behind has them stored
    already expired (each is then refreshed by the next request, the edge no longer
    absorbing that page's load), so app servers and nginx keep time by NTP
    (docs/operations.md)."""
    if response.status_code not in (*EDGE_STORED, HTTPStatus.NOT_MODIFIED):
        return response
    seconds = settings.EDGE_CACHE_SECONDS
    if seconds <= 0:
        response["X-Accel-Expires"] = "0"
        return response
    now = (now or timezone.now()).timestamp()
    response["X-Accel-Expires"] = f"@{int(now) + seconds - 1}"
    return response
