"""Writing many incidents fast: one INSERT statement run with `cursor.executemany` over tuples
built column-wise from arrays, in chunks, inside the run's transaction. The same SQL runs on
SQLite and PostgreSQL; the ORM is not used per object."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from itertools import islice, repeat

import numpy as np
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from saferplace.incidents.models import Incident

INSERT_CHUNK_ROWS = 20_000
BULK_LOAD_MIN_ROWS = 20_000

# The fields an importer gives for each incident (foreign keys by id, the category by code).
INCIDENT_FIELDS = [
    "source", "partition", "import_run", "owning_organisation", "data_category", "external_id",
    "occurred_on", "occurred_precision", "category", "source_category", "latitude", "longitude",
    "location_precision", "location_description", "lsoa", "ward", "community", "h3_cell",
    "outcome", "raw",
]
_FLOAT_FIELDS = {"latitude", "longitude"}
_OPTIONAL_ID_FIELDS = {"lsoa", "ward", "community"}


@dataclass
class IncidentBatch:
    """Incidents ready to store: each field is an array (one value per incident) or a single
    value for all of them. Dates are `date` objects, coordinates floats (NaN where none),
    place ids integers (-1 where none), `raw` a JSON text."""

    size: int
    columns: dict[str, object]


def _insert_sql() -> str:
    meta = Incident._meta
    names = [meta.get_field(name).column for name in INCIDENT_FIELDS] + [meta.get_field("created_at").column]
    placeholders = ["%s"] * len(names)
    if connection.vendor == "postgresql":
        placeholders[INCIDENT_FIELDS.index("raw")] = "%s::jsonb"
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    return f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({quoted}) VALUES ({', '.join(placeholders)})"  # noqa: S608 (names from the model, values as parameters)


def _date_adapter() -> Callable[[date], object]:
    cache: dict = {}

    def adapt(value):
        if value not in cache:
            cache[value] = connection.ops.adapt_datefield_value(value)
        return cache[value]

    return adapt


def _column(name: str, value, start: int, end: int, adapt_date) -> Iterable:
    if not isinstance(value, np.ndarray | list):
        if name == "occurred_on":
            value = adapt_date(value)
        return repeat(value)
    part = value[start:end]
    if name in _FLOAT_FIELDS:
        array = np.asarray(part, dtype=np.float64)
        objects = array.astype(object)
        objects[np.isnan(array)] = None
        return objects.tolist()
    if name in _OPTIONAL_ID_FIELDS:
        array = np.asarray(part, dtype=np.int64)
        objects = array.astype(object)
        objects[array < 0] = None
        return objects.tolist()
    if name == "occurred_on":
        return [adapt_date(each) for each in (part.tolist() if isinstance(part, np.ndarray) else part)]
    return part.tolist() if isinstance(part, np.ndarray) else part


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
        [Incident._meta.db_table],
    )
    return cursor.fetchall()


def incident_rows_insert(
    *,
    batches: Iterable[IncidentBatch],
    progress: Callable[[int], None] | None = None,
    bulk_load: bool = False,
) -> int:
    """Insert the incidents of every batch; returns how many. Call inside a transaction.

    `bulk_load` (SQLite, when the table holds no more rows than are being loaded): drop the
    table's secondary indexes, insert, and build them again, all inside the transaction (a
    rollback restores them). Building an index once is far faster than updating a dozen
    indexes row by row; the cost grows with the table, hence only when the load dominates."""
    sql = _insert_sql()
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt_date = _date_adapter()
    done = 0
    with connection.cursor() as cursor:
        indexes: list[tuple[str, str]] = []
        if connection.vendor == "sqlite":
            # A bigger page cache for this connection: the incident table has a dozen indexes,
            # and SQLite's default 2 MB cache makes every index insert go to disk.
            cursor.execute("PRAGMA cache_size = -262144")
            if bulk_load:
                indexes = _secondary_indexes(cursor)
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        for batch in batches:
            for start in range(0, batch.size, INSERT_CHUNK_ROWS):
                end = min(start + INSERT_CHUNK_ROWS, batch.size)
                columns = [_column(name, batch.columns[name], start, end, adapt_date) for name in INCIDENT_FIELDS]
                columns.append(repeat(created_at))
                rows = list(islice(zip(*columns, strict=False), end - start))
                cursor.executemany(sql, rows)
                done += len(rows)
                if progress is not None:
                    progress(done)
        for _, create in indexes:
            cursor.execute(create)
    return done


def bulk_load_suits(*, rows: int) -> bool:
    """Whether a load of this many incidents should rebuild the indexes rather than update
    them (SQLite only, and only when the table is not bigger than the load)."""
    if connection.vendor != "sqlite" or rows < BULK_LOAD_MIN_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(Incident._meta.db_table)}")  # noqa: S608
        return cursor.fetchone()[0] <= rows


def incidents_delete_partitions(*, source: str, partitions: Iterable[str]) -> int:
    """Delete the incidents a re-import replaces; returns how many."""
    partitions = sorted(set(partitions))
    deleted = 0
    for start in range(0, len(partitions), 500):
        deleted += Incident.objects.filter(source=source, partition__in=partitions[start : start + 500]).delete()[0]
    return deleted


def incidents_delete_external_ids(*, source: str, owning_organisation_id: int, external_ids: Iterable[str]) -> int:
    ids = sorted({each for each in external_ids if each})
    deleted = 0
    for start in range(0, len(ids), 500):
        deleted += Incident.objects.filter(
            Q(source=source) & Q(owning_organisation_id=owning_organisation_id) & Q(external_id__in=ids[start : start + 500])
        ).delete()[0]
    return deleted
