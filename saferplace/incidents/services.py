"""The audited ways of reading incidents: one at a time, and every kind of export. (Incidents are
written by the importers, `saferplace.incidents.importers`.)"""

from collections.abc import Iterable, Iterator

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.csv_stream import csv_lines
from saferplace.incidents.models import Incident
from saferplace.partners import access


def incident_open(*, user, incident_id: int, request: HttpRequest | None = None) -> Incident:
    """One incident, for a user the access policy allows; every opening is audited. A user who
    may not see it is told it does not exist, the same as for a missing id."""
    incident = Incident.objects.select_related(
        "owning_organisation", "data_category", "lsoa", "ward", "community", "location", "source_category", "outcome",
        "import_run",
    ).filter(pk=incident_id).first()
    if incident is None or not access.can_view(user, incident):
        raise Http404("No incident with that number is available to you.")
    audit_record(action=AuditAction.VIEW, actor=user, request=request, obj=incident)
    return incident


EXPORT_COLUMNS = [
    "id", "source", "owning_organisation", "data_category", "external_id", "occurred_on",
    "occurred_precision", "category", "source_category", "latitude", "longitude",
    "location_precision", "lsoa", "ward", "community", "h3_cell", "outcome",
]


def _export_row(incident: Incident) -> list:
    return [
        incident.pk, incident.source, incident.owning_organisation.name, incident.data_category.code,
        incident.external_id, incident.occurred_on.isoformat(), incident.occurred_precision,
        incident.category_id, incident.source_category_text, incident.latitude, incident.longitude,
        incident.location_precision, incident.lsoa.code if incident.lsoa else "",
        incident.ward.code if incident.ward else "", incident.community.code if incident.community else "",
        incident.h3_cell, incident.outcome_text,
    ]


def incidents_export_audit(
    *, user, request: HttpRequest | None, description: str, filters: dict, rows: int, export_format: str, **details
) -> None:
    """Record that `user` took `rows` incidents out of SaferPlace (a download, an API page, the
    points of a map hexagon), with the filters that chose them. Called before any row is sent."""
    if not user.is_authenticated:
        raise PermissionDenied
    audit_record(
        action=AuditAction.EXPORT,
        actor=user,
        request=request,
        object_type="incidents.incident",
        object_repr=description,
        details={"filters": filters, "rows": rows, "format": export_format, **details},
    )


def incidents_export_csv(
    *, user, incidents: Iterable[Incident], count: int, filters: dict, request: HttpRequest | None = None
) -> Iterator[str]:
    """Stream an already access-filtered list as CSV; the export itself is audited first, with the
    filters used and the number of rows."""
    incidents_export_audit(user=user, request=request, description=f"{count} incidents as CSV", filters=filters,
                           rows=count, export_format="csv")
    return csv_lines(EXPORT_COLUMNS, (_export_row(incident) for incident in incidents))

