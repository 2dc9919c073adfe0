import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from saferplace.places.models import Place, PlaceKind
from saferplace.places.services import place_create_or_update, places_load_geojson
from tests.conftest import OPERATOR, square

BOWTIE = {"type": "Polygon", "coordinates": [[[0, 52], [0.01, 52.01], [0.01, 52], [0, 52.01], [0, 52]]]}


def feature(code: str | None, name: str, geometry: dict, **properties) -> dict:
    if code is not None:
        properties["LSOA21CD"] = code
    return {"type": "Feature", "properties": {"LSOA21NM": name, **properties}, "geometry": geometry}


def write(tmp_path: Path, features: list[dict]) -> Path:
    path = tmp_path / "lsoas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def load(path: Path, **options):
    return places_load_geojson(
        viewer=OPERATOR,
        path=path, kind=PlaceKind.LSOA, code_property="LSOA21CD", name_property="LSOA21NM", **options
    )


@pytest.fixture
def ward(db):
    return place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05000001", name="Ward 1", boundary=square(0, 52, 0.02))


def test_loading_geojson_creates_places_with_boundaries_parents_and_populations(tmp_path, ward):
    path = write(tmp_path, [
        feature("E01000001", "Testborough 001A", square(0, 52), WD="E05000001", POP="1523"),
        feature("E01000002", "Testborough 001B", square(0.01, 52), WD="E05000001", POP=1610),
    ])
    result = load(path, parent_code_property="WD", population_property="POP")
    assert (result.created, result.updated) == (2, 0)
    first = Place.objects.get(code="E01000001")
    assert (first.kind, first.name, first.parent, first.population) == (PlaceKind.LSOA, "Testborough 001A", ward, 1523)
    assert first.boundary["type"] == "Polygon"
    assert (first.min_lon, first.min_lat, first.max_lon, first.max_lat) == (0, 52, 0.01, 52.01)
    assert first.min_lat < first.centre_lat < first.max_lat

    again = load(path, parent_code_property="WD", population_property="POP")
    assert (again.created, again.updated) == (0, 2)
    assert Place.objects.filter(kind=PlaceKind.LSOA).count() == 2


def test_a_missing_code_property_names_the_feature(tmp_path, db):
    path = write(tmp_path, [feature("E01000001", "A", square(0, 52)), feature(None, "B", square(0.01, 52))])
    with pytest.raises(ValidationError, match="feature 2: property 'LSOA21CD' is missing or blank"):
        load(path)


def test_an_unknown_parent_is_reported(tmp_path, ward):
    path = write(tmp_path, [feature("E01000001", "A", square(0, 52), WD="E05999999")])
    with pytest.raises(ValidationError, match=r"feature 1 \(E01000001\): parent 'E05999999' in 'WD' is not a known place"):
        load(path, parent_code_property="WD")


def test_a_parent_of_the_wrong_kind_is_refused(tmp_path, db):
    place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01000009", name="Another LSOA")
    path = write(tmp_path, [feature("E01000001", "A", square(0, 52), PARENT="E01000009")])
    with pytest.raises(ValidationError, match="cannot sit inside a lower layer super output area"):
        load(path, parent_code_property="PARENT")


def test_an_invalid_polygon_is_reported_with_its_feature(tmp_path, db):
    path = write(tmp_path, [feature("E01000001", "A", square(0, 52)), feature("E01000002", "B", BOWTIE)])
    with pytest.raises(ValidationError, match=r"feature 2 \(E01000002\): the boundary is not a valid polygon \(Self-intersection"):
        load(path)


def test_a_population_that_is_not_a_number_is_reported(tmp_path, db):
    path = write(tmp_path, [feature("E01000001", "A", square(0, 52), POP="about 1500")])
    with pytest.raises(ValidationError, match="'POP' must be a whole number, not 'about 1500'"):
        load(path, population_property="POP")


def test_a_failed_load_leaves_nothing_half_written(tmp_path, db):
    place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01000001", name="Kept name", population=1400, boundary=square(0, 52))
    path = write(tmp_path, [
        feature("E01000001", "Changed name", square(0.05, 52.05)),
        feature("E01000002", "New", square(0.01, 52)),
        feature("E01000003", "Broken", BOWTIE),
    ])
    with pytest.raises(ValidationError, match="feature 3"):
        load(path)
    assert list(Place.objects.values_list("code", "name", "population", "min_lon")) == [("E01000001", "Kept name", 1400, 0)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable GeoJSON file"),
        (json.dumps({"type": "Feature"}), "expected a GeoJSON FeatureCollection"),
        (json.dumps([1, 2]), "expected a GeoJSON FeatureCollection"),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(tmp_path, db, content, message):
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        load(path)


def test_a_missing_file_is_reported(tmp_path, db):
    with pytest.raises(ValidationError, match="not a readable GeoJSON file"):
        load(tmp_path / "nowhere.geojson")
