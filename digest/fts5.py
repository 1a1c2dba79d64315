"""Search on the embedded default (SQLite FTS5): what digest/search.py asks PostgreSQL for,
asked of the FTS5 table that digest/models/search_document.py keeps.

A reader's words are read as PostgreSQL's websearch_to_tsquery reads them — words all
required, "a phrase", `or` between two words, `-word` excluded — and written as an FTS5
expression in which every word is a quoted string: nothing a reader types is FTS5 syntax.
Ranks are bm25 with the tsvector's weights (title, then excerpt and digest parts, then body),
negated so that higher is better as with ts_rank; snippets are FTS5's, with the same
sentinels as ts_headline's.
"""

import re

from django.db.models import FloatField, Q
from django.db.models.expressions import RawSQL

from .models import Post
from .models.search_document import FTS_COLUMNS, FTS_TABLE

# bm25 weights per column, in FTS_COLUMNS order: ts_rank's A, B, B, C (1.0, 0.4, 0.4, 0.2).
WEIGHTS = ", ".join(("5.0", "2.0", "2.0", "1.0"))
SNIPPET_TOKENS = 40
# What joins the snippets of the three text columns in one value (search.py splits them).
COLUMN_BREAK = "\x01"
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_SEARCHABLE = re.compile(r"\w")


def expression(query):
    """The FTS5 expression for a reader's words, or None when nothing in them can match."""
    groups, excluded, pending_or = [], [], False
    for match in _TERM.finditer(query):
        negated, phrase, word = match.groups()
        if word is not None:
            if word.lower() == "or" and groups:
                pending_or = True
                continue
            negated, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
        if not _SEARCHABLE.search(phrase):
            continue  # punctuation alone: no token to look for, as in PostgreSQL
        term = '"' + phrase.replace('"', '""') + '"'
        if negated:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if not groups:
        return None
    required = " AND ".join("(" + " OR ".join(terms) + ")" for terms in groups)
    return "".join([f"({required})", *(f" NOT {term}" for term in excluded)])


def matching(fts_expression):
    """A condition on posts: their text matches `fts_expression`."""
    # The names are ours; the reader's expression is a parameter.
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    ids = RawSQL(sql, [fts_expression])  # noqa: S611
    return Q(pk__in=ids)


def newest_ranked(fts_expression, now, limit, in_title):
    """(id, rank, publish time) of the `limit` newest published matches (in the title).

    The matching ids are read once (SQLite keeps them as a set for the IN) and posts are read
    newest first until `limit` of them are in it; the rank is computed for those alone. A
    join would let SQLite run the full-text match once per post instead."""
    if in_title:
        fts_expression = f"{FTS_COLUMNS[0]} : ({fts_expression})"
    where = f"{FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = digest_post.id"
    sql = f"SELECT -bm25({FTS_TABLE}, {WEIGHTS}) FROM {FTS_TABLE} WHERE {where}"  # noqa: S608
    rank = RawSQL(sql, [fts_expression], output_field=FloatField())  # noqa: S611
    matches = Post.objects.published(now).filter(matching(fts_expression)).annotate(rank=rank)
    newest = matches.order_by("-publish_at", "-pk")
    return list(newest.values_list("pk", "rank", "publish_at")[:limit])


def snippets(fts_expression, start, stop):
    """An annotation: the snippets of a post's excerpt, parts and body for `fts_expression`,
    joined by COLUMN_BREAK, matches between `start` and `stop`."""
    columns = [
        f"snippet({FTS_TABLE}, {n}, %s, %s, ' … ', {SNIPPET_TOKENS})"
        for n in range(1, len(FTS_COLUMNS))
    ]
    joined = f" || '{COLUMN_BREAK}' || ".join(columns)
    # Our names; the sentinels and the words are parameters.
    where = f"{FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = digest_post.id"
    sql = f"SELECT {joined} FROM {FTS_TABLE} WHERE {where}"  # noqa: S608
    return RawSQL(sql, [start, stop] * len(columns) + [fts_expression])  # noqa: S611


def marked_title(fts_expression, start, stop):
    """An annotation: a post's whole title with the matches between `start` and `stop`."""
    where = f"{FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = digest_post.id"
    sql = f"SELECT highlight({FTS_TABLE}, 0, %s, %s) FROM {FTS_TABLE} WHERE {where}"  # noqa: S608
    return RawSQL(sql, [start, stop, fts_expression])  # noqa: S611


def best_snippet(joined, start):
    """The snippet a result shows, chosen as on PostgreSQL (digest/search.py): the first of the
    excerpt's, the parts' and the body's that has a match marked by `start`, else the excerpt's
    (the start of the text, when only the title matched)."""
    candidates = (joined or "").split(COLUMN_BREAK)
    return next((snippet for snippet in candidates if start in snippet), candidates[0])
