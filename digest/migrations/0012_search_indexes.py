"""Indexes for search (digest/search.py), PostgreSQL only; SQLite searches by substring.

- The title's tsvector, the very expression search filters on, so the title matches of a
  query come from an index (the title pass of the bounded ranking).
- Trigrams of quotes' text and speaker, upper-cased as `icontains` compares them: a quote
  search for a rare word (Quote.matching, on the search page and /quotes/) reads the few
  quotes that hold it instead of all of them. pg_trgm ships with PostgreSQL and is a trusted
  extension: the database's owner may create it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "post_title_search_gin": (
        "digest_post USING gin (to_tsvector('english'::regconfig, COALESCE(title, '')))"
    ),
    "quote_text_trgm": "digest_quote USING gin (upper(text) gin_trgm_ops)",
    "quote_speaker_trgm": "digest_quote USING gin (upper(speaker::text) gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("digest", "0011_legacy_favorites")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
