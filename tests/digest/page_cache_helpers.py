"""Requests for the page-cache tests, through the test client and through the real WSGI
callable (config.wsgi.application, where stored pages are answered before Django runs)."""

import io
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import CaseInsensitiveMapping
from django.utils.http import urlencode

from config.wsgi import application

CACHE_HEADER = "X-Page-Cache"
# The host the test client sends; pytest-django adds it to ALLOWED_HOSTS.
HOST = "testserver"


class WSGIResponse:
    """What a WSGI server got back: the status, the headers in order, and the body."""

    def __init__(self, status, header_list, content):
        self.status_code = int(status.split(" ", 1)[0])
        self.status = status
        self.header_list = header_list
        self.headers = CaseInsensitiveMapping(dict(header_list))
        self.content = content

    def __getitem__(self, name):
        return self.headers[name]

    def __contains__(self, name):
        return name in self.headers

    def get(self, name, default=None):
        return self.headers.get(name, default)

    @property
    def cookies(self):
        """The cookies set, by name: their values."""
        return dict(
            value.strip().split(";", 1)[0].split("=", 1)
            for name, value in self.header_list
            if name.lower() == "set-cookie"
        )


def wsgi_request(url, method="GET", host=HOST, headers=None, cookies=None, body=b""):
    """Call config.wsgi.application with an environ built by hand, as gunicorn would."""
    parts = urlsplit(url)
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        # WSGI carries the path undecoded from bytes, as latin-1.
        "PATH_INFO": unquote_to_bytes(parts.path).decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    if cookies:
        environ["HTTP_COOKIE"] = "; ".join(f"{name}={value}" for name, value in cookies.items())

    started = {}

    def start_response(status, header_list, exc_info=None):
        started["status"], started["headers"] = status, header_list
        return lambda data: None

    # Django closes the database connection when a request starts and ends; inside a test's
    # transaction that would lose the test's data, so (as django.test.Client does) not here.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return WSGIResponse(started["status"], started["headers"], content)


def client_cookies(client):
    """The test client's cookies, to send with a WSGI request."""
    return {name: morsel.value for name, morsel in client.cookies.items()}


def cache_status(response):
    """The page cache's verdict: "hit", "miss" (built and stored), or None (not stored)."""
    return response.get(CACHE_HEADER)


def text(response):
    return response.content.decode()


def stored(get, url):
    """GET `url` twice with `get` (a test client, or wsgi_request): built and stored, then
    served from the cache. Returns the second response."""
    if isinstance(get, Client):
        get = get.get
    first = get(url)
    assert first.status_code == 200, (url, first.status_code)
    assert cache_status(first) == "miss", url
    second = get(url)
    assert second.status_code == 200
    assert cache_status(second) == "hit", url
    assert second.content == first.content
    return second


# Shared by the page-cache tests (tests/digest/page_cache/).

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"


def local_day(post):
    return timezone.localtime(post.publish_at)


PAGES = {
    "index": lambda p: reverse("digest:post-index"),
    "index page 2": lambda p: reverse("digest:post-index") + "?" + urlencode({"page": 2}),
    "post": lambda p: p.article.get_absolute_url(),
    "tag": lambda p: reverse("digest:tag-detail", kwargs={"slug": "caching"}),
    "archive": lambda p: reverse("digest:archive"),
    "year": lambda p: reverse("digest:archive-year", kwargs={"year": local_day(p.article).year}),
    "month": lambda p: reverse(
        "digest:archive-month",
        kwargs={"year": local_day(p.article).year, "month": local_day(p.article).month},
    ),
    "author": lambda p: reverse("digest:author-detail", kwargs={"username": "ada"}),
    "quotes": lambda p: reverse("digest:quote-list"),
    "speaker": lambda p: reverse("digest:quote-speaker", kwargs={"key": p.quote.speaker_key}),
    "search": lambda p: reverse("digest:search") + "?" + urlencode({"q": "caching"}),
    "rss": lambda p: reverse("digest:feed-rss"),
    "atom": lambda p: reverse("digest:feed-atom"),
    "tag feed": lambda p: reverse("digest:tag-feed", kwargs={"slug": "caching"}),
    "sitemap": lambda p: reverse("digest:sitemap"),
    "sitemap section": lambda p: reverse("digest:sitemap-section", kwargs={"section": "posts"}),
    "robots": lambda p: reverse("digest:robots"),
    "sponsors": lambda p: reverse("sponsors:about"),
}


def set_clock(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def validator(response, header):
    return response["ETag"] if header == "If-None-Match" else response["Last-Modified"]
