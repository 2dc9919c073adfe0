"""Raising a report as an incident (`reports.incidents.report_incident_raise`): the owning
partner's triage only, once, under the service's incident category; the incident is counted for
the owner and the partners that share the category, and for nobody else."""

import pytest
from django.utils import timezone

from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.models import Incident, IncidentCategory
from saferplace.incidents.recount import counts_differences
from saferplace.incidents.selectors import IncidentFilters, incident_count, incident_list
from saferplace.reports.incidents import report_incident_raise
from saferplace.reports.models import ReportEvent, ReportEventKind
from saferplace.reports.services import report_duplicate, report_state_set, state_get
from tests.conftest import viewer

FILTERS = IncidentFilters(source="public-reports")


@pytest.fixture
def categorised(services):
    services["fly"].incident_category = IncidentCategory.objects.get(code="fly-tipping")
    services["fly"].save()
    services["safeguarding"].incident_category = IncidentCategory.objects.get(code="adult-at-risk-concern")
    services["safeguarding"].save()
    return services


def test_the_owner_raises_it_and_the_explorer_counts_it(categorised, make_report, council_analyst, police_officer,
                                                       bid_analyst):
    report = make_report("fly")
    incident = report_incident_raise(viewer=viewer(council_analyst), report=report)
    report.refresh_from_db()
    assert report.incident == incident
    assert incident.owning_organisation_id == report.owning_organisation_id
    assert (incident.category_id, incident.data_category_id) == ("fly-tipping", report.data_category_id)
    assert incident.external_id == f"report-{report.pk}"  # never the resident's reference
    assert incident.occurred_on == timezone.localdate(report.created_at)
    assert incident.raw["Description"] == report.description
    event = ReportEvent.objects.get(record=report, kind=ReportEventKind.INCIDENT)
    assert event.note == f"Incident {incident.pk}" and event.actor_id == council_analyst.pk
    assert counts_differences() == []
    assert incident_count(viewer=viewer(council_analyst), filters=FILTERS) == 1
    assert incident_count(viewer=viewer(police_officer), filters=FILTERS) == 1  # the CSP agreement shares it
    assert incident_count(viewer=viewer(bid_analyst), filters=FILTERS) == 0  # no agreement
    assert list(incident_list(viewer=viewer(bid_analyst), filters=FILTERS)) == []


def test_a_private_report_stays_in_its_special_category(categorised, make_report, police_officer, council_analyst):
    report = make_report("safeguarding", description="A neighbour has not been seen for a week")
    report_incident_raise(viewer=viewer(police_officer), report=report)
    assert incident_count(viewer=viewer(police_officer), filters=FILTERS) == 1
    assert incident_count(viewer=viewer(council_analyst), filters=FILTERS) == 0  # not party to safeguarding


@pytest.mark.parametrize(("who", "refusal"), [("police_officer", NotFound), ("bid_analyst", NotFound),
                                               ("council_admin", NotAllowed), ("council_volunteer", NotAllowed)])
def test_another_organisation_or_a_role_without_triage_cannot(categorised, make_report, who, refusal, request):
    report = make_report("fly")
    with pytest.raises(refusal):
        report_incident_raise(viewer=viewer(request.getfixturevalue(who)), report=report)
    report.refresh_from_db()
    assert report.incident is None
    assert not Incident.objects.exists()
    assert not ReportEvent.objects.filter(kind=ReportEventKind.INCIDENT).exists()


def test_raising_twice_is_refused(categorised, make_report, council_analyst):
    report = make_report("fly")
    report_incident_raise(viewer=viewer(council_analyst), report=report)
    with pytest.raises(ValueError, match="already been raised"):
        report_incident_raise(viewer=viewer(council_analyst), report=report)
    assert Incident.objects.count() == 1
    assert ReportEvent.objects.filter(kind=ReportEventKind.INCIDENT).count() == 1


def test_a_service_without_an_incident_category_is_refused(categorised, make_report, police_officer):
    report = make_report("drugs", description="Dealing from a car by the shops")
    with pytest.raises(ValueError, match="no incident category: set one for the service"):
        report_incident_raise(viewer=viewer(police_officer), report=report)
    assert not Incident.objects.exists()


def test_a_removed_report_or_a_duplicate_is_not_raised(categorised, make_report, council_analyst):
    first, second, spam = make_report("fly"), make_report("fly"), make_report("fly")
    report_duplicate(viewer=viewer(council_analyst), report=second, of=first)
    report_state_set(viewer=viewer(council_analyst), report=spam, state=state_get("hidden"), text="Abusive")
    for report in (second, spam):
        with pytest.raises(ValueError):
            report_incident_raise(viewer=viewer(council_analyst), report=report)
    assert not Incident.objects.exists()
