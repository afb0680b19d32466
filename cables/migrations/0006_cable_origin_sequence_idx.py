"""The same origin's previous and next cable in one index probe: (origin, created with undated
cables sorted last, identifier), the order CableQuerySet.neighbour reads. Without it, the cable
page scanned the origin's cables older (or newer) than the cable, thousands for a big post."""

import datetime

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0005_list_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="cable",
            index=models.Index(
                models.F("origin"),
                django.db.models.functions.comparison.Coalesce(
                    "created", models.Value(datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.UTC))
                ),
                models.F("identifier"),
                name="cable_origin_sequence_idx",
            ),
        ),
    ]
