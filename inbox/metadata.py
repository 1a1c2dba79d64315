"""Title, description, site name and author of a fetched page, from its <head>: Open Graph
and Twitter card tags first, then the plain <title> and <meta name="description">.

BeautifulSoup (already installed for importing sponsor listings) reads real-world, broken HTML
and guesses its encoding from the bytes, the header and <meta charset>; the standard library's
parser behind it needs no compiled extension. (extruct and metadata_parser pull in lxml and
more for the four fields we read.)
"""

from dataclasses import dataclass

from bs4 import BeautifulSoup

LIMITS = {"title": 300, "description": 1000, "site_name": 200, "author": 200}
SOURCES = {
    "title": (("property", "og:title"), ("name", "twitter:title")),
    "description": (
        ("property", "og:description"),
        ("name", "twitter:description"),
        ("name", "description"),
    ),
    "site_name": (("property", "og:site_name"), ("name", "application-name")),
    "author": (("name", "author"), ("property", "article:author"), ("name", "twitter:creator")),
}


@dataclass(frozen=True)
class Metadata:
    title: str = ""
    description: str = ""
    site_name: str = ""
    author: str = ""


def _clean(text, limit):
    return " ".join((text or "").split())[:limit]


def extract(body, content_type=""):
    """The page's metadata; fields it does not give are empty."""
    encoding = None
    if "charset=" in content_type.lower():
        encoding = content_type.lower().split("charset=", 1)[1].split(";")[0].strip() or None
    soup = BeautifulSoup(body, "html.parser", from_encoding=encoding)
    found = {}
    for field, sources in SOURCES.items():
        for attribute, name in sources:
            tag = soup.find("meta", attrs={attribute: name, "content": True})
            if tag and tag["content"].strip():
                found[field] = _clean(tag["content"], LIMITS[field])
                break
    if not found.get("title") and soup.title and soup.title.string:
        found["title"] = _clean(soup.title.string, LIMITS["title"])
    return Metadata(**found)
