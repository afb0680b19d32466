"""The page store's html compressed with lz4 on PostgreSQL, where the server has it (14+).

A stored page (about 15 kB) is compressed into TOAST on every write; pglz, the default, cost
about twice the server CPU of the whole upsert that lz4 costs. Elsewhere nothing changes.
"""

from django.db import migrations


def html_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    if row and "lz4" in row[0]:
        schema_editor.execute("ALTER TABLE cables_cablepage ALTER COLUMN html SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [("cables", "0010_drop_redundant_indexes")]

    operations = [migrations.RunPython(html_lz4, migrations.RunPython.noop, elidable=False)]
