"""One incident a partner raises by hand (from a resident's report, `reports.incidents`), stored
as an import stores its rows: its shared location (with the point's H3 cell), its LSOA, ward and
community from the loaded places, a partition of its own per source and month (what the counts
are grouped by), and the counts of that partition recounted in the same transaction
(`recount.counts_refresh`), so the explorer and the analysis count it at once. What the partner
wrote is kept as its source record (`Incident.raw`), shown on the incident's page."""

import math
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from saferplace.errors import NotAllowed
from saferplace.history import record_change
from saferplace.incidents.events import IncidentEventKind
from saferplace.incidents.models import (
    EXTERNAL_ID_LENGTH,
    DatePrecision,
    Incident,
    IncidentCategory,
    Location,
    LocationPrecision,
    Partition,
    location_key,
)
from saferplace.incidents.recount import counts_refresh
from saferplace.incidents.sources import SLUG
from saferplace.partners import access
from saferplace.partners.models import DataCategory
from saferplace.places.geometry import assign_places, h3_cell
from saferplace.places.models import PlaceKind

DESCRIPTION_MOST = 5000
WHERE_MOST = 300  # a location's description
CAPABILITY = "reports.triage"  # the catalogue's "raise as an incident"


def _point(latitude, longitude) -> tuple[float, float]:
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise ValueError("The latitude and longitude must be numbers") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("That point is not on the map")
    return latitude + 0.0, longitude + 0.0  # -0.0 is the Greenwich meridian, as the importers keep it


def _location(latitude: float, longitude: float, where: str) -> Location:
    """The shared location of the point (made the first time, with its H3 cell), as an import's."""
    precision = LocationPrecision.EXACT.value
    location, _ = Location.objects.get_or_create(
        key=location_key(precision, latitude, longitude, where),
        defaults={"latitude": latitude, "longitude": longitude, "precision": precision, "description": where,
                  "h3_cell": h3_cell(latitude, longitude)},
    )
    return location


def _places(latitude: float, longitude: float) -> dict[str, int | None]:
    found = assign_places([latitude], [longitude])
    ids = {kind: int(found[kind][0]) for kind in (PlaceKind.LSOA, PlaceKind.WARD, PlaceKind.COMMUNITY)}
    return {f"{str(kind)}_id": (value if value >= 0 else None) for kind, value in ids.items()}


@transaction.atomic
def incident_raise(*, viewer, category: IncidentCategory, data_category: DataCategory, occurred_on: date,
                   latitude, longitude, description: str, external_id: str, source: str = "public-reports",
                   where: str = "") -> Incident:
    """Record one incident owned by the viewer's organisation (needs `reports.triage`, and the
    data category open to the viewer's role: nobody files what they could not read back).
    `external_id` is the partner's reference, unique for the owner and source."""
    if viewer.organisation_id is None:
        raise NotAllowed("Only a partner organisation's people raise incidents.", capability=CAPABILITY)
    if isinstance(occurred_on, datetime) or not isinstance(occurred_on, date):
        raise ValueError("The date it happened is needed")
    if occurred_on > timezone.localdate():
        raise ValueError("The date it happened cannot be in the future")
    if not SLUG.match(source or ""):
        raise ValueError("The source is a short code such as public-reports")
    external_id = str(external_id or "").strip()
    if not external_id or len(external_id) > EXTERNAL_ID_LENGTH:
        raise ValueError(f"The reference is needed, at most {EXTERNAL_ID_LENGTH} characters")
    description = str(description or "").replace("\x00", "").strip()[:DESCRIPTION_MOST]
    where = str(where or "").replace("\x00", "").strip()[:WHERE_MOST]
    latitude, longitude = _point(latitude, longitude)
    incident = Incident(source=source[:60], owning_organisation_id=viewer.organisation_id,
                        data_category=data_category, category=category, external_id=external_id,
                        occurred_on=occurred_on, occurred_precision=DatePrecision.DAY,
                        raw={"Description": description, "Reference": external_id})
    access.require(viewer, CAPABILITY, incident)
    if not access.allows(viewer, incident):
        raise NotAllowed("Your role cannot record incidents of this data category.", capability=CAPABILITY)
    if Incident.objects.filter(owning_organisation_id=viewer.organisation_id, data_category=data_category,
                               occurred_on=occurred_on, source=incident.source, external_id=external_id).exists():
        raise ValueError(f"An incident {external_id} is already recorded")
    partition, _ = Partition.objects.get_or_create(source=incident.source,
                                                   key=f"{incident.source}|{occurred_on:%Y-%m}")
    for name, value in _places(latitude, longitude).items():
        setattr(incident, name, value)
    incident.partition = partition
    incident.location = _location(latitude, longitude, where)
    record_change(viewer=viewer, record=incident, kind=IncidentEventKind.RAISED, created=True,
                  note=f"Raised by {viewer.organisation_name}"[:300])
    counts_refresh([partition.pk])  # the counts change with the incident, in its transaction
    return incident
