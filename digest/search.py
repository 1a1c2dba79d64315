"""Full-text search over published posts.

On PostgreSQL: a stored, weighted tsvector (title A, excerpt B, body C) with a GIN index,
ranked with ts_rank and highlighted with ts_headline. On SQLite (the embedded default): a
plain substring match over the same text, newest first, with the same snippet shape. Both
return posts annotated with `snippet`, an HTML string whose text is escaped and whose only
markup is the <mark> around matched words.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape

from .models import Post

CONFIG = "english"
MAX_QUERY_LENGTH = 200
# Sentinels that cannot occur in stored text: the headline is escaped first, then they
# become <mark> tags, so no stored character ever turns into markup.
_START, _STOP = "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_query(raw):
    """The query as searched: control characters dropped, spaces collapsed, length capped."""
    text = _CONTROL.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def is_postgres():
    return connection.vendor == "postgresql"


def refresh_search_vectors(post_ids):
    """Recompute the stored search document of these posts (PostgreSQL only)."""
    if not is_postgres() or not post_ids:
        return
    Post.objects.filter(pk__in=post_ids).update(
        search_vector=SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("excerpt_text", weight="B", config=CONFIG)
        + SearchVector("parts_text", weight="B", config=CONFIG)
        + SearchVector("body_text", weight="C", config=CONFIG)
    )


def _document():
    return Concat(
        "excerpt_text", Value(" "), "parts_text", Value(" "), "body_text", output_field=TextField()
    )


def search_posts(query, queryset=None):
    """Published posts matching `query`, best first, each with a highlighted `snippet`."""
    posts = (queryset if queryset is not None else Post.objects.published()).select_related(
        "author"
    )
    if is_postgres():
        return _search_postgres(posts, query)
    return _search_fallback(posts, query)


def _search_postgres(posts, query):
    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    return (
        posts.filter(search_vector=search_query)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            raw_snippet=SearchHeadline(
                _document(),
                search_query,
                config=CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=40,
                min_words=20,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .defer("body", "body_html", "parts_full_html", "parts_index_html", "search_vector")
        .order_by("-rank", "-publish_at", "-pk")
    )


def _search_fallback(posts, query):
    words = query.split()[:8]
    condition = Q()
    for word in words:
        condition &= (
            Q(title__icontains=word)
            | Q(excerpt_text__icontains=word)
            | Q(parts_text__icontains=word)
            | Q(body_text__icontains=word)
        )
    return posts.filter(condition).annotate(raw_snippet=_document())


def highlight(raw_snippet, query):
    """Escaped snippet HTML with <mark> around the matches."""
    text = raw_snippet or ""
    if _START not in text:
        text = _window(text, query)
    marked = escape(text)
    return marked.replace(_START, "<mark>").replace(_STOP, "</mark>")


def _window(text, query, width=260):
    """Cut a fallback snippet around the first match and wrap every match in sentinels."""
    words = [re.escape(w) for w in query.split()[:8] if w]
    if not words:
        return text[:width]
    pattern = re.compile("|".join(words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - width // 3) if first else 0
    if start:  # begin and end on whole words
        start = text.find(" ", start) + 1 or start
    end = start + width
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    window = text[start:end]
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return prefix + pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window) + suffix
