"""Streets: loaded from GeoJSON (an OS Open Roads extract, say) by someone who may change the
partnership's places, all or nothing, audited, a source at a time; and their command."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed
from saferplace.places.models import Street, StreetKind
from saferplace.places.services import streets_load, streets_load_geojson
from saferplace.places.streets import kind_for_class
from tests.conftest import OPERATOR, viewer

pytestmark = pytest.mark.django_db

HIGH_STREET = {"type": "LineString", "coordinates": [[0.0, 52.005], [0.01, 52.005], [0.02, 52.005]]}
MILL_LANE = {"type": "LineString", "coordinates": [[0.005, 52.0], [0.005, 52.01]]}


def os_open_roads(*features) -> dict:
    """A FeatureCollection shaped like OS Open Roads' road links (GeoPackage names), in WGS84."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry, "properties": {
            "identifier": f"link-{number}", "name_1": name, "road_classification": road_class,
            "road_classification_number": road_number, "road_function": "Local Road"}}
        for number, (name, road_class, road_number, geometry) in enumerate(features)
    ]}


def write(tmp_path, collection, name="roads.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def test_a_load_stores_each_street_with_its_kind_box_label_point_and_length():
    result = streets_load(viewer=OPERATOR, source="test", streets=[
        {"name": "High Street", "number": "A1", "kind": "A Road", "geometry": HIGH_STREET},
        {"name": "Mill Lane", "kind": "Unclassified", "geometry": MILL_LANE},
    ])
    assert (result.source, result.loaded, result.replaced) == ("test", 2, 0)
    high = Street.objects.get(name="High Street")
    assert (high.kind, high.number, high.label, str(high)) == (StreetKind.A_ROAD, "A1", "High Street (A1)", "High Street (A1)")
    assert (high.min_lon, high.min_lat, high.max_lon, high.max_lat) == (0.0, 52.005, 0.02, 52.005)
    assert (high.label_lon, high.label_lat) == (0.01, 52.005)  # half way along
    assert high.length_metres == pytest.approx(0.02 * 111_200 * 0.6157, rel=0.01)  # cos 52.005°
    mill = Street.objects.get(name="Mill Lane")
    assert (mill.kind, mill.label) == (StreetKind.LOCAL, "Mill Lane")
    assert mill.length_metres == pytest.approx(0.01 * 111_200, rel=0.01)


@pytest.mark.parametrize(("given", "kind"), [
    ("Motorway", StreetKind.MOTORWAY), ("A Road", StreetKind.A_ROAD), ("B Road", StreetKind.B_ROAD),
    ("Classified Unnumbered", StreetKind.MINOR), ("Not Classified", StreetKind.LOCAL), ("primary", StreetKind.A_ROAD),
    ("b_road", StreetKind.B_ROAD), ("", StreetKind.LOCAL), (None, StreetKind.LOCAL), ("towpath", StreetKind.LOCAL),
])
def test_the_classes_sources_use_are_read_as_kinds(given, kind):
    assert kind_for_class(given) == kind


def test_loading_a_source_again_replaces_only_its_streets():
    streets_load(viewer=OPERATOR, source="first", streets=[{"name": "High Street", "geometry": HIGH_STREET}])
    streets_load(viewer=OPERATOR, source="second", streets=[{"name": "Mill Lane", "geometry": MILL_LANE}])
    again = streets_load(viewer=OPERATOR, source="first", streets=[{"name": "Market Place", "geometry": MILL_LANE}])
    assert (again.loaded, again.replaced) == (1, 1)
    assert sorted(Street.objects.values_list("source", "name")) == [("first", "Market Place"), ("second", "Mill Lane")]


@pytest.mark.parametrize(("geometry", "message"), [
    ({"type": "Point", "coordinates": [0, 52]}, "a street must be a LineString or MultiLineString, not Point"),
    ({"type": "LineString", "coordinates": [[530000, 180000], [530100, 180000]]}, "not longitude and latitude"),
    ({"type": "LineString", "coordinates": "nonsense"}, "cannot be read"),
    (None, "not NoneType"),
])
def test_a_street_that_is_not_a_line_in_degrees_stops_the_whole_load(geometry, message):
    streets_load(viewer=OPERATOR, source="test", streets=[{"name": "Kept Road", "geometry": MILL_LANE}])
    with pytest.raises(ValidationError, match=message) as refused:
        streets_load(viewer=OPERATOR, source="test", streets=[
            {"name": "High Street", "geometry": HIGH_STREET}, {"name": "Bad Road", "geometry": geometry},
        ])
    assert "feature 2 (Bad Road)" in refused.value.messages[0]
    assert list(Street.objects.values_list("name", flat=True)) == ["Kept Road"]


def test_only_someone_who_may_change_places_loads_streets(council_analyst, council_admin):
    with pytest.raises(NotAllowed):
        streets_load(viewer=viewer(council_analyst), source="test", streets=[{"name": "High Street", "geometry": HIGH_STREET}])
    assert not Street.objects.exists()
    streets_load(viewer=viewer(council_admin), source="test", streets=[{"name": "High Street", "geometry": HIGH_STREET}])
    assert Street.objects.count() == 1


def test_a_load_is_audited_once_with_its_source_and_counts():
    streets_load(viewer=OPERATOR, source="roads.geojson", streets=[{"name": "High Street", "geometry": HIGH_STREET}])
    streets_load(viewer=OPERATOR, source="roads.geojson", streets=[{"name": "High Street", "geometry": HIGH_STREET},
                                                                  {"name": "Mill Lane", "geometry": MILL_LANE}])
    entries = list(AuditEntry.objects.filter(object_type="places.street").order_by("sequence"))
    assert [(entry.action, entry.details) for entry in entries] == [
        ("create", {"source": "roads.geojson", "loaded": 1, "replaced": 0}),
        ("change", {"source": "roads.geojson", "loaded": 2, "replaced": 1}),
    ]
    assert entries[-1].object_repr == "2 streets from roads.geojson"


def test_an_os_open_roads_extract_loads_with_its_own_property_names(tmp_path):
    path = write(tmp_path, os_open_roads(("High Street", "A Road", "A1", HIGH_STREET),
                                         (None, "Unclassified", None, MILL_LANE)))
    result = streets_load_geojson(viewer=OPERATOR, path=path)
    assert (result.source, result.loaded) == ("roads.geojson", 2)
    assert sorted(Street.objects.values_list("name", "number", "kind")) == [
        ("", "", StreetKind.LOCAL), ("High Street", "A1", StreetKind.A_ROAD)]


def test_properties_can_be_named(tmp_path):
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": MILL_LANE, "properties": {"STREET": "Mill Lane", "CLASS": "B Road", "REF": "B1"}},
    ]}
    streets_load_geojson(viewer=OPERATOR, path=write(tmp_path, collection), source="council gazetteer",
                         name_property="STREET", number_property="REF", kind_property="CLASS")
    assert list(Street.objects.values_list("source", "name", "number", "kind")) == [
        ("council gazetteer", "Mill Lane", "B1", StreetKind.B_ROAD)]


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not a readable GeoJSON file"),
    (json.dumps({"type": "Feature"}), "expected a GeoJSON FeatureCollection"),
])
def test_a_file_that_is_not_a_feature_collection_is_refused(tmp_path, content, message):
    path = tmp_path / "roads.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        streets_load_geojson(viewer=OPERATOR, path=path)


def run(*args: str) -> str:
    output = StringIO()
    call_command("places", *args, stdout=output)
    return output.getvalue()


def test_the_command_loads_streets_and_lists_them(tmp_path):
    path = write(tmp_path, os_open_roads(("High Street", "A Road", "A1", HIGH_STREET), ("Mill Lane", "Unclassified", "", MILL_LANE)))
    assert "Loaded" in run("load-streets", str(path)) and "2 streets as “roads.geojson”" in run("load-streets", str(path))
    assert "replacing 2" in run("load-streets", str(path), "--source", "roads.geojson")
    streets_line = next(line for line in run("list").splitlines() if line.startswith("Streets"))
    assert streets_line.split()[1:] == ["2"]
    assert AuditEntry.objects.filter(object_type="places.street").count() == 3


def test_the_command_says_what_is_wrong_and_loads_nothing(tmp_path):
    path = write(tmp_path, os_open_roads(("High Street", "A Road", "A1", {"type": "Point", "coordinates": [0, 52]})))
    with pytest.raises(CommandError, match="feature 1 \\(High Street\\): a street must be a LineString"):
        run("load-streets", str(path))
    assert not Street.objects.exists()
