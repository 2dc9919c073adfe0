"""Hotspots through the access policy: an analysis only counts what its reader may see, and the
command line finds the same."""

import json
from datetime import date

import h3
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from saferplace.analysis.selectors import emerging_find, hotspots_find
from saferplace.errors import NotAllowed
from saferplace.incidents.models import Incident
from saferplace.incidents.recount import counts_rebuild
from saferplace.incidents.selectors import IncidentFilters
from tests.conftest import OPERATOR, TEST_CATEGORIES, make_location, viewer

CENTRE = (52.57, -0.24)


@pytest.fixture
def burglaries(world):
    """The police's burglaries, 40 in one cell and its neighbours and one in each cell further
    out, and the council's fly tips spread evenly over the same cells."""
    centre = h3.latlng_to_cell(*CENTRE, 9)
    rows = []

    def add(owner, category, cell, number):
        latitude, longitude = h3.cell_to_latlng(cell)
        location = make_location(latitude, longitude)
        for index in range(number):
            rows.append(Incident(
                source="test", owning_organisation=world["organisations"][owner], data_category=world["categories"][category],
                external_id=f"{owner}-{cell}-{index}", occurred_on=date(2026, 5, 1 + index % 28),
                category_id=TEST_CATEGORIES[category], location=location))

    for cell in h3.grid_disk(centre, 6):
        near = h3.grid_distance(centre, cell) <= 1
        add("police", "crime", cell, 40 if near else 1)
        add("council", "environmental", cell, 2)
    Incident.objects.bulk_create(rows)
    counts_rebuild()
    return centre


def test_the_planted_cluster_is_found_by_those_who_may_see_it(burglaries, police_analyst):
    found = hotspots_find(viewer=viewer(police_analyst), filters=IncidentFilters(categories=("burglary",)))
    hot = {row["h3_cell"] for row in found["hotspots"] if row["kind"] == "hot"}
    assert burglaries in hot
    assert all(h3.grid_distance(burglaries, cell) <= 2 for cell in hot)
    first = found["hotspots"][0]
    assert first["count"] == 40 and first["q_value"] <= 0.05 and first["z"] > 3
    assert found["parameters"]["incidents"] == 7 * 40 + (127 - 7)
    assert found["parameters"]["false_discovery_rate"] == 0.05


def test_another_organisation_counts_nothing_it_may_not_see(burglaries, council_analyst, bid_analyst):
    """The council's agreement with the police on crime has expired: its analyst's hotspots of
    burglary count none, and of everything, only its own evenly spread fly tips (no hotspot)."""
    council = viewer(council_analyst)
    nothing = hotspots_find(viewer=council, filters=IncidentFilters(categories=("burglary",)), every_cell=True)
    assert nothing["parameters"]["incidents"] == 0 and nothing["hotspots"] == []
    everything = hotspots_find(viewer=council)
    assert everything["parameters"]["incidents"] == 2 * 127 and everything["hotspots"] == []
    assert hotspots_find(viewer=viewer(bid_analyst), every_cell=True)["parameters"]["incidents"] == 0


def test_a_role_without_the_capability_is_refused(burglaries, council_volunteer):
    with pytest.raises(NotAllowed):
        hotspots_find(viewer=viewer(council_volunteer))


def test_hostile_choices_are_refused_with_a_reason(burglaries):
    for choice, message in (({"resolution": 12}, "resolution"), ({"resolution": -1}, "resolution"),
                            ({"by": "weight"}, "measure"), ({"alpha": 1.5}, "false discovery"),
                            ({"filters": IncidentFilters(categories=("no-such",))}, "no category"),
                            ({"filters": IncidentFilters(place_code="E99")}, "no place")):
        with pytest.raises(ValueError, match=message):
            hotspots_find(viewer=OPERATOR, **choice)


def test_the_command_prints_what_the_selector_finds(burglaries, capsys):
    call_command("hotspots", "--category", "burglary", "--format", "json")
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(hotspots_find(viewer=OPERATOR, filters=IncidentFilters(categories=("burglary",)))))
    assert printed["hotspots"][0]["h3_cell"] in h3.grid_disk(burglaries, 1)
    call_command("hotspots", "--category", "burglary", "--by", "harm", "--resolution", "8", "--format", "geojson")
    collection = json.loads(capsys.readouterr().out)
    assert collection["type"] == "FeatureCollection" and collection["parameters"]["by"] == "harm"
    assert all(feature["geometry"]["type"] == "Polygon" for feature in collection["features"])
    call_command("hotspots", "--category", "burglary")
    table = capsys.readouterr().out
    assert table.startswith(f"{len(printed['hotspots'])} of ") and "hot" in table
    for wrong in (["--from", "2026-13-01"], ["--resolution", "99"], ["--category", "nothing"]):
        with pytest.raises(CommandError):
            call_command("hotspots", *wrong)


@pytest.fixture
def rising(world):
    """A year of the police's burglaries, dated to the day: two a month in each cell, and from
    September, thirty a month in one cell and its neighbours."""
    centre = h3.latlng_to_cell(*CENTRE, 9)
    rows = []
    for cell in h3.grid_disk(centre, 5):
        latitude, longitude = h3.cell_to_latlng(cell)
        location = make_location(latitude, longitude)
        for month in range(1, 13):
            number = 30 if month >= 9 and h3.grid_distance(centre, cell) <= 1 else 2
            rows += [Incident(source="test", owning_organisation=world["organisations"]["police"],
                              data_category=world["categories"]["crime"], external_id=f"{cell}-{month}-{index}",
                              occurred_on=date(2025, month, 1 + index), category_id="burglary", location=location)
                     for index in range(number)]
    Incident.objects.bulk_create(rows)
    counts_rebuild()
    return centre


def test_an_emerging_hot_spot_is_found_by_those_who_may_see_it(rising, police_analyst, council_analyst):
    found = emerging_find(viewer=viewer(police_analyst), filters=IncidentFilters(categories=("burglary",)))
    patterns = {row["h3_cell"]: row["pattern"] for row in found["locations"]}
    assert patterns[rising] == "consecutive hot spot"
    first = found["locations"][0]
    assert first["pattern"] == "consecutive hot spot" and len(first["bins"]) == 12
    assert [step["spot"] for step in first["bins"]][-4:] == ["hot"] * 4
    assert found["parameters"]["steps"] == 12 and found["parameters"]["periods"] == ["2025-01-01", "2025-12-01"]
    weekly = emerging_find(viewer=viewer(police_analyst), interval="week")
    assert weekly["parameters"]["steps"] >= 52 and weekly["parameters"]["incidents"] == found["parameters"]["incidents"]
    nothing = emerging_find(viewer=viewer(council_analyst), filters=IncidentFilters(
        categories=("burglary",), date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)), every_cell=True)
    assert nothing["parameters"]["incidents"] == 0 and nothing["locations"] == []
    with pytest.raises(ValueError, match="needs 10 months"):
        emerging_find(viewer=viewer(police_analyst), filters=IncidentFilters(date_from=date(2025, 9, 1)))


def test_the_emerging_command(rising, capsys, council_volunteer):
    call_command("emerging", "--category", "burglary", "--format", "json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["locations"][0]["h3_cell"] in h3.grid_disk(rising, 1)
    call_command("emerging", "--interval", "week", "--resolution", "8")
    assert " of " in capsys.readouterr().out
    with pytest.raises(CommandError, match="choose months"):
        call_command("emerging", "--interval", "week", "--category", "anti-social-behaviour")
    with pytest.raises(NotAllowed):
        emerging_find(viewer=viewer(council_volunteer))
