"""The page store of ``cables.page_cache`` (rendered cable pages), replacing the DatabaseCache
for pages: one upsert per stored page instead of DatabaseCache's COUNT, SELECT and INSERT/UPDATE.

On PostgreSQL the table is UNLOGGED: its rows can be rendered again, so they need no WAL, and a
transaction that writes only unlogged tables commits without waiting for a WAL flush. After a
crash PostgreSQL empties the table, which only makes pages cold.
"""

from django.db import migrations, models


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cables_cablepage SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [("cables", "0008_cache_table")]

    operations = [
        migrations.CreateModel(
            name="CablePage",
            fields=[
                ("identifier", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("version", models.CharField(max_length=32)),
                ("html", models.BinaryField()),
                ("stored_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop, elidable=False),
    ]
