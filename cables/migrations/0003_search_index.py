"""The full-text search index (cables/search.py), which is not a model field.

PostgreSQL: a ``tsvector`` column ``cables_cable.search_document`` with a GIN index.
SQLite: an FTS5 table ``cables_search_fts`` (rowid = cable id) and a trigger that removes the row
of a deleted cable. The index is filled by ingest and by ``manage.py rebuild_search_index``.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE cables_search_fts USING fts5(subject, meta, body, tokenize='ascii')",
    "CREATE TRIGGER IF NOT EXISTS cables_search_fts_cable_delete AFTER DELETE ON cables_cable "
    "BEGIN DELETE FROM cables_search_fts WHERE rowid = old.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cables_search_fts_cable_delete",
    "DROP TABLE IF EXISTS cables_search_fts",
]
POSTGRESQL_FORWARD = [
    "ALTER TABLE cables_cable ADD COLUMN search_document tsvector",
    "CREATE INDEX cable_search_document_idx ON cables_cable USING gin (search_document)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS cable_search_document_idx",
    "ALTER TABLE cables_cable DROP COLUMN IF EXISTS search_document",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(f"no full-text search for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0002_load_tag_glossary"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
            elidable=False,
        ),
    ]
