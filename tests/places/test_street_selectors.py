"""Reading streets and naming where things are: the streets a map asks for, where to write
places' names, and a point's or an H3 cell's street, LSOA, ward and community, never the cell id.

The geography is tests/places/conftest.py's two squares, with three streets:

    lat 52.01 ┌────┬────┬────┬────┐
              │    │Mill│    │Ch. │
    52.005    ├════╪════╪════╪════┤  High Street (A1)
              │    │Lane│    │Rd  │
    lat 52.00 └────┴────┴────┴────┘
           lon 0.00     0.01      0.02
"""

import h3
import pytest

from saferplace.places import selectors
from saferplace.places.models import PlaceKind
from saferplace.places.selectors import (
    cells_describe,
    place_labels_feature_collection,
    point_describe,
    points_describe,
    streets_feature_collection,
    streets_fingerprint,
)
from saferplace.places.services import streets_load
from tests.conftest import OPERATOR

STREETS = [
    {"name": "High Street", "number": "A1", "kind": "A Road",
     "geometry": {"type": "LineString", "coordinates": [[0.0, 52.005], [0.005, 52.00501], [0.01, 52.005], [0.02, 52.005]]}},
    {"name": "Mill Lane", "kind": "local", "geometry": {"type": "LineString", "coordinates": [[0.005, 52.0], [0.005, 52.01]]}},
    {"name": "Church Road", "kind": "minor",
     "geometry": {"type": "MultiLineString", "coordinates": [[[0.015, 52.0], [0.015, 52.004]], [[0.015, 52.006], [0.015, 52.01]]]}},
]


@pytest.fixture
def streets(squares):
    streets_load(viewer=OPERATOR, source="test", streets=STREETS)
    return squares


def names(collection) -> list[str]:
    return [feature["properties"]["label"] for feature in collection["features"]]


def test_streets_come_as_geojson_lines_the_most_important_first(streets):
    collection = streets_feature_collection()
    assert names(collection) == ["High Street (A1)", "Church Road", "Mill Lane"]
    high = collection["features"][0]
    assert high["geometry"]["type"] == "LineString"
    assert high["properties"] == {"name": "High Street", "number": "A1", "label": "High Street (A1)", "kind": "a_road",
                                  "kind_label": "A road", "major": True, "label_at": [0.01, 52.005]}
    assert collection["features"][1]["geometry"]["type"] == "MultiLineString"
    assert collection["metadata"] == {"streets": 3, "total": 3, "capped": False, "zoom": None, "major_only": False}


def test_only_main_roads_are_sent_for_a_map_zoomed_out(streets):
    assert names(streets_feature_collection(zoom=11)) == ["High Street (A1)"]
    assert streets_feature_collection(zoom=11)["metadata"]["major_only"] is True
    assert len(names(streets_feature_collection(zoom=12))) == 3


def test_lines_are_simplified_for_the_zoom(streets):
    detailed = streets_feature_collection(zoom=18)["features"][0]["geometry"]["coordinates"]
    rough = streets_feature_collection(zoom=12)["features"][0]["geometry"]["coordinates"]
    assert len(detailed) == 4  # the 1 m kink is more than half a pixel at zoom 18
    assert len(rough) == 2


def test_only_streets_crossing_the_box_are_sent(streets):
    assert names(streets_feature_collection(bbox=(0.012, 52.0, 0.02, 52.003))) == ["Church Road"]
    assert names(streets_feature_collection(bbox=(0.0, 52.004, 0.003, 52.006))) == ["High Street (A1)"]
    assert names(streets_feature_collection(bbox=(1.0, 53.0, 1.1, 53.1))) == []


def test_a_capped_answer_says_so(streets, monkeypatch):
    monkeypatch.setattr(selectors, "STREETS_LIMIT", 2)
    collection = streets_feature_collection()
    assert names(collection) == ["High Street (A1)", "Church Road"]
    assert collection["metadata"]["capped"] is True and collection["metadata"]["total"] == 3


def test_the_fingerprint_changes_when_streets_are_loaded(streets):
    before = streets_fingerprint()
    streets_load(viewer=OPERATOR, source="more", streets=STREETS[:1])
    assert streets_fingerprint() != before


def test_place_labels_are_points_inside_each_place(squares):
    collection = place_labels_feature_collection(kinds=[PlaceKind.WARD])
    assert [feature["properties"]["name"] for feature in collection["features"]] == ["Ward 1", "Ward 2"]
    lon, lat = collection["features"][0]["geometry"]["coordinates"]
    assert 0 < lon < 0.01 and 52 < lat < 52.01
    assert collection["features"][0]["properties"]["kind_label"] == "Ward"


def test_a_point_is_named_by_its_nearest_street_and_its_places(streets):
    assert point_describe(52.0052, 0.0049) == {"street": "Mill Lane", "lsoa": "LSOA A", "ward": "Ward 1", "community": "Test Community"}
    assert point_describe(52.0080, 0.0120)["street"] == "Church Road"
    assert point_describe(52.0080, 0.0120)["ward"] == "Ward 2"
    far = point_describe(52.1, 0.5)  # no street within 250 m, and in no place
    assert far == {"street": "", "lsoa": "", "ward": "", "community": ""}
    assert point_describe(None, None)["street"] == ""
    assert [row["street"] for row in points_describe([52.0052, float("nan")], [0.0049, 0.0])] == ["Mill Lane", ""]


def test_the_street_index_follows_a_new_load(streets):
    assert point_describe(52.0052, 0.0049)["street"] == "Mill Lane"
    streets_load(viewer=OPERATOR, source="test", streets=STREETS[:1])
    assert point_describe(52.0052, 0.0049)["street"] == "High Street (A1)"


def test_a_small_cell_is_named_by_its_main_street_ward_and_lsoa_never_its_id(streets):
    cell = h3.latlng_to_cell(52.0049, 0.0049, 9)
    described = cells_describe([cell])[cell]
    # The A road crosses the cell, so it is the main street even though Mill Lane is as near.
    assert described["street"] == "High Street (A1)"
    assert (described["lsoa"], described["ward"], described["community"]) == ("LSOA A", "Ward 1", "Test Community")
    assert described["area"] == "Ward 1 ward (LSOA A)"
    assert described["where"] == "High Street (A1) in Ward 1 ward (LSOA A)"
    assert cell not in str(described)


def test_a_cell_with_no_street_in_it_takes_the_nearest(streets):
    cell = h3.latlng_to_cell(52.0085, 0.0075, 10)  # 170 m from Mill Lane, 500 m from Church Road
    assert cells_describe([cell])[cell]["street"] == "Mill Lane"


def test_larger_cells_are_named_by_ward_or_community(streets):
    for resolution, area in ((7, "Ward 1 ward"), (6, "Test Community")):
        cell = h3.latlng_to_cell(52.0049, 0.0049, resolution)
        assert cells_describe([cell])[cell]["area"] == area


def test_a_cell_whose_centre_is_outside_every_place_is_named_by_one_it_overlaps(streets):
    # A cell whose centre is just south of the squares, but which reaches into LSOA A.
    cell = next(
        cell for cell in (h3.latlng_to_cell(52.0 - step / 10_000, lon / 1000, 9) for lon in range(1, 10) for step in range(1, 30))
        if h3.cell_to_latlng(cell)[0] < 52.0 and max(lat for lat, _ in h3.cell_to_boundary(cell)) > 52.0005
    )
    assert cells_describe([cell])[cell]["lsoa"] == "LSOA A"


def test_cells_are_described_without_streets_or_places_too(db):
    cell = h3.latlng_to_cell(52.0, 0.0, 9)
    assert cells_describe([cell]) == {cell: {"street": "", "lsoa": "", "ward": "", "community": "", "area": "", "where": ""}}
    assert cells_describe([]) == {}
