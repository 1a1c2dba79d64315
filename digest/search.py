"""Full-text search over published posts, ranked and highlighted alike on both databases.

PostgreSQL: a stored, weighted tsvector (title A, excerpt and digest parts B, body C) with a
GIN index, ranked with ts_rank and highlighted with ts_headline. SQLite (the embedded
default): an FTS5 table of the same fields, ranked with bm25 under the same weights and
highlighted with FTS5's snippets (digest/fts5.py). The reader's words mean the same on both:
PostgreSQL's websearch syntax ("a phrase", `or`, `-word`), English stemming.

A word most posts contain would otherwise have every one of its tens of thousands of matches
ranked before the first ten are shown. So the ranking is bounded: the RANKED newest matches
(read in publish order, which stops early for a common word; a rare one comes from the
index) and the TITLED newest matches in a title (so an older post about exactly this still
comes first) are ranked, and the best RANKED of them open the results; the other matches
follow, newest first. With no more than RANKED matches, all of them are ranked. The number
of matches is counted up to COUNTED only ("more than 1,000 results") and kept per content
version. Snippets are made for the shown page alone, from the post's summary (its excerpt and
digest parts) when the words are there, else from its whole text (see SNIPPET_OPENING).
"""

import hashlib
import re
from functools import cached_property

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Case, F, Func, TextField, Value, When
from django.db.models.functions import Concat, Left, Length
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.html import escape

from caching.content import content_state, lifetime, shared

from . import fts5, queries
from .models import Post, Quote
from .models.search_document import CONFIG
from .prepared import Prepared

WEBSEARCH = {"search_type": "websearch", "config": CONFIG}
MAX_QUERY_LENGTH = 200
RANKED = 100
TITLED = 20
COUNTED = 1000
QUOTES_SHOWN = 5
# The newest posts with quotes a quote search looks through first (about 160 quotes; every
# one is read and matched, so no more than a common word needs: "latency" is in 12 of them).
RECENT_QUOTED_POSTS = 15
# Reading text for a snippet is most of a search's time in PostgreSQL (ts_headline parses and
# stems every word it is given). A post whose summary (excerpt and digest parts, weighted B in
# its tsvector) holds the words, as the best-ranked ones do, gets its snippet from the summary
# and this many characters of its body's opening (cut at a space); another, from its whole text.
SNIPPET_OPENING = 200


def _fields(model, *names):
    """`names` in the model's order of fields, as Model.from_db takes them."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


# What a result shows of its post (with its snippet), and a listed quote of itself and its post.
SHOWN_ROW = _fields(Post, "id", "title", "slug", "publish_at")
QUOTE_ROW = _fields(
    Quote, "id", "speaker", "speaker_key", "text_html", "source_url", "source_on", "anchor"
)
QUOTE_POST_ROW = SHOWN_ROW
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


def title_vector():
    """The title's tsvector; migration 0012 indexes this very expression."""
    return SearchVector("title", config=CONFIG)


def _document(body="body_text"):
    return Concat(
        "excerpt_text", Value(" "), "parts_text", Value(" "), body, output_field=TextField()
    )


def _snippet_source(search_query):
    """The text a post's snippet is made from (see SNIPPET_OPENING)."""
    summary = Func(
        F("search_vector"), Value("{b}"), function="ts_filter", output_field=SearchVectorField()
    )
    # Cut after a whole word: a cut one could match a word it is not.
    opening = Case(
        When(
            GreaterThan(Length("body_text"), SNIPPET_OPENING),
            then=Func(
                Left("body_text", SNIPPET_OPENING + 1),
                Value(r"\S*$"),
                Value(""),
                function="regexp_replace",
                output_field=TextField(),
            ),
        ),
        default=F("body_text"),
    )
    return Case(
        When(SearchVectorExact(summary, search_query), then=_document(opening)),
        default=_document(),
    )


class Results:
    """The published posts matching a query, best first, as a sequence the paginator slices:
    `count` is the number of matches (counted to COUNTED + 1), `len()` what can be paged
    through; a slice is the page's posts, carrying only what a result shows and their
    highlighted `snippet`."""

    def __init__(self, query):
        self.query = query
        self.now = timezone.now()
        self.search_query = self.fts_expression = None
        if is_postgres():
            self.search_query = SearchQuery(query, **WEBSEARCH)
        else:
            self.fts_expression = fts5.expression(query)

    @cached_property
    def matches(self):
        """Every published match, as a queryset. Built only when a count not yet kept or
        the matches past the ranked ones are read: the ORM takes a while to build one, and
        the first page of a common word needs neither."""
        posts = Post.objects.published(self.now)
        if self.search_query is not None:
            return posts.filter(search_vector=self.search_query)
        if self.fts_expression is None:
            return posts.none()
        return posts.filter(fts5.matching(self.fts_expression))

    def __len__(self):
        """How many results can be paged through: COUNTED at most."""
        return min(self.count, COUNTED)

    @property
    def is_searched(self):
        """Whether the words hold anything to look for (punctuation alone does not)."""
        return self.search_query is not None or self.fts_expression is not None

    @cached_property
    def count(self):
        if self.is_searched and len(self.newest) < RANKED:
            return len(self.newest)  # every match was read to rank it
        state = content_state()
        if state is None:
            return self._counted()
        # In the shared cache only: queries are countless, and this process's copies of
        # cached values are kept for what every page shows.
        digest = hashlib.sha256(self.query.encode()).hexdigest()[:32]
        key = f"search-count:{state.token}:{digest}"
        count = shared.get(key)
        if count is None:
            count = self._counted()
            shared.set(key, count, timeout=lifetime(state))
        return count

    def _counted(self):
        return self.matches.values("pk")[: COUNTED + 1].count()

    @property
    def is_more(self):
        """Whether there are more matches than were counted."""
        return self.count > COUNTED

    @cached_property
    def newest(self):
        """(id, rank, publish time) of the RANKED newest matches."""
        return self.newest_matches(limit=RANKED, in_title=False)

    def newest_matches(self, limit, in_title):
        """(id, rank, publish time) of the `limit` newest matches (in a title)."""
        if self.search_query is not None:
            return NEWEST_RANKED.rows(self.query, self.now, limit=limit, in_title=in_title)
        if self.fts_expression is not None:
            return fts5.newest_ranked(self.fts_expression, self.now, limit, in_title)
        return []

    @cached_property
    def ranked(self):
        """Ids of the results ranked by relevance, best first: the best RANKED of the RANKED
        newest matches and the TITLED newest title matches. Two flat queries merged here:
        the ORM builds them far faster than one with subqueries."""
        rows = list(self.newest)
        if len(rows) == RANKED:  # else every match is among them already
            rows += self.newest_matches(limit=TITLED, in_title=True)
        candidates = {row[0]: row for row in rows}
        best = sorted(candidates.values(), key=lambda row: (row[1], row[2], row[0]), reverse=True)
        return [pk for pk, _rank, _published in best[:RANKED]]

    def __getitem__(self, window):
        first, last = window.start or 0, min(window.stop, COUNTED)
        ranked = self.ranked
        ids = ranked[first:last]
        if last > len(ranked):
            # The matches not ranked follow, newest first.
            rest = self.matches.exclude(pk__in=ranked).order_by("-publish_at", "-pk")
            skip = max(first, len(ranked)) - len(ranked)
            ids += rest.values_list("pk", flat=True)[skip : last - len(ranked)]
        return self.shown(ids)

    def shown(self, ids):
        """The posts `ids`, in this order, with what a result shows and its snippet (one
        query: the snippets are made for these posts alone)."""
        if not ids:
            return []
        if self.search_query is not None:
            rows = HEADLINES.rows(self.query, self.now, ids)
        else:
            posts = Post.objects.filter(pk__in=ids).annotate(
                raw_snippet=fts5.snippets(self.fts_expression, _START, _STOP),
                raw_title=fts5.marked_title(self.fts_expression, _START, _STOP),
            )
            rows = [
                (*fields, fts5.best_snippet(joined, _START), raw_title)
                for *fields, joined, raw_title in posts.values_list(
                    *SHOWN_ROW, "raw_snippet", "raw_title"
                )
            ]
        by_pk = {}
        for *fields, raw_snippet, raw_title in rows:
            post = Post.from_db(None, SHOWN_ROW, fields)
            post.snippet = highlight(raw_snippet)
            post.marked_title = marked_title(raw_title, post.title)
            by_pk[post.pk] = post
        return [by_pk[pk] for pk in ids if pk in by_pk]


def _newest_ranked(text, now, _ids, limit, in_title):
    """(id, rank, publish time) of the `limit` newest published matches (in the title)."""
    search_query = SearchQuery(text, **WEBSEARCH)
    matches = Post.objects.published(now).filter(search_vector=search_query)
    if in_title:
        matches = matches.annotate(title_vector=title_vector()).filter(title_vector=search_query)
    rank = SearchRank(F("search_vector"), search_query)
    newest = matches.annotate(rank=rank).order_by("-publish_at", "-pk")
    return newest.values_list("pk", "rank", "publish_at")[:limit]


def _headlines(text, _now, ids):
    """What results show of the posts `ids`, and their highlighted text."""
    headline = SearchHeadline(
        _snippet_source(SearchQuery(text, **WEBSEARCH)),
        SearchQuery(text, **WEBSEARCH),
        config=CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=40,
        min_words=20,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    title = SearchHeadline(
        "title",
        SearchQuery(text, **WEBSEARCH),
        config=CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        highlight_all=True,
    )
    posts = Post.objects.filter(pk__in=ids).annotate(raw_snippet=headline, raw_title=title)
    return posts.values_list(*SHOWN_ROW, "raw_snippet", "raw_title")


NEWEST_RANKED = Prepared(_newest_ranked)
HEADLINES = Prepared(_headlines)


def search_posts(query):
    """The published posts matching `query`, best first (see Results)."""
    return Results(query)


def newest_quotes(query, is_common=True):
    """The QUOTES_SHOWN newest published quotes matching `query` (Quote.matching).

    For a common word (`is_common`: say so when many posts match) they are looked for first
    among the quotes of the newest posts that have quotes, where they are found at once;
    every other quote is older, so if enough are found there they are the newest of all.
    Otherwise all quotes are searched (on PostgreSQL a trigram index on their text serves a
    rare word). Either way the answer is the same; only its cost differs.
    """
    recent = queries.posts_with_quotes(RECENT_QUOTED_POSTS) if is_common else []
    now = timezone.now()
    if len(recent) == RECENT_QUOTED_POSTS:
        # Those posts are published (Post.objects.published() chose them).
        quotes = _listed_quotes(QUOTES.rows(query, now, recent))
        if len(quotes) == QUOTES_SHOWN:
            return quotes
    return _listed_quotes(QUOTES.rows(query, now))


def _quotes(text, now, ids):
    """What a quote list shows of the QUOTES_SHOWN newest published quotes matching `text`
    (of the posts `ids` if any), a row each: the quote's fields, then its post's."""
    quotes = Quote.objects.filter(post__in=ids) if ids else Quote.objects.published(now)
    fields = (*QUOTE_ROW, *(f"post__{name}" for name in QUOTE_POST_ROW))
    return quotes.matching(text).for_listing().values_list(*fields)[:QUOTES_SHOWN]


def _listed_quotes(rows):
    quotes = []
    for row in rows:
        quote = Quote.from_db(None, QUOTE_ROW, row[: len(QUOTE_ROW)])
        quote.post = Post.from_db(None, QUOTE_POST_ROW, row[len(QUOTE_ROW) :])
        quotes.append(quote)
    return quotes


QUOTES = Prepared(_quotes)


def highlight(raw_snippet):
    """Escaped snippet HTML with <mark> around the matches."""
    marked = escape(raw_snippet or "")
    return marked.replace(_START, "<mark>").replace(_STOP, "</mark>")


def marked_title(raw_title, title):
    """The title as HTML with its matches marked, if the marked text is the whole title."""
    if (raw_title or "").replace(_START, "").replace(_STOP, "") != title:
        return escape(title)
    return highlight(raw_title)
