"""Check that the addresses of the old site still lead to the right posts."""

import io
from dataclasses import dataclass
from urllib.parse import urlsplit

import feedparser
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from .importers.base import legacy_ref
from .models import Post


@dataclass
class Check:
    url: str
    ok: bool
    status: int
    detail: str


def urls_in(text):
    """The old addresses in a file: the links of a feed, or one URL a line (# comments).
    A FeedBurner feed's <link> is its click tracker (feedproxy.google.com); the old
    address is the entry's feedburner:origLink."""
    feed = feedparser.parse(io.BytesIO(text.encode("utf-8")))  # never a URL or a file name
    if feed.entries and not feed.bozo:
        links = (entry.get("feedburner_origlink") or entry.get("link") for entry in feed.entries)
        return [link for link in links if link]
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def expected_post(path):
    """The post imported from this old address, if the import recorded it."""
    return Post.objects.filter(import_ref=legacy_ref(path)).first()


def check_urls(urls):
    """Each old URL must answer 200, or permanent redirects (at most MAX_HOPS) to a page that
    answers 200: to its post when the URL is the address of an imported post."""
    host = urlsplit(settings.SITE_URL).hostname or "127.0.0.1"
    client = Client(HTTP_HOST=host)
    results = []
    for url in urls:
        parts = urlsplit(url)
        path = parts.path or "/"
        target = path + (f"?{parts.query}" if parts.query else "")
        response = client.get(target)
        expected = expected_post(path)
        if response.status_code == 200:
            results.append(Check(url, True, 200, "answers 200"))
        elif response.status_code == 301:
            location, landed = _follow(client, response)
            if landed.status_code != 200:
                results.append(
                    Check(url, False, 301, f"301 to {location}, which answers {landed.status_code}")
                )
            elif expected and urlsplit(location).path != expected.get_absolute_url():
                results.append(
                    Check(
                        url, False, 301, f"301 to {location}, not to {expected.get_absolute_url()}"
                    )
                )
            else:
                results.append(Check(url, True, 301, f"301 to {location}"))
        else:
            results.append(
                Check(url, False, response.status_code, _why(path, response.status_code))
            )
    return results


# Redirects followed from an old address. One is the rule, but the favourites page an editor
# chose may itself be an old address that moves on (/blog/category/…); a loop must end.
MAX_HOPS = 3


def _follow(client, response):
    """(where the permanent redirects from `response` end, the answer there)."""
    for _hop in range(MAX_HOPS):
        parts = urlsplit(response["Location"])
        location = parts.path + (f"?{parts.query}" if parts.query else "")
        response = client.get(location)
        if response.status_code != 301:
            break
    return location, response


def _why(path, status):
    try:
        resolve(path)
    except Resolver404:
        return f"answers {status}: no page has this shape"
    return f"answers {status}"
