"""Riverford's streets: generated with the map, every one named once, loaded with the city, and
the streets the demo's records say they are "on or near"."""

import numpy as np
import pytest
import shapely

from saferplace.demo import demo_city_build
from saferplace.demo.geography import HOTSPOTS, city_plan
from saferplace.demo.streets import RADIAL_ROADS, STREET_SOURCE, street_names_at, street_plan
from saferplace.incidents.models import Incident
from saferplace.places.models import Street, StreetKind
from saferplace.places.selectors import point_describe
from tests.demo.conftest import END, SIZE


def test_the_network_has_main_roads_and_named_local_streets():
    streets = street_plan()
    kinds = {street.kind for street in streets}
    assert kinds == {"a_road", "b_road", "minor", "local"}
    assert [street.name for street in streets[: len(RADIAL_ROADS)]] == [name for name, *_ in RADIAL_ROADS]
    assert all(street.number for street in streets if street.kind in ("a_road", "b_road"))
    names = [street.name for street in streets]
    assert all(names) and len(set(names)) == len(names)  # each street named, no name twice
    assert 800 <= len(streets) <= 3000


def test_the_streets_lie_in_the_city_and_cover_it():
    city = city_plan().local_authority.geometry
    local = [street.line for street in street_plan() if street.kind in ("minor", "local")]
    assert all(city.contains(line) for line in local)
    # Every LSOA has streets in it: nowhere in the city is far from one.
    lines = shapely.union_all(local)
    assert all(lsoa.geometry.intersects(lines) for lsoa in city_plan().lsoas)


def test_no_local_street_crosses_the_park():
    park = HOTSPOTS["park"][1]
    near = street_names_at(*[np.array([value]) for value in _degrees(park)])
    assert near[0]  # the nearest street is named, just not through the park


def _degrees(metres: tuple[float, float]) -> tuple[float, float]:
    from saferplace.demo.geography import metres_to_degrees

    longitude, latitude = metres_to_degrees(*metres)
    return float(latitude), float(longitude)


def test_the_same_streets_every_time():
    first = [(street.name, street.line.wkt) for street in street_plan()]
    street_plan.cache_clear()
    assert [(street.name, street.line.wkt) for street in street_plan()] == first


def test_a_point_is_named_by_its_nearest_street():
    main = street_plan()[0]
    middle = main.line.interpolate(0.5, normalized=True)
    assert street_names_at([middle.y, float("nan")], [middle.x, 0.0]) == [main.name, ""]


@pytest.mark.django_db
def test_the_city_is_built_with_its_streets_and_records_name_them(city):
    assert city.streets == len(street_plan())
    assert Street.objects.filter(source=STREET_SOURCE).count() == city.streets
    assert Street.objects.filter(kind=StreetKind.A_ROAD).count() == len(RADIAL_ROADS)
    names = set(Street.objects.values_list("name", flat=True))
    hotspots = {name for name, _ in HOTSPOTS.values()}
    described = (Incident.objects.exclude(location=None).exclude(location__description="")
                 .exclude(location__precision="none").select_related("location"))
    assert described.exists()
    for incident in described:
        street = incident.location_description.removeprefix("On or near ")
        assert street in names or street in hotspots, street
    # The street a record is "on or near" is the one the street map puts nearest its point.
    snapped = [i for i in described.filter(location__precision="snapped")[:40] if i.location_description.startswith("On or near ")]
    snapped = [i for i in snapped if i.location_description.removeprefix("On or near ") not in hotspots]
    assert snapped
    for incident in snapped:
        nearest = point_describe(incident.latitude, incident.longitude)["street"]  # "Oundle Road (A605)"
        assert nearest.split(" (")[0] == incident.location_description.removeprefix("On or near ")


@pytest.mark.django_db
def test_replacing_the_city_replaces_its_streets(city):
    demo_city_build(size=SIZE, end=END, progress=False, replace=True)
    assert Street.objects.count() == len(street_plan())
