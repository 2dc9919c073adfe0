"""Writing incidents, and the audited ways of reading them one by one or in bulk."""

from collections.abc import Iterable, Iterator

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.csv_stream import csv_lines
from saferplace.incidents.models import Incident, LocationPrecision
from saferplace.partners import access
from saferplace.places.geometry import assign_places, h3_cells
from saferplace.places.models import PlaceKind


@transaction.atomic
def incidents_bulk_create(*, rows: list[dict], batch_size: int = 5000) -> int:
    """Store incidents, assigning LSOA, ward, community and H3 cell from their coordinates in
    one vectorised pass. Each row gives the model's fields (without the place fields)."""
    if not rows:
        return 0
    lats = np.array([row.get("latitude") if row.get("latitude") is not None else np.nan for row in rows])
    lons = np.array([row.get("longitude") if row.get("longitude") is not None else np.nan for row in rows])
    places = assign_places(lats, lons)
    cells = h3_cells(lats, lons)
    incidents = []
    for position, row in enumerate(rows):
        has_point = cells[position] is not None
        fields = dict(row)
        if "category" in fields:  # a taxonomy code
            fields["category_id"] = fields.pop("category")
        incident = Incident(**fields)
        incident.lsoa_id = _place_or_none(places[PlaceKind.LSOA][position])
        incident.ward_id = _place_or_none(places[PlaceKind.WARD][position])
        incident.community_id = _place_or_none(places[PlaceKind.COMMUNITY][position])
        incident.h3_cell = cells[position] or ""
        if not has_point:
            incident.location_precision = LocationPrecision.NONE
        incidents.append(incident)
    Incident.objects.bulk_create(incidents, batch_size=batch_size)
    return len(incidents)


def _place_or_none(place_id) -> int | None:
    return int(place_id) if place_id >= 0 else None


def incident_open(*, user, incident_id: int, request: HttpRequest | None = None) -> Incident:
    """One incident, for a user the access policy allows; every opening is audited. A user who
    may not see it is told it does not exist, the same as for a missing id."""
    incident = Incident.objects.select_related(
        "owning_organisation", "data_category", "lsoa", "ward", "community"
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
        incident.category_id, incident.source_category, incident.latitude, incident.longitude,
        incident.location_precision, incident.lsoa.code if incident.lsoa else "",
        incident.ward.code if incident.ward else "", incident.community.code if incident.community else "",
        incident.h3_cell, incident.outcome,
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

