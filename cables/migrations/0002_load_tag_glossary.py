"""Load the TAGS glossary (settings.CABLES_TAGS_CSV: code,kind,name) into the Tag table.

Codes already present are left alone; ingest adds codes that are not in the glossary.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.db import migrations

KINDS = {"subject", "program", "organization", "geo", "region", "person", "unknown"}


def load_glossary(apps, schema_editor):
    Tag = apps.get_model("cables", "Tag")
    path = Path(settings.CABLES_TAGS_CSV)
    if not path.is_file():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {}
        for row in csv.DictReader(handle):
            code = (row.get("code") or "").strip().upper()
            if not code or len(code) > 100:
                continue
            kind = (row.get("kind") or "").strip().lower()
            rows.setdefault(
                code,
                Tag(code=code, kind=kind if kind in KINDS else "unknown", name=(row.get("name") or "").strip()[:255]),
            )
    Tag.objects.using(schema_editor.connection.alias).bulk_create(
        rows.values(), ignore_conflicts=True, batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [("cables", "0001_initial")]

    operations = [migrations.RunPython(load_glossary, migrations.RunPython.noop)]
