"""Writing incidents through COPY on PostgreSQL (importers/postgres_copy.py): what a file says
is stored exactly, whatever characters COPY's text format treats specially; a failure part-way
leaves nothing; a bulk load leaves the foreign keys as they are. All but the last on SQLite too,
through its staging tables."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from saferplace.incidents.importers import postgres_copy, store
from saferplace.incidents.models import ImportRun, ImportStatus, Incident
from saferplace.incidents.recount import counts_refresh_marked
from tests.incidents.conftest import POLICE_UK_HEADER, csv_text, may_2026_rows, police_row

pytestmark = pytest.mark.django_db

# Texts COPY's text format reads specially (tab, line feed, carriage return, backslash, its NULL
# "\N"), and others a careless quoting would not keep.
HOSTILE = [
    "tab\there", "back\\slash", "line\nfeed", "carriage\rreturn", "\\N", "\\\\N", "\\", "NULL", "",
    "quotes \"double\" 'single'", "comma, semicolon; pipe|", " spaces ", "ünïcødé ✓ 🚓", "\\t not a tab",
]


def test_copy_text_escapes_what_copy_reads_specially():
    text = postgres_copy.copy_text
    assert text(None) == "\\N"
    assert text("\\N") == "\\\\N"  # a text, not NULL
    assert text("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert text("") == ""
    assert text(42) == "42"
    assert text(datetime.date(2026, 5, 1)) == "2026-05-01"
    assert text(datetime.time(23, 15)) == "23:15:00"


def batch_of(world, external_ids: list[str], **columns) -> store.IncidentBatch:
    size = len(external_ids)
    return store.IncidentBatch(size=size, columns={
        "source": "test", "partition": -1, "import_run": None,
        "owning_organisation": world["organisations"]["council"].pk, "data_category": world["categories"]["environmental"].pk,
        "external_id": external_ids, "occurred_on": datetime.date(2026, 5, 1), "occurred_precision": "day",
        "category": "fly-tipping", "source_category": -1, "location": -1, "lsoa": -1, "ward": -1, "community": -1,
        "outcome": -1, "source_row": list(range(2, size + 2)), **columns,
    })


def test_every_text_is_stored_exactly_as_given(world):
    shared = "shared\tsource\\N"  # a text every incident of the batch shares goes through once
    times = [datetime.time(23, 15) if position % 2 else None for position in range(len(HOSTILE))]
    with transaction.atomic():
        assert store.incident_rows_insert(batches=[
            batch_of(world, HOSTILE, source=shared, occurred_time=times),
            batch_of(world, ["second batch"], source_row=[None]),
        ]) == len(HOSTILE) + 1
        counts_refresh_marked()  # as the import does before it commits
    stored = list(Incident.objects.order_by("id").values_list("external_id", "source", "occurred_time", "source_row"))
    assert stored == [
        *((text, shared, time, row) for text, time, row in zip(HOSTILE, times, range(2, len(HOSTILE) + 2), strict=True)),
        ("second batch", "test", None, None),
    ]


def test_a_police_uk_file_s_crime_ids_are_stored_exactly(squares, world, write_file, run_import):
    """Through the whole importer: the CSV reader, the checks, the store."""
    ids = [text for text in HOSTILE if text]  # a blank Crime ID is anti-social behaviour's
    rows = [[text, *police_row(1, "2026-05", "Burglary")[1:]] for text in ids]
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")
    assert (run.status, run.rows_imported) == (ImportStatus.SUCCEEDED, len(ids)), run.message
    assert list(Incident.objects.order_by("source_row").values_list("external_id", flat=True)) == ids


def foreign_keys() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid = 'incidents_incident'::regclass ORDER BY conname"
        )
        return cursor.fetchall()


postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the constraints as PostgreSQL keeps them")


@pytest.mark.parametrize("bulk_load", [False, True])
@pytest.mark.parametrize("problem", ["a reference to nothing", "a value the table refuses"])
def test_a_load_failing_part_way_leaves_nothing(world, squares, problem, bulk_load):
    """The first batch is stored, the second fails: in the middle of its COPY (on SQLite, of its
    INSERT), or when the references are checked (at the import's commit; here made to happen
    before it). Nothing of either batch is left."""
    second = batch_of(world, ["C"], lsoa=[999_999]) if problem == "a reference to nothing" else batch_of(world, [None])
    with pytest.raises(IntegrityError), transaction.atomic():
        store.incident_rows_insert(batches=[batch_of(world, ["A", "B"], lsoa=[squares["lsoa_a"].pk] * 2), second],
                                   bulk_load=bulk_load)
        connection.check_constraints()  # the deferred foreign key checks, as the commit runs them
    assert Incident.objects.count() == 0


def read_elsewhere() -> dict[str, int]:
    """What another connection reads, giving up (an error) rather than wait 2 s for a lock."""
    seen = {}

    def read():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            seen.update(incidents=Incident.objects.count(), runs=ImportRun.objects.count())
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return seen


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_on_postgresql_and_a_failed_one_leave_the_constraints(squares, world, write_file, run_import,
                                                                           monkeypatch):
    """As the import runs it (outside any transaction, so a bulk load): the foreign keys are
    never taken off, so that others read what was there before while the import writes (taking
    them off would lock every reader out until the import commits), and a failed import stored
    nothing."""
    monkeypatch.setattr(store, "BULK_LOAD_MIN_ROWS", 1)
    before = foreign_keys()
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation="Fenshire Police")
    assert (run.status, run.rows_imported) == (ImportStatus.SUCCEEDED, 11)
    assert foreign_keys() == before

    real_insert = store.incident_rows_insert
    bulk_loads, seen = [], {}

    def insert_then_fail(**kwargs):
        bulk_loads.append(kwargs["bulk_load"])
        real_insert(**kwargs)
        seen.update(read_elsewhere())
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "incident_rows_insert", insert_then_fail)
    rows = may_2026_rows() * 2
    failed = run_import("police-uk", write_file("may-v2.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")
    assert failed.status == ImportStatus.FAILED and bulk_loads == [True]
    assert seen == {"incidents": 11, "runs": 2}  # read while the import wrote, without waiting
    assert foreign_keys() == before
    assert Incident.objects.count() == 11

    # The month again, replacing what it stored.
    monkeypatch.setattr(store, "incident_rows_insert", real_insert)
    again = run_import("police-uk", write_file("may-v3.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")
    assert (again.status, again.rows_replaced, again.rows_imported) == (ImportStatus.SUCCEEDED, 11, 22), again.message
    assert foreign_keys() == before
    assert Incident.objects.count() == 22


def test_a_bulk_load_is_only_for_a_load_at_least_as_big_as_the_table(world, monkeypatch):
    monkeypatch.setattr(store, "BULK_LOAD_MIN_ROWS", 1)
    with transaction.atomic():
        store.incident_rows_insert(batches=[batch_of(world, ["A", "B", "C"])])
        counts_refresh_marked()
    assert not store.bulk_load_suits(rows=2)
    assert store.bulk_load_suits(rows=3)
    monkeypatch.setattr(store, "BULK_LOAD_MIN_ROWS", 20_000)
    assert not store.bulk_load_suits(rows=19_999)
