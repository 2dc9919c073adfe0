"""Finding where a problem is, for the public "report a problem" journey: streets by name and
postcodes over the loaded gazetteer (reference data about no one), the extent of the
partnership's area for the map, and whether a point is inside it."""

from dataclasses import dataclass

from django.db.models import Max, Min

from saferplace.incidents.models import PostcodeCentroid
from saferplace.places.models import Place, Street
from saferplace.reports.routing import places_at

SEARCH_LEAST, SEARCH_MOST, SEARCH_TEXT_MOST = 2, 20, 100
STREET_ROWS_READ = 2000  # street links read to find SEARCH_MOST distinct names


@dataclass(frozen=True)
class PlaceMatch:
    name: str
    kind: str  # "street" or "postcode"
    latitude: float
    longitude: float


def _postcode_shown(code: str) -> str:
    return f"{code[:-3]} {code[-3:]}" if len(code) > 3 else code


def places_matching(text: str) -> list[PlaceMatch]:
    """Postcodes starting with `text` (any case and spacing), then streets whose name or road
    number contains it (each name once, at its longest stretch's label point); at most
    SEARCH_MOST, none for fewer than SEARCH_LEAST characters."""
    text = " ".join(str(text or "").replace("\x00", "").split())[:SEARCH_TEXT_MOST]
    if len(text) < SEARCH_LEAST:
        return []
    matches: list[PlaceMatch] = []
    compact = text.replace(" ", "").upper()
    if compact.isalnum() and any(character.isdigit() for character in compact):
        for code, latitude, longitude in PostcodeCentroid.objects.filter(postcode__startswith=compact) \
                .order_by("postcode").values_list("postcode", "latitude", "longitude")[:SEARCH_MOST]:
            matches.append(PlaceMatch(_postcode_shown(code), "postcode", latitude, longitude))
    seen: set[str] = set()
    streets = (Street.objects.filter(name__icontains=text) | Street.objects.filter(number__iexact=text)) \
        .order_by("name", "number", "-length_metres").values_list("name", "number", "label_lat", "label_lon")
    for name, number, latitude, longitude in streets[:STREET_ROWS_READ]:
        label = f"{name} ({number})" if name and number else (name or number)
        if len(matches) >= SEARCH_MOST:
            break
        if label and label not in seen:
            seen.add(label)
            matches.append(PlaceMatch(label, "street", latitude, longitude))
    return matches[:SEARCH_MOST]


def area_bounds() -> tuple[float, float, float, float] | None:
    """The partnership's area as (south, west, north, east): the extent of every place with a
    boundary, or None when no boundary is loaded."""
    extent = Place.objects.filter(min_lat__isnull=False).aggregate(
        south=Min("min_lat"), west=Min("min_lon"), north=Max("max_lat"), east=Max("max_lon"))
    if extent["south"] is None:
        return None
    return extent["south"], extent["west"], extent["north"], extent["east"]


def point_in_area(latitude: float, longitude: float) -> bool:
    """Whether any of the partnership's places holds the point."""
    return bool(places_at(latitude, longitude))
