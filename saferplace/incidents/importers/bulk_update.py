"""Updating and inserting many rows in time linear in their number, on SQLite and PostgreSQL,
for the importers (the incident table has its own path, `store.py`).

`rows_update`: Django's `bulk_update` writes one `CASE WHEN id = … THEN …` per field and batch,
which the database evaluates row by row against every branch (quadratic within a batch), and an
UPDATE per row (`executemany`) pays the driver and a statement per row. Here the new values go
into a temporary table of (id, value…), loaded 1,000 rows per statement, and one UPDATE joins it
to the table: `UPDATE … SET … FROM staging WHERE table.id = staging.id` (SQLite 3.33+ and
PostgreSQL), or, on an older SQLite, a correlated subquery on the staging table's primary key.
Either way each row costs one index look-up.

`rows_insert`: 1,000 rows per INSERT (or upsert), without a model instance per row."""

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connection

ROWS_PER_STATEMENT = 1000
LOAD_BATCH_ROWS = 50_000


def _update_joins() -> bool:
    """Whether the database takes `UPDATE … FROM` (SQLite from 3.33)."""
    return connection.vendor != "sqlite" or connection.Database.sqlite_version_info >= (3, 33, 0)


def load_rows(cursor, table: str, columns: list[str], rows: Iterable[Sequence], *, tail: str = "") -> int:
    """Insert `rows` (tuples in the order of `columns`) into `table`, 1,000 rows per statement
    (`tail` after the VALUES list); returns how many."""
    width = len(columns)
    one = "(" + ", ".join(["%s"] * width) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 (names from the caller's model)
    full_statement = head + ", ".join([one] * ROWS_PER_STATEMENT) + tail
    count = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, LOAD_BATCH_ROWS)):
        flat = [value for row in batch for value in row]
        whole = len(batch) // ROWS_PER_STATEMENT * ROWS_PER_STATEMENT
        step = ROWS_PER_STATEMENT * width
        if whole:
            cursor.executemany(full_statement, (flat[at : at + step] for at in range(0, whole * width, step)))
        if len(batch) > whole:
            cursor.execute(head + ", ".join([one] * (len(batch) - whole)) + tail, flat[whole * width :])
        count += len(batch)
    return count


def rows_insert(
    *,
    model,
    fields: Sequence[str],
    rows: Iterable[Sequence],
    fixed: dict | None = None,
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
) -> int:
    """Insert rows of `model`: each of `rows` gives the values of `fields` in order, as the
    database takes them; `fixed` gives fields one value for every row (adapted here). With
    `unique_fields`, a row whose values of them are already in the table updates its
    `update_fields` instead (`ON CONFLICT … DO UPDATE`, SQLite 3.24+ and PostgreSQL), as
    `bulk_create(update_conflicts=True)` does. The ORM's `bulk_create` costs several times more
    per row (a model instance, an SQL fragment per value). Returns how many rows were given."""
    meta = model._meta
    quote = connection.ops.quote_name
    fixed_fields = [(meta.get_field(name), value) for name, value in (fixed or {}).items()]
    fixed_values = tuple(field.get_db_prep_save(value, connection) for field, value in fixed_fields)
    columns = [quote(meta.get_field(name).column) for name in fields] + [quote(field.column) for field, _ in fixed_fields]
    tail = ""
    if unique_fields:
        updates = ", ".join(f"{quote(meta.get_field(name).column)} = excluded.{quote(meta.get_field(name).column)}"
                            for name in update_fields)
        tail = (f" ON CONFLICT ({', '.join(quote(meta.get_field(name).column) for name in unique_fields)}) "
                f"DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        return load_rows(cursor, quote(meta.db_table), columns, (tuple(row) + fixed_values for row in rows), tail=tail)


def rows_update(*, model, fields: Sequence[str], rows: Iterable[Sequence], fixed: dict | None = None) -> int:
    """Set `fields` of `model`'s rows by primary key: each of `rows` is (id, value of each field,
    in order), the values as the database takes them (foreign keys as ids; see
    `Field.get_db_prep_save`). `fixed` sets fields to one value for every row (an `updated_at`).
    Call inside the caller's transaction. Returns how many rows were updated."""
    meta = model._meta
    quote = connection.ops.quote_name
    targets = [meta.get_field(name) for name in fields]
    staging = quote(f"saferplace_update_{meta.db_table}")
    key = quote("staged_id")
    columns = [key] + [quote(field.column) for field in targets]
    definitions = [f"{key} {meta.pk.rel_db_type(connection)} PRIMARY KEY"] + [
        f"{quote(field.column)} {field.db_type(connection)}" for field in targets
    ]
    fixed_fields = [(meta.get_field(name), value) for name, value in (fixed or {}).items()]
    fixed_values = [field.get_db_prep_save(value, connection) for field, value in fixed_fields]
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    # Only ever the temporary table (a DROP of the bare name could reach a table of that name).
    temporary = f"{'temp' if connection.vendor == 'sqlite' else 'pg_temp'}.{staging}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temporary}")
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ({', '.join(definitions)})")
        # After an error the caller's transaction rolls back, and the staging table with it.
        if not load_rows(cursor, staging, columns, rows):
            cursor.execute(f"DROP TABLE {temporary}")
            return 0
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {staging}")  # the planner then knows how many rows it joins
        if _update_joins():
            settings = [f"{quote(field.column)} = s.{quote(field.column)}" for field in targets]
            settings += [f"{quote(field.column)} = %s" for field, _ in fixed_fields]
            sql = f"UPDATE {table} SET {', '.join(settings)} FROM {staging} AS s WHERE {table}.{pk} = s.{key}"  # noqa: S608
        else:
            settings = [
                f"{quote(field.column)} = (SELECT s.{quote(field.column)} FROM {staging} AS s WHERE s.{key} = {table}.{pk})"  # noqa: S608
                for field in targets
            ]
            settings += [f"{quote(field.column)} = %s" for field, _ in fixed_fields]
            sql = f"UPDATE {table} SET {', '.join(settings)} WHERE {pk} IN (SELECT {key} FROM {staging})"  # noqa: S608
        cursor.execute(sql, fixed_values)
        updated = cursor.rowcount
        cursor.execute(f"DROP TABLE {temporary}")
    return updated
