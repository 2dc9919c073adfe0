"""The incident explorer at /incidents/: its monthly counts, hexagons, points and GeoJSON export
agree with the database and with the access policy, drilling down and exporting are audited, and
bad filters get a clear message naming the field."""

import csv
import html
import io
import json
from collections import Counter
from datetime import date, time, timedelta

import h3
import pytest
from django.conf import settings
from django.urls import reverse

from saferplace.audit.models import AuditEntry
from saferplace.incidents.models import Incident, IncidentCategory, LocationPrecision
from saferplace.incidents.recount import counts_rebuild, counts_refresh
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.web.explorer import months_back
from tests.conftest import OPERATOR, make_location, sign_in, square

pytestmark = pytest.mark.django_db

POINT_A = (52.4512, -0.9531)  # in LSOA "Northgate 001A"
POINT_B = (52.4391, -0.9288)  # in LSOA "Southbank 002A", about 2 km away

# (owner, data category, taxonomy code, date, point or None, external id)
ROWS = [
    ("police", "asb", "anti-social-behaviour", date(2026, 1, 5), POINT_A, "EX-POL-ASB-1"),
    ("police", "asb", "anti-social-behaviour", date(2026, 1, 20), POINT_A, "EX-POL-ASB-2"),
    ("police", "asb", "anti-social-behaviour", date(2026, 3, 2), POINT_B, "EX-POL-ASB-3"),
    ("council", "environmental", "fly-tipping", date(2026, 1, 11), POINT_A, "EX-CC-ENV-1"),
    ("council", "environmental", "fly-tipping", date(2026, 3, 30), None, "EX-CC-ENV-2"),
    ("police", "crime", "burglary", date(2026, 1, 15), POINT_A, "EX-POL-CRIME-1"),
    ("bid", "asb", "anti-social-behaviour", date(2026, 2, 14), POINT_B, "EX-BID-ASB-1"),
    ("bid", "asb", "fly-tipping", date(2026, 2, 15), POINT_B, "EX-BID-ASB-2"),
]

# Who sees what, written out from the sharing agreements in tests/conftest.py (not from the code):
# the council and police share ASB and environmental records; the BID shares nothing.
VISIBLE = {
    "council_analyst": {"EX-POL-ASB-1", "EX-POL-ASB-2", "EX-POL-ASB-3", "EX-CC-ENV-1", "EX-CC-ENV-2"},
    "bid_analyst": {"EX-BID-ASB-1", "EX-BID-ASB-2"},
    "police_officer": {"EX-POL-ASB-1", "EX-POL-ASB-2", "EX-POL-ASB-3", "EX-CC-ENV-1", "EX-CC-ENV-2", "EX-POL-CRIME-1"},
}


def build_places() -> dict:
    community = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-C1", name="Riverford Central",
                                       boundary=square(-0.97, 52.43, 0.05))
    north = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05900001", name="Northgate", parent=community,
                                   boundary=square(-0.97, 52.445, 0.05))
    south = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05900002", name="Southbank", parent=community,
                                   boundary=square(-0.97, 52.43, 0.05))
    lsoa_north = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01900001", name="Northgate 001A", parent=north)
    lsoa_south = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01900002", name="Southbank 002A", parent=south)
    # A ward and a community with the same name, to check an ambiguous name is refused clearly.
    other = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-C2", name="Eastfield")
    place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05900003", name="Eastfield", parent=other)
    return {"community": community, "north": north, "south": south, "lsoa_north": lsoa_north, "lsoa_south": lsoa_south}


def add_incident(world, places, *, owner, category, code, when, point, external_id, source="test") -> Incident:
    north = point == POINT_A
    incident = Incident.objects.create(
        source=source,
        owning_organisation=world["organisations"][owner],
        data_category=world["categories"][category],
        external_id=external_id,
        occurred_on=when,
        category_id=code,
        location=make_location(
            point[0], point[1], precision=LocationPrecision.EXACT, h3_cell=h3.latlng_to_cell(*point, settings.H3_RESOLUTION)
        ) if point else None,
        lsoa=(places["lsoa_north"] if north else places["lsoa_south"]) if point else None,
        ward=(places["north"] if north else places["south"]) if point else None,
        community=places["community"] if point else None,
    )
    counts_refresh([incident.partition_id])
    return incident


@pytest.fixture
def explorer_data(world):
    places = build_places()
    incidents = [
        add_incident(world, places, owner=owner, category=category, code=code, when=when, point=point, external_id=ref)
        for owner, category, code, when, point, ref in ROWS
    ]
    return {"places": places, "incidents": {incident.external_id: incident for incident in incidents}}


def _visible_rows(persona: str) -> list[tuple]:
    return [row for row in ROWS if row[5] in VISIBLE[persona]]


def _weights() -> dict[str, float]:
    return dict(IncidentCategory.objects.values_list("code", "harm_weight"))


def _month_table(content: str) -> dict[str, int]:
    """Month → count from the table beside the chart."""
    section = content.split("The same figures as a table", 1)[1].split("</table>", 1)[0]
    result = {}
    for row in section.split("<tr")[2:]:
        cells = [part.split(">", 1)[1].split("<", 1)[0].strip() for part in row.split("<t")[1:] if ">" in part]
        cells = [cell for cell in cells if cell]
        result[cells[0]] = int(cells[1].replace(",", ""))
    return result


# --- counts over time ------------------------------------------------------------------------


@pytest.mark.parametrize("persona_name", ["council_analyst", "bid_analyst", "police_officer"])
def test_monthly_table_and_chart_equal_the_database(client, request, explorer_data, persona_name):
    persona = request.getfixturevalue(persona_name)
    sign_in(client, persona)
    content = client.get(reverse("web:incident-list") + "?date_from=2026-01-01&date_to=2026-04-30").content.decode()

    expected = Counter(row[3].strftime("%b %Y") for row in _visible_rows(persona_name))
    table = _month_table(content)
    # Every month of the period is there, the empty ones as zero.
    assert list(table) == ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026"]
    assert table == {month: expected.get(month, 0) for month in table}
    # The chart draws the same figures (its bars' titles), with a text description.
    for month in ("January 2026", "February 2026", "March 2026", "April 2026"):
        short = date(2026, ["January", "February", "March", "April"].index(month.split()[0]) + 1, 1).strftime("%b %Y")
        assert f"<title>{month}: {expected.get(short, 0)}</title>" in content
    assert 'role="img"' in content and "<desc" in content


def test_months_with_no_period_run_from_first_to_last_record(client, council_analyst, explorer_data):
    sign_in(client, council_analyst)
    table = _month_table(client.get(reverse("web:incident-list")).content.decode())
    assert table == {"Jan 2026": 3, "Feb 2026": 0, "Mar 2026": 2}


# --- hexagons --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona_name", ["council_analyst", "bid_analyst", "police_officer"])
def test_hexagon_counts_and_harm_follow_the_policy(client, request, explorer_data, persona_name):
    sign_in(client, request.getfixturevalue(persona_name))
    weights = _weights()
    expected: dict[str, dict] = {}
    for _, _, code, _, point, _ in _visible_rows(persona_name):
        if point is None:
            continue
        cell = expected.setdefault(h3.latlng_to_cell(*point, settings.H3_RESOLUTION), {"count": 0, "harm": 0.0})
        cell["count"] += 1
        cell["harm"] += weights[code]

    for measure in ("count", "harm"):
        response = client.get(reverse("web:incident-hexagons") + f"?measure={measure}")
        assert response.status_code == 200
        collection = response.json()
        got = {f["properties"]["cell"]: f["properties"] for f in collection["features"]}
        assert {cell: p["count"] for cell, p in got.items()} == {cell: e["count"] for cell, e in expected.items()}
        assert {cell: p["harm"] for cell, p in got.items()} == pytest.approx({cell: e["harm"] for cell, e in expected.items()})
        assert all(p["value"] == p[measure] for p in got.values())
        assert collection["metadata"]["measure"] == measure
        for feature in collection["features"]:  # a closed hexagon ring in longitude, latitude order
            ring = feature["geometry"]["coordinates"][0]
            assert feature["geometry"]["type"] == "Polygon" and len(ring) == 7 and ring[0] == ring[-1]
            assert -1.0 < ring[0][0] < -0.9 and 52.4 < ring[0][1] < 52.5


def test_bid_analyst_hexagons_hold_only_bid_rows(client, bid_analyst, explorer_data):
    sign_in(client, bid_analyst)
    collection = client.get(reverse("web:incident-hexagons")).json()
    assert [f["properties"]["cell"] for f in collection["features"]] == [h3.latlng_to_cell(*POINT_B, settings.H3_RESOLUTION)]
    assert collection["features"][0]["properties"]["count"] == 2
    assert collection["features"][0]["properties"]["harm"] == pytest.approx(1.0 + 0.5)


def test_coarser_resolutions_add_up_into_parent_cells(client, council_analyst, explorer_data):
    sign_in(client, council_analyst)
    fine = client.get(reverse("web:incident-hexagons")).json()
    for resolution in (settings.H3_RESOLUTION - 1, settings.H3_RESOLUTION - 3):
        coarse = client.get(reverse("web:incident-hexagons") + f"?resolution={resolution}").json()
        expected = Counter()
        for feature in fine["features"]:
            expected[h3.cell_to_parent(feature["properties"]["cell"], resolution)] += feature["properties"]["count"]
        assert {f["properties"]["cell"]: f["properties"]["count"] for f in coarse["features"]} == dict(expected)
        assert coarse["metadata"]["resolution"] == resolution
        assert coarse["metadata"]["incidents"] == 4  # the fifth has no location


def test_hexagons_follow_the_filters(client, council_analyst, explorer_data):
    sign_in(client, council_analyst)
    collection = client.get(reverse("web:incident-hexagons") + "?category=fly-tipping").json()
    assert [f["properties"]["count"] for f in collection["features"]] == [1]
    collection = client.get(reverse("web:incident-hexagons") + "?date_from=2026-03-01").json()
    assert [f["properties"]["cell"] for f in collection["features"]] == [h3.latlng_to_cell(*POINT_B, settings.H3_RESOLUTION)]


@pytest.mark.parametrize("query", ["resolution=twelve", "resolution=99", "measure=loudness", "date_from=2026-13-01"])
def test_hexagons_refuse_bad_input_with_a_reason(client, council_analyst, explorer_data, query):
    sign_in(client, council_analyst)
    response = client.get(reverse("web:incident-hexagons") + "?" + query)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    if query.startswith("date_from"):
        assert "'from' date" in body["errors"]["date_from"][0]


# --- points ----------------------------------------------------------------------------------


def test_points_of_a_hexagon_are_the_visible_ones_and_audited(client, council_analyst, explorer_data):
    sign_in(client, council_analyst)
    cell = h3.latlng_to_cell(*POINT_A, settings.H3_RESOLUTION)
    before = AuditEntry.objects.count()
    collection = client.get(reverse("web:incident-points") + f"?cell={cell}&source=test").json()
    ids = {f["properties"]["id"] for f in collection["features"]}
    incidents = explorer_data["incidents"]
    assert ids == {incidents[ref].pk for ref in ("EX-POL-ASB-1", "EX-POL-ASB-2", "EX-CC-ENV-1")}  # not the burglary
    feature = collection["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["url"] == reverse("web:incident-detail", args=[feature["properties"]["id"]])
    assert feature["properties"]["category"] in {"Anti-social behaviour", "Fly-tipping"}
    assert collection["metadata"]["capped"] is False

    entries = list(AuditEntry.objects.filter(sequence__gt=before))
    assert [(e.action, e.actor_username) for e in entries] == [("view", "council_analyst")]
    assert entries[0].details["rows"] == 3
    assert entries[0].details["cell"] == cell
    assert entries[0].details["filters"] == {"source": "test"}
    assert {int(each) for each in entries[0].record_ids.strip(",").split(",")} == ids
    assert collection["metadata"]["message"] == "Showing all 3 incidents in this hexagon."
    assert entries[0].object_repr.startswith("3 incidents on the map")

    one = client.get(reverse("web:incident-points") + f"?cell={cell}&q=EX-POL-ASB-1").json()
    assert one["metadata"]["message"] == "Showing the only incident in this hexagon."
    assert AuditEntry.objects.order_by("-sequence").first().object_repr.startswith("1 incident on the map")


def test_points_of_a_coarser_hexagon_include_its_children(client, police_officer, explorer_data):
    sign_in(client, police_officer)
    parent = h3.cell_to_parent(h3.latlng_to_cell(*POINT_A, settings.H3_RESOLUTION), settings.H3_RESOLUTION - 2)
    collection = client.get(reverse("web:incident-points") + f"?cell={parent}").json()
    located_in_parent = [
        row for row in _visible_rows("police_officer")
        if row[4] and h3.cell_to_parent(h3.latlng_to_cell(*row[4], settings.H3_RESOLUTION), settings.H3_RESOLUTION - 2) == parent
    ]
    assert collection["metadata"]["total"] == len(located_in_parent) >= 4


def test_points_are_capped_with_a_message(client, council_analyst, explorer_data, world):
    cell = h3.latlng_to_cell(*POINT_A, settings.H3_RESOLUTION)
    template = explorer_data["incidents"]["EX-CC-ENV-1"]
    location = make_location(*POINT_A, precision=LocationPrecision.EXACT, h3_cell=cell)
    Incident.objects.bulk_create([
        Incident(source="bulk", owning_organisation=template.owning_organisation, data_category=template.data_category,
                 external_id=f"BULK-{n}", occurred_on=date(2025, 6, 1) + timedelta(days=n % 200), category_id="litter",
                 location=location)
        for n in range(510)
    ])
    counts_rebuild()
    sign_in(client, council_analyst)
    collection = client.get(reverse("web:incident-points") + f"?cell={cell}").json()
    assert len(collection["features"]) == 500
    assert collection["metadata"] == {**collection["metadata"], "capped": True, "total": 513, "shown": 500}
    assert "500 of the 513" in collection["metadata"]["message"]
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.details["rows"], entry.details["total"]) == ("view", 500, 513)
    assert len(entry.record_ids.strip(",").split(",")) == 500


def test_points_for_someone_who_may_see_none_are_empty(client, bid_analyst, explorer_data):
    sign_in(client, bid_analyst)
    cell = h3.latlng_to_cell(*POINT_A, settings.H3_RESOLUTION)
    collection = client.get(reverse("web:incident-points") + f"?cell={cell}").json()
    assert collection["features"] == [] and collection["metadata"]["total"] == 0


@pytest.mark.parametrize("cell", ["", "not-a-cell", "8009fffffffffff"])  # none, nonsense, resolution 0
def test_points_refuse_a_bad_hexagon(client, council_analyst, explorer_data, cell):
    sign_in(client, council_analyst)
    before = AuditEntry.objects.count()
    response = client.get(reverse("web:incident-points") + f"?cell={cell}")
    assert response.status_code == 400 and response.json()["detail"]
    assert AuditEntry.objects.count() == before


# --- GeoJSON export --------------------------------------------------------------------------


@pytest.mark.parametrize("persona_name", ["council_analyst", "bid_analyst"])
def test_geojson_export_is_valid_audited_and_only_visible_rows(client, request, explorer_data, persona_name):
    sign_in(client, request.getfixturevalue(persona_name))
    before = AuditEntry.objects.count()
    response = client.get(reverse("web:incident-export-geojson") + "?source=test")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "attachment" in response["Content-Disposition"]
    collection = json.loads(b"".join(response.streaming_content))

    visible = _visible_rows(persona_name)
    located = {row[5] for row in visible if row[4]}
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["external_id"] for f in collection["features"]} == located
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert (lat, lon) in (POINT_A, POINT_B)
    assert collection["metadata"]["omitted_without_location"] == len(visible) - len(located)
    assert collection["metadata"]["features"] == len(located)

    entries = list(AuditEntry.objects.filter(sequence__gt=before))
    assert len(entries) == 1 and entries[0].action == "export"
    scope = entries[0].details.pop("scope")
    assert entries[0].details == {"filters": {"source": "test"}, "rows": len(located),
                                  "omitted_without_location": len(visible) - len(located), "format": "geojson"}
    assert scope["filters"] == {"source": "test"} and scope["up_to_id"] >= max(f["properties"]["id"] for f in collection["features"])


# --- what the exports say: names beside the codes ----------------------------------------------

# The columns the CSV export had first, in their order: analysts' files and scripts read them.
FIRST_COLUMNS = [
    "id", "source", "owning_organisation", "data_category", "external_id", "occurred_on",
    "occurred_precision", "category", "source_category", "latitude", "longitude",
    "location_precision", "lsoa", "ward", "community", "h3_cell", "outcome",
]
NAMED_COLUMNS = [
    "source_name", "category_name", "data_category_name", "occurred_time", "location_description",
    "lsoa_name", "ward_name", "community_name",
]


def _with_time_and_street(explorer_data) -> Incident:
    incident = explorer_data["incidents"]["EX-POL-ASB-1"]
    incident.occurred_time = time(1, 43)
    incident.location = make_location(*POINT_A, precision=LocationPrecision.EXACT, description="On or near Lincoln Road",
                                      h3_cell=h3.latlng_to_cell(*POINT_A, settings.H3_RESOLUTION))
    incident.save()
    return incident


def test_the_csv_export_keeps_its_columns_and_adds_the_names(client, council_analyst, explorer_data, world):
    incident = _with_time_and_street(explorer_data)
    sign_in(client, council_analyst)
    response = client.get(reverse("web:incident-export") + "?source=test")
    assert response.status_code == 200 and response.streaming  # streamed, never built whole
    text = b"".join(response.streaming_content).decode()
    assert next(csv.reader(io.StringIO(text))) == FIRST_COLUMNS + NAMED_COLUMNS
    rows = {row["external_id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(rows) == VISIBLE["council_analyst"]

    row = rows["EX-POL-ASB-1"]
    assert (row["id"], row["category"], row["data_category"], row["lsoa"]) == (
        str(incident.pk), "anti-social-behaviour", "asb", "E01900001")  # the codes, as before
    assert {name: row[name] for name in NAMED_COLUMNS} == {
        "source_name": "Test",
        "category_name": "Anti-social behaviour",
        "data_category_name": world["categories"]["asb"].name,
        "occurred_time": "01:43",
        "location_description": "On or near Lincoln Road",
        "lsoa_name": "Northgate 001A",
        "ward_name": "Northgate",
        "community_name": "Riverford Central",
    }
    unknown = rows["EX-CC-ENV-2"]  # no time of day, no location
    assert unknown["category_name"] == "Fly-tipping" and unknown["data_category_name"] == world["categories"]["environmental"].name
    assert [unknown[name] for name in ("occurred_time", "location_description", "lsoa_name", "ward_name", "community_name")] == [""] * 5

    assert AuditEntry.objects.order_by("-sequence").first().object_repr == "5 incidents as CSV"
    b"".join(client.get(reverse("web:incident-export") + "?q=EX-POL-ASB-1").streaming_content)
    assert AuditEntry.objects.order_by("-sequence").first().object_repr == "1 incident as CSV"


def test_the_geojson_export_adds_the_names_too(client, council_analyst, explorer_data, world):
    _with_time_and_street(explorer_data)
    sign_in(client, council_analyst)
    collection = json.loads(b"".join(client.get(reverse("web:incident-export-geojson") + "?q=EX-POL-ASB-1").streaming_content))
    [feature] = collection["features"]
    properties = feature["properties"]
    assert (properties["category"], properties["lsoa"], properties["h3_cell"]) == (
        "anti-social-behaviour", "E01900001", h3.latlng_to_cell(*POINT_A, settings.H3_RESOLUTION))  # kept, for GIS
    assert {name: properties[name] for name in NAMED_COLUMNS} == {
        "source_name": "Test",
        "category_name": "Anti-social behaviour",
        "data_category_name": world["categories"]["asb"].name,
        "occurred_time": "01:43",
        "location_description": "On or near Lincoln Road",
        "lsoa_name": "Northgate 001A",
        "ward_name": "Northgate",
        "community_name": "Riverford Central",
    }
    assert AuditEntry.objects.order_by("-sequence").first().object_repr == "1 incident as GeoJSON"


def test_exports_refuse_bad_filters_and_audit_nothing(client, council_analyst, explorer_data):
    sign_in(client, council_analyst)
    before = AuditEntry.objects.count()
    for name in ("web:incident-export", "web:incident-export-geojson"):
        response = client.get(reverse(name) + "?date_from=2026-13-01")
        assert response.status_code == 400
        assert "date_from" in response.content.decode() and "'from' date" in response.content.decode()
    assert AuditEntry.objects.count() == before


# --- filters ---------------------------------------------------------------------------------


def _listed(client, query: str, explorer_data) -> set[str]:
    content = client.get(reverse("web:incident-list") + query).content.decode()
    return {ref for ref in explorer_data["incidents"] if f">{ref}<" in content}


def test_filter_by_place_name_or_code(client, police_officer, explorer_data):
    sign_in(client, police_officer)
    north = {"EX-POL-ASB-1", "EX-POL-ASB-2", "EX-CC-ENV-1", "EX-POL-CRIME-1"}
    assert _listed(client, "?place=Northgate", explorer_data) == north  # a ward, by name
    assert _listed(client, "?place=northgate", explorer_data) == north  # any case
    assert _listed(client, "?place=Northgate+(E05900001)", explorer_data) == north  # as the suggestions give it
    assert _listed(client, "?place=E01900002", explorer_data) == {"EX-POL-ASB-3"}  # an LSOA, by code
    assert _listed(client, "?place=Riverford+Central", explorer_data) == north | {"EX-POL-ASB-3"}  # a community
    page = client.get(reverse("web:incident-list") + "?place=Northgate").content.decode()
    assert "Northgate (ward)" in page  # shown as a selected filter


def test_an_unknown_or_ambiguous_place_is_explained(client, police_officer, explorer_data):
    sign_in(client, police_officer)
    content = client.get(reverse("web:incident-list") + "?place=Atlantis").content.decode()
    assert "There is no community, ward or LSOA called Atlantis" in content
    content = client.get(reverse("web:incident-list") + "?place=Eastfield").content.decode()
    assert "More than one place is called Eastfield" in content and "RVF-C2" in content and "E05900003" in content


def test_filter_by_source_and_categories(client, police_officer, explorer_data, world):
    sign_in(client, police_officer)
    other = add_incident(world, explorer_data["places"], owner="police", category="asb", code="anti-social-behaviour",
                         when=date(2026, 2, 1), point=POINT_A, external_id="EX-OTHER-SOURCE", source="calls")
    everything = {**explorer_data["incidents"], other.external_id: other}
    assert _listed(client, "?source=calls", {"incidents": everything}) == {"EX-OTHER-SOURCE"}
    assert _listed(client, "?source=test&category=fly-tipping", explorer_data) == {"EX-CC-ENV-1", "EX-CC-ENV-2"}
    assert _listed(client, "?source=test&category=fly-tipping&category=burglary", explorer_data) == {
        "EX-CC-ENV-1", "EX-CC-ENV-2", "EX-POL-CRIME-1"}


def test_category_checkboxes_show_names_grouped(client, police_officer, explorer_data):
    sign_in(client, police_officer)
    content = client.get(reverse("web:incident-list")).content.decode()
    legends = [part.split(">", 1)[1].split("<", 1)[0].strip() for part in content.split('<legend class="govuk-fieldset__legend')[1:]]
    assert {"Crime", "Anti-social behaviour", "Environmental"} <= set(legends)
    assert 'value="fly-tipping"' in content and "Fly-tipping" in content
    assert 'value="robbery"' not in content  # only categories the officer has records of


def test_filter_by_period_dates_and_quick_choices(client, council_analyst, explorer_data, world):
    sign_in(client, council_analyst)
    assert _listed(client, "?date_from=2026-03-01&date_to=2026-03-31", explorer_data) == {"EX-POL-ASB-3", "EX-CC-ENV-2"}
    assert _listed(client, "?period=dates&date_to=2026-01-10", explorer_data) == {"EX-POL-ASB-1"}
    today = date.today()
    recent = add_incident(world, explorer_data["places"], owner="council", category="environmental", code="graffiti",
                          when=today, point=POINT_B, external_id="EX-RECENT")
    older = add_incident(world, explorer_data["places"], owner="council", category="environmental", code="graffiti",
                         when=months_back(today, 6), point=POINT_B, external_id="EX-OLDER")
    data = {"incidents": {recent.external_id: recent, older.external_id: older}}
    assert _listed(client, "?period=3", data) == {"EX-RECENT"}
    assert _listed(client, "?period=12", data) == {"EX-RECENT", "EX-OLDER"}
    # A quick choice wins over dates typed in as well.
    assert _listed(client, "?period=3&date_from=2000-01-01&date_to=2000-12-31", data) == {"EX-RECENT"}


def test_months_back_starts_a_whole_month():
    assert months_back(date(2026, 3, 15), 3) == date(2026, 1, 1)
    assert months_back(date(2026, 3, 15), 12) == date(2025, 4, 1)
    assert months_back(date(2026, 1, 31), 1) == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-13-01", "Enter the 'from' date as a real date, like 2026-01-01"),
        ("date_to=yesterday", "Enter the 'to' date as a real date, like 2026-12-31"),
        ("date_from=2026-05-01&date_to=2026-04-01", "The 'to' date must be the same as or after the 'from' date"),
        ("category=no-such-thing", "Choose categories from the list"),
        ("period=fortnight", "Choose a period from the list"),
        ("source=nowhere", "Choose a source from the list"),
    ],
)
def test_bad_filters_are_explained_and_nothing_breaks(client, council_analyst, explorer_data, query, message):
    sign_in(client, council_analyst)
    response = client.get(reverse("web:incident-list") + "?" + query)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "There is a problem with the filters" in content  # the error summary
    assert content.count(message) >= 2  # in the summary and beside the field
    assert "govuk-error-message" in content
    assert "Incidents each month" in content and 'id="list"' in content  # the rest of the page still works


def test_a_bad_date_leaves_the_other_filters_applied(client, council_analyst, explorer_data):
    sign_in(client, council_analyst)
    assert _listed(client, "?category=fly-tipping&date_from=2026-13-01", explorer_data) == {"EX-CC-ENV-1", "EX-CC-ENV-2"}


def test_selected_filters_can_be_removed_one_by_one(client, council_analyst, explorer_data):
    sign_in(client, council_analyst)
    content = client.get(reverse("web:incident-list") + "?category=fly-tipping&category=anti-social-behaviour&source=test").content.decode()
    assert "Selected filters" in content
    assert 'href="?category=anti-social-behaviour&amp;source=test"' in content  # removes fly-tipping only
    assert 'href="?category=fly-tipping&amp;category=anti-social-behaviour"' in content  # removes the source


def test_page_links_the_map_data_and_exports_to_the_filters(client, council_analyst, explorer_data):
    sign_in(client, council_analyst)
    content = client.get(reverse("web:incident-list") + "?category=fly-tipping&page=1&measure=harm").content.decode()
    assert 'data-hexagons-url="/incidents/hexagons.json?category=fly-tipping"' in content
    assert 'href="/incidents/export.geojson?category=fly-tipping"' in content
    assert 'data-measure="harm"' in content
    assert "Hexagons with the most harm" in content and "LSOAs with the most harm" in content


def test_top_lsoas_and_hexagons_tables(client, council_analyst, explorer_data):
    sign_in(client, council_analyst)
    content = client.get(reverse("web:incident-list")).content.decode()
    lsoas = content.split("LSOAs with the most incidents", 1)[1].split("</table>", 1)[0]
    assert lsoas.index("Northgate 001A") < lsoas.index("Southbank 002A")  # 3 against 1
    hexagons = content.split("Hexagons with the most incidents", 1)[1].split("</table>", 1)[0]
    assert h3.latlng_to_cell(*POINT_A, settings.H3_RESOLUTION) not in content  # named by place, never by cell id
    assert "Northgate ward" in hexagons or "Southbank ward" in hexagons


# --- who may use it --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["web:incident-hexagons", "web:incident-points", "web:incident-export-geojson"])
def test_endpoints_are_for_incident_readers_only(client, council_auditor, name):
    assert client.get(reverse(name)).status_code == 302  # not signed in
    sign_in(client, council_auditor)
    assert client.get(reverse(name)).status_code == 403


def test_the_map_s_data_is_compressed_for_a_browser_that_asks(client, council_analyst, explorer_data):
    """Hundreds of kilobytes of outlines at a force's scale: sent gzipped to a browser (every one
    asks), the same data once unpacked."""
    import gzip
    import json

    sign_in(client, council_analyst)
    plain = client.get(reverse("web:incident-hexagons"))
    packed = client.get(reverse("web:incident-hexagons"), headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
