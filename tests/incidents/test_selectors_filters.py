"""The filters of `IncidentFilters` at their edges: hours past midnight (where 04:00 stops and
22:00 starts), days of the week (only records dated to the day), a radius in metres, searches
that are only text; the hours-of-the-week counts; postcodes and source names; and an export's
scope, replayed by the auditor's search, still covering what the filters chose."""

from datetime import date, time

import pytest

from saferplace.audit.selectors import AuditSearch, audit_entry_search
from saferplace.incidents import selectors
from saferplace.incidents.exports import incidents_export_csv
from saferplace.incidents.models import Incident, LocationPrecision
from saferplace.incidents.selectors import IncidentFilters, postcode_normalised
from saferplace.incidents.sources import source_name
from tests.conftest import make_incident, make_location, viewer

pytestmark = pytest.mark.django_db

CENTRE = (52.45, -0.95)
METRES = 1 / 111_320  # degrees of latitude in one metre


def _at(world, reference: str, **extra) -> Incident:
    return make_incident(world, owner="council", category="environmental", external_id=reference, **extra)


def _found(person, **filters) -> set[str]:
    """The references of the records the filters find, as a page lists them; counted as the
    figures count them (a search's street through a subquery, not a join), the same number."""
    chosen = IncidentFilters(**filters)
    found = list(selectors.incident_list(viewer=person, filters=chosen).values_list("external_id", flat=True))
    assert selectors.incident_count(viewer=person, filters=chosen) == len(found)
    return set(found)


@pytest.fixture
def clock(world):
    """One record at each of these times on Friday 2 January 2026, one with no time, one dated to the month."""
    for moment in ("03:59", "04:00", "21:59", "22:00", "23:59", "00:00", "12:30"):
        _at(world, f"AT-{moment}", occurred_on=date(2026, 1, 2), occurred_time=time.fromisoformat(moment))
    _at(world, "NO-TIME", occurred_on=date(2026, 1, 2))
    _at(world, "MONTH", occurred_on=date(2026, 1, 1), occurred_precision="month", occurred_time=None)
    return world


@pytest.mark.parametrize(("hour_from", "hour_to", "expected"), [
    (22, 4, {"AT-22:00", "AT-23:59", "AT-00:00", "AT-03:59"}),
    (4, 22, {"AT-04:00", "AT-12:30", "AT-21:59"}),
    (22, None, {"AT-22:00", "AT-23:59"}),
    (22, 0, {"AT-22:00", "AT-23:59"}),
    (None, 4, {"AT-00:00", "AT-03:59"}),
    (0, None, {"AT-03:59", "AT-04:00", "AT-21:59", "AT-22:00", "AT-23:59", "AT-00:00", "AT-12:30"}),
    (12, 13, {"AT-12:30"}),
])
def test_hours_of_the_day_wrap_past_midnight(clock, council_analyst, hour_from, hour_to, expected):
    assert _found(viewer(council_analyst), hour_from=hour_from, hour_to=hour_to) == expected


def test_days_of_the_week_need_a_date_to_the_day(clock, council_analyst):
    person = viewer(council_analyst)
    assert "MONTH" not in _found(person, weekdays=(4,))  # 1 January 2026 was a Thursday, but only the month is known
    assert len(_found(person, weekdays=(5,))) == 8  # the Friday's
    assert _found(person, weekdays=(1, 2, 3, 6, 7)) == set()


def test_a_radius_in_metres(world, council_analyst):
    for metres in (0, 240, 490, 510, 990, 1990, 2100):
        _at(world, f"N-{metres}", location=make_location(CENTRE[0] + metres * METRES, CENTRE[1]))
    _at(world, "EAST-400", location=make_location(CENTRE[0], CENTRE[1] + 400 * METRES / 0.6088))  # cos(52.45°)
    _at(world, "NOWHERE", location=make_location(precision=LocationPrecision.NONE))
    person = viewer(council_analyst)
    assert _found(person, near=(*CENTRE, 250)) == {"N-0", "N-240"}
    assert _found(person, near=(*CENTRE, 500)) == {"N-0", "N-240", "N-490", "EAST-400"}
    assert _found(person, near=(*CENTRE, 2000)) == {"N-0", "N-240", "N-490", "N-510", "N-990", "N-1990", "EAST-400"}


def test_a_search_is_text_not_a_pattern(world, council_analyst):
    _at(world, "REF-100%", location=make_location(*CENTRE, description="On or near Bridge_Street"))
    _at(world, "REF-1000", location=make_location(*CENTRE, description="On or near BridgeXStreet"))
    person = viewer(council_analyst)
    assert _found(person, search="100%") == {"REF-100%"}
    assert _found(person, search="bridge_street") == {"REF-100%"}
    assert _found(person, search="ref-10") == {"REF-100%", "REF-1000"}


def test_owner_and_outcome_only_narrow_what_the_policy_shows(records, council_analyst, bid_analyst):
    assert _found(viewer(council_analyst), owner="Riverford Business Improvement District") == set()
    assert _found(viewer(bid_analyst), owner="Fenshire Police") == set()
    assert _found(viewer(bid_analyst), owner="Riverford Business Improvement District") == {"BID-ASB-1"}


def test_hours_of_the_week_count_the_timed_records(clock, council_analyst):
    counts = selectors.incident_counts_by_hour_and_weekday(viewer=viewer(council_analyst))
    assert counts["total"] == 7
    assert counts["grid"][22] == [0, 0, 0, 0, 1, 0, 0]  # Friday
    assert counts["peak"] == 1 and len(counts["busiest"]) == 7
    assert counts["busiest"][0] == {"hour": 0, "weekday": "Friday"}  # the week's first hour with the most
    explorer = selectors.incident_explorer(viewer=viewer(council_analyst))
    assert explorer["hours"]["without_time"] == 2


def test_filters_as_audited_keep_a_zero_hour(world):
    assert IncidentFilters(hour_from=0, hour_to=6, weekdays=(6, 7)).as_dict() == {
        "hour_from": 0, "hour_to": 6, "weekdays": [6, 7]}
    assert IncidentFilters(near=(52.45, -0.95, 500)).as_dict() == {"near": [52.45, -0.95, 500]}


def test_an_export_by_the_new_filters_is_found_by_the_auditor(clock, council_analyst, council_auditor):
    person = viewer(council_analyst)
    text = "".join(incidents_export_csv(viewer=person, filters=IncidentFilters(hour_from=22, hour_to=4, search="AT-",
                                                                              near=(*CENTRE, 500))))
    assert len(text.splitlines()) == 5  # the header and the four night-time records
    inside = Incident.objects.get(external_id="AT-23:59")
    outside = Incident.objects.get(external_id="AT-12:30")
    auditor = viewer(council_auditor)
    for record, found in ((inside, True), (outside, False)):
        entries = audit_entry_search(viewer=auditor, search=AuditSearch(record_type="incidents.incident", record_id=record.pk))
        assert any(entry.action == "export" for entry in entries) is found


@pytest.mark.parametrize(("text", "expected"), [
    ("RV1 1AA", "RV11AA"), ("rv11aa", "RV11AA"), (" ec1a  1bb ", "EC1A1BB"), ("W1A 0AX", "W1A0AX"),
    ("High Street", ""), ("FP-CR-1042", ""), ("RV1", ""), ("", ""),
])
def test_postcodes_are_recognised(text, expected):
    assert postcode_normalised(text) == expected


@pytest.mark.parametrize(("code", "name"), [
    ("police-uk", "police.uk street-level crime"), ("stats19", "STATS19 road collisions"),
    ("police-asb", "Police ASB"), ("fire-incidents", "Fire incidents"), ("health-emergency-department", "Health emergency department"),
    ("nhs-111", "NHS 111"), ("test", "Test"), ("", ""),
    ("Calls for service", "Calls for service"), ("<b>x-y</b>", "<b>x-y</b>"),  # not codes: as written
])
def test_sources_have_names(code, name):
    assert source_name(code) == name


@pytest.mark.parametrize("resolution", [7, 9, 11])
def test_the_cells_around_a_point_cover_every_point_within_the_radius(settings, resolution):
    """`cells_within` is what lets the database read only the incidents near a point: every point
    within the radius, in any direction and on any part of the globe, lies in one of its cells."""
    import math
    import random

    import h3

    from saferplace.incidents.selectors import RADII, cells_within

    settings.H3_RESOLUTION = resolution
    chance = random.Random(9)
    for _ in range(40):
        latitude, longitude = chance.uniform(-70, 70), chance.uniform(-180, 180)
        radius = chance.choice(RADII)
        cells = cells_within(latitude, longitude, radius)
        if cells is None:  # too many rings at a fine resolution: the square alone narrows them
            assert resolution == 11 and radius > 250
            continue
        cells = set(cells)
        for _ in range(200):
            bearing, distance = chance.uniform(0, 2 * math.pi), radius * math.sqrt(chance.random())
            north = distance * math.cos(bearing) * METRES
            east = distance * math.sin(bearing) * METRES / math.cos(math.radians(latitude))
            assert h3.latlng_to_cell(latitude + north, longitude + east, resolution) in cells
