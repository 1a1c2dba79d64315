"""The stored search document of a post (PostgreSQL): a weighted tsvector of title (A),
excerpt and digest parts (B) and body (C), written with the post's own row (`Post.save`) so
search never answers from an older text than the pages show. digest/search.py reads it."""

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
