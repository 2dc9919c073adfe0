"""The demo city's made-up postcodes: inside their LSOAs, found by the report journey's search."""

from saferplace.demo.geography import city_plan
from saferplace.demo.postcodes import PER_LSOA, demo_postcodes
from saferplace.incidents.models import PostcodeCentroid
from saferplace.places.geometry import assign_places
from saferplace.places.models import Place, PlaceKind
from saferplace.reports.search import places_matching


def test_each_lsoa_has_its_postcodes_inside_it(city):
    plan = city_plan()
    rows = demo_postcodes(plan)
    assert PostcodeCentroid.objects.count() == len(rows) == PER_LSOA * len(plan.lsoas)
    found = assign_places([row[1] for row in rows], [row[2] for row in rows])[PlaceKind.LSOA]
    codes = dict(Place.objects.filter(kind=PlaceKind.LSOA).values_list("id", "code"))
    expected = [lsoa.code for lsoa in plan.lsoas for _ in range(PER_LSOA)]
    assert [codes.get(int(place_id)) for place_id in found] == expected


def test_a_postcode_is_found_however_it_is_typed(city):
    for typed in ("RV1 1AA", "rv11aa", " Rv1  1aa "):
        matches = places_matching(typed)
        assert matches and matches[0].name.replace(" ", "").upper().startswith("RV11AA"), typed


def test_replacing_the_city_keeps_one_set(city):
    from saferplace.demo import demo_city_build
    from tests.demo.conftest import END, SIZE

    demo_city_build(size=SIZE, seed=2026, end=END, progress=False, replace=True)
    assert PostcodeCentroid.objects.count() == PER_LSOA * len(city_plan().lsoas)
