"""Writing many incidents fast, inside the run's transaction; the ORM is not used per object.
On SQLite each batch goes through temporary staging tables and one INSERT … SELECT (see
`_Staging`); on PostgreSQL through COPY, straight into the incident table (`postgres_copy.py`).

The incident table is narrow (see `Incident`): what many incidents share (a location, a
partition, a label such as "Burglary") is looked up or created once per distinct value by
`Lookups`, and each incident stores its id."""

from collections.abc import Callable, Iterable
from datetime import date, time

import numpy as np
import pandas as pd
from django.db import IntegrityError, connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from saferplace.incidents.importers import bulk_update, postgres_copy
from saferplace.incidents.importers.batches import (
    ADAPTED_FIELDS,
    CODING_FIELDS,
    INCIDENT_FIELDS,
    PER_ROW_FIELDS,
    PLACE_FIELDS,
    TIME_FIELD,
    combinations,
    per_row_values,
)
from saferplace.incidents.importers.batches import (
    IncidentBatch as IncidentBatch,  # what importers give: store.IncidentBatch
)
from saferplace.incidents.importers.batches import is_array as _is_array
from saferplace.incidents.models import (
    EXTERNAL_ID_LENGTH,
    Incident,
    IncidentEvent,
    IncidentPerson,
    Location,
    Partition,
    SourceBlock,
    SourceLabel,
    location_key,
)
from saferplace.incidents.recount import counts_mark, counts_refresh_marked

BULK_LOAD_MIN_ROWS = 20_000
DELETE_IDS_TABLE = "saferplace_delete_external_ids"


def _spread(ids: list[int], codes: np.ndarray) -> np.ndarray:
    if not len(ids):
        return np.full(len(codes), -1, dtype=np.int64)
    return np.asarray(ids, dtype=np.int64)[codes]


class Lookups:
    """The ids of the rows incidents refer to (locations, partitions, the source's labels),
    created the first time they are seen: each distinct value costs one look-up per import,
    however many incidents share it. Call inside the run's transaction."""

    def __init__(self):
        self._labels: dict[str, int] = {}
        self._partitions: dict[tuple[str, str], int] = {}
        self._locations: dict[tuple, int] = {}  # (point, precision, description) → id

    @staticmethod
    def _fetch(model, field_name: str, keys: list, make, **fixed) -> dict:
        """{key: id} for these values of `field_name`, creating the rows that do not exist from
        `make(key)` (a dictionary of column values) all at once: on SQLite 1,000 rows per
        INSERT … RETURNING, on PostgreSQL one COPY and a look-up. The ORM's bulk_create costs
        more per row than the look-up is worth, and so does `executemany` row by row."""
        found: dict = {}

        def look_up(wanted):
            for start in range(0, len(wanted), 2000):
                found.update(
                    model.objects.filter(**fixed, **{f"{field_name}__in": wanted[start : start + 2000]})
                    .values_list(field_name, "pk")
                )

        look_up(keys)
        missing = [make(key) for key in keys if key not in found]
        if missing:
            names = list(missing[0])
            columns = [[row[name] for row in missing] for name in names]
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    postgres_copy.rows_copy(cursor, model._meta.db_table, names, columns)
                    look_up([row[field_name] for row in missing])
                else:  # SQLite: 1,000 rows per INSERT … RETURNING
                    table = connection.ops.quote_name(model._meta.db_table)
                    found.update(_insert_rows(cursor, table, names, columns, returning=(field_name, model._meta.pk.column)))
        return found

    def label_ids(self, values) -> np.ndarray:
        """Per value: the id of the source label with that text (-1 for a blank value)."""
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        texts = [str(value)[:200] for value in uniques]
        unseen = sorted({text for text in texts if text and text not in self._labels})
        if unseen:
            self._labels.update(self._fetch(SourceLabel, "text", unseen, lambda text: {"text": text}))
        return _spread([self._labels[text] if text else -1 for text in texts], codes)

    def partition_ids(self, source: str, values) -> np.ndarray:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        keys = [str(value)[:120] for value in uniques]
        unseen = sorted({key for key in keys if key and (source, key) not in self._partitions})
        if unseen:
            found = self._fetch(Partition, "key", unseen, lambda key: {"source": source, "key": key}, source=source)
            self._partitions.update({(source, key): pk for key, pk in found.items()})
        return _spread([self._partitions[(source, key)] if key else -1 for key in keys], codes)

    def location_ids(self, *, point, latitude, longitude, h3_cell, precision, description) -> np.ndarray:
        """Per incident: the id of its location (-1 where it has neither a point nor a
        description). `point` numbers each distinct coordinate pair (-1 where none); the
        others are arrays, or one value for all of them."""
        size = len(point)
        precision_codes, precisions = _codes(precision, size)
        description_codes, descriptions = _codes(description, size)
        combined = ((point.astype(np.int64) + 1) * (len(descriptions) + 1) + description_codes) * (
            len(precisions) + 1
        ) + precision_codes
        row_codes, distinct = pd.factorize(combined)
        firsts = np.empty(len(distinct), dtype=np.int64)
        firsts[row_codes[::-1]] = np.arange(size - 1, -1, -1)
        keys = list(zip(
            point[firsts].tolist(),
            np.asarray(precisions, dtype=object)[precision_codes[firsts]].tolist(),
            [str(text)[:300] for text in np.asarray(descriptions, dtype=object)[description_codes[firsts]].tolist()],
            strict=True,
        ))
        wanted = {}
        for position, key in enumerate(keys):
            if key in self._locations or (key[0] < 0 and not key[2]):
                continue
            row = firsts[position]
            has_point = key[0] >= 0
            fields = {
                "precision": key[1], "description": key[2],
                "latitude": float(latitude[row]) if has_point else None,
                "longitude": float(longitude[row]) if has_point else None,
                "h3_cell": str(h3_cell[row] or "") if has_point else "",
            }
            wanted[location_key(key[1], fields["latitude"], fields["longitude"], key[2])] = (key, fields)
        if wanted:
            found = self._fetch(Location, "key", sorted(wanted), lambda name: {"key": name, **wanted[name][1]})
            self._locations.update({wanted[name][0]: pk for name, pk in found.items()})
        known = self._locations
        return _spread([known.get(key, -1) for key in keys], row_codes)


def _codes(value, size: int) -> tuple[np.ndarray, list]:
    if isinstance(value, np.ndarray | list):
        codes, uniques = pd.factorize(np.asarray(value, dtype=object))
        return codes.astype(np.int64), list(uniques)
    return np.zeros(size, dtype=np.int64), [value]


def _date_adapter() -> Callable[[date | time], object]:
    """Dates and times of day as the database takes them (each distinct one adapted once)."""
    cache: dict = {}

    def adapt(value):
        if value not in cache:
            ops = connection.ops
            cache[value] = ops.adapt_timefield_value(value) if isinstance(value, time) else ops.adapt_datefield_value(value)
        return cache[value]

    return adapt


ROWS_PER_STATEMENT = 1000


def _in_statements(cursor, statement: Callable[[str], str], columns: list[list], *, returning: bool = False) -> list:
    """Run `statement(values)` over the rows given column by column, `values` being a
    multi-row VALUES list of 1,000 rows at a time: the driver's per-statement work is then
    paid once per 1,000 rows, which halves the cost of `executemany` row by row. With
    `returning`, the rows the statements return."""
    width, count = len(columns), len(columns[0]) if columns else 0
    flat: list = [None] * (width * count)
    for position, column in enumerate(columns):
        flat[position::width] = column
    one = "(" + ", ".join(["%s"] * width) + ")"
    full = count // ROWS_PER_STATEMENT * ROWS_PER_STATEMENT
    step = ROWS_PER_STATEMENT * width
    returned: list = []
    if full:
        sql = statement(", ".join([one] * ROWS_PER_STATEMENT))
        if returning:
            for at in range(0, full * width, step):
                cursor.execute(sql, flat[at : at + step])
                returned += cursor.fetchall()
        else:
            cursor.executemany(sql, (flat[at : at + step] for at in range(0, full * width, step)))
    if count > full:
        cursor.execute(statement(", ".join([one] * (count - full))), flat[full * width :])
        if returning:
            returned += cursor.fetchall()
    return returned


def _insert_rows(cursor, table: str, names: list[str], columns: list[list], returning: tuple[str, ...] = ()) -> list:
    """Insert the rows given column by column; returns the `returning` columns of each."""
    quote = connection.ops.quote_name
    head = f"INSERT INTO {table} ({', '.join(quote(name) for name in names)}) VALUES "  # noqa: S608 (names from the code)
    tail = f" RETURNING {', '.join(quote(name) for name in returning)}" if returning else ""
    return _in_statements(cursor, lambda values: head + values + tail, columns, returning=bool(returning))


class _Staging:
    """How a batch reaches the incident table: each distinct coding (source, partition, date,
    category, labels…) and each distinct place goes into a temporary table once; then every
    incident is inserted by a statement that takes, per incident, only the number of its coding
    and place (in one integer) and its own values, and joins the rest in. Three values per
    incident (four with a time of day) go through the database driver instead of seventeen,
    1,000 incidents per statement."""

    TABLES = {"coding": CODING_FIELDS, "place": PLACE_FIELDS}
    PLACES = 2**31  # more distinct places than a batch can have

    def __init__(self, cursor):
        self.cursor = cursor
        meta = Incident._meta
        quote = connection.ops.quote_name

        def columns(names):
            return ", ".join(f"{quote(name)} {meta.get_field(name).db_type(connection)}" for name in names)

        for table, names in self.TABLES.items():
            cursor.execute(f"CREATE TEMPORARY TABLE saferplace_stage_{table} (k integer PRIMARY KEY, {columns(names)})")
        self._statements: dict[tuple[str, ...], tuple[str, str]] = {}

    def _statement(self, per_row: tuple[str, ...]) -> tuple[str, str]:
        """The head and tail of the statement inserting incidents whose `per_row` fields are
        given per incident and the other fields joined in from the staging tables."""
        if per_row not in self._statements:
            meta = Incident._meta
            quote = connection.ops.quote_name
            coding = [name for name in CODING_FIELDS if name not in per_row]
            targets = [quote(meta.get_field(name).column) for name in coding + PLACE_FIELDS + list(per_row)]
            chosen = [f"c.{quote(name)}" for name in coding] + [f"p.{quote(name)}" for name in PLACE_FIELDS]
            chosen += [f"v.{quote(name)}" for name in per_row]
            own = ", ".join(quote(name) for name in per_row)
            # CROSS JOIN keeps SQLite's loop order, so incidents are numbered in the order given.
            self._statements[per_row] = (
                f"WITH v (coding_place, {own}) AS (VALUES ",
                f") INSERT INTO {quote(meta.db_table)} ({', '.join(targets)}) SELECT {', '.join(chosen)} "  # noqa: S608 (names from the model)
                "FROM v CROSS JOIN saferplace_stage_coding c CROSS JOIN saferplace_stage_place p "
                f"WHERE c.k = v.coding_place / {self.PLACES} AND p.k = v.coding_place %% {self.PLACES}",  # %% is % with parameters
            )
        return self._statements[per_row]

    def load(self, batch: IncidentBatch, adapt_date) -> dict[str, list]:
        """Insert the batch; returns the distinct values of each coding and place field."""
        cursor = self.cursor
        per_row = tuple(PER_ROW_FIELDS) + ((TIME_FIELD,) if _is_array(batch.columns.get(TIME_FIELD)) else ())
        numbers, distinct = {}, {}
        for table, names in self.TABLES.items():
            names = [name for name in names if name not in per_row]
            numbers[table], columns = combinations(batch, names, adapt_date)
            _insert_rows(cursor, f"saferplace_stage_{table}", ["k", *names], columns)
            distinct.update(zip(names, columns[1:], strict=True))
        columns = [(numbers["coding"].astype(np.int64) * self.PLACES + numbers["place"]).tolist()]
        for name in per_row:
            values = per_row_values(batch, name)
            if name in ADAPTED_FIELDS:
                values = [adapt_date(each) if each is not None else None for each in values]
            columns.append(values)
        head, tail = self._statement(per_row)
        _in_statements(cursor, lambda values: head + values + tail, columns)
        for table in self.TABLES:
            cursor.execute(f"DELETE FROM saferplace_stage_{table}")  # noqa: S608 (fixed names)
        return distinct

    def close(self) -> None:
        for table in self.TABLES:
            self.cursor.execute(f"DROP TABLE saferplace_stage_{table}")


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
        [Incident._meta.db_table],
    )
    return cursor.fetchall()


class _References:
    """The distinct values a bulk load put in each foreign key column, checked against the
    tables they refer to once at the end: the same guarantee as SQLite's foreign key check
    over the whole table, at the cost of one query per few hundred distinct values."""

    def __init__(self):
        self.values: dict[str, set] = {}

    def add(self, name: str, values: list) -> None:
        self.values.setdefault(name, set()).update(each for each in values if each is not None and each != -1)

    def check(self) -> None:
        for name, values in self.values.items():
            field = Incident._meta.get_field(name)
            target = field.target_field.attname
            wanted = sorted(values)
            found = set()
            for start in range(0, len(wanted), 500):
                found.update(
                    field.related_model.objects.filter(**{f"{target}__in": wanted[start : start + 500]})
                    .values_list(target, flat=True)
                )
            missing = [value for value in wanted if value not in found]
            if missing:
                raise IntegrityError(
                    f"{name}: {len(missing)} value(s) refer to nothing, e.g. {', '.join(map(str, missing[:5]))}"
                )


def incident_rows_insert(
    *,
    batches: Iterable[IncidentBatch],
    progress: Callable[[int], None] | None = None,
    bulk_load: bool = False,
) -> int:
    """Insert the incidents of every batch; returns how many. Call inside a transaction. On
    SQLite through staging tables (`_Staging`), on PostgreSQL through COPY (`postgres_copy.py`).

    `bulk_load` (`bulk_load_suits`: the table holds no more rows than are being loaded), all
    inside the transaction, so that a rollback restores everything:

    - SQLite, with foreign key enforcement off: drop the table's secondary indexes, insert, and
      build them again, then check the foreign keys of what was loaded. Building an index once
      is faster than updating it row by row, but the cost grows with the table, hence only when
      the load dominates.
    - PostgreSQL: ANALYZE the table after the COPY, so that what runs next (the counts, the
      pages opened right after) is planned on its new size. Its foreign keys stay as they are,
      checked row by row at commit: taking them off would lock the table, and the tables they
      refer to, against every reader until the import commits (`postgres_copy.py`)."""
    postgres = connection.vendor == "postgresql"
    references = _References() if bulk_load and not postgres else None
    foreign_keys = [name for name in INCIDENT_FIELDS if Incident._meta.get_field(name).is_relation]
    done = 0

    def stored(batch: IncidentBatch, distinct: dict[str, list]) -> None:
        nonlocal done
        counts_mark(_distinct_values(batch.columns.get("partition")))  # recounted before the import commits
        if references is not None:
            for name in foreign_keys:
                references.add(name, distinct[name])
        done += batch.size
        if progress is not None:
            progress(done)

    with connection.cursor() as cursor:
        if postgres:
            # Every look-up (locations, labels…) first: no other statement can run during a COPY.
            postgres_copy.incidents_copy(cursor, [batch for batch in batches if batch.size], each=stored)
            if bulk_load:
                postgres_copy.incidents_analyze(cursor)
        else:
            _staged_rows(cursor, batches, stored, bulk_load=bulk_load)
    if references is not None:
        references.check()
    return done


def _staged_rows(cursor, batches: Iterable[IncidentBatch], stored, *, bulk_load: bool) -> None:
    """SQLite's way (see `_Staging`), calling `stored(batch, distinct)` after each batch."""
    adapt_date = _date_adapter()
    # A bigger page cache for this connection than SQLite's default 2 MB.
    cursor.execute("PRAGMA cache_size = -262144")
    indexes = _secondary_indexes(cursor) if bulk_load else []
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    staging = _Staging(cursor)
    for batch in batches:
        if batch.size:
            stored(batch, staging.load(batch, adapt_date))
    staging.close()
    for _, create in indexes:
        cursor.execute(create)


def bulk_load_suits(*, rows: int) -> bool:
    """Whether a load of this many incidents should be a bulk load (`incident_rows_insert`):
    only when the table is not bigger than the load. On PostgreSQL the table is counted only up
    to one row more than the load (a count of a big table reads all of it)."""
    if connection.vendor not in ("sqlite", "postgresql") or rows < BULK_LOAD_MIN_ROWS:
        return False
    table = connection.ops.quote_name(Incident._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (the model's table)
        else:
            cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT %s) AS first_rows", [rows + 1])  # noqa: S608
        return cursor.fetchone()[0] <= rows


def _distinct_values(value) -> list:
    """The distinct values of a batch's field (an array, or one value for all)."""
    if _is_array(value):
        return pd.unique(np.asarray(value)).tolist()
    return [value]


def _tidy_after_delete(runs: set) -> None:
    """What only deleted incidents used: the source blocks of runs left with no incidents (the
    raw rows they keep belong to nothing any more) and the locations no incident is at (a
    partner's exact points and addresses go with its records)."""
    for run in sorted(runs - {None}):
        if not Incident.objects.filter(import_run=run).exists():
            SourceBlock.objects.filter(run=run).delete()
    Location.objects.exclude(pk__in=Incident.objects.exclude(location=None).values("location")).delete()


def _delete_recording_runs(incidents, runs: set) -> int:
    runs.update(incidents.order_by().values_list("import_run", flat=True).distinct())
    counts_mark(incidents.order_by().values_list("partition", flat=True).distinct())
    IncidentEvent.objects.filter(record__in=incidents.order_by().values("pk")).delete()
    IncidentPerson.objects.filter(incident__in=incidents.order_by().values("pk")).delete()
    return incidents.delete()[0]


def incidents_delete(incidents) -> int:
    """Delete these incidents, and what only they used (`_tidy_after_delete`). Returns how many."""
    runs: set = set()
    deleted = _delete_recording_runs(incidents, runs)
    if deleted:
        _tidy_after_delete(runs)
    counts_refresh_marked()
    return deleted


def incidents_delete_partitions(*, source: str, partitions: Iterable[str], owning_organisation_id: int) -> int:
    """Delete the incidents a re-import replaces: those of these partitions owned by this
    organisation (never another's); returns how many."""
    keys = sorted(set(partitions))
    ids = []
    for start in range(0, len(keys), 500):
        ids += Partition.objects.filter(source=source, key__in=keys[start : start + 500]).values_list("pk", flat=True)
    if not ids:
        return 0
    return incidents_delete(Incident.objects.filter(partition__in=ids, owning_organisation_id=owning_organisation_id))


def incidents_delete_external_ids(*, source: str, owning_organisation_id: int, external_ids: Iterable[str]) -> int:
    """Delete the incidents of this source and owner with these ids. External ids are not
    indexed, so the ids go into a temporary table and the incidents are matched against it in
    one pass over the table, however many ids there are (not a pass per batch of ids)."""
    ids = sorted({each for each in external_ids if each})
    if not ids:
        counts_refresh_marked()
        return 0
    table = connection.ops.quote_name(DELETE_IDS_TABLE)
    runs: set = set()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {table} (external_id varchar({EXTERNAL_ID_LENGTH}) PRIMARY KEY)")
        try:
            bulk_update.load_rows(cursor, table, ["external_id"], ((each,) for each in ids))
            deleted = _delete_recording_runs(Incident.objects.filter(
                Q(source=source) & Q(owning_organisation_id=owning_organisation_id)
                & Q(external_id__in=RawSQL(f"SELECT external_id FROM {table}", []))  # noqa: S608,S611 (a fixed name)
            ), runs)
        finally:
            cursor.execute(f"DROP TABLE {table}")
    if deleted:
        _tidy_after_delete(runs)
    counts_refresh_marked()
    return deleted
