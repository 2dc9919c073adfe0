"""police.uk outcomes update imported crimes; STATS19 collisions map severity to the taxonomy."""

import pytest

from saferplace.incidents.models import ImportStatus, Incident, LocationPrecision
from tests.incidents.conftest import (
    FORCE,
    POINT_A,
    POLICE_UK_HEADER,
    crime_id,
    csv_text,
    may_2026_rows,
)

pytestmark = pytest.mark.django_db

OUTCOMES_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
]


def outcome_row(number: int | None, outcome: str) -> list[str]:
    longitude, latitude, location, code, name = POINT_A
    identifier = crime_id(number) if number is not None else ""
    return [identifier, "2026-06", FORCE, FORCE, longitude, latitude, location, code, name, outcome]


def test_outcomes_update_imported_crimes_and_reject_unknown_ones(squares, world, write_file, run_import):
    run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation=FORCE)
    rows = [
        outcome_row(1, "Offender given a caution"),
        outcome_row(2, "Court case unable to proceed"),  # two identical crime rows carry this ID
        outcome_row(404, "Local resolution"),
        outcome_row(None, "Local resolution"),
    ]
    run = run_import("police-uk-outcomes", write_file("outcomes.csv", csv_text(OUTCOMES_HEADER, rows)), organisation=FORCE)

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_read, run.rows_updated, run.rows_imported, run.rows_rejected) == (4, 2, 0, 2)
    assert Incident.objects.get(external_id=crime_id(1)).outcome_text == "Offender given a caution"
    assert set(Incident.objects.filter(external_id=crime_id(2)).values_list("outcome__text", flat=True)) == {"Court case unable to proceed"}
    assert Incident.objects.get(external_id=crime_id(3)).outcome_text == "Awaiting court outcome"
    assert list(run.rejections.values_list("row_number", "field", "reason")) == [
        (4, "Crime ID", "no imported crime with this Crime ID"),
        (5, "Crime ID", "Crime ID is blank: an outcome needs the crime it belongs to"),
    ]
    assert Incident.objects.count() == 11


STATS19_HEADER = [
    "collision_index", "collision_year", "collision_ref_no", "location_easting_osgr", "location_northing_osgr",
    "longitude", "latitude", "police_force", "collision_severity", "number_of_vehicles", "number_of_casualties",
    "date", "day_of_week", "time", "lsoa_of_collision_location",
]


def collision(index: str, severity: str, when: str = "14/03/2024", point=("0.004", "52.004"), lsoa: str = "E01000001") -> list[str]:
    return [index, when[-4:], index[-6:], "", "", point[0], point[1], "99", severity, "2", "1", when, "5", "17:45", lsoa]


def test_stats19_severity_mapping_locations_and_rejections(squares, world, write_file, run_import):
    rows = [
        collision("2024990000001", "1"),
        collision("2024990000002", "2", point=("0.015", "52.005"), lsoa="E01000002"),
        collision("2024990000003", "3"),
        collision("2024990000004", "3", point=("NULL", "NULL"), lsoa="-1"),
        collision("2024990000005", "7"),
        collision("2024990000006", "3", when="31/02/2024"),
    ]
    run = run_import("stats19", write_file("collisions.csv", csv_text(STATS19_HEADER, rows)), organisation="Riverford City Council")

    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_imported, run.rows_rejected) == (4, 2)
    categories = dict(Incident.objects.values_list("external_id", "category_id"))
    assert categories == {
        "2024990000001": "road-collision-fatal",
        "2024990000002": "road-collision-serious",
        "2024990000003": "road-collision-slight",
        "2024990000004": "road-collision-slight",
    }
    serious = Incident.objects.get(external_id="2024990000002")
    assert (serious.location_precision, serious.lsoa, serious.ward) == (LocationPrecision.EXACT, squares["lsoa_b"], squares["ward_2"])
    assert serious.occurred_on.isoformat() == "2024-03-14" and serious.partition.key == "stats19|2024"
    assert serious.data_category.code == "road-safety" and serious.source_category_text == "Serious"
    nowhere = Incident.objects.get(external_id="2024990000004")
    assert (nowhere.location_precision, nowhere.lsoa) == (LocationPrecision.NONE, None)
    assert list(run.rejections.values_list("field", "reason")) == [
        ("collision_severity", "collision_severity '7' is not 1 (fatal), 2 (serious) or 3 (slight)"),
        ("date", "date '31/02/2024' is not a date like 31/12/2024"),
    ]


def test_stats19_older_accident_columns_and_a_republished_year_replaces(squares, world, write_file, run_import):
    header = [name.replace("collision_", "accident_").replace("_of_collision_", "_of_accident_") for name in STATS19_HEADER]
    header[2] = "accident_reference"
    first = run_import("stats19", write_file("2023.csv", csv_text(header, [collision("2023990000001", "3", "01/06/2023")] * 3)),
                       organisation="Riverford City Council")
    assert first.rows_imported == 3
    again = run_import("stats19", write_file("2023-v2.csv", csv_text(header, [collision("2023990000001", "2", "01/06/2023")])),
                       organisation="Riverford City Council")
    assert (again.rows_replaced, again.rows_imported) == (3, 1)
    assert list(Incident.objects.values_list("category_id", flat=True)) == ["road-collision-serious"]


def test_a_police_file_given_to_stats19_is_refused(world, write_file, run_import):
    run = run_import("stats19", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation="Riverford City Council")
    assert run.status == ImportStatus.REFUSED
    assert "This is not a STATS19 road collision file: expected the columns collision_index" in run.message
    assert "import it with police-uk" in run.message
