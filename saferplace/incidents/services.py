"""The audited ways of reading incidents: one at a time, a page of a list, and every kind of
export. Each records in the audit trail what it disclosed before it discloses it: the record,
the ids of the records a page shows, or, for a bulk export, the scope that chose its records
(`incident_scope`), so that an auditor searching for one record finds every disclosure of it.
(Incidents are written by the importers, `saferplace.incidents.importers`.)"""

from collections.abc import Iterable, Iterator

from django.core.paginator import Paginator

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.csv_stream import csv_lines
from saferplace.errors import NotFound
from saferplace.incidents.models import Incident
from saferplace.incidents.selectors import (
    IncidentFilters,
    incident_explorer,
    incident_list,
    incident_scope,
)
from saferplace.incidents.sources import source_name
from saferplace.partners import access
from saferplace.words import count_of

OBJECT_TYPE = "incidents.incident"


def incident_open(*, viewer, incident_id: int) -> Incident:
    """One incident, for a viewer the access policy allows; every opening is audited. A viewer
    who may not see it is told it does not exist, the same as for a missing id."""
    access.require(viewer, "incidents.view")
    incident = Incident.objects.select_related(
        "owning_organisation", "data_category", "category", "lsoa", "ward", "community", "location",
        "source_category", "outcome", "import_run",
    ).filter(pk=incident_id).first()
    if incident is None or not access.allows(viewer, incident):
        raise NotFound("No incident with that number is available to you.", record_type=OBJECT_TYPE,
                       record_id=incident_id)
    audit_record(viewer=viewer, action=AuditAction.VIEW, obj=incident)
    return incident


def incidents_shown_audit(*, viewer, incidents: Iterable[Incident], filters: IncidentFilters, where: str,
                          action: AuditAction = AuditAction.VIEW, **details) -> list[Incident]:
    """Record that these incidents (a page of a list, the points of a map hexagon, a page of the
    API) were shown to `viewer`, with their ids and the filters that chose them. Returns them as
    a list, to show."""
    shown = list(incidents)
    audit_record(
        viewer=viewer, action=action, object_type=OBJECT_TYPE,
        object_repr=f"{count_of(len(shown), 'incident')} {where}"[:300],
        details={"filters": filters.as_dict(), "rows": len(shown), **details},
        record_ids=[incident.pk if isinstance(incident, Incident) else incident["id"] for incident in shown],
    )
    return shown


def incidents_export_audit(*, viewer, description: str, filters: IncidentFilters, rows: int, export_format: str,
                           **details) -> None:
    """Record that `viewer` took `rows` incidents out of SaferPlace in bulk, with the filters
    and the scope that chose them. Called before any row is sent."""
    access.require(viewer, "incidents.export")
    audit_record(
        viewer=viewer, action=AuditAction.EXPORT, object_type=OBJECT_TYPE, object_repr=description,
        details={"filters": filters.as_dict(), "rows": rows, "format": export_format,
                 "scope": incident_scope(viewer=viewer, filters=filters), **details},
    )


def export_names(incident: Incident) -> dict[str, str]:
    """What an export's codes stand for, in words, and what the codes leave out (the time of
    day as HH:MM, the location as the street it was given): the columns added after the first
    ones, which stay as they were for the analysts' files and scripts that read them."""
    return {
        "source_name": source_name(incident.source),
        "category_name": incident.category.name,
        "data_category_name": incident.data_category.name,
        "occurred_time": incident.occurred_time.strftime("%H:%M") if incident.occurred_time else "",
        "location_description": incident.location_description,
        "lsoa_name": incident.lsoa.name if incident.lsoa else "",
        "ward_name": incident.ward.name if incident.ward else "",
        "community_name": incident.community.name if incident.community else "",
    }


EXPORT_COLUMNS = [
    "id", "source", "owning_organisation", "data_category", "external_id", "occurred_on",
    "occurred_precision", "category", "source_category", "latitude", "longitude",
    "location_precision", "lsoa", "ward", "community", "h3_cell", "outcome",
    # Added later, at the end: the names beside the codes (export_names).
    "source_name", "category_name", "data_category_name", "occurred_time", "location_description",
    "lsoa_name", "ward_name", "community_name",
]


def _export_row(incident: Incident) -> list:
    return [
        incident.pk, incident.source, incident.owning_organisation.name, incident.data_category.code,
        incident.external_id, incident.occurred_on.isoformat(), incident.occurred_precision,
        incident.category_id, incident.source_category_text, incident.latitude, incident.longitude,
        incident.location_precision, incident.lsoa.code if incident.lsoa else "",
        incident.ward.code if incident.ward else "", incident.community.code if incident.community else "",
        incident.h3_cell, incident.outcome_text, *export_names(incident).values(),
    ]


def incidents_export_csv(*, viewer, filters: IncidentFilters) -> Iterator[str]:
    """The incidents the viewer may see that match the filters, as CSV lines (formula-leading
    values neutralised); the export is audited first, with its scope and number of rows."""
    incidents = incident_list(viewer=viewer, filters=filters)
    count = incidents.count()
    incidents_export_audit(viewer=viewer, description=f"{count_of(count, 'incident')} as CSV", filters=filters, rows=count,
                           export_format="csv")
    return csv_lines(EXPORT_COLUMNS, (_export_row(incident) for incident in incidents.iterator(chunk_size=2000)))


LIST_PAGE_SIZE = 50


def incident_explorer_open(*, viewer, filters: IncidentFilters, order_by: str = "count", page: str | int | None = 1) -> dict:
    """The explorer for one set of filters (`incident_explorer`) with one page of its list, that
    page's records recorded in the audit trail as shown."""
    explorer = incident_explorer(viewer=viewer, filters=filters, order_by=order_by)
    current = Paginator(explorer["incidents"], LIST_PAGE_SIZE).get_page(page)
    current.object_list = incidents_shown_audit(
        viewer=viewer, incidents=current.object_list, filters=filters,
        where=f"listed on the explorer (page {current.number})",
    )
    return {**explorer, "page": current}


def incident_api_page(*, viewer, filters: IncidentFilters, limit: int, offset: int) -> dict:
    """One page of the incidents the viewer may see, for the API: needs `incidents.export` (a
    system paging through the list takes the records out of SaferPlace), and is audited as an
    export with the ids of the page."""
    access.require(viewer, "incidents.export")
    incidents = incident_list(viewer=viewer, filters=filters)
    count = incidents.count()
    results = incidents_shown_audit(
        viewer=viewer, incidents=incidents[offset : offset + limit], filters=filters, where="through the API",
        action=AuditAction.EXPORT, format="api", offset=offset,
    )
    return {"count": count, "limit": limit, "offset": offset, "results": results}
