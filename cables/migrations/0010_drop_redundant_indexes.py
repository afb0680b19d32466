"""Drop the indexes that another index of the same table already leads with.

Each was a second B-tree written for every row a load inserts (1.9 million paragraphs at full
scale) and read by no query the leading index does not serve as well:

* ``cable_created_idx`` (created): ``cable_created_ident_idx`` (created, identifier);
* the foreign-key indexes Django adds by itself: cable.origin (``(origin, created)``), cabletag.cable
  and .tag (the unique ``(cable, tag)``, ``(tag, cable)``), paragraph.cable (the unique ``(cable,
  position)``), recipient.cable (the unique ``(cable, kind, position)``), reference.citing (the unique
  ``(citing, position)``).

The fields' ``db_index=False`` is state only; the indexes are dropped by name, the same on both
engines, so that SQLite does not rebuild the tables (which would drop the search index's trigger).
"""

import django.db.models.deletion
from django.db import migrations, models

# (index Django named for the foreign key, table, column)
FOREIGN_KEY_INDEXES = [
    ("cables_cable_origin_id_56289804", "cables_cable", "origin_id"),
    ("cables_cabletag_cable_id_5ab1451d", "cables_cabletag", "cable_id"),
    ("cables_cabletag_tag_id_2c26b633", "cables_cabletag", "tag_id"),
    ("cables_paragraph_cable_id_39d0f34d", "cables_paragraph", "cable_id"),
    ("cables_recipient_cable_id_2f5ecfab", "cables_recipient", "cable_id"),
    ("cables_reference_citing_id_20ac992f", "cables_reference", "citing_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0009_cable_page"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="cable",
            name="cable_created_idx",
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in FOREIGN_KEY_INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="cable",
                    name="origin",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cables",
                        to="cables.origin",
                    ),
                ),
                migrations.AlterField(
                    model_name="cabletag",
                    name="cable",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cable_tags",
                        to="cables.cable",
                    ),
                ),
                migrations.AlterField(
                    model_name="cabletag",
                    name="tag",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cable_tags",
                        to="cables.tag",
                    ),
                ),
                migrations.AlterField(
                    model_name="paragraph",
                    name="cable",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="paragraphs",
                        to="cables.cable",
                    ),
                ),
                migrations.AlterField(
                    model_name="recipient",
                    name="cable",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recipients",
                        to="cables.cable",
                    ),
                ),
                migrations.AlterField(
                    model_name="reference",
                    name="citing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="references_made",
                        to="cables.cable",
                    ),
                ),
            ],
        ),
    ]
