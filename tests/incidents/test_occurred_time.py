"""The time of day is kept wherever the source has it: STATS19's time column, a partner's date
column that carries a time (CSV text in any of the ways files write it, or a spreadsheet's
date-time cell). police.uk publishes months only: no time. A time that is no time rejects its
row, naming the row, the field and the reason."""

from datetime import date, datetime, time

import openpyxl
import pytest

from saferplace.incidents.importers import store
from saferplace.incidents.models import ImportStatus, Incident, LocationKind
from saferplace.incidents.recount import counts_refresh_marked
from tests.incidents.conftest import FORCE, POLICE_UK_HEADER, csv_text, may_2026_rows
from tests.incidents.test_outcomes_and_stats19 import STATS19_HEADER, collision
from tests.incidents.test_profiles_and_lookups import council_profile

pytestmark = pytest.mark.django_db

COUNCIL = "Riverford City Council"


def times_by_id() -> dict[str, time | None]:
    return dict(Incident.objects.values_list("external_id", "occurred_time"))


def at(row: list[str], when: str) -> list[str]:
    """A STATS19 row with its time column set."""
    row = row[:]
    row[STATS19_HEADER.index("time")] = when
    return row


def test_stats19_keeps_the_time_and_rejects_times_that_are_no_time(squares, world, write_file, run_import):
    rows = [
        at(collision("2024990000001", "3"), "17:45"),
        at(collision("2024990000002", "3"), "7:05"),
        at(collision("2024990000003", "3"), ""),  # not known: kept, with no time
        at(collision("2024990000004", "3"), "NULL"),
        at(collision("2024990000005", "3"), "25:00"),
        at(collision("2024990000006", "3"), "17:60"),
        at(collision("2024990000007", "3"), "teatime"),
        at(collision("2024990000008", "3"), "1e309"),
        at(collision("2024990000009", "3"), "１７:４５"),
    ]
    run = run_import("stats19", write_file("collisions.csv", csv_text(STATS19_HEADER, rows)), organisation=COUNCIL)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (4, 5)
    assert times_by_id() == {
        "2024990000001": time(17, 45), "2024990000002": time(7, 5), "2024990000003": None, "2024990000004": None,
    }
    assert list(run.rejections.values_list("row_number", "field", "reason")) == [
        (6, "time", "time '25:00' is not a time of day like 17:45"),
        (7, "time", "time '17:60' is not a time of day like 17:45"),
        (8, "time", "time 'teatime' is not a time of day like 17:45"),
        (9, "time", "time '1e309' is not a time of day like 17:45"),
        (10, "time", "time '１７:４５' is not a time of day like 17:45"),
    ]


def test_stats19_without_a_time_column_has_no_times(squares, world, write_file, run_import):
    header = [name for name in STATS19_HEADER if name != "time"]
    position = STATS19_HEADER.index("time")
    row = collision("2024990000001", "2")
    run = run_import("stats19", write_file("collisions.csv", csv_text(header, [row[:position] + row[position + 1:]])),
                     organisation=COUNCIL)
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert times_by_id() == {"2024990000001": None}


def test_police_uk_months_have_no_time(squares, world, write_file, run_import):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation=FORCE)
    assert Incident.objects.exists()
    assert set(Incident.objects.values_list("occurred_time", flat=True)) == {None}


def calls_profile(world, date_format: str):
    return council_profile(world, name="calls", source="calls-for-service", date_column="Logged", date_format=date_format,
                           category_column="Type", category_map={"Fly tip": "fly-tipping"}, location_kind=LocationKind.NONE,
                           postcode_column="", external_id_column="Ref", outcome_column="")


@pytest.mark.parametrize(("date_format", "values"), [
    ("%d/%m/%Y %H:%M", ["03/05/2026 23:15", "04/05/2026 00:05", "05/05/2026 7:30", "06/05/2026"]),
    ("%d/%m/%Y %I:%M %p", ["03/05/2026 11:15 pm", "04/05/2026 12:05am", "05/05/2026 7:30 a.m.", "06/05/2026"]),
    ("%Y-%m-%d %H:%M", ["2026-05-03 23:15", "2026-05-04 00:05:00", "2026-05-05 07:30", "2026-05-06"]),
    # ISO 8601 with a zone is turned into the partnership's time (British Summer Time in May).
    ("%Y-%m-%dT%H:%M:%S", ["2026-05-03T22:15:00Z", "2026-05-03T23:05:00Z", "2026-05-05T07:30:00+01:00", "2026-05-06"]),
    # A profile's date-only format still keeps a time written after the date.
    ("%d/%m/%Y", ["03/05/2026 23:15", "04/05/2026 00:05", "05/05/2026 07:30", "06/05/2026"]),
])
def test_a_partner_csv_keeps_the_time_written_with_the_date(world, write_file, run_import, date_format, values):
    profile = calls_profile(world, date_format)
    rows = [[f"C-{number}", value, "Fly tip"] for number, value in enumerate(values, start=1)]
    run = run_import("profile", write_file("calls.csv", csv_text(["Ref", "Logged", "Type"], rows)), profile=profile)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (4, 0)
    when = dict(Incident.objects.values_list("external_id", "occurred_on"))
    assert when == {"C-1": date(2026, 5, 3), "C-2": date(2026, 5, 4), "C-3": date(2026, 5, 5), "C-4": date(2026, 5, 6)}
    assert times_by_id() == {"C-1": time(23, 15), "C-2": time(0, 5), "C-3": time(7, 30), "C-4": None}
    assert set(Incident.objects.values_list("occurred_precision", flat=True)) == {"day"}


def test_hostile_times_in_a_partner_csv_reject_their_rows(world, write_file, run_import):
    profile = calls_profile(world, "%d/%m/%Y %H:%M")
    values = ["03/05/2026 23:15", "03/05/2026 25:00", "03/05/2026 23:60", "03/05/2026 13:05 pm", "03/05/2026 23:15:99",
              "03/05/2026T23:15+99:00", "03/05/2026 99999999999:15", "03/05/2026 ２３:１５"]
    rows = [[f"C-{number}", value, "Fly tip"] for number, value in enumerate(values, start=1)]
    run = run_import("profile", write_file("calls.csv", csv_text(["Ref", "Logged", "Type"], rows)), profile=profile)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (1, 7)
    written = "is not a date written day/month/year, 24-hour time (e.g. 31/01/2026 23:15)"
    assert list(run.rejections.values_list("row_number", "field", "reason")) == [
        (3, "Logged", f"Logged '03/05/2026 25:00' {written}"),
        (4, "Logged", f"Logged '03/05/2026 23:60' {written}"),
        (5, "Logged", f"Logged '03/05/2026 13:05 pm' {written}"),
        (6, "Logged", f"Logged '03/05/2026 23:15:99' {written}"),
        (7, "Logged", f"Logged '03/05/2026T23:15+99:00' {written}"),
        (8, "Logged", f"Logged '03/05/2026 99999999999:15' {written}"),
        (9, "Logged", f"Logged '03/05/2026 ２３:１５' {written}"),
    ]
    assert times_by_id() == {"C-1": time(23, 15)}


def test_xlsx_date_time_cells_keep_their_time_and_plain_date_cells_have_none(world, tmp_path, run_import):
    profile = calls_profile(world, "%d/%m/%Y")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ref", "Logged", "Type"])
    sheet.append(["C-1", datetime(2026, 5, 3, 23, 15), "Fly tip"])  # a date-time cell
    sheet.append(["C-2", datetime(2026, 5, 4), "Fly tip"])  # a date cell
    sheet.append(["C-3", "05/05/2026 07:30", "Fly tip"])  # typed as text
    sheet.append(["C-4", datetime(2026, 5, 6, 0, 0, 30), "Fly tip"])  # half a minute past midnight
    path = tmp_path / "calls.xlsx"
    book.save(path)

    run = run_import("profile", path, profile=profile)
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert run.rows_imported == 4
    assert times_by_id() == {"C-1": time(23, 15), "C-2": None, "C-3": time(7, 30), "C-4": time(0, 0, 30)}


def test_spreadsheet_cells_need_no_format(world, tmp_path, run_import):
    profile = calls_profile(world, "%Y-%m-%d %H:%M:%S")  # "Spreadsheet date cells: no format needed"
    book = openpyxl.Workbook()
    book.active.append(["Ref", "Logged", "Type"])
    book.active.append(["C-1", datetime(2026, 5, 3, 23, 15), "Fly tip"])
    book.active.append(["C-2", "03/05/2026", "Fly tip"])
    path = tmp_path / "calls.xlsx"
    book.save(path)

    run = run_import("profile", path, profile=profile)
    assert times_by_id() == {"C-1": time(23, 15)}
    assert list(run.rejections.values_list("row_number", "field", "reason")) == [
        (3, "Logged", "Logged '03/05/2026' is not a date in a spreadsheet date cell"),
    ]


def test_a_month_only_format_has_month_precision_and_no_time(world, write_file, run_import):
    profile = calls_profile(world, "%m/%Y")
    rows = [["C-1", "05/2026", "Fly tip"], ["C-2", "05/2026 10:00", "Fly tip"]]
    run = run_import("profile", write_file("calls.csv", csv_text(["Ref", "Logged", "Type"], rows)), profile=profile)
    assert run.rows_imported == 1 and run.rows_rejected == 1
    incident = Incident.objects.get()
    assert (incident.occurred_on, incident.occurred_precision, incident.occurred_time) == (date(2026, 5, 1), "month", None)


def test_the_store_takes_times_per_incident_or_none_for_all(world, squares):
    """Without times the time is part of what incidents share; with them it is sent per incident
    (a batch of nothing but blank times too)."""
    from django.db import transaction

    from saferplace.incidents.models import ImportRun

    run = ImportRun.objects.create(importer="profile", file_name="x.csv", organisation=world["organisations"]["council"])
    common = {
        "source": "test", "partition": -1, "import_run": run.pk, "owning_organisation": world["organisations"]["council"].pk,
        "data_category": world["categories"]["environmental"].pk, "occurred_on": date(2026, 5, 3),
        "occurred_precision": "day", "category": "fly-tipping", "source_category": -1, "location": -1, "lsoa": -1,
        "ward": -1, "community": -1, "outcome": -1,
    }
    batches = [
        store.IncidentBatch(size=2, columns={**common, "external_id": ["A", "B"], "source_row": [2, 3]}),
        store.IncidentBatch(size=2, columns={**common, "external_id": ["C", "D"], "source_row": [4, 5],
                                             "occurred_time": [time(23, 15), None]}),
        store.IncidentBatch(size=1, columns={**common, "external_id": ["E"], "source_row": [6], "occurred_time": [None]}),
    ]
    with transaction.atomic():
        assert store.incident_rows_insert(batches=batches) == 5
        counts_refresh_marked()  # as the import does before it commits
    assert times_by_id() == {"A": None, "B": None, "C": time(23, 15), "D": None, "E": None}
