"""Maps people can read: the streets and place-name endpoints every map draws from (anyone signed
in, whatever their organisation: reference data, not records), hexagons and tables that name the
street and place instead of an H3 cell id, the incident page's map, time of day and place names,
and the map of places' sortable table."""

import re
from datetime import time

import h3
import pytest
from django.conf import settings
from django.urls import reverse

from saferplace.incidents.models import LocationPrecision
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update, streets_load
from tests.conftest import OPERATOR, make_incident, make_location, sign_in, square

pytestmark = pytest.mark.django_db

SNAPPED = (52.4470, -0.9502)  # a police.uk-style anonymised point beside Mill Lane
EXACT = (52.4449, -0.9449)


@pytest.fixture
def town(world):
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-C1", name="Riverford Central",
                                       boundary=square(-0.96, 52.44, 0.02))
    ward = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05900001", name="Cathedral",
                                  parent=community, boundary=square(-0.96, 52.44, 0.02))
    lsoa = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01900001", name="Riverford 001A",
                                  parent=ward, population=1500, boundary=square(-0.96, 52.44, 0.02))
    streets_load(viewer=OPERATOR, source="test streets", streets=[
        {"name": "High Street", "number": "A1", "kind": "A Road",
         "geometry": {"type": "LineString", "coordinates": [[-0.96, 52.45], [-0.94, 52.45]]}},
        {"name": "Mill Lane", "kind": "Unclassified",
         "geometry": {"type": "LineString", "coordinates": [[-0.95, 52.44], [-0.95, 52.446], [-0.95, 52.46]]}},
    ])
    return {"community": community, "ward": ward, "lsoa": lsoa}


def _places(town) -> dict:
    return {"lsoa": town["lsoa"], "ward": town["ward"], "community": town["community"]}


@pytest.fixture
def incidents(world, town):
    snapped = make_incident(
        world, owner="police", category="asb", external_id="MAP-ASB-1", occurred_time=time(14, 30),
        location=make_location(*SNAPPED, precision=LocationPrecision.SNAPPED, description="On or near Mill Lane",
                               h3_cell=h3.latlng_to_cell(*SNAPPED, settings.H3_RESOLUTION)),
        **_places(town),
    )
    exact = make_incident(
        world, owner="council", category="environmental", external_id="MAP-ENV-1",
        location=make_location(*EXACT, precision=LocationPrecision.EXACT, description="Behind the shops",
                               h3_cell=h3.latlng_to_cell(*EXACT, settings.H3_RESOLUTION)),
        **_places(town),
    )
    return {"snapped": snapped, "exact": exact}


def test_streets_and_place_names_need_sign_in(client, town):
    for name in ("web:map-streets", "web:map-labels"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("web:sign-in"))


@pytest.mark.parametrize("persona", ["council_analyst", "police_officer", "bid_analyst", "council_volunteer", "council_auditor"])
def test_everyone_signed_in_gets_the_streets_whatever_their_organisation(client, request, town, persona):
    sign_in(client, request.getfixturevalue(persona))
    collection = client.get(reverse("web:map-streets")).json()
    assert [feature["properties"]["label"] for feature in collection["features"]] == ["High Street (A1)", "Mill Lane"]
    labels = client.get(reverse("web:map-labels") + "?kind=ward&kind=lsoa").json()
    assert sorted(feature["properties"]["name"] for feature in labels["features"]) == ["Cathedral", "Riverford 001A"]


def test_place_names_default_to_communities_and_wards(client, council_volunteer, town):
    sign_in(client, council_volunteer)
    labels = client.get(reverse("web:map-labels") + "?kind=nonsense").json()
    assert sorted(feature["properties"]["kind"] for feature in labels["features"]) == ["community", "ward"]


def test_streets_follow_the_box_and_zoom_asked_for(client, council_analyst, town):
    sign_in(client, council_analyst)
    url = reverse("web:map-streets")
    inside = client.get(url + "?bbox=-0.952,52.44,-0.948,52.445&zoom=15").json()
    assert [feature["properties"]["name"] for feature in inside["features"]] == ["Mill Lane"]
    zoomed_out = client.get(url + "?zoom=10").json()
    assert [feature["properties"]["name"] for feature in zoomed_out["features"]] == ["High Street"]


def test_a_browser_may_keep_the_streets_privately_and_ask_again_with_the_etag(client, council_analyst, town):
    sign_in(client, council_analyst)
    url = reverse("web:map-streets") + "?zoom=14"
    first = client.get(url)
    assert first["Cache-Control"] == "private, max-age=3600"
    assert "Pragma" not in first
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["Cache-Control"] == "private, max-age=3600"
    streets_load(viewer=OPERATOR, source="more streets", streets=[
        {"name": "New Road", "geometry": {"type": "LineString", "coordinates": [[-0.96, 52.455], [-0.94, 52.455]]}}])
    changed = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    # Everything else is still never kept.
    assert client.get(reverse("web:map-labels"))["Cache-Control"] == "no-store"


@pytest.mark.parametrize("query", ["bbox=1,2,3", "bbox=a,b,c,d", "bbox=10,60,5,50", "bbox=nan,52,0,53", "zoom=x", "zoom=40"])
def test_streets_refuse_a_bad_box_or_zoom_with_a_reason(client, council_analyst, town, query):
    sign_in(client, council_analyst)
    response = client.get(reverse("web:map-streets") + "?" + query)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_someone_without_incidents_view_gets_no_hexagons(client, council_volunteer, incidents):
    sign_in(client, council_volunteer)
    assert client.get(reverse("web:incident-hexagons")).status_code == 403
    assert client.get(reverse("web:incident-list")).status_code == 403


def test_hexagons_say_where_they_are_in_streets_and_places(client, police_officer, incidents):
    sign_in(client, police_officer)
    collection = client.get(reverse("web:incident-hexagons")).json()
    by_cell = {feature["properties"]["cell"]: feature["properties"] for feature in collection["features"]}
    snapped = by_cell[h3.latlng_to_cell(*SNAPPED, settings.H3_RESOLUTION)]
    assert snapped["street"] == "Mill Lane"
    assert (snapped["ward"], snapped["lsoa"], snapped["community"]) == ("Cathedral", "Riverford 001A", "Riverford Central")
    assert snapped["where"] == f"{snapped['street']} in Cathedral ward (Riverford 001A)"
    coarse = client.get(reverse("web:incident-hexagons") + f"?resolution={settings.H3_RESOLUTION - 2}").json()
    assert all(feature["properties"]["where"] for feature in coarse["features"])


def test_the_busiest_hexagons_table_names_streets_and_places_never_cell_ids(client, police_officer, incidents):
    sign_in(client, police_officer)
    content = client.get(reverse("web:incident-list")).content.decode()
    table = content[content.index("Hexagons with the most"):content.index("LSOAs with the most")]
    assert "Main street" in table and "Ward (LSOA)" in table
    assert "Cathedral ward (Riverford 001A)" in table
    assert "Mill Lane" in table and "No street nearby" in table  # the exact one is 350 m from any street
    for incident in incidents.values():
        assert incident.location.h3_cell not in content
    assert "H3 cell" not in content


def test_the_incident_page_shows_a_map_the_time_of_day_and_place_names(client, police_officer, incidents):
    sign_in(client, police_officer)
    content = client.get(reverse("web:incident-detail", args=[incidents["snapped"].pk])).content.decode()
    assert re.search(r"Time of day\s*</dt>\s*<dd[^>]*>\s*2:30pm", content)
    assert re.search(r"Nearest street\s*</dt>\s*<dd[^>]*>\s*Mill Lane", content)
    for name in ("Riverford 001A", "Cathedral", "Riverford Central"):
        assert name in content
    for code in ("E01900001", "E05900001", "RVF-C1", incidents["snapped"].location.h3_cell):
        assert code not in content
    assert "H3 cell" not in content
    assert 'data-module="app-incident-map"' in content
    assert 'data-approximate="true"' in content
    assert f'data-latitude="{SNAPPED[0]}"' in content and f'data-longitude="{SNAPPED[1]}"' in content
    assert "Approximate location of the incident" in content  # the map's key


def test_an_incident_without_a_time_or_a_location_says_so(client, police_officer, world, incidents):
    sign_in(client, police_officer)
    exact = client.get(reverse("web:incident-detail", args=[incidents["exact"].pk])).content.decode()
    assert "Time not recorded" in exact
    assert 'data-approximate="false"' in exact and "Location of the incident" in exact
    nowhere = make_incident(world, owner="police", category="asb", external_id="MAP-ASB-2",
                            location=make_location(None, None, precision=LocationPrecision.NONE), occurred_time=time(0, 0))
    content = client.get(reverse("web:incident-detail", args=[nowhere.pk])).content.decode()
    assert "app-incident-map" not in content
    assert re.search(r"Time of day\s*</dt>\s*<dd[^>]*>\s*Midnight", content)
    assert re.search(r"Nearest street\s*</dt>\s*<dd[^>]*>\s*Not known", content)


def test_the_map_of_places_table_sorts_numbers_as_numbers(client, council_volunteer, town):
    sign_in(client, council_volunteer)
    content = client.get(reverse("web:map") + "?kind=lsoa").content.decode()
    assert 'data-module="moj-sortable-table"' in content
    assert len(re.findall(r'<th scope="col" class="govuk-table__header[^"]*"\s+aria-sort="(?:none|ascending)"', content)) == 4
    assert 'data-sort-value="1500"' in content
    assert 'data-streets-url="/map/streets.geojson"' in content and "data-labels-url" in content
    assert "Main roads (A and B roads)" in content  # the key
