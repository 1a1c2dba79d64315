"""A GIN index on the stored search document. PostgreSQL only: on SQLite the search falls
back to substring matching (digest/search.py) and the column stays empty."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS post_search_vector_gin ON digest_post USING gin (search_vector)"
DROP = "DROP INDEX IF EXISTS post_search_vector_gin"


def on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("digest", "0001_initial")]

    operations = [migrations.RunPython(on_postgres(CREATE), on_postgres(DROP))]
