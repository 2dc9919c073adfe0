"""Fixtures for the importers: a hand-made geography of two square LSOAs (each in its own
ward, both in one community), and small police.uk files written the way police.uk writes them.

    lat 52.01 ┌─────────┬─────────┐
              │ LSOA A  │ LSOA B  │
              │ ward 1  │ ward 2  │
    lat 52.00 └─────────┴─────────┘
           lon 0.00   0.01      0.02
"""

import csv
import io
from pathlib import Path

import pytest

from saferplace.incidents.importers import import_file, import_run_create
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from tests.conftest import OPERATOR, square

POLICE_UK_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]
FORCE = "Fenshire Police"
# A snapped point in each LSOA, as police.uk publishes them.
POINT_A = ("0.004500", "52.005500", "On or near Mill Lane", "E01000001", "Testborough 001A")
POINT_B = ("0.015200", "52.004100", "On or near Station Road", "E01000002", "Testborough 001B")


@pytest.fixture
def squares(db):
    both = {"type": "Polygon", "coordinates": [[[0, 52], [0.02, 52], [0.02, 52.01], [0, 52.01], [0, 52]]]}
    authority = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LOCAL_AUTHORITY, code="E06000001", name="Testborough", boundary=both)
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="TST-C1", name="Test Community", parent=authority, boundary=both)
    ward_1 = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05000001", name="Ward 1", parent=community, boundary=square(0, 52))
    ward_2 = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05000002", name="Ward 2", parent=community, boundary=square(0.01, 52))
    lsoa_a = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01000001", name="Testborough 001A", parent=ward_1, boundary=square(0, 52))
    lsoa_b = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01000002", name="Testborough 001B", parent=ward_2, boundary=square(0.01, 52))
    return {"authority": authority, "community": community, "ward_1": ward_1, "ward_2": ward_2, "lsoa_a": lsoa_a, "lsoa_b": lsoa_b}


def crime_id(number: int) -> str:
    return f"{number:064x}"


def police_row(number: int | None, month: str, crime_type: str, point=POINT_A, outcome: str = "Under investigation") -> list[str]:
    longitude, latitude, location, lsoa_code, lsoa_name = point if point else ("", "", "No location", "", "")
    return [
        crime_id(number) if number is not None else "", month, FORCE, FORCE, longitude, latitude, location,
        lsoa_code, lsoa_name, crime_type, outcome if number is not None else "", "",
    ]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def may_2026_rows() -> list[list[str]]:
    """Twelve rows of one force's May 2026: ASB with blank IDs (two of them identical), two
    identical crime rows, two rows with no location, one with an unknown crime type."""
    return [
        police_row(None, "2026-05", "Anti-social behaviour", POINT_A),
        police_row(None, "2026-05", "Anti-social behaviour", POINT_A),
        police_row(None, "2026-05", "Anti-social behaviour", POINT_B),
        police_row(1, "2026-05", "Burglary", POINT_A),
        police_row(2, "2026-05", "Violence and sexual offences", POINT_B),
        police_row(2, "2026-05", "Violence and sexual offences", POINT_B),
        police_row(3, "2026-05", "Shoplifting", POINT_B, "Awaiting court outcome"),
        police_row(4, "2026-05", "Vehicle crime", None),
        police_row(5, "2026-05", "Public order", ("", "", "No location", "E01000002", "Testborough 001B")),
        police_row(6, "2026-05", "Cyber fraud", POINT_A),
        police_row(7, "2026-05", "Drugs", POINT_A),
        police_row(8, "2026-05", "Robbery", POINT_B),
    ]


@pytest.fixture
def write_file(tmp_path):
    def write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_import(world):
    """Import a file the way the command line does (as the operator, naming the organisation
    whose records it brings in); returns the run."""

    def run(importer: str, path: Path, *, profile=None, **options):
        created = import_run_create(viewer=OPERATOR, importer=importer, file_name=path.name, profile=profile,
                                    options=options)
        return import_file(viewer=OPERATOR, run=created, path=path)

    return run


@pytest.fixture(autouse=True)
def counts_equal_the_incidents(request):
    """After every importer test, the counts the reads use equal a count over the incidents:
    whatever the test imported, replaced, rolled back or deleted."""
    uses_database = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_database:
        yield
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    yield
    from saferplace.incidents.recount import counts_differences

    assert counts_differences() == []
