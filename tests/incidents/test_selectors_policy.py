"""Every selector over incidents applies the access policy, aggregates included: each one, asked
as a persona who may see only some records, answers from exactly those records; and each test
would fail if the selector stopped applying the policy (checked here by bypassing it).

The selectors and their tests are listed in docs/data-sharing.md."""

from collections import Counter
from datetime import time

import h3
import pytest
from django.conf import settings

from saferplace.incidents import selectors
from saferplace.incidents.models import Incident
from saferplace.incidents.recount import counts_rebuild
from saferplace.incidents.selectors import IncidentFilters, incident_counts_summary
from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from tests.conftest import OPERATOR, make_location, square, viewer

pytestmark = pytest.mark.django_db

# The police officer sees police ASB, crime and safeguarding and the council's environmental
# record (tests/web/test_permission_matrix.py), not the fire or BID records.
PERSONA = "police_officer"
VISIBLE = {"POL-ASB-1", "POL-CRIME-1", "POL-SAFE-1", "CC-ENV-1"}


@pytest.fixture
def placed_records(records):
    """The personas' records, each at a point with an H3 cell and in an LSOA, so every aggregate
    has something to count."""
    lsoa = place_create_or_update(viewer=OPERATOR, kind=PlaceKind.LSOA, code="E01000099", name="Test 099A",
                                  boundary=square(-0.96, 52.44, 0.02))
    for number, record in enumerate(records.values()):
        latitude, longitude = 52.441 + number * 0.0035, -0.955  # a cell of its own each
        cell = h3.latlng_to_cell(latitude, longitude, settings.H3_RESOLUTION)
        location = make_location(latitude, longitude, h3_cell=cell)
        Incident.objects.filter(pk=record.pk).update(location=location, lsoa=lsoa, occurred_time=time(number, 30))
    counts_rebuild()
    return records


def _visible_incidents():
    return Incident.objects.filter(external_id__in=VISIBLE)


# selector name → (call it as the viewer, what it should give when computed from `incidents`)
def _cases():
    filters = IncidentFilters()

    def categories(incidents):
        return sorted(Counter(incidents.values_list("category_id", flat=True)).items())

    return {
        "incident_list": (
            lambda v: set(selectors.incident_list(viewer=v).values_list("external_id", flat=True)),
            lambda incidents: set(incidents.values_list("external_id", flat=True)),
        ),
        "incident_filter_options": (
            lambda v: selectors.incident_filter_options(viewer=v)["categories"],
            lambda incidents: sorted(set(incidents.values_list("category_id", flat=True))),
        ),
        "incident_filter_options.owners": (
            lambda v: selectors.incident_filter_options(viewer=v)["owners"],
            lambda incidents: sorted(set(incidents.values_list("owning_organisation__name", flat=True))),
        ),
        "incident_counts_by_hour_and_weekday": (
            lambda v: selectors.incident_counts_by_hour_and_weekday(viewer=v, filters=filters)["grid"],
            lambda incidents: [
                [incidents.filter(occurred_time__hour=hour, occurred_on__iso_week_day=day).count() for day in range(1, 8)]
                for hour in range(24)
            ],
        ),
        "incident_counts_by_category": (
            lambda v: sorted((row["category"], row["count"]) for row in selectors.incident_counts_by_category(viewer=v)),
            categories,
        ),
        "incident_counts_by_month": (
            lambda v: sum(month["count"] for month in selectors.incident_counts_by_month(viewer=v, filters=filters)),
            lambda incidents: incidents.count(),
        ),
        "incident_hexagons": (
            lambda v: sum(row["count"] for row in selectors.incident_hexagons(viewer=v)),
            lambda incidents: incidents.count(),
        ),
        "incident_top_lsoas": (
            lambda v: [row["count"] for row in selectors.incident_top_lsoas(viewer=v)],
            lambda incidents: [incidents.count()],
        ),
        "incident_top_hexagons": (
            lambda v: len(selectors.incident_top_hexagons(viewer=v)),
            lambda incidents: incidents.count(),  # one record per cell
        ),
        "incident_points": (
            lambda v: selectors.incident_points(viewer=v)["total"],
            lambda incidents: incidents.count(),
        ),
        "incident_summary": (
            lambda v: selectors.incident_summary(viewer=v)["count"],
            lambda incidents: incidents.count(),
        ),
        "incident_explorer": (
            lambda v: selectors.incident_explorer(viewer=v)["summary"]["count"],
            lambda incidents: incidents.count(),
        ),
        "incident_counts_summary": (
            lambda v: sorted(incident_counts_summary(viewer=v, by="category")),
            categories,
        ),
    }


@pytest.mark.parametrize("name", sorted(_cases()))
def test_each_selector_answers_from_the_records_the_persona_may_see(placed_records, request, name):
    person = viewer(request.getfixturevalue(PERSONA))
    ask, expected = _cases()[name]
    assert ask(person) == expected(_visible_incidents())


@pytest.mark.parametrize("name", sorted(_cases()))
def test_each_selector_test_fails_if_the_policy_is_bypassed(placed_records, request, monkeypatch, name):
    """What the test above guards against: with the policy taken out of the selectors (every
    incident visible), the selector's answer is no longer the persona's."""
    from saferplace.partners import access

    person = viewer(request.getfixturevalue(PERSONA))
    ask, expected = _cases()[name]
    monkeypatch.setattr(access, "visible_to", lambda viewer, queryset, **kwargs: queryset)
    assert ask(person) != expected(_visible_incidents())


def test_the_operator_counts_the_whole_store(placed_records):
    assert sum(count for _, count in incident_counts_summary(viewer=OPERATOR, by="source")) == len(placed_records)


@pytest.mark.parametrize("name", sorted(_cases()))
def test_a_role_without_incident_screens_gets_no_answer(placed_records, council_volunteer, name):
    from saferplace.errors import NotAllowed

    ask, _ = _cases()[name]
    if name == "incident_counts_summary":
        pytest.skip("the operator's summary at the terminal (the same policy, no capability check)")
    with pytest.raises(NotAllowed):
        ask(viewer(council_volunteer))
