"""Raising a resident's report as an incident: the partner the report is routed to records it in
the incident store (`incidents.raised`), under the service's incident category, so that it is
counted on the explorer, the map and the analysis with the partners' other records. Once only."""

from django.db import transaction
from django.utils import timezone

from saferplace.history import record_change
from saferplace.incidents.models import Incident
from saferplace.incidents.raised import incident_raise
from saferplace.reports.models import Report, ReportEventKind, StateKind
from saferplace.reports.services import _triage

SOURCE = "public-reports"


@transaction.atomic
def report_incident_raise(*, viewer, report: Report) -> Incident:
    """Record the report as an incident of the viewer's organisation (its triage: `reports.triage`
    on its own reports), dated the day it was reported, at its point, with what the resident
    wrote; the report keeps a link to it and its timeline says so."""
    report = _triage(viewer, report)
    if report.incident_id is not None:
        raise ValueError("This report has already been raised as an incident")
    if report.state.kind == StateKind.HIDDEN:
        raise ValueError("A removed report is not raised as an incident")
    if report.duplicate_of_id is not None:
        raise ValueError("A duplicate is not raised again: raise the report it repeats")
    category = report.service.incident_category
    if category is None:
        raise ValueError("This kind of report has no incident category: set one for the service")
    incident = incident_raise(
        viewer=viewer, category=category, data_category=report.data_category,
        occurred_on=timezone.localdate(report.created_at), latitude=report.latitude, longitude=report.longitude,
        description=report.description, source=SOURCE, external_id=f"report-{report.pk}", where=report.where,
    )
    record_change(viewer=viewer, record=report, kind=ReportEventKind.INCIDENT, note=f"Incident {incident.pk}",
                  values={"incident": incident, "updated_at": timezone.now()})
    return incident
