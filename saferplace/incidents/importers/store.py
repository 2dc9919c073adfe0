"""Writing many incidents fast, inside the run's transaction: each batch goes through temporary
staging tables and one INSERT … SELECT (see `_Staging`). The same SQL runs on SQLite and
PostgreSQL; the ORM is not used per object.

The incident table is narrow (see `Incident`): what many incidents share (a location, a
partition, a label such as "Burglary") is looked up or created once per distinct value by
`Lookups`, and each incident stores its id."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, time

import numpy as np
import pandas as pd
from django.db import IntegrityError, connection
from django.db.models import Q

from saferplace.incidents.models import (
    Incident,
    IncidentEvent,
    Location,
    Partition,
    SourceBlock,
    SourceLabel,
    location_key,
)

BULK_LOAD_MIN_ROWS = 20_000
DELETE_CHUNK = 10_000

# The fields an importer gives for each incident (foreign keys by id, the category by code).
INCIDENT_FIELDS = [
    "source", "partition", "import_run", "owning_organisation", "data_category", "external_id",
    "occurred_on", "occurred_precision", "occurred_time", "category", "source_category", "location", "lsoa", "ward",
    "community", "outcome", "source_row",
]
_OPTIONAL_ID_FIELDS = {"partition", "source_category", "location", "lsoa", "ward", "community", "outcome"}


@dataclass
class IncidentBatch:
    """Incidents ready to store: each field is an array (one value per incident) or a single
    value for all of them. Dates are `date` objects, times of day `time` objects or None (a
    field left out is None for all), ids integers (-1 where none)."""

    size: int
    columns: dict[str, object]


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
        `make(key)` (a dictionary of column values), with one INSERT run over all of them: the
        ORM's bulk_create costs more per row than the look-up is worth."""
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
            quote = connection.ops.quote_name
            columns = list(missing[0])
            sql = (
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "  # noqa: S608 (names from the model)
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            with connection.cursor() as cursor:
                cursor.executemany(sql, [[row[column] for column in columns] for row in missing])
            look_up([row[field_name] for row in missing])
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


# How the rows of a batch reach the table (see `_Staging`): the fields many incidents share
# are sent once per distinct combination, the per-incident ones once per incident. The time of
# day is shared (none) in a file without times, and sent per incident in one with them: nearly
# every incident has its own, and as part of the coding it would make a coding per incident.
PLACE_FIELDS = ["location", "lsoa", "ward", "community"]
PER_ROW_FIELDS = ["external_id", "source_row"]
TIME_FIELD = "occurred_time"
CODING_FIELDS = [name for name in INCIDENT_FIELDS if name not in PLACE_FIELDS + PER_ROW_FIELDS]
_ADAPTED_FIELDS = {"occurred_on", TIME_FIELD}


ROWS_PER_STATEMENT = 1000


def _in_statements(cursor, statement: Callable[[str], str], columns: list[list]) -> None:
    """Run `statement(values)` over the rows given column by column, `values` being a
    multi-row VALUES list of 1,000 rows at a time: the driver's per-statement work is then
    paid once per 1,000 rows, which halves the cost of `executemany` row by row."""
    width, count = len(columns), len(columns[0]) if columns else 0
    flat: list = [None] * (width * count)
    for position, column in enumerate(columns):
        flat[position::width] = column
    one = "(" + ", ".join(["%s"] * width) + ")"
    full = count // ROWS_PER_STATEMENT * ROWS_PER_STATEMENT
    step = ROWS_PER_STATEMENT * width
    if full:
        sql = statement(", ".join([one] * ROWS_PER_STATEMENT))
        cursor.executemany(sql, (flat[at : at + step] for at in range(0, full * width, step)))
    if count > full:
        cursor.execute(statement(", ".join([one] * (count - full))), flat[full * width :])


def _insert_rows(cursor, table: str, names: list[str], columns: list[list]) -> None:
    quote = connection.ops.quote_name
    head = f"INSERT INTO {table} ({', '.join(quote(name) for name in names)}) VALUES "  # noqa: S608 (names from the code)
    _in_statements(cursor, lambda values: head + values, columns)


def _is_array(value) -> bool:
    return isinstance(value, np.ndarray | list)


def _value(name: str, value, adapt_date):
    if isinstance(value, np.generic):
        value = value.item()
    if name in _ADAPTED_FIELDS and value is not None:
        return adapt_date(value)
    if name in _OPTIONAL_ID_FIELDS and value == -1:
        return None
    return value


def _combinations(batch: IncidentBatch, names: list[str], adapt_date) -> tuple[np.ndarray, list[list]]:
    """Per incident, the number of its combination of these fields' values; and the distinct
    combinations in that numbering, column by column (the number first)."""
    combined = np.zeros(batch.size, dtype=np.int64)
    bound = 1
    for name in names:
        value = batch.columns.get(name)
        if _is_array(value):
            codes, uniques = pd.factorize(np.asarray(value))
            if bound * (len(uniques) + 1) >= 2**62:  # renumber before the product could overflow
                combined, kept = pd.factorize(combined)
                combined, bound = combined.astype(np.int64), len(kept)
            combined = combined * (len(uniques) + 1) + codes + 1
            bound *= len(uniques) + 1
    numbers, distinct = pd.factorize(combined)
    firsts = np.empty(len(distinct), dtype=np.int64)
    firsts[numbers[::-1]] = np.arange(batch.size - 1, -1, -1)  # the first incident with each number
    columns = [list(range(len(firsts)))]
    for name in names:
        value = batch.columns.get(name)
        if not _is_array(value):
            columns.append([_value(name, value, adapt_date)] * len(firsts))
            continue
        taken = np.asarray(value)[firsts]
        if name in _OPTIONAL_ID_FIELDS:
            objects = taken.astype(object)
            objects[taken < 0] = None
            columns.append(objects.tolist())
        elif name in _ADAPTED_FIELDS:
            columns.append([adapt_date(each) if each is not None else None for each in taken.tolist()])
        else:
            columns.append(taken.tolist())
    return numbers, columns


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
            chosen += [self._per_row_value(name) for name in per_row]
            own = ", ".join(quote(name) for name in per_row)
            # CROSS JOIN keeps SQLite's loop order, so incidents are numbered in the order given.
            self._statements[per_row] = (
                f"WITH v (coding_place, {own}) AS (VALUES ",
                f") INSERT INTO {quote(meta.db_table)} ({', '.join(targets)}) SELECT {', '.join(chosen)} "  # noqa: S608 (names from the model)
                "FROM v CROSS JOIN saferplace_stage_coding c CROSS JOIN saferplace_stage_place p "
                f"WHERE c.k = v.coding_place / {self.PLACES} AND p.k = v.coding_place %% {self.PLACES}",  # %% is % with parameters
            )
        return self._statements[per_row]

    @staticmethod
    def _per_row_value(name: str) -> str:
        value = f"v.{connection.ops.quote_name(name)}"
        if name == TIME_FIELD and connection.vendor == "postgresql":
            # A VALUES column of NULLs alone is text to PostgreSQL: say it is a time.
            return f"CAST({value} AS {Incident._meta.get_field(name).db_type(connection)})"
        return value

    def load(self, batch: IncidentBatch, adapt_date) -> dict[str, list]:
        """Insert the batch; returns the distinct values of each coding and place field."""
        cursor = self.cursor
        per_row = tuple(PER_ROW_FIELDS) + ((TIME_FIELD,) if _is_array(batch.columns.get(TIME_FIELD)) else ())
        numbers, distinct = {}, {}
        for table, names in self.TABLES.items():
            names = [name for name in names if name not in per_row]
            numbers[table], columns = _combinations(batch, names, adapt_date)
            _insert_rows(cursor, f"saferplace_stage_{table}", ["k", *names], columns)
            distinct.update(zip(names, columns[1:], strict=True))
        columns = [(numbers["coding"].astype(np.int64) * self.PLACES + numbers["place"]).tolist()]
        for name in per_row:
            value = batch.columns.get(name)
            values = (
                value.tolist() if isinstance(value, np.ndarray) else list(value) if _is_array(value) else [value] * batch.size
            )
            if name in _ADAPTED_FIELDS:
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
    """Insert the incidents of every batch; returns how many. Call inside a transaction.

    `bulk_load` (SQLite, when the table holds no more rows than are being loaded, with foreign
    key enforcement off): drop the table's secondary indexes, insert, and build them again, all
    inside the transaction (a rollback restores them), then check the foreign keys of what was
    loaded. Building an index once is faster than updating it row by row, but the cost grows
    with the table, hence only when the load dominates."""
    adapt_date = _date_adapter()
    references = _References() if bulk_load else None
    foreign_keys = [name for name in INCIDENT_FIELDS if Incident._meta.get_field(name).is_relation]
    done = 0
    with connection.cursor() as cursor:
        indexes: list[tuple[str, str]] = []
        if connection.vendor == "sqlite":
            # A bigger page cache for this connection than SQLite's default 2 MB.
            cursor.execute("PRAGMA cache_size = -262144")
            if bulk_load:
                indexes = _secondary_indexes(cursor)
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        staging = _Staging(cursor)
        for batch in batches:
            if not batch.size:
                continue
            distinct = staging.load(batch, adapt_date)
            if references is not None:
                for name in foreign_keys:
                    references.add(name, distinct[name])
            done += batch.size
            if progress is not None:
                progress(done)
        staging.close()
        for _, create in indexes:
            cursor.execute(create)
    if references is not None:
        references.check()
    return done


def bulk_load_suits(*, rows: int) -> bool:
    """Whether a load of this many incidents should rebuild the indexes rather than update
    them (SQLite only, and only when the table is not bigger than the load)."""
    if connection.vendor != "sqlite" or rows < BULK_LOAD_MIN_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(Incident._meta.db_table)}")  # noqa: S608
        return cursor.fetchone()[0] <= rows


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
    IncidentEvent.objects.filter(record__in=incidents.order_by().values("pk")).delete()
    return incidents.delete()[0]


def incidents_delete(incidents) -> int:
    """Delete these incidents, and what only they used (`_tidy_after_delete`). Returns how many."""
    runs: set = set()
    deleted = _delete_recording_runs(incidents, runs)
    if deleted:
        _tidy_after_delete(runs)
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
    """Delete the incidents of this source and owner with these ids (external ids are not
    indexed: one pass over the table per 10,000 ids)."""
    ids = sorted({each for each in external_ids if each})
    deleted, runs = 0, set()
    for start in range(0, len(ids), DELETE_CHUNK):
        deleted += _delete_recording_runs(Incident.objects.filter(
            Q(source=source) & Q(owning_organisation_id=owning_organisation_id)
            & Q(external_id__in=ids[start : start + DELETE_CHUNK])
        ), runs)
    if deleted:
        _tidy_after_delete(runs)  # once, not per chunk: it scans the table
    return deleted
