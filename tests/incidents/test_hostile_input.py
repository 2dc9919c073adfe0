"""Hostile files and values: a spreadsheet made to exhaust whoever opens it is refused before
anything unpacks it, and a hostile date or coordinate rejects its own row while the rest of the
file loads; nothing raises."""

import io
import math
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from django.utils import timezone

from saferplace.incidents.importers import FileRefused, profile_preview
from saferplace.incidents.importers import spreadsheets as spreadsheet_limits
from saferplace.incidents.models import (
    ImportStatus,
    Incident,
    LocationKind,
    ProfileSample,
    ProfileSampleStatus,
)
from saferplace.incidents.profiles import profile_sample_read
from saferplace.incidents.selectors import incident_source_record
from tests.incidents.conftest import (
    FORCE,
    POINT_A,
    POLICE_UK_HEADER,
    crime_id,
    csv_text,
    police_row,
)
from tests.incidents.test_outcomes_and_stats19 import STATS19_HEADER, collision
from tests.incidents.test_profiles_and_lookups import council_profile

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


# Spreadsheets ----------------------------------------------------------------------------------


def workbook(path: Path, rows: list[list] | None = None, *, sheet: bytes | None = None, padding: int = 0) -> Path:
    """A real workbook written by openpyxl, its sheet part replaced by `sheet` if given, with a
    part of `padding` zero bytes added (a zip bomb's payload, written a megabyte at a time)."""
    book = openpyxl.Workbook()
    for row in rows or [["Reported", "Type"], ["03/05/2026", "Fly tip"]]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    original = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in original.infolist():
            archive.writestr(part.filename, sheet if (sheet is not None and part.filename == SHEET) else original.read(part))
        if padding:
            with archive.open("xl/worksheets/sheet2.xml", "w") as payload:
                for _ in range(padding // (1 << 20)):
                    payload.write(bytes(1 << 20))
    return path


def sheet_xml(body: str, dimension: str = "") -> bytes:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"<worksheet {MAIN}>{declared}<sheetData>{body}</sheetData></worksheet>".encode()


@pytest.fixture
def unpacked(monkeypatch):
    """Records every call of pandas.read_excel and openpyxl.load_workbook: a refused file
    must reach neither."""
    calls = []
    monkeypatch.setattr(pd, "read_excel", lambda *args, **kwargs: calls.append("pandas.read_excel"))
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: calls.append("openpyxl.load_workbook"))
    return calls


def profile_for_dates(world, **fields):
    return council_profile(world, name="hostile", location_kind=LocationKind.NONE, postcode_column="",
                           external_id_column="", outcome_column="", **fields)


def test_a_zip_bomb_is_refused_before_anything_unpacks_it(world, tmp_path, run_import, unpacked):
    bomb = workbook(tmp_path / "bomb.xlsx", padding=8 << 20)  # 8 MB of zeros in a file of a few KB
    assert bomb.stat().st_size < 64 * 1024

    run = run_import("profile", bomb, profile=profile_for_dates(world))

    assert run.status == ImportStatus.REFUSED
    assert run.message.startswith("This spreadsheet's part 'xl/worksheets/sheet2.xml' is compressed ")
    assert "more than the 100 to 1 SaferPlace reads (IMPORT_MAX_COMPRESSION_RATIO)" in run.message
    assert unpacked == []
    assert not Incident.objects.exists()


def test_refusing_a_zip_bomb_uses_no_memory_for_it(tmp_path, unpacked):
    bomb = workbook(tmp_path / "bomb.xlsx", padding=32 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(FileRefused, match="IMPORT_MAX_COMPRESSION_RATIO"):
            profile_preview(path=bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20  # under a megabyte, for a file that unpacks to 32
    assert unpacked == []


def test_a_spreadsheet_that_would_unpack_to_too_much_is_refused(world, tmp_path, run_import, settings, unpacked):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 2
    run = run_import("profile", workbook(tmp_path / "big.xlsx", padding=3 << 20), profile=profile_for_dates(world))

    assert run.status == ImportStatus.REFUSED
    assert run.message == (
        "This spreadsheet would unpack to 4 MB, more than the 2 MB SaferPlace reads (IMPORT_MAX_UNCOMPRESSED_MB)."
    )
    assert unpacked == []


def test_a_workbook_declaring_too_many_rows_or_cells_is_refused(tmp_path, unpacked):
    rows = workbook(tmp_path / "rows.xlsx", sheet=sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', "A1:B3000000"))
    with pytest.raises(FileRefused) as refused:
        profile_preview(path=rows)
    assert str(refused.value) == (
        "This spreadsheet's sheet 'xl/worksheets/sheet1.xml' declares 3,000,000 rows, more than the 2,000,000 "
        "SaferPlace reads (IMPORT_MAX_ROWS)."
    )
    cells = workbook(tmp_path / "cells.xlsx", sheet=sheet_xml("", "A1:XFD100000"))
    with pytest.raises(FileRefused, match=r"declares 100,000 rows by 16,384 columns, 1,638,400,000 cells, more than the "
                                          r"50,000,000 SaferPlace reads \(IMPORT_MAX_CELLS\)"):
        profile_preview(path=cells)
    assert unpacked == []


def test_a_sheet_that_hides_its_size_is_counted_and_refused(tmp_path, unpacked):
    """It declares one cell, but its last cell is a million rows down and 16,384 columns across:
    pandas ignores the declaration and would build every empty cell. The file is a few KB."""
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    lying = workbook(tmp_path / "lying.xlsx", sheet=sheet_xml(body, "A1:A1"))
    with pytest.raises(FileRefused, match=r"has 1,048,576 rows by 16,384 columns, .* \(IMPORT_MAX_CELLS\)"):
        profile_preview(path=lying)
    # A row hidden in a row is counted too (openpyxl reads it as a cell of the outer row).
    nested = workbook(tmp_path / "nested.xlsx", sheet=sheet_xml('<row r="5000"><c r="XFD5000"><v>1</v></c><row/></row>'))
    with pytest.raises(FileRefused, match=r"has 5,00\d rows by 16,385 columns"):
        profile_preview(path=nested)
    assert unpacked == []


def test_rows_are_counted_when_the_sheet_declares_none(tmp_path, settings):
    book = openpyxl.Workbook(write_only=True)  # writes no <dimension>
    sheet = book.create_sheet()
    for number in range(30):
        sheet.append([f"row {number}", number])
    book.save(tmp_path / "plain.xlsx")
    assert b"<dimension" not in zipfile.ZipFile(tmp_path / "plain.xlsx").read(SHEET)

    settings.IMPORT_MAX_ROWS = 20
    with pytest.raises(FileRefused, match=r"sheet 'xl/worksheets/sheet1.xml' has 21 rows, more than the 20 SaferPlace reads"):
        profile_preview(path=tmp_path / "plain.xlsx")
    settings.IMPORT_MAX_ROWS = 30
    header, rows = profile_preview(path=tmp_path / "plain.xlsx", rows=3)
    assert (header, rows) == (["row 0", "0"], [["row 1", "1"], ["row 2", "2"], ["row 3", "3"]])


def test_files_that_are_not_workbooks_and_entity_tricks_are_refused(tmp_path, write_file, unpacked):
    for content in (b"PK\x03\x04 not really a workbook", b"Reported,Type\n"):
        with pytest.raises(FileRefused, match="This file is not an XLSX workbook: it is not a valid zip archive"):
            profile_preview(path=write_file("fake.xlsx", content))
    truncated = workbook(tmp_path / "whole.xlsx").read_bytes()[:-30]
    with pytest.raises(FileRefused, match="not a valid zip archive"):
        profile_preview(path=write_file("truncated.xlsx", truncated))
    laughs = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + sheet_xml("<row><c><v>&a;</v></c></row>")
    with pytest.raises(FileRefused, match="has a document type declaration, which no workbook has"):
        profile_preview(path=workbook(tmp_path / "laughs.xlsx", sheet=laughs))
    assert unpacked == []


def test_a_workbook_with_too_many_parts_is_refused_before_they_are_listed(tmp_path, monkeypatch):
    """zipfile reads the whole directory when it opens an archive: the end record is checked first."""
    path = workbook(tmp_path / "parts.xlsx")  # nine parts
    monkeypatch.setattr(spreadsheet_limits, "MAX_PARTS", 5)
    opened = []
    monkeypatch.setattr(zipfile, "ZipFile", lambda *args, **kwargs: opened.append(args))
    with pytest.raises(FileRefused, match="This spreadsheet has more than the 5 parts a workbook SaferPlace reads may have"):
        profile_preview(path=path)
    assert opened == []


def test_the_profile_sample_read_by_the_worker_refuses_a_zip_bomb(world, council_analyst, tmp_path, unpacked, stored_uploads):
    from django.core.files import File

    bomb = workbook(tmp_path / "sample.xlsx", padding=8 << 20)
    sample = ProfileSample(organisation=world["organisations"]["council"], created_by=council_analyst, file_name="sample.xlsx")
    with bomb.open("rb") as handle:
        sample.upload.save("sample.xlsx", File(handle))
    stored = sample.upload.name

    sample = profile_sample_read(sample=sample)

    assert sample.status == ProfileSampleStatus.REFUSED
    assert "IMPORT_MAX_COMPRESSION_RATIO" in sample.message and sample.header == []
    assert not stored_uploads.exists(stored) and not sample.upload and unpacked == []


# Values too long to read back -------------------------------------------------------------------


def test_a_value_longer_than_the_csv_module_reads_refuses_the_file_naming_the_row(squares, world, write_file, run_import):
    long_row = police_row(2, "2026-05", "Burglary")
    long_row[-1] = "z" * 200_000  # Context
    rows = [police_row(1, "2026-05", "Burglary"), long_row]
    run = run_import("police-uk", write_file("long.csv", csv_text(POLICE_UK_HEADER, rows)), organisation=FORCE)
    assert run.status == ImportStatus.REFUSED
    assert run.message == (
        "Row 3 has a value 200,000 characters long in the column 'Context', more than the 131,072 characters "
        "SaferPlace reads in one value."
    )
    # Spread over lines inside quotes, and in the header, the same.
    long_row[-1] = "z\n" * 100_000
    run = run_import("police-uk", write_file("lines.csv", csv_text(POLICE_UK_HEADER, rows)), organisation=FORCE)
    assert run.status == ImportStatus.REFUSED and run.message.startswith("Row 3 has a value 200,000 characters long")
    run = run_import("police-uk", write_file("header.csv", csv_text([*POLICE_UK_HEADER, "h" * 200_000], [])), organisation=FORCE)
    assert run.status == ImportStatus.REFUSED
    assert run.message.startswith("This is not a police.uk street-level crime file: row 1, the header, cannot be read as CSV")


def test_a_value_as_long_as_the_csv_module_reads_loads_and_reads_back(squares, world, write_file, run_import):
    row = police_row(1, "2026-05", "Burglary")
    row[-1] = "z" * 131_072
    run = run_import("police-uk", write_file("edge.csv", csv_text(POLICE_UK_HEADER, [row])), organisation=FORCE)
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert incident_source_record(Incident.objects.get())["Context"] == row[-1]


def test_a_profile_file_with_a_value_too_long_is_refused(world, write_file, run_import):
    profile = profile_for_dates(world)
    rows = [["03/05/2026", "Fly tip"], ["04/05/2026", "Fly tip" + " " * 140_000]]
    run = run_import("profile", write_file("long.csv", csv_text(["Reported", "Type"], rows)), profile=profile)
    assert run.status == ImportStatus.REFUSED
    assert run.message.startswith("Row 3 has a value 140,007 characters long in the column 'Type'")
    header = ["Reported", "Type", "n" * 140_000]
    run = run_import("profile", write_file("name.csv", csv_text(header, [[*rows[0], ""]])), profile=profile)
    assert run.status == ImportStatus.REFUSED
    assert run.message.startswith("Row 1, the header, has a name 140,000 characters long")


# Hostile dates ----------------------------------------------------------------------------------


def a_year_ahead() -> date:
    today = timezone.localdate()
    return today.replace(year=today.year + 1, day=1)


def next_month() -> date:
    """The first of next month: at most 31 days ahead, so within the default margin."""
    return (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)


def test_hostile_police_uk_months_reject_their_rows_and_the_rest_loads(squares, world, write_file, run_import):
    future = f"{a_year_ahead():%Y-%m}"
    hostile = ["0000-01", "0001-01", "1899-12", future, "9999999999-01", "2026-13", "2026-00", "２０２６-０５", "", " 2026-05x"]
    rows = [police_row(1, "2026-05", "Burglary"), *[police_row(10 + n, month, "Burglary") for n, month in enumerate(hostile)],
            police_row(2, "2026-05", "Drugs", POINT_A), police_row(3, f"{next_month():%Y-%m}", "Drugs")]

    run = run_import("police-uk", write_file("hostile.csv", csv_text(POLICE_UK_HEADER, rows)), organisation=FORCE)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_read, run.rows_imported, run.rows_rejected) == (13, 3, 10)
    assert list(run.rejections.values_list("field", "reason")) == [
        ("Month", "Month '0000-01' is before 1900"),
        ("Month", "Month '0001-01' is before 1900"),
        ("Month", "Month '1899-12' is before 1900"),
        ("Month", f"Month '{future}' is in the future"),
        ("Month", "Month '9999999999-01' is not a year and month like 2026-05"),
        ("Month", "Month '2026-13' is not a year and month like 2026-05"),
        ("Month", "Month '2026-00' is not a year and month like 2026-05"),
        ("Month", "Month '２０２６-０５' is not a year and month like 2026-05"),
        ("Month", "Month is blank"),
        ("Month", "Month ' 2026-05x' is not a year and month like 2026-05"),
    ]
    # What a re-import replaces is named by good rows only.
    assert set(Incident.objects.values_list("partition__key", flat=True)) == {
        f"{FORCE}|2026-05", f"{FORCE}|{next_month():%Y-%m}",
    }
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == [crime_id(1), crime_id(2), crime_id(3)]


def test_the_future_margin_is_a_setting(squares, world, write_file, run_import, settings):
    settings.IMPORT_FUTURE_MARGIN_DAYS = 0
    tomorrow = timezone.localdate() + timedelta(days=1)
    rows = [collision("2024990000001", "3"), collision("2024990000002", "3", f"{tomorrow:%d/%m/%Y}")]
    run = run_import("stats19", write_file("c.csv", csv_text(STATS19_HEADER, rows)), organisation="Riverford City Council")
    assert (run.rows_imported, run.rows_rejected) == (1, 1)
    assert run.rejections.get(field="date").reason == f"date '{tomorrow:%d/%m/%Y}' is in the future"


def test_hostile_stats19_dates_and_years_reject_their_rows(squares, world, write_file, run_import):
    future = f"{a_year_ahead():%d/%m/%Y}"
    rows = [
        collision("2024990000001", "3"),
        collision("2024990000002", "3", "01/01/0000"),
        collision("2024990000003", "3", "31/12/1899"),
        collision("2024990000004", "3", future),
        collision("2024990000005", "3", "１４/０３/２０２４"),
        collision("2024990000006", "3", "14/03/99999"),
        collision("2024990000007", "3", "1899-12-31"),
    ]
    for row in rows:
        row[1] = "2024"  # collision_year, which names the partition
    rows[0][1] = "２０２４"
    rows.append(collision("2024990000008", "3"))
    rows[-1][1] = "0000"
    rows.append(collision("2024990000010", "3"))
    rows[-1][1] = " "
    rows.append(collision("2024990000009", "3"))

    run = run_import("stats19", write_file("c.csv", csv_text(STATS19_HEADER, rows)), organisation="Riverford City Council")

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (1, 9)
    this_year = (timezone.localdate() + timedelta(days=31)).year
    assert list(run.rejections.values_list("row_number", "reason")) == [
        (2, f"collision_year '２０２４' is not a year from 1900 to {this_year}"),
        (3, "date '01/01/0000' is not a date like 31/12/2024"),
        (4, "date '31/12/1899' is before 1900"),
        (5, f"date '{future}' is in the future"),
        (6, "date '１４/０３/２０２４' is not a date like 31/12/2024"),
        (7, "date '14/03/99999' is not a date like 31/12/2024"),
        (8, "date '1899-12-31' is before 1900"),
        (9, f"collision_year '0000' is not a year from 1900 to {this_year}"),
        (10, f"collision_year ' ' is not a year from 1900 to {this_year}"),
    ]
    assert list(Incident.objects.values_list("partition__key", flat=True)) == ["stats19|2024"]


def test_hostile_dates_in_a_profile_spreadsheet_reject_their_rows(world, tmp_path, run_import):
    profile = profile_for_dates(world, category_map={"Fly tip": "fly-tipping"})
    far = datetime(a_year_ahead().year + 1, 1, 1)
    path = workbook(tmp_path / "dates.xlsx", [
        ["Reported", "Type"],
        [datetime(2026, 5, 3), "Fly tip"],  # a date cell
        ["04/05/2026", "Fly tip"],
        [far, "Fly tip"],  # a date cell in the future
        ["31/12/1899", "Fly tip"],
        ["00/01/0000", "Fly tip"],
        ["01/01/0000", "Fly tip"],
        ["０４/０５/２０２６", "Fly tip"],
        ["9" * 5000, "Fly tip"],
    ])

    run = run_import("profile", path, profile=profile)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (2, 6)
    reasons = list(run.rejections.values_list("row_number", "reason"))
    assert reasons[:5] == [
        (4, f"Reported '{far:%Y-%m-%d}' is in the future"),  # a date cell with no time reads as the date
        (5, "Reported '31/12/1899' is before 1900"),
        (6, "Reported '00/01/0000' is not a date written day/month/year (e.g. 31/01/2026)"),
        (7, "Reported '01/01/0000' is before 1900"),
        (8, "Reported '０４/０５/２０２６' is not a date written day/month/year (e.g. 31/01/2026)"),
    ]
    assert reasons[5][0] == 9 and reasons[5][1].startswith("Reported '9999")
    assert sorted(Incident.objects.values_list("occurred_on", flat=True)) == [date(2026, 5, 3), date(2026, 5, 4)]


# Hostile numbers --------------------------------------------------------------------------------


def test_hostile_coordinates_reject_their_rows_and_minus_zero_is_zero(squares, world, write_file, run_import):
    hostile = [("nan", "0.0045"), ("52.0055", "inf"), ("-inf", "0.0045"), ("1e309", "0.0045"), ("NaN", "NaN"),
               ("1" * 5000, "0.0045"), ("52.0055", "0x1p-2"), ("1e308", "0.0045"), ("52.0055", "")]
    rows = [police_row(1, "2026-05", "Burglary")]
    for number, (latitude, longitude) in enumerate(hostile, start=10):
        row = police_row(number, "2026-05", "Burglary")
        row[4], row[5] = longitude, latitude
        rows.append(row)
    zero = police_row(2, "2026-05", "Burglary")
    zero[4] = "-0"
    rows.append(zero)

    run = run_import("police-uk", write_file("numbers.csv", csv_text(POLICE_UK_HEADER, rows)), organisation=FORCE)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (2, 9)
    reasons = {row: (field, reason) for row, field, reason in run.rejections.values_list("row_number", "field", "reason")}
    assert reasons.pop(8)[1].startswith("Latitude '11111")  # a number too big to be one, cut to 300 characters
    assert reasons == {
        3: ("Latitude", "Latitude 'nan' is not a number"),
        4: ("Longitude", "Longitude 'inf' is not a number"),
        5: ("Latitude", "Latitude '-inf' is not a number"),
        6: ("Latitude", "Latitude '1e309' is not a number"),
        7: ("Latitude", "Latitude 'NaN' is not a number"),
        9: ("Longitude", "Longitude '0x1p-2' is not a number"),
        10: ("Latitude", "Latitude 1e308 is out of range (-90 to 90)"),
        11: ("Longitude", "Longitude is blank but Latitude is given"),
    }
    on_the_meridian = Incident.objects.get(external_id=crime_id(2))
    assert on_the_meridian.longitude == 0.0 and math.copysign(1, on_the_meridian.longitude) == 1


def test_a_reference_too_long_to_keep_rejects_its_row(squares, world, write_file, run_import):
    from tests.incidents.conftest import POLICE_UK_HEADER, csv_text, police_row

    long_id = police_row(1, "2026-05", "Burglary")
    long_id[0] = "x" * 101
    run = run_import("police-uk", write_file("long.csv", csv_text(POLICE_UK_HEADER, [long_id, police_row(2, "2026-05", "Burglary")])),
                     organisation="Fenshire Police")
    assert (run.status, run.rows_imported) == ("succeeded", 1)
    assert list(run.rejections.values_list("row_number", "field", "reason")) == [
        (2, "Crime ID", "Crime ID is longer than the 100 characters SaferPlace keeps")]
