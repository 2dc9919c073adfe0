"""Which partner handles a report: the routing table (organisation × service × area) read for a
point. The rule of the smallest area holding the point wins (an estate's LSOA before its ward,
a ward before the whole city); a rule with no area holds everywhere."""

import math

from saferplace.partners.models import Organisation
from saferplace.places.geometry import assign_places
from saferplace.places.models import PLACE_HIERARCHY, Place
from saferplace.reports.models import RoutingRule, Service


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


def route(service: Service, latitude: float, longitude: float) -> tuple[Organisation, Place | None]:
    """The partner that handles `service` at the point, and the smallest place the point is in;
    a ValueError when no rule covers it (the point is outside the partnership's area)."""
    places = places_at(latitude, longitude)
    rules = {rule.place_id: rule for rule in RoutingRule.objects.filter(service=service).select_related("organisation")}
    smallest = Place.objects.filter(pk=places[0]).first() if places else None
    for place_id in [*places, None]:
        if place_id in rules and (place_id is not None or places):
            return rules[place_id].organisation, smallest
    raise ValueError("That place is outside the area the partnership covers: choose a point inside it.")
