"""Finding where a problem is (reports/search.py): streets by name and postcodes over the loaded
gazetteer, case-insensitive, at least 2 characters, at most 20; the extent of the area; whether
a point is inside it."""

import pytest

from saferplace.incidents.models import PostcodeCentroid
from saferplace.places.services import streets_load
from saferplace.reports.search import SEARCH_MOST, area_bounds, places_matching, point_in_area
from tests.conftest import OPERATOR
from tests.reports.fixtures import IN_PARKSIDE, OUTSIDE

pytestmark = pytest.mark.django_db


def _line(west: float, latitude: float) -> dict:
    return {"type": "LineString", "coordinates": [[west, latitude], [west + 0.002, latitude]]}


@pytest.fixture
def gazetteer(area):
    streets_load(viewer=OPERATOR, source="test streets", streets=[
        {"name": "High Street", "number": "A1", "kind": "A Road", "geometry": _line(-0.958, 52.445)},
        {"name": "High Street", "number": "A1", "kind": "A Road", "geometry": _line(-0.956, 52.445)},
        {"name": "Highfield Close", "geometry": _line(-0.955, 52.447)},
        {"name": "Mill Lane", "geometry": _line(-0.95, 52.441)},
        {"number": "B1040", "kind": "B Road", "geometry": _line(-0.95, 52.455)},
        *({"name": f"Orchard Way {number}", "geometry": _line(-0.95, 52.450 + number / 10000)} for number in range(25)),
    ])
    PostcodeCentroid.objects.create(postcode="RV11AA", latitude=52.445, longitude=-0.955)
    PostcodeCentroid.objects.create(postcode="RV11AB", latitude=52.446, longitude=-0.954)
    PostcodeCentroid.objects.create(postcode="RV21ZZ", latitude=52.455, longitude=-0.945)


def _names(text: str) -> list[str]:
    return [match.name for match in places_matching(text)]


def test_streets_by_part_of_their_name_any_case_each_name_once(gazetteer):
    assert _names("HIGH") == ["High Street (A1)", "Highfield Close"]
    assert _names("mill") == ["Mill Lane"]
    assert _names("b1040") == ["B1040"]
    [match] = places_matching("mill lane")
    assert (match.kind, round(match.latitude, 3), round(match.longitude, 3)) == ("street", 52.441, -0.949)


def test_postcodes_by_their_start_any_case_or_spacing(gazetteer):
    assert _names("rv1 1") == ["RV1 1AA", "RV1 1AB"]
    assert _names("RV11AB") == ["RV1 1AB"]
    [match] = places_matching("rv2 1zz")
    assert (match.kind, match.latitude, match.longitude) == ("postcode", 52.455, -0.945)


def test_too_short_nothing_found_and_at_most_twenty(gazetteer):
    assert places_matching("h") == [] and places_matching("  ") == [] and places_matching("\x00h") == []
    assert places_matching("nowhere") == []
    assert len(places_matching("orchard")) == SEARCH_MOST == 20
    assert places_matching("%") == [] and places_matching("_%") == []  # a LIKE wildcard is a character


def test_the_area_and_a_point_in_it(area):
    assert area_bounds() == (52.44, -0.96, 52.52, -0.88)
    assert point_in_area(*IN_PARKSIDE) and not point_in_area(*OUTSIDE)


def test_no_boundaries_no_area(db):
    assert area_bounds() is None and not point_in_area(*IN_PARKSIDE)
