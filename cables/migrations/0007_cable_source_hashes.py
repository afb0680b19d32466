from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0006_cable_origin_sequence_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="cable",
            name="source_hashes",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="format -> sha256 of the raw input last loaded in that format (with the "
                "parser's fingerprint): an unchanged input is skipped before it is parsed",
            ),
        ),
    ]
