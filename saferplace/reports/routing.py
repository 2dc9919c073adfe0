"""Which partner handles a report: the routing table (organisation × service × area) read for a
point. The rule of the smallest area holding the point wins (an estate's LSOA before its ward,
a ward before the whole city); a rule with no area holds everywhere inside the partnership's
places. The point is found in the places and on the streets once (`locate`), for the routing and
for how the report names where it is."""

import math
from dataclasses import dataclass

from saferplace.partners.models import Organisation
from saferplace.places.geometry import assign_places
from saferplace.places.models import PLACE_HIERARCHY, Place, PlaceKind
from saferplace.places.streets import street_index
from saferplace.reports import lookups
from saferplace.reports.models import Service


def point_checked(latitude, longitude) -> tuple[float, float]:
    """A point from what a client sent: numbers on the map, or a ValueError that says which."""
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise ValueError("lat and long must be numbers, e.g. lat=52.5725&long=-0.2403") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or not (-90 <= latitude <= 90
                                                                          and -180 <= longitude <= 180):
        raise ValueError("That point is not on the map: lat is between -90 and 90, long between -180 and 180")
    return latitude, longitude


def places_at(latitude: float, longitude: float) -> list[int]:
    """The ids of the places holding the point, smallest first."""
    found = assign_places([latitude], [longitude])
    return [int(found[kind][0]) for kind in reversed(PLACE_HIERARCHY) if int(found[kind][0]) >= 0]


@dataclass(frozen=True)
class Located:
    organisation: Organisation
    place_id: int | None  # the smallest place holding the point
    where: str  # its street and ward, e.g. "Mill Road, Parkside ward"


def locate(service: Service, latitude: float, longitude: float) -> Located:
    """The partner that handles `service` at the point, the smallest place it is in and where it
    is in words; a ValueError when no rule covers it (the point is outside the partnership's area)."""
    found = assign_places([latitude], [longitude])
    places = [int(found[kind][0]) for kind in reversed(PLACE_HIERARCHY) if int(found[kind][0]) >= 0]
    rules = lookups.rules_of(service.pk)
    rule = next((rules[place_id] for place_id in places if place_id in rules), None)
    if rule is None and places:
        rule = rules.get(None)
    if rule is None:
        raise ValueError("That place is outside the area the partnership covers: choose a point inside it.")
    streets = street_index()
    nearest = int(streets.nearest([latitude], [longitude])[0])
    ward_id = int(found[PlaceKind.WARD][0])
    ward = Place.objects.filter(pk=ward_id).values_list("name", flat=True).first() if ward_id >= 0 else None
    parts = [streets.labels[nearest] if nearest >= 0 else "", f"{ward} ward" if ward else ""]
    return Located(rule.organisation, places[0], ", ".join(part for part in parts if part)[:200])
