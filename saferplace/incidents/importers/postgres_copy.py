"""Writing incidents on PostgreSQL: COPY, straight into the incident table.

Each batch is written out in COPY's text format and sent with psycopg's `cursor.copy()`. What
many incidents share is formatted once per distinct combination, as on SQLite (`batches.py`):
their coding (source, partition, run, organisation, data category, date, category, labels) and
their place (location, LSOA, ward, community); an incident's line is then those two texts, its
own external id and row number (and time of day), joined. Straight into the table rather than
into a staging table and then `INSERT … SELECT`: COPY checks the same NOT NULL, CHECK and foreign
key constraints as an INSERT, and a staging table would have the database write every row twice.

Foreign keys. PostgreSQL checks a foreign key row by row (Django makes them DEFERRABLE INITIALLY
DEFERRED, so at commit): about 4 µs per reference, ten references per incident, some 40 s for a
million incidents, several times the COPY itself. They are left so. Taking them off for the
load and putting them back (one join per key) made the whole import three times faster, but
it locks the incident table and every table it refers to (places, organisations, runs…)
ACCESS EXCLUSIVE until the import commits: every page, and the run's own progress, would wait
for the import instead of reading what was there before it. See docs/performance.md, "police.uk
import", for the figures and the ways that remain (a role allowed to set
session_replication_role; foreign keys the database does not check row by row)."""

from collections.abc import Callable
from datetime import date, time

import numpy as np
import pandas as pd
from django.db import connection

from saferplace.incidents.importers.batches import (
    CODING_FIELDS,
    PER_ROW_FIELDS,
    PLACE_FIELDS,
    TIME_FIELD,
    IncidentBatch,
    combinations,
    is_array,
    per_row_values,
)
from saferplace.incidents.models import Incident

SHARED_FIELDS = [name for name in CODING_FIELDS if name != TIME_FIELD]
# The columns in the order each line gives them: the time of day last, per incident or the same
# for all of a batch.
COLUMNS = SHARED_FIELDS + PLACE_FIELDS + PER_ROW_FIELDS + [TIME_FIELD]

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = "\\\t\n\r"


def copy_text(value) -> str:
    """A value as COPY's text format writes it: None as \\N; a backslash, tab, line feed or
    carriage return escaped with a backslash (so that a text "\\N" stays a text)."""
    if value is None:
        return NULL
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def _texts(values: list) -> list[str]:
    """Per-incident values as COPY text: in the usual case, texts with nothing to escape, the
    very same strings (one pass over them all, in C, to find out)."""
    try:
        joined = "".join(values)
    except TypeError:  # not all texts: numbers, None
        return [copy_text(value) for value in values]
    if any(character in joined for character in _SPECIAL):
        return [value.translate(_ESCAPES) for value in values]
    return values


def _shared(batch: IncidentBatch, names: list[str]) -> tuple[list[str], dict[str, list]]:
    """Per incident, the text of its values of these fields (each a run of tab-ended fields),
    and the distinct values of each field."""
    numbers, columns = combinations(batch, names, lambda value: value)
    lines = None
    for column in columns[1:]:
        # Each distinct value formatted once (a batch may have as many combinations as incidents).
        codes, uniques = pd.factorize(np.array(column, dtype=object))
        texts = np.array([copy_text(value) + "\t" for value in uniques] + [NULL + "\t"], dtype=object)[codes]  # -1: None
        lines = texts if lines is None else lines + texts
    return lines[numbers].tolist(), dict(zip(names, columns[1:], strict=True))


def _times(batch: IncidentBatch) -> list[str] | str:
    """The time of day of each incident as COPY text, or one text for all of them."""
    value = batch.columns.get(TIME_FIELD)
    if not is_array(value):
        return copy_text(value)
    known: dict = {}
    return [known[each] if each in known else known.setdefault(each, copy_text(each))
            for each in per_row_values(batch, TIME_FIELD)]


def batch_text(batch: IncidentBatch) -> tuple[str, dict[str, list]]:
    """The batch as COPY text, one line per incident in the order of `COLUMNS`; and the distinct
    values of each shared field."""
    coding, distinct = _shared(batch, SHARED_FIELDS)
    place, places = _shared(batch, PLACE_FIELDS)
    distinct.update(places)
    size = batch.size
    parts: list = [None] * (6 * size)
    parts[0::6] = coding
    parts[1::6] = place
    parts[2::6] = _texts(per_row_values(batch, "external_id"))
    parts[3::6] = ["\t"] * size
    parts[4::6] = [NULL if each is None else str(each) for each in per_row_values(batch, "source_row")]
    times = _times(batch)
    parts[5::6] = [f"\t{each}\n" for each in times] if isinstance(times, list) else [f"\t{times}\n"] * size
    return "".join(parts), distinct


def incidents_copy(cursor, batches: list[IncidentBatch], *, each: Callable[[IncidentBatch, dict[str, list]], None]) -> int:
    """COPY the batches into the incident table, one COPY per batch; `each(batch, distinct)`
    after each has been stored (no other statement can run on the connection during a COPY).
    The next batch is formatted while the database loads the one before: psycopg's queued
    writer sends it from a thread. Returns how many incidents were stored."""
    quote = connection.ops.quote_name
    meta = Incident._meta
    statement = (
        f"COPY {quote(meta.db_table)} ({', '.join(quote(meta.get_field(name).column) for name in COLUMNS)}) FROM STDIN"
    )
    from psycopg.copy import QueuedLibpqWriter  # here: SQLite never needs psycopg

    raw = cursor.cursor  # psycopg's own, under Django's wrapper
    batches = [batch for batch in batches if batch.size]
    done = 0
    following = batch_text(batches[0]) if batches else None
    for position, batch in enumerate(batches):
        text, distinct = following
        # Django's wrapper is bypassed: its errors (IntegrityError, DataError…) are made here.
        with connection.wrap_database_errors, raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
            copy.write(text)
            del text
            following = batch_text(batches[position + 1]) if position + 1 < len(batches) else None
        batches[position] = None  # let it go
        done += batch.size
        each(batch, distinct)
    return done


def rows_copy(cursor, table: str, names: list[str], columns: list[list]) -> None:
    """Insert rows given column by column with one COPY (the locations, labels and partitions
    an import creates: a statement of a thousand rows' parameters costs more to parse than
    COPY costs to load them)."""
    quote = connection.ops.quote_name
    texts = [[copy_text(value) for value in column] for column in columns]
    with connection.wrap_database_errors, cursor.cursor.copy(
        f"COPY {quote(table)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    ) as copy:
        copy.write("".join("\t".join(row) + "\n" for row in zip(*texts, strict=True)))


def incidents_analyze(cursor) -> None:
    """ANALYZE the incident table after a load at least as big as it was: its statistics are
    those of before (autovacuum would take up to a minute to notice). Inside the transaction,
    the new rows count; it locks the table only against VACUUM and schema changes."""
    cursor.execute(f"ANALYZE {connection.ops.quote_name(Incident._meta.db_table)}")
