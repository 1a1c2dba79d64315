"""Whole public pages for anonymous readers, kept in the shared cache and served before
Django does any work.

A view opts in with `@public_page`. The first anonymous GET builds the page as usual; the
middleware stores the finished response (every header the other middleware added, an ETag,
Last-Modified) under the address, together with the content token (digest.cache) that was
current *before* the page was built. A page is served only while that token is still the
current one, so any change readers could see, a scheduled post's time coming, or a new week
of sponsors retires every stored page at once, with nothing to purge.

Who is never served a stored page: a request carrying a session or messages cookie (anyone
logged in, anyone with a message waiting), or an Authorization header. What is never stored:
anything but a 200 to a plain GET, a response that sets a cookie (a page with a form sets
the CSRF cookie), or one marked private or no-cache (post previews).

`serve_cached` wraps the WSGI application so that a hit costs no Django request handling at
all; the middleware answers hits too, for servers and test clients that don't go through
config.wsgi. Each worker also keeps the pages it served lately (`LocalPages`) and trusts the
content state it last read for PAGE_CACHE_SYNC_SECONDS (half a second): most hits then need
no round trip to Redis, a change made through this worker shows at once, and a change made
through any other worker or server shows within that half second.
"""

import hashlib
import logging
from collections import OrderedDict
from functools import wraps
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe

from .cache import STATE_KEY, content_state, is_current, lifetime, shared, valid_state

log = logging.getLogger(__name__)

# Free-text pages (search results) kept under one content token, at most: anyone can ask
# for any number of different searches, and each must not take a place in the cache.
FREE_TEXT_PAGES = 1000
# What a stored page costs beyond its body (headers, the entry itself), for LocalPages.
ENTRY_OVERHEAD = 4096
# Cookies whose holder may see a page made for them alone.
PRIVATE_COOKIES = ("messages",)
ENVIRON_STATE = "scalepress.page_cache.state"
ENVIRON_STARTED = "scalepress.page_cache.started"
HIT_HEADER = "X-Page-Cache"
# Browsers and proxies revalidate every time (a 304 costs us a cache read); the content
# token, not a lifetime, decides when a page is out of date.
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
    count = shared.count(f"page-cache:free-text:{state[0]}", timeout=lifetime(state))
    return count is not None and count <= limit


def enabled():
    return getattr(settings, "PAGE_CACHE", True)


def is_shareable_request(environ):
    """A plain anonymous GET or HEAD: no session, no waiting messages, no credentials."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if "HTTP_AUTHORIZATION" in environ:
        return False
    raw = environ.get("HTTP_COOKIE")
    if raw:
        cookies = parse_cookie(raw)
        if settings.SESSION_COOKIE_NAME in cookies or any(c in cookies for c in PRIVATE_COOKIES):
            return False
    return True


def _scheme(environ):
    """The scheme as Django's request.scheme reads it (a proxy's header's first value)."""
    header = settings.SECURE_PROXY_SSL_HEADER
    if header and header[0] in environ:
        return "https" if environ[header[0]].split(",", 1)[0].strip() == header[1] else "http"
    return environ.get("wsgi.url_scheme", "http")


def page_key(environ):
    """One key per scheme, host, path and query string, as the client sent them."""
    address = "|".join(
        (
            _scheme(environ),
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )
    )
    return "page:" + hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()


class LocalPages:
    """This worker's recently served pages, least recently used dropped first, within a
    byte budget (PAGE_CACHE_LOCAL_MB). Entries carry their token, so a stale one is never
    served: it is only a copy of what the shared cache holds."""

    def __init__(self):
        self.pages = OrderedDict()
        self.size = 0

    def get(self, key):
        entry = self.pages.get(key)
        if entry is not None:
            self.pages.move_to_end(key)
        return entry

    def put(self, key, entry):
        budget = getattr(settings, "PAGE_CACHE_LOCAL_MB", 32) * 1024 * 1024
        if self.cost(entry) > budget // 8:
            return
        old = self.pages.pop(key, None)
        self.size += self.cost(entry) - (self.cost(old) if old else 0)
        self.pages[key] = entry
        while self.size > budget and self.pages:
            _, dropped = self.pages.popitem(last=False)
            self.size -= self.cost(dropped)

    @staticmethod
    def cost(entry):
        return len(entry["body"]) + ENTRY_OVERHEAD

    def clear(self):
        self.pages.clear()
        self.size = 0


local_pages = LocalPages()


def _sync_seconds():
    return getattr(settings, "PAGE_CACHE_SYNC_SECONDS", 0.5)


def _allowed_host(environ):
    """The Host check Django makes, made here too: a host taken off ALLOWED_HOSTS must get
    its 400 at once, not the pages stored while it was allowed."""
    domain, _ = split_domain_port(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def lookup(environ, now):
    """The stored page for this request if it is still current, else None. Leaves the
    content state it read in `environ` (None when it is out of date or unknown), so the
    middleware does not read the cache again on a miss."""
    if not enabled() or not is_shareable_request(environ) or not _allowed_host(environ):
        return None
    if shared.change_pending:  # a change this process made is not in the state yet
        content_state()
    key = page_key(environ)
    state = shared.recent_state(_sync_seconds())
    if is_current(state, now):
        entry = local_pages.get(key)
        if entry is not None and entry["token"] == state[0]:
            environ[ENVIRON_STATE] = state
            return entry
    found = shared.get_many([STATE_KEY, key])
    state, entry = valid_state(found.get(STATE_KEY)), found.get(key)
    if state is not None:
        shared.note_state(state)
    if not is_current(state, now):
        state = None
    environ[ENVIRON_STATE] = state
    if state is not None and entry is not None and entry["token"] == state[0]:
        local_pages.put(key, entry)
        return entry
    return None


def _opaque(tag):
    """An entity tag without its weak marker: If-None-Match compares weakly (RFC 9110
    13.1.2), and a proxy that compresses the page may have made ours weak."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def last_modified(entry, now):
    """The page's Last-Modified timestamp, once that moment has passed (a date in the
    future is not allowed); None when its version has none."""
    modified = entry.get("modified")
    return modified if modified is not None and now >= modified else None


def not_modified(environ, entry, now):
    """Whether the client's copy (If-None-Match, else If-Modified-Since) is this page."""
    tags = environ.get("HTTP_IF_NONE_MATCH")
    if tags is not None:
        ours = _opaque(entry["etag"])
        return tags.strip() == "*" or any(_opaque(tag) == ours for tag in tags.split(","))
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since is None:
        return False
    since, modified = parse_http_date_safe(since), last_modified(entry, now)
    return since is not None and modified is not None and since >= modified


def headers_of(entry, now, revalidation=False):
    """The stored page's headers as sent now: Last-Modified added once it is in the past."""
    headers = [
        (name, value)
        for name, value in entry["headers"]
        if not revalidation or name in REVALIDATION
    ]
    modified = last_modified(entry, now)
    if modified is not None:
        headers.append(("Last-Modified", http_date(modified)))
    headers.append((HIT_HEADER, "hit"))
    return headers


class PageCacheMiddleware:
    """Answers hits (when config.wsgi did not already) and stores public pages it builds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        environ = request.META
        started = environ.setdefault(ENVIRON_STARTED, timezone.now().timestamp())
        if ENVIRON_STATE not in environ:  # config.wsgi has not looked yet
            entry = lookup(environ, started)
            if entry is not None:
                return self.replay(request, entry, started)
        shareable = enabled() and is_shareable_request(environ)
        # The token current *before* the page is built: if content changes while it is being
        # built, the page is stored under a token that is already out of date.
        state = (environ.get(ENVIRON_STATE) or content_state()) if shareable else None
        response = self.get_response(request)
        if getattr(response, "public_page", False) and is_shareable_request(environ):
            self.store(request, response, state)
        return response

    def replay(self, request, entry, now):
        revalidated = not_modified(request.META, entry, now)
        if revalidated:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(entry["body"], status=entry["status"])
        for name, value in headers_of(entry, now, revalidation=revalidated):
            response[name] = value
        return response

    def store(self, request, response, state):
        """Label a public page for conditional GET and keep it when it may be shared."""
        if response.status_code != HTTPStatus.OK or response.streaming:
            return
        control = response.get("Cache-Control", "")
        if any(word in control for word in ("private", "no-cache", "no-store")):
            return
        if response.cookies:
            return
        response["ETag"] = (
            '"' + hashlib.md5(response.content, usedforsecurity=False).hexdigest() + '"'
        )
        response["Cache-Control"] = CACHE_CONTROL
        # The view's own date (a feed's newest entry) misses changes such as a renamed tag;
        # the content state's date covers everything on the page.
        if "Last-Modified" in response:
            del response["Last-Modified"]
        entry = {
            "token": state[0] if state else None,
            "status": response.status_code,
            "headers": [(k, v) for k, v in response.items() if k != HIT_HEADER],
            "body": response.content,
            "etag": response["ETag"],
            "modified": state[3] if state else None,
        }
        # Dated by when the request began: see digest.cache._read_state.
        modified = last_modified(entry, request.META[ENVIRON_STARTED])
        if modified is not None:
            response["Last-Modified"] = http_date(modified)
        if request.method != "GET" or state is None or not enabled():
            return
        if not storable_query(request, response) or not room_for_free_text(
            request, response, state
        ):
            return
        response[HIT_HEADER] = "miss"
        key = page_key(request.META)
        if shared.set(key, entry, timeout=lifetime(state)):
            local_pages.put(key, entry)


# Headers a 304 repeats (RFC 9110 15.4.5).
REVALIDATION = {"ETag", "Last-Modified", "Cache-Control", "Vary", "Expires", "Date"}


def serve_cached(application):
    """Wrap a WSGI application so stored pages are answered before Django handles anything."""

    def app(environ, start_response):
        now = environ[ENVIRON_STARTED] = timezone.now().timestamp()
        try:
            entry = lookup(environ, now)
        except Exception:  # noqa: BLE001 -- Django builds the page, and reports what breaks
            log.exception("page cache lookup failed")
            environ[ENVIRON_STATE] = None  # the middleware does not look again
            entry = None
        if entry is None:
            return application(environ, start_response)
        if not_modified(environ, entry, now):
            start_response("304 Not Modified", headers_of(entry, now, revalidation=True))
            return []
        status = f"{entry['status']} {HTTPStatus(entry['status']).phrase}"
        headers = headers_of(entry, now)
        if not any(name == "Content-Length" for name, _ in headers):
            headers.append(("Content-Length", str(len(entry["body"]))))
        start_response(status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [entry["body"]]

    return app
