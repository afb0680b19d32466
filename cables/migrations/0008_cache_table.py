"""Create the database cache table with the schema, so that ``migrate`` alone readies a database.

The cache (settings.CACHES: login throttling, counts, rendered cable pages, the collection
version that ingest bumps) used to need a separate ``manage.py createcachetable``; a database
set up with ``migrate`` and then loaded with ``cables_ingest`` failed at the end of the load.
``createcachetable`` is idempotent, so running it here is safe where the table exists already.
"""

from django.core.management import call_command
from django.db import migrations


def cache_table_create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("cables", "0007_cable_source_hashes")]

    operations = [migrations.RunPython(cache_table_create, migrations.RunPython.noop, elidable=False)]
