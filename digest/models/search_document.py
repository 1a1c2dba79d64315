"""The stored search document of a post, written with the post's own row so search never
answers from an older text than the pages show; digest/search.py reads it.

PostgreSQL: a weighted tsvector of title (A), excerpt and digest parts (B) and body (C), a
column of the row computed in the row's own UPDATE (`Post.save`). SQLite: an FTS5 table over
the same fields, kept by triggers (`ensure_fts_index`)."""

from django.contrib.postgres.search import SearchVector
from django.db import connections
from django.db.models import F, Value

CONFIG = "english"
# (field, weight), in the order of the document.
WEIGHTED = (("title", "A"), ("excerpt_text", "B"), ("parts_text", "B"), ("body_text", "C"))
SEARCHED_FIELDS = frozenset(field for field, _ in WEIGHTED)


def search_document(post=None, written=None, using="default"):
    """The expression that makes a post's document, or None off PostgreSQL.

    With `post`, the fields its write sets (`written`; None: all) are read from the post in
    hand and the others from the row, where they are unchanged: a column in an UPDATE's SET
    list is read as it was before the UPDATE. Without, every field is read from the row (a
    refresh of rows written by bulk_create)."""
    if connections[using].vendor != "postgresql":
        return None

    def text(field):
        if post is not None and (written is None or field in written):
            return Value(getattr(post, field))
        return F(field)

    vectors = [
        SearchVector(text(field), weight=weight, config=CONFIG) for field, weight in WEIGHTED
    ]
    document = vectors[0]
    for vector in vectors[1:]:
        document = document + vector
    return document


# SQLite (the embedded default): an FTS5 table over the same four fields, weighted like the
# tsvector when ranked (digest/fts5.py). It is an "external content" table (the text stays in
# digest_post only) kept in step by triggers, so every write of a post's row (Post.save,
# bulk_create, an UPDATE) updates it in the same statement, as the tsvector is. The Porter
# stemmer matches "latencies" to "latency" as PostgreSQL's english configuration does.
FTS_TABLE = "digest_post_fts"
FTS_COLUMNS = tuple(field for field, _ in WEIGHTED)
_FTS_OLD = ", ".join(f"old.{column}" for column in FTS_COLUMNS)
_FTS_NEW = ", ".join(f"new.{column}" for column in FTS_COLUMNS)
_FTS_LIST = ", ".join(FTS_COLUMNS)
# Statements made of our own names only.
_FTS_INTO = f"INSERT INTO {FTS_TABLE}"
_FTS_DELETE = f"{_FTS_INTO}({FTS_TABLE}, rowid, {_FTS_LIST}) VALUES ('delete', old.id, {_FTS_OLD});"
_FTS_INSERT = f"{_FTS_INTO}(rowid, {_FTS_LIST}) VALUES (new.id, {_FTS_NEW});"
FTS_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"AFTER INSERT ON digest_post BEGIN {_FTS_INSERT} END",
    f"{FTS_TABLE}_ad": f"AFTER DELETE ON digest_post BEGIN {_FTS_DELETE} END",
    # Only when a searched field changes: publishing or a view count is no reindexing.
    f"{FTS_TABLE}_au": (
        f"AFTER UPDATE OF {_FTS_LIST} ON digest_post BEGIN {_FTS_DELETE} {_FTS_INSERT} END"
    ),
}


def ensure_fts_index(connection):
    """Create the FTS5 table and its triggers where missing, and rebuild the index if any
    trigger was missing (SQLite only; run after every migrate).

    Not a migration: SQLite alters a table by making a new one and dropping the old, and
    dropping digest_post drops its triggers, so any later migration of Post would silently
    stop the index. Checked after every migrate instead, the index is rebuilt from the rows
    whenever its triggers were gone."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_FTS_LIST}, "
            "content='digest_post', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'digest_post'"
        )
        present = {name for (name,) in cursor.fetchall()}
        missing = [name for name in FTS_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(f"CREATE TRIGGER {name} {FTS_TRIGGERS[name]}")
        if missing:
            cursor.execute(f"{_FTS_INTO}({FTS_TABLE}) VALUES ('rebuild')")
