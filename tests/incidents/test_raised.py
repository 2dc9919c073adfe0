"""One incident raised by hand (`incidents.raised.incident_raise`): stored as an import stores its
rows (location and H3 cell, places, a partition per source and month) and counted at once, for
its owner and the partners that share the category, and for nobody else."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from saferplace.audit.models import AuditAction, AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.events import IncidentEventKind
from saferplace.incidents.models import Incident, IncidentCategory, IncidentEvent, Partition
from saferplace.incidents.raised import incident_raise
from saferplace.incidents.recount import counts_differences, counts_version
from saferplace.incidents.selectors import IncidentFilters, incident_count, incident_list
from saferplace.places import geometry
from tests.conftest import OPERATOR, viewer
from tests.tasking.fixtures import area  # noqa: F401 - a fixture used here

IN_PARKSIDE = (52.445, -0.955)
FILTERS = IncidentFilters(source="public-reports")


def _raise(world, user, *, external_id="report-ABC", category="asb-nuisance", data_category="asb", **extra):
    fields = {"occurred_on": timezone.localdate() - timedelta(days=3), "latitude": IN_PARKSIDE[0],
              "longitude": IN_PARKSIDE[1], "description": "Music from the flats every night after midnight"}
    fields.update(extra)
    return incident_raise(viewer=viewer(user) if user is not OPERATOR else user,
                          category=IncidentCategory.objects.get(code=category),
                          data_category=world["categories"][data_category], external_id=external_id,
                          where="Mill Lane, Parkside ward", **fields)


def test_stored_as_an_import_stores_it_and_counted(world, area, police_officer):  # noqa: F811
    before = counts_version()
    incident = _raise(world, police_officer)
    incident.refresh_from_db()
    assert incident.owning_organisation == world["organisations"]["police"]
    assert (incident.source, incident.external_id, incident.category_id) == ("public-reports", "report-ABC",
                                                                             "asb-nuisance")
    assert incident.ward == area["ward"] and incident.community == area["community"] and incident.lsoa is None
    assert incident.location.h3_cell == geometry.h3_cell(*IN_PARKSIDE)
    assert incident.location.description == "Mill Lane, Parkside ward"
    assert incident.partition == Partition.objects.get(source="public-reports",
                                                       key=f"public-reports|{incident.occurred_on:%Y-%m}")
    assert incident.raw["Description"] == "Music from the flats every night after midnight"
    assert counts_differences() == []
    assert counts_version() > before
    event = IncidentEvent.objects.get(record=incident)
    assert event.kind == IncidentEventKind.RAISED and event.actor_id == police_officer.pk
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(incident.pk),
                                     object_type="incidents.incident").exists()


def test_the_owner_and_its_partners_count_it_and_nobody_else(world, area, police_officer, council_analyst,  # noqa: F811
                                                             bid_analyst, fire_officer):
    _raise(world, police_officer)
    _raise(world, police_officer, external_id="report-DEF")
    assert counts_differences() == []
    assert incident_count(viewer=viewer(police_officer), filters=FILTERS) == 2
    assert incident_count(viewer=viewer(council_analyst), filters=FILTERS) == 2  # the CSP agreement shares ASB
    assert incident_count(viewer=viewer(bid_analyst), filters=FILTERS) == 0  # no agreement
    assert incident_count(viewer=viewer(fire_officer), filters=FILTERS) == 0  # fire only
    assert list(incident_list(viewer=viewer(bid_analyst), filters=FILTERS)) == []
    listed = {incident.external_id for incident in incident_list(viewer=viewer(police_officer), filters=FILTERS)}
    assert listed == {"report-ABC", "report-DEF"}


@pytest.mark.parametrize("who", ["council_admin", "council_volunteer", "council_auditor"])
def test_a_role_without_triage_cannot_raise_one(world, area, who, request):  # noqa: F811
    with pytest.raises((NotAllowed, NotFound)):
        _raise(world, request.getfixturevalue(who), data_category="environmental", category="fly-tipping")
    assert not Incident.objects.exists()


def test_the_operator_belongs_to_no_organisation(world, area):  # noqa: F811
    with pytest.raises(NotAllowed):
        _raise(world, OPERATOR)
    assert not Incident.objects.exists()


def test_a_category_closed_to_the_role_is_refused(world, area, police_analyst):  # noqa: F811
    """Safeguarding opens to practitioners and chairs only: an analyst would file what they cannot read."""
    with pytest.raises(NotAllowed):
        _raise(world, police_analyst, data_category="safeguarding", category="child-concern")
    assert not Incident.objects.exists()


@pytest.mark.parametrize("hostile", [
    {"latitude": "nan"}, {"latitude": "1e309"}, {"longitude": 200}, {"latitude": None},
    {"occurred_on": "2026-01-01"}, {"occurred_on": timezone.localdate() + timedelta(days=1)},
    {"external_id": ""}, {"external_id": "x" * 101}, {"source": "no spaces please"},
])
def test_hostile_input_is_refused_with_a_message(world, area, police_officer, hostile):  # noqa: F811
    with pytest.raises(ValueError):
        _raise(world, police_officer, **hostile)
    assert not Incident.objects.exists()


def test_the_same_reference_twice_is_refused(world, area, police_officer):  # noqa: F811
    _raise(world, police_officer)
    with pytest.raises(ValueError, match="already recorded"):
        _raise(world, police_officer)
    assert Incident.objects.count() == 1


def test_another_month_has_a_partition_of_its_own(world, area, police_officer):  # noqa: F811
    today = timezone.localdate()
    last_month = date(today.year, today.month, 1) - timedelta(days=1)
    first = _raise(world, police_officer, occurred_on=today)
    second = _raise(world, police_officer, external_id="report-OLD", occurred_on=last_month)
    assert first.partition_id != second.partition_id
    assert counts_differences() == []
