"""Every figure the explorer shows is the same whether the count tables answer it or the
incidents do: each selector, for each filter a user can choose, is computed both ways (the
second with the count tables switched off) as a persona and as the operator."""

from datetime import date

import pytest

from saferplace.incidents import selectors, tallies
from saferplace.incidents.models import Incident
from saferplace.incidents.recount import counts_rebuild
from saferplace.incidents.selectors import IncidentFilters
from saferplace.places.models import Place, PlaceKind
from tests.conftest import OPERATOR, viewer
from tests.web.test_explorer_search import POINT_A, night  # noqa: F401 - the fixture: timed records, weekdays, outcomes

pytestmark = pytest.mark.django_db

FILTERS = [
    IncidentFilters(),
    IncidentFilters(hour_from=22, hour_to=4),
    IncidentFilters(hour_from=14),
    IncidentFilters(hour_to=3, weekdays=(6, 7)),
    IncidentFilters(weekdays=(6,)),
    IncidentFilters(outcome="Under investigation"),
    IncidentFilters(category="anti-social-behaviour", date_from=date(2026, 1, 4)),
    IncidentFilters(date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)),
    IncidentFilters(date_to=date(2026, 1, 4), weekdays=(7,)),
    IncidentFilters(owner="Fenshire Police", source="police-asb"),
    IncidentFilters(categories=("fly-tipping", "burglary")),
    # Places (the `placed` fixture): a ward and a community have their own hours table; an
    # LSOA with hours is left to the incidents.
    *[IncidentFilters(place_code=code, **extra) for code in ("E06TESTC", "E05TESTW", "E01TEST01")
      for extra in ({}, {"hour_from": 22, "hour_to": 4}, {"weekdays": (6, 7)},
                    {"date_from": date(2026, 1, 4), "category": "anti-social-behaviour"})],
    IncidentFilters(outcome="Under investigation", hour_from=22, hour_to=4),
    IncidentFilters(outcome="Under investigation", place_code="E05TESTW", weekdays=(6,)),
    IncidentFilters(outcome="Under investigation", place_code="E01TEST02", date_to=date(2026, 1, 3)),
    IncidentFilters(outcome="Under investigation", category="burglary"),
    IncidentFilters(near=(*POINT_A, 250)),
    IncidentFilters(near=(*POINT_A, 2000), hour_from=22),
]
SELECTORS = [
    selectors.incident_summary, selectors.incident_counts_by_month, selectors.incident_hexagons,
    selectors.incident_top_lsoas, selectors.incident_top_hexagons, selectors.incident_counts_by_hour_and_weekday,
    selectors.incident_count,
]


@pytest.fixture
def placed(night):  # noqa: F811
    """The night's records in places: a community, its ward, the ward's two LSOAs (and one record
    in none)."""
    community = Place.objects.create(kind=PlaceKind.COMMUNITY, code="E06TESTC", name="Riverside")
    ward = Place.objects.create(kind=PlaceKind.WARD, code="E05TESTW", name="Central", parent=community)
    lsoas = [Place.objects.create(kind=PlaceKind.LSOA, code=f"E01TEST0{number}", name=f"Central {number}", parent=ward)
             for number in (1, 2)]
    for index, reference in enumerate(sorted(night)[:-1]):
        Incident.objects.filter(external_id=reference).update(lsoa=lsoas[index % 2], ward=ward, community=community)
    counts_rebuild()
    return night


@pytest.mark.parametrize("who", ["council_analyst", "operator"])
def test_the_counts_and_the_incidents_give_the_same_figures(placed, request, monkeypatch, who):
    person = OPERATOR if who == "operator" else viewer(request.getfixturevalue(who))
    from_counts = {(str(filters), chosen.__name__): chosen(viewer=person, filters=filters)
                   for filters in FILTERS for chosen in SELECTORS}
    assert selectors.count_rows is tallies.count_rows
    monkeypatch.setattr(selectors, "count_rows", lambda *args, **kwargs: None)
    for filters in FILTERS:
        for chosen in SELECTORS:
            assert chosen(viewer=person, filters=filters) == from_counts[(str(filters), chosen.__name__)], (
                chosen.__name__, filters)
    assert from_counts[(str(IncidentFilters()), "incident_count")] >= 5
    assert from_counts[(str(IncidentFilters(place_code="E05TESTW", hour_from=22, hour_to=4)), "incident_count")] >= 1

@pytest.mark.parametrize("who", ["council_analyst", "police_analyst", "operator"])
def test_a_page_read_off_the_index_is_the_page_of_the_whole_list(night, request, world, who):  # noqa: F811
    from tests.conftest import make_incident

    for number in range(6):
        make_incident(world, owner="council", category="environmental", external_id=f"MORE-{number}")
    person = OPERATOR if who == "operator" else viewer(request.getfixturevalue(who))
    sorted_ = [IncidentFilters(sort=sort, **extra) for sort in ("newest", "oldest", "category")
               for extra in ({}, {"hour_from": 22, "hour_to": 4}, {"owner": "Fenshire Police"})]
    for filters in [*FILTERS, *sorted_, IncidentFilters(place_code="NO-SUCH-PLACE")]:
        whole = list(selectors.incident_list(viewer=person, filters=filters).values_list("pk", flat=True))
        for offset in (0, 2, 5, 40):
            page = selectors.incident_list_page(viewer=person, filters=filters, offset=offset, limit=3)
            assert [incident.pk for incident in page] == whole[offset : offset + 3], (filters, offset)


# What the count tables answer alone: every figure of the explorer (the list's page aside), but
# with hours or days of the week chosen, the busiest places and hexagons (no table keeps both).
FROM_THE_COUNTS = [
    IncidentFilters(),
    IncidentFilters(outcome="Under investigation"),
    IncidentFilters(hour_from=22, hour_to=4, outcome="Under investigation"),
    IncidentFilters(place_code="E05TESTW", weekdays=(6, 7)),
    IncidentFilters(place_code="E06TESTC", hour_from=22),
    IncidentFilters(place_code="E05TESTW", category="anti-social-behaviour", date_from=date(2026, 1, 1)),
    IncidentFilters(category="anti-social-behaviour", outcome="Under investigation", date_to=date(2026, 1, 31)),
    IncidentFilters(outcome="Under investigation", place_code="E05TESTW"),
]


@pytest.mark.parametrize("filters", FROM_THE_COUNTS, ids=str)
def test_these_filters_are_answered_without_reading_the_incidents(placed, council_analyst, filters):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = viewer(council_analyst)
    by_place = {selectors.incident_hexagons, selectors.incident_top_hexagons, selectors.incident_top_lsoas}
    answered = [chosen for chosen in SELECTORS if not (tallies.hours_chosen(filters) and chosen in by_place)]
    for chosen in answered:
        with CaptureQueriesContext(connection) as captured:
            chosen(viewer=person, filters=filters)
        read = [query["sql"] for query in captured.captured_queries if '"incidents_incident"' in query["sql"]]
        assert not read, (chosen.__name__, read)


@pytest.mark.parametrize("counted", [True, False], ids=["counts", "incidents"])
def test_the_explorer_finds_the_busiest_places_the_selectors_find(placed, council_analyst, monkeypatch, counted):
    """The explorer groups the incidents by cell and LSOA in one pass when no count table can give
    the busiest places: the same places, counts and harm as the two selectors each find."""
    person = viewer(council_analyst)
    if not counted:
        monkeypatch.setattr(selectors, "count_rows", lambda *args, **kwargs: None)
    for filters in [*FILTERS, IncidentFilters(search="street"), IncidentFilters(search="AT-", hour_from=22)]:
        explorer = selectors.incident_explorer(viewer=person, filters=filters)
        assert explorer["top_hexagons"] == selectors.incident_top_hexagons(viewer=person, filters=filters), filters
        assert explorer["top_lsoas"] == selectors.incident_top_lsoas(viewer=person, filters=filters), filters
    assert selectors.incident_explorer(viewer=person, filters=IncidentFilters(hour_from=22, hour_to=4))["top_lsoas"]
