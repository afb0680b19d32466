"""Indexes for the reading room's lists: (created, identifier) for date order with its tie-break,
loaded_at for "recently loaded", and on PostgreSQL (created DESC NULLS LAST, identifier), the
exact "newest first" order, which SQLite cannot declare (it reads the first index backwards)."""

from django.db import migrations, models

NEWEST_INDEX = "cable_newest_idx"


def create_newest_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{NEWEST_INDEX}" ON "cables_cable" ("created" DESC NULLS LAST, "identifier")'
        )


def drop_newest_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NEWEST_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0004_curation"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="cable",
            index=models.Index(fields=["created", "identifier"], name="cable_created_ident_idx"),
        ),
        migrations.AddIndex(
            model_name="cable",
            index=models.Index(fields=["loaded_at"], name="cable_loaded_at_idx"),
        ),
        migrations.RunPython(create_newest_index, drop_newest_index, elidable=False),
    ]
