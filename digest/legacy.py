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
    """The old addresses in a file: the links of a feed, or one URL a line (# comments)."""
    feed = feedparser.parse(io.BytesIO(text.encode("utf-8")))  # never a URL or a file name
    if feed.entries and not feed.bozo:
        return [entry.link for entry in feed.entries if entry.get("link")]
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def expected_post(path):
    """The post imported from this old address, if the import recorded it."""
    return Post.objects.filter(import_ref=legacy_ref(path)).first()


def check_urls(urls):
    """Each old URL must answer 200, or 301 to a post page that answers 200 (the right one)."""
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
            location = urlsplit(response["Location"]).path
            landed = client.get(location)
            if landed.status_code != 200:
                results.append(
                    Check(url, False, 301, f"301 to {location}, which answers {landed.status_code}")
                )
            elif expected and location != expected.get_absolute_url():
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


def _why(path, status):
    try:
        resolve(path)
    except Resolver404:
        return f"answers {status}: no page has this shape"
    return f"answers {status}"
