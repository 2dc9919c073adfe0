"""Partner files through mapping profiles (CSV and XLSX; coordinates, postcode and LSOA
locations; unmapped categories), and the place, population and postcode lookups."""

from datetime import date, time

import openpyxl
import pytest

from saferplace.incidents.importers import FileRefused, profile_preview
from saferplace.incidents.models import (
    ImportStatus,
    Incident,
    IncidentCategory,
    LocationKind,
    LocationPrecision,
    MappingProfile,
    PostcodeCentroid,
)
from saferplace.places.models import Place, PlaceKind
from tests.incidents.conftest import csv_text

pytestmark = pytest.mark.django_db


def council_profile(world, **fields) -> MappingProfile:
    values = {
        "name": "council-environment",
        "owning_organisation": world["organisations"]["council"],
        "data_category": world["categories"]["environmental"],
        "source": "council-environmental",
        "date_column": "Reported",
        "date_format": "%d/%m/%Y",
        "category_column": "Type",
        "category_map": {"Fly tip": "fly-tipping", "Graffiti - offensive": "graffiti", "Needles": "drug-litter", "Bins": "not-a-code",
                         "Complaint about a neighbour": ""},
        "location_kind": LocationKind.POSTCODE,
        "postcode_column": "Postcode",
        "external_id_column": "Ref",
        "outcome_column": "Status",
    }
    values.update(fields)
    return MappingProfile.objects.create(**values)


def test_profile_csv_with_postcodes_maps_categories_and_rejects_what_it_cannot(squares, world, write_file, run_import):
    PostcodeCentroid.objects.create(postcode="TB11AA", latitude=52.005, longitude=0.005)
    profile = council_profile(world)
    header = ["Ref", "Reported", "Type", "Postcode", "Status"]
    rows = [
        ["ENV-1", "03/05/2026", "Fly tip", "tb1 1aa", "Cleared"],
        ["ENV-2", "04/05/2026", "Graffiti - offensive", "TB1 1AA", "Open"],
        ["ENV-3", "05/05/2026", "Dog fouling", "TB1 1AA", "Open"],
        ["ENV-4", "06/05/2026", "Fly tip", "ZZ9 9ZZ", "Open"],
        ["ENV-5", "2026-05-07", "Bins", "TB1 1AA", "Open"],
        ["ENV-6", "7th May", "Fly tip", "TB1 1AA", "Open"],
        ["ENV-7", "08/05/2026", "Needles", "", "Open"],
        ["ENV-8", "09/05/2026", "Complaint about a neighbour", "TB1 1AA", "Open"],
    ]
    run = run_import("profile", write_file("env.csv", csv_text(header, rows)), profile=profile)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_read, run.rows_imported, run.rows_rejected) == (8, 3, 5)
    fly_tip = Incident.objects.get(external_id="ENV-1")
    assert (fly_tip.category_id, fly_tip.source_category_text, fly_tip.outcome_text) == ("fly-tipping", "Fly tip", "Cleared")
    assert (fly_tip.location_precision, fly_tip.lsoa, fly_tip.latitude) == (LocationPrecision.SNAPPED, squares["lsoa_a"], 52.005)
    assert fly_tip.source == "council-environmental" and fly_tip.owning_organisation.name == "Riverford City Council"
    assert Incident.objects.get(external_id="ENV-7").location_precision == LocationPrecision.NONE
    assert list(run.rejections.values_list("row_number", "field", "reason")) == [
        (4, "Type", "Type 'Dog fouling' is not in the profile's category map and the profile has no default category"),
        (5, "Postcode", "postcode not in the loaded postcode lookup"),
        (6, "Type", "Type 'Bins' maps to 'not-a-code', which is not a category in the taxonomy"),
        (7, "Reported", "Reported '7th May' is not a date written day/month/year (e.g. 31/01/2026)"),
        (9, "Type", "Type 'Complaint about a neighbour' is a category the profile rejects"),
    ]

    # A corrected extract replaces the records with the same ids, and adds the rest.
    profile.default_category = IncidentCategory.objects.get(code="litter")
    profile.save()
    rows[0][4] = "Cleared and enforcement"
    again = run_import("profile", write_file("env-v2.csv", csv_text(header, rows[:3])), profile=profile)
    assert (again.rows_replaced, again.rows_imported) == (2, 3)
    assert Incident.objects.get(external_id="ENV-1").outcome_text == "Cleared and enforcement"
    assert Incident.objects.get(external_id="ENV-3").category_id == "litter"
    assert Incident.objects.count() == 4


def test_profile_xlsx_with_lsoa_codes_and_date_cells(squares, world, tmp_path, run_import):
    from datetime import datetime

    profile = council_profile(
        world, name="youth", source="youth-service", location_kind=LocationKind.LSOA, lsoa_column="LSOA",
        postcode_column="", date_column="Session date", category_column="Contact", outcome_column="",
        external_id_column="", category_map={"Detached": "youth-detached-contact"},
    )
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Session date", "Contact", "LSOA"])
    sheet.append([datetime(2026, 5, 3), "Detached", "E01000002"])
    sheet.append(["04/05/2026", "Detached", "e01000001"])
    sheet.append([datetime(2026, 5, 5), "Centre", "E01000001"])
    path = tmp_path / "youth.xlsx"
    workbook.save(path)

    run = run_import("profile", path, profile=profile)
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (2, 1)
    assert sorted(Incident.objects.values_list("occurred_on", "lsoa__code", "ward__code")) == [
        (datetime(2026, 5, 3).date(), "E01000002", "E05000002"),
        (datetime(2026, 5, 4).date(), "E01000001", "E05000001"),
    ]
    assert {incident.location_precision for incident in Incident.objects.select_related("location")} == {"none"}
    # A file without an id column appends: importing another file adds.
    header, rows = profile_preview(path=path, rows=2)
    assert header == ["Session date", "Contact", "LSOA"]
    # A date cell with no time of day reads as the date alone.
    assert rows == [["2026-05-03", "Detached", "E01000002"], ["04/05/2026", "Detached", "e01000001"]]


# A separate time column -------------------------------------------------------------------------


def calls_with_time_column(world, date_format: str = "%d/%m/%Y") -> MappingProfile:
    return council_profile(world, name="calls", source="calls-for-service", date_column="Date", date_format=date_format,
                           time_column="Time", category_column="Type", category_map={"Fly tip": "fly-tipping"},
                           location_kind=LocationKind.NONE, postcode_column="", external_id_column="Ref", outcome_column="")


def test_a_time_column_fills_the_time_of_day_in_every_way_it_is_written(world, write_file, run_import):
    profile = calls_with_time_column(world)
    times = ["23:15", "9:05", "23.15", "23:15:30", "23:15:30.25", "11:15 pm", "11:15PM", "11.15 p.m.", "12:05 am",
             "11 pm", "7am", "2315", "0905", "905", " 23:15 ", ""]
    rows = [[f"C-{number}", "03/05/2026", "Fly tip", value] for number, value in enumerate(times, start=1)]
    run = run_import("profile", write_file("calls.csv", csv_text(["Ref", "Date", "Type", "Time"], rows)), profile=profile)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (len(times), 0)
    found = dict(Incident.objects.values_list("external_id", "occurred_time"))
    assert [found[f"C-{number}"] for number in range(1, len(times) + 1)] == [
        time(23, 15), time(9, 5), time(23, 15), time(23, 15, 30), time(23, 15, 30), time(23, 15), time(23, 15),
        time(23, 15), time(0, 5), time(23, 0), time(7, 0), time(23, 15), time(9, 5), time(9, 5), time(23, 15), None,
    ]
    assert set(Incident.objects.values_list("occurred_on", flat=True)) == {date(2026, 5, 3)}


def test_a_time_that_is_no_time_rejects_its_row_naming_the_row_field_and_reason(world, write_file, run_import):
    profile = calls_with_time_column(world)
    times = ["23:15", "25:00", "23:60", "13:05 pm", "2400", "late", "23:15Z", "1", "99999999999:15", "２３:１５",
             "=cmd|' /C calc'!A0"]
    rows = [[f"C-{number}", "03/05/2026", "Fly tip", value] for number, value in enumerate(times, start=1)]
    run = run_import("profile", write_file("calls.csv", csv_text(["Ref", "Date", "Type", "Time"], rows)), profile=profile)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (1, len(times) - 1)
    assert Incident.objects.get().occurred_time == time(23, 15)
    assert list(run.rejections.values_list("row_number", "field", "reason")) == [
        (number + 1, "Time", f"Time {value!r} is not a time of day like 23:15, 23:15:00, 11:15 pm or 2315")
        for number, value in enumerate(times, start=1) if number > 1
    ]


def test_the_time_column_wins_over_a_time_after_the_date(world, write_file, run_import):
    profile = calls_with_time_column(world, "%d/%m/%Y %H:%M")
    rows = [
        ["C-1", "03/05/2026 08:00", "Fly tip", "23:15"],  # both given: the time column's
        ["C-2", "03/05/2026 08:00", "Fly tip", ""],  # the time column blank: the date's own time
        ["C-3", "03/05/2026", "Fly tip", "10:30"],
        ["C-4", "03/05/2026", "Fly tip", ""],  # neither: no time
        ["C-5", "03/05/2026 25:00", "Fly tip", "10:30"],  # a bad date is still a bad date
        ["C-6", "32/05/2026 08:00", "Fly tip", "25:00"],  # both bad: the row is rejected once, for each
    ]
    run = run_import("profile", write_file("calls.csv", csv_text(["Ref", "Date", "Type", "Time"], rows)), profile=profile)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (4, 2)
    assert dict(Incident.objects.values_list("external_id", "occurred_time")) == {
        "C-1": time(23, 15), "C-2": time(8, 0), "C-3": time(10, 30), "C-4": None,
    }
    assert list(run.rejections.values_list("row_number", "field")) == [(6, "Date"), (7, "Date"), (7, "Time")]


def test_a_time_column_reads_a_spreadsheets_time_cells(world, tmp_path, run_import):
    from datetime import datetime

    profile = calls_with_time_column(world)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Date", "Type", "Time"])
    sheet.append(["C-1", datetime(2026, 5, 3), "Fly tip", time(23, 15)])
    sheet.append(["C-2", datetime(2026, 5, 3), "Fly tip", 905])  # a number: 09:05 lost its leading zero
    sheet.append(["C-3", datetime(2026, 5, 3, 8, 0), "Fly tip", time(0, 0)])  # a time cell at midnight is midnight
    path = tmp_path / "calls.xlsx"
    workbook.save(path)

    run = run_import("profile", path, profile=profile)
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert dict(Incident.objects.values_list("external_id", "occurred_time")) == {
        "C-1": time(23, 15), "C-2": time(9, 5), "C-3": time(0, 0),
    }


def test_a_file_without_the_time_column_is_refused_naming_it(world, write_file, run_import):
    profile = calls_with_time_column(world)
    run = run_import("profile", write_file("calls.csv", csv_text(["Ref", "Date", "Type"], [["C-1", "03/05/2026", "Fly tip"]])),
                     profile=profile)
    assert run.status == ImportStatus.REFUSED
    assert "missing: Time" in run.message


def test_profile_refuses_a_file_without_its_columns(world, write_file, run_import):
    profile = council_profile(world)
    run = run_import("profile", write_file("other.csv", csv_text(["Date", "What"], [["1", "2"]])), profile=profile)
    assert run.status == ImportStatus.REFUSED
    assert "expected the columns Reported, Type, Postcode, Ref, Status" in run.message
    assert "missing: Reported, Type, Postcode, Ref, Status" in run.message


def test_profile_preview_refuses_unreadable_files(write_file):
    with pytest.raises(FileRefused, match="not UTF-8"):
        profile_preview(path=write_file("bad.csv", b"a,b\n\xff\xfe,1\n"))
    with pytest.raises(FileRefused):
        profile_preview(path=write_file("broken.xlsx", b"PK\x03\x04 not really a workbook"))


LOOKUP_HEADER = ["LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "community_code", "community_name", "LAD24CD", "LAD24NM"]


def test_place_lookup_builds_the_hierarchy_and_population_fills_it(world, write_file, run_import):
    rows = [
        ["E01000101", "Newtown 001A", "E05000101", "North Ward", "NT-C1", "Newtown North", "E06000101", "Newtown"],
        ["E01000102", "Newtown 001B", "E05000101", "North Ward", "NT-C1", "Newtown North", "E06000101", "Newtown"],
        ["E01000103", "Newtown 002A", "E05000102", "South Ward", "NT-C2", "Newtown South", "E06000101", "Newtown"],
        ["E01000104", "Newtown 002B", "E05000102", "South Ward", "NT-C1", "Newtown North", "E06000101", "Newtown"],
        ["", "", "E05000103", "East Ward", "NT-C2", "Newtown South", "E06000101", "Newtown"],
    ]
    run = run_import("place-lookup", write_file("lookup.csv", csv_text(LOOKUP_HEADER, rows)))
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (8, 2)
    lsoa = Place.objects.get(code="E01000103")
    assert (lsoa.kind, lsoa.name, lsoa.parent.code, lsoa.parent.parent.code, lsoa.parent.parent.parent.code) == (
        PlaceKind.LSOA, "Newtown 002A", "E05000102", "NT-C2", "E06000101"
    )
    assert list(run.rejections.values_list("row_number", "field")) == [(5, "WD24CD"), (6, "LSOA21CD")]
    assert "E05000102 is in NT-C2 in row 4 but in NT-C1 here" in run.rejections.first().reason

    population = run_import("population", write_file("population.csv", csv_text(["code", "population"], [
        ["E01000101", "1,523"], ["E01000102", "1610"], ["E01999999", "1400"], ["E01000103", "many"],
    ])))
    assert (population.rows_updated, population.rows_rejected) == (2, 2)
    assert Place.objects.get(code="E01000101").population == 1523

    renamed = [row[:] for row in rows[:1]]
    renamed[0][1] = "Newtown Centre 001A"
    again = run_import("place-lookup", write_file("lookup-v2.csv", csv_text(LOOKUP_HEADER, renamed)))
    assert (again.rows_imported, again.rows_updated) == (0, 1)
    assert Place.objects.get(code="E01000101").name == "Newtown Centre 001A"


def test_place_lookup_refuses_a_file_without_the_columns(world, write_file, run_import):
    run = run_import("place-lookup", write_file("x.csv", csv_text(["a", "b"], [["1", "2"]])))
    assert run.status == ImportStatus.REFUSED
    assert "no column for local authority code" in run.message


def test_postcode_lookup_with_onspd_columns(world, write_file, run_import):
    PostcodeCentroid.objects.create(postcode="TB11AA", latitude=1, longitude=1)
    header = ["pcd", "pcd2", "pcds", "dointr", "lat", "long"]
    rows = [
        ["TB1 1AA", "TB1  1AA", "TB1 1AA", "199801", "52.005", "0.005"],
        ["TB1 1AB", "TB1  1AB", "TB1 1AB", "199801", "52.006", "0.006"],
        ["TB9 9ZZ", "TB9  9ZZ", "TB9 9ZZ", "199801", "99.999999", "0.000000"],
    ]
    run = run_import("postcode-lookup", write_file("onspd.csv", csv_text(header, rows)))
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_updated, run.rows_rejected) == (1, 1, 1)
    assert PostcodeCentroid.objects.get(postcode="TB11AA").latitude == 52.005
    assert run.rejections.get().reason == "lat 99.999999 is out of range (-90 to 90)"
