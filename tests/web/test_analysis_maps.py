"""The analysis pages' maps' data: the kept result for the page's choices and the reader's
reading rule as GeoJSON (hotspots as hexagons, repeat locations and live risk areas as points),
read without writing anything; nothing for a result kept for another reading rule, a 403 for a
volunteer and a 400 for choices that make no sense."""

import h3
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferplace.analysis.models import AnalysisResult
from saferplace.analysis.results import analysis_compute
from tests.analysis.test_selectors import burglaries  # noqa: F401 - the fixture
from tests.conftest import sign_in

HOTSPOTS = reverse("web:analysis-hotspots-map") + "?category=burglary"
REPEATS = reverse("web:analysis-repeats-map") + "?category=burglary"
BAD_CHOICES = ("&date_from=2026-02-30", "&resolution=15", "&measure=%3Cscript%3E", "&place=E99999999", "&category=nothing")


def _worked_out(client, name: str) -> list[AnalysisResult]:
    """The page asks for its analyses; the worker works them out."""
    assert client.get(reverse(f"web:analysis-{name}") + "?category=burglary").status_code == 200
    return [analysis_compute(result_id=result.pk) for result in AnalysisResult.objects.filter(result__isnull=True)]


def _read_only(client, url: str):
    """The response to `url`, checking it wrote no analysis result."""
    before = list(AnalysisResult.objects.order_by("pk").values_list("pk", "status", "requested_at"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    writes = [query["sql"] for query in queries.captured_queries
              if "analysis_" in query["sql"] and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert list(AnalysisResult.objects.order_by("pk").values_list("pk", "status", "requested_at")) == before
    return response


def test_the_hotspot_map_is_the_kept_results_hexagons_and_nothing_else(client, burglaries, police_analyst):  # noqa: F811
    sign_in(client, police_analyst)
    missing = _read_only(client, HOTSPOTS)
    assert missing.status_code == 404 and "not been worked out yet" in missing.content.decode()
    assert not AnalysisResult.objects.exists()  # the map's data never asks for one

    [result] = _worked_out(client, "hotspots")
    response = _read_only(client, HOTSPOTS)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    collection = response.json()
    rows = {row["h3_cell"]: row for row in result.result["hotspots"]}
    assert rows and burglaries in rows
    features = {feature["properties"]["cell"]: feature for feature in collection["features"]}
    assert set(features) == set(rows) and len(collection["features"]) == len(rows)
    for cell, feature in features.items():
        ring = feature["geometry"]["coordinates"][0]
        assert feature["geometry"]["type"] == "Polygon" and ring[0] == ring[-1] and len(ring) == 7
        assert h3.latlng_to_cell(*reversed(_middle(ring)), h3.get_resolution(cell)) == cell
        shown, kept = feature["properties"], rows[cell]
        for name in ("count", "expected", "z", "q_value", "kind"):
            assert shown[name] == kept[name], name
        assert shown["where"] == kept["places"]
        assert shown["confidence"] == (99 if kept["q_value"] <= 0.01 else 95 if kept["q_value"] <= 0.05 else 90)
    assert features[burglaries]["properties"]["confidence"] == 99 and features[burglaries]["properties"]["count"] == 40
    assert collection["metadata"]["hot"] == sum(row["kind"] == "hot" for row in rows.values())
    assert collection["metadata"]["false_discovery_rate"] == 0.05

    # Whatever the kept result holds is what is drawn: a planted one, one hexagon.
    AnalysisResult.objects.update(result={**result.result, "hotspots": result.result["hotspots"][:1]})
    assert [feature["properties"]["cell"] for feature in client.get(HOTSPOTS).json()["features"]] == [
        result.result["hotspots"][0]["h3_cell"]]


def _middle(ring: list[list[float]]) -> tuple[float, float]:
    corners = ring[:-1]
    return sum(point[0] for point in corners) / len(corners), sum(point[1] for point in corners) / len(corners)


def test_the_hotspots_page_has_the_map_its_legend_and_the_table(client, burglaries, police_analyst):  # noqa: F811
    sign_in(client, police_analyst)
    _worked_out(client, "hotspots")
    page = client.get(reverse("web:analysis-hotspots") + "?category=burglary").content.decode()
    assert 'data-module="app-analysis-map"' in page and 'aria-label="Map of the hotspots and cold spots"' in page
    assert f'data-geojson-url="{HOTSPOTS}"' in page and "The map needs JavaScript" in page
    assert "Hotspot, 99% confidence (q ≤ 0.01)" in page and "Cold spot, 95% confidence (q ≤ 0.05)" in page
    assert "90% confidence" not in page  # a false discovery rate of 5% never keeps a cell only 90% sure
    assert "Hotspot</td>" in page  # the table, for people who cannot use the map


def test_a_result_kept_for_another_reading_rule_is_not_served(client, burglaries, police_analyst,  # noqa: F811
                                                              council_analyst):
    sign_in(client, police_analyst)
    _worked_out(client, "hotspots")
    _worked_out(client, "repeats")
    sign_in(client, council_analyst)
    assert _read_only(client, HOTSPOTS).status_code == 404
    assert _read_only(client, REPEATS).status_code == 404
    _worked_out(client, "hotspots")  # the council's own: none of the police's burglaries
    collection = _read_only(client, HOTSPOTS).json()
    assert collection["features"] == [] and collection["metadata"]["hot"] == 0


def test_a_volunteer_is_refused_and_bad_choices_get_a_400(client, burglaries, police_analyst,  # noqa: F811
                                                          council_volunteer):
    sign_in(client, police_analyst)
    _worked_out(client, "hotspots")
    kept = AnalysisResult.objects.count()
    for url in (HOTSPOTS, REPEATS):
        for bad in BAD_CHOICES:
            response = _read_only(client, url + bad)
            assert response.status_code == 400 and "Check the choices" in response.content.decode(), url + bad
            assert "<script>" not in response.content.decode()
    sign_in(client, council_volunteer)
    for url in (HOTSPOTS, REPEATS):
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(HOTSPOTS).status_code == 302
    assert AnalysisResult.objects.count() == kept


def test_the_repeats_map_is_the_kept_repeat_locations_and_risk_areas(client, burglaries, police_analyst):  # noqa: F811
    sign_in(client, police_analyst)
    assert _read_only(client, REPEATS).status_code == 404
    _worked_out(client, "repeats")
    repeats, near = AnalysisResult.objects.get(kind="repeats"), AnalysisResult.objects.get(kind="near_repeat")
    # Planted risk areas: where they are depends on the test's luck, what is drawn must not.
    areas = [{"latitude": 52.57, "longitude": -0.24, "from": "2026-05-28", "until": "2026-06-11", "radius_m": 200.0},
             {"latitude": 52.571, "longitude": -0.241, "from": "2026-05-20", "until": "2026-06-03", "radius_m": 200.0}]
    AnalysisResult.objects.filter(pk=near.pk).update(result={**(near.result or {}), "risk_areas": areas,
                                                             "near_repeat": {"metres": 200.0, "days": 14}})
    collection = _read_only(client, REPEATS).json()
    locations = [feature for feature in collection["features"] if feature["properties"]["kind"] == "repeat_location"]
    risks = [feature for feature in collection["features"] if feature["properties"]["kind"] == "risk_area"]
    assert len(collection["features"]) == len(locations) + len(risks)
    assert len(locations) == len(repeats.result["repeat_locations"]) == 7
    assert {(feature["properties"]["place"], feature["properties"]["count"]) for feature in locations} == {
        (row["place"], row["count"]) for row in repeats.result["repeat_locations"]}
    assert [(feature["geometry"]["coordinates"], feature["properties"]["until"], feature["properties"]["radius_m"])
            for feature in risks] == [([-0.24, 52.57], "2026-06-11", 200.0), ([-0.241, 52.571], "2026-06-03", 200.0)]
    assert collection["metadata"] == {"repeat_locations": 7, "risk_areas": 2, "near_repeat": {"metres": 200.0, "days": 14}}

    page = client.get(reverse("web:analysis-repeats") + "?category=burglary").content.decode()
    assert f'data-geojson-url="{REPEATS}"' in page and "Live near-repeat risk area: within 200 m of a recent incident" in page
    assert 'aria-label="Live risk areas"' in page and "<td class=\"govuk-table__cell\">2026-06-11</td>" in page
