"""A narrow incident table for fast bulk imports (see docs/decisions.md, "A narrow incident
table"): locations, partitions and the source's labels move to tables of their own, the raw
row of an imported incident is read from its run's source blocks, and four indexes go.

Existing incidents are carried over: their locations, partitions and labels are created and
linked, and their raw rows stay in `raw` (they have no source blocks)."""

import django.db.models.deletion
from django.db import migrations, models

from saferplace.incidents.models import location_key

CHUNK = 5000


def _intern(model, cache: dict, cache_key, **fields) -> int | None:
    if cache_key is None:
        return None
    if cache_key not in cache:
        cache[cache_key] = model.objects.get_or_create(**fields)[0].pk
    return cache[cache_key]


def carry_over(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    Location = apps.get_model("incidents", "Location")
    Partition = apps.get_model("incidents", "Partition")
    SourceLabel = apps.get_model("incidents", "SourceLabel")
    locations, partitions, labels = {}, {}, {}
    last = 0
    while True:
        batch = list(Incident.objects.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not batch:
            break
        last = batch[-1].pk
        for incident in batch:
            has_location = incident.latitude is not None or incident.location_description
            key = (
                location_key(
                    incident.location_precision, incident.latitude, incident.longitude, incident.location_description
                )
                if has_location else None
            )
            incident.location_id = _intern(
                Location, locations, key, key=key or "",
                defaults={
                    "latitude": incident.latitude, "longitude": incident.longitude,
                    "precision": incident.location_precision, "description": incident.location_description,
                    "h3_cell": incident.h3_cell,
                },
            )
            incident.partition_id = _intern(
                Partition, partitions, (incident.source, incident.partition_key) if incident.partition_key else None,
                source=incident.source, key=incident.partition_key,
            )
            incident.outcome_id = _intern(
                SourceLabel, labels, incident.outcome_text or None, text=incident.outcome_text[:200]
            )
            incident.source_category_id = _intern(
                SourceLabel, labels, incident.source_category_text or None, text=incident.source_category_text[:200]
            )
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Incident._meta.db_table} SET location_id = %s, partition_id = %s, outcome_id = %s, "  # noqa: S608
                "source_category_id = %s WHERE id = %s",
                [
                    (each.location_id, each.partition_id, each.outcome_id, each.source_category_id, each.pk)
                    for each in batch
                ],
            )


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0002_builtin_taxonomy"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Location",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=400, unique=True)),
                ("latitude", models.FloatField(blank=True, null=True)),
                ("longitude", models.FloatField(blank=True, null=True)),
                ("precision", models.CharField(
                    choices=[("exact", "Exact"), ("snapped", "Snapped or anonymised"), ("none", "No location")],
                    default="none", max_length=10,
                )),
                ("description", models.CharField(blank=True, max_length=300)),
                ("h3_cell", models.CharField(blank=True, db_index=True, max_length=16)),
            ],
        ),
        migrations.CreateModel(
            name="Partition",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(max_length=60)),
                ("key", models.CharField(max_length=120)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("source", "key"), name="partition_source_key_unique")],
            },
        ),
        migrations.CreateModel(
            name="SourceLabel",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.CharField(max_length=200, unique=True)),
            ],
        ),
        migrations.CreateModel(
            name="SourceBlock",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("first_row", models.PositiveIntegerField()),
                ("row_count", models.PositiveIntegerField()),
                ("data", models.BinaryField()),
                ("run", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="source_blocks", to="incidents.importrun"
                )),
            ],
            options={
                "ordering": ["run", "first_row"],
                "constraints": [
                    models.UniqueConstraint(fields=("run", "first_row"), name="sourceblock_run_first_row_unique")
                ],
            },
        ),
        migrations.RemoveIndex(model_name="incident", name="incidents_i_source_7d69f2_idx"),
        migrations.RemoveIndex(model_name="incident", name="incidents_i_source_77b465_idx"),
        migrations.RenameField(model_name="incident", old_name="partition", new_name="partition_key"),
        migrations.RenameField(model_name="incident", old_name="outcome", new_name="outcome_text"),
        migrations.RenameField(model_name="incident", old_name="source_category", new_name="source_category_text"),
        migrations.AddField(
            model_name="incident",
            name="partition",
            field=models.ForeignKey(
                blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents", to="incidents.partition",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="location",
            field=models.ForeignKey(
                blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents", to="incidents.location",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="outcome",
            field=models.ForeignKey(
                blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="incidents.sourcelabel",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="source_category",
            field=models.ForeignKey(
                blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="incidents.sourcelabel",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="source_row",
            field=models.PositiveIntegerField(blank=True, help_text="Row number in the run's file (header = 1)", null=True),
        ),
        migrations.AlterField(
            model_name="incident",
            name="raw",
            field=models.JSONField(blank=True, help_text="The source record, for incidents not read from a file", null=True),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(model_name="incident", name="partition_key"),
        migrations.RemoveField(model_name="incident", name="outcome_text"),
        migrations.RemoveField(model_name="incident", name="source_category_text"),
        migrations.RemoveField(model_name="incident", name="latitude"),
        migrations.RemoveField(model_name="incident", name="longitude"),
        migrations.RemoveField(model_name="incident", name="location_precision"),
        migrations.RemoveField(model_name="incident", name="location_description"),
        migrations.RemoveField(model_name="incident", name="h3_cell"),
        migrations.RemoveField(model_name="incident", name="created_at"),
        migrations.AlterField(
            model_name="incident",
            name="category",
            field=models.ForeignKey(
                db_column="category", db_index=False, on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents", to="incidents.incidentcategory", to_field="code",
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="lsoa",
            field=models.ForeignKey(
                blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="places.place",
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="ward",
            field=models.ForeignKey(
                blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="places.place",
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="community",
            field=models.ForeignKey(
                blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="places.place",
            ),
        ),
    ]
