"""Reading places and streets: lists and GeoJSON for maps, and the names that tell people where
a point or an H3 cell is. Places and streets are not personal data."""

import h3
import numpy as np
import shapely
from django.db.models import Case, Count, QuerySet, Value, When

from saferplace.places.geometry import assign_places, place_index
from saferplace.places.models import (
    MAJOR_STREET_KINDS,
    STREET_HIERARCHY,
    Place,
    PlaceKind,
    Street,
    StreetKind,
)
from saferplace.places.streets import METRES_PER_DEGREE, flat_scale, street_index, streets_version


def place_list(*, kind: PlaceKind | None = None) -> QuerySet[Place]:
    places = Place.objects.select_related("parent")
    return places.filter(kind=kind) if kind else places


def places_to_act_in() -> QuerySet[Place]:
    """The places a task may be set in: communities and wards (an LSOA is too fine a choice to
    pick from a list; a map point is for that)."""
    return Place.objects.filter(kind__in=[PlaceKind.COMMUNITY, PlaceKind.WARD]).order_by("kind", "name")


def places_feature_collection(*, kind: PlaceKind) -> dict:
    features = [
        {
            "type": "Feature",
            "geometry": place.boundary,
            "properties": {
                "code": place.code,
                "name": place.name,
                "kind": place.kind,
                "population": place.population,
                "parent_code": place.parent.code if place.parent else None,
                "parent_name": place.parent.name if place.parent else None,
            },
        }
        for place in place_list(kind=kind).filter(boundary__isnull=False)
    ]
    return {"type": "FeatureCollection", "features": features}


def place_counts() -> dict[str, int]:
    """How many places of each kind (one query)."""
    counts = dict(Place.objects.order_by().values_list("kind").annotate(count=Count("id")).values_list("kind", "count"))
    return {kind.value: counts.get(kind.value, 0) for kind in PlaceKind}


# Streets: below this zoom a map shows only motorways, A and B roads.
ALL_STREETS_ZOOM = 12
STREETS_LIMIT = 4000  # the most important first, then the longest
EARTH_METRES_PER_PIXEL_AT_ZOOM_0 = 156_543.03


def streets_feature_collection(*, bbox: tuple[float, float, float, float] | None = None, zoom: int | None = None) -> dict:
    """Streets crossing `bbox` (west, south, east, north) as GeoJSON lines, simplified for a map
    at `zoom` (to about half a pixel), with where each label goes. Streets are reference data,
    not records about people: anyone signed in may have them."""
    streets = Street.objects.all()
    if bbox is not None:
        west, south, east, north = bbox
        streets = streets.filter(max_lon__gte=west, min_lon__lte=east, max_lat__gte=south, min_lat__lte=north)
    if zoom is not None and zoom < ALL_STREETS_ZOOM:
        streets = streets.filter(kind__in=MAJOR_STREET_KINDS)
    rank = Case(*[When(kind=kind, then=Value(number)) for number, kind in enumerate(STREET_HIERARCHY)], default=Value(9))
    total = streets.count()
    rows = list(
        streets.annotate(rank=rank).order_by("rank", "-length_metres", "id")
        .values("name", "number", "kind", "geometry", "label_lat", "label_lon", "min_lat", "max_lat")[:STREETS_LIMIT]
    )
    lines = [shapely.geometry.shape(row["geometry"]) for row in rows]
    if zoom is not None and lines:
        latitude = (min(row["min_lat"] for row in rows) + max(row["max_lat"] for row in rows)) / 2
        metres_per_pixel = EARTH_METRES_PER_PIXEL_AT_ZOOM_0 * flat_scale(latitude) / 2 ** max(0, min(int(zoom), 22))
        tolerance = metres_per_pixel / 2 / METRES_PER_DEGREE
        lines = list(shapely.simplify(np.array(lines, dtype=object), tolerance, preserve_topology=False))
    decimals = 5 if zoom is not None and zoom <= 14 else 6  # about a metre, or 10 cm when close
    features = []
    for row, line in zip(rows, lines, strict=True):
        if line.is_empty:
            continue
        label = f"{row['name']} ({row['number']})" if row["name"] and row["number"] else row["name"] or row["number"]
        line = shapely.transform(line, lambda xy: np.round(xy, decimals))
        features.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(line),
            "properties": {
                "name": row["name"], "number": row["number"], "label": label, "kind": row["kind"],
                "kind_label": StreetKind(row["kind"]).label, "major": row["kind"] in MAJOR_STREET_KINDS,
                "label_at": [row["label_lon"], row["label_lat"]],
            },
        })
    return {
        "type": "FeatureCollection",
        "features": features,
        "metadata": {"streets": len(features), "total": total, "capped": total > len(rows), "zoom": zoom,
                     "major_only": zoom is not None and zoom < ALL_STREETS_ZOOM},
    }


def streets_fingerprint() -> str:
    """Changes whenever the streets do: for the streets endpoint's ETag."""
    stamp, total = streets_version()
    return f"{total}-{stamp.timestamp() if stamp else 0}"


def place_labels_feature_collection(*, kinds: list[PlaceKind]) -> dict:
    """Where to write each place's name on a map: a point inside it (its representative point)."""
    places = Place.objects.filter(kind__in=kinds, centre_lat__isnull=False, centre_lon__isnull=False).order_by("kind", "name")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(place.centre_lon, 6), round(place.centre_lat, 6)]},
                "properties": {"name": place.name, "kind": place.kind, "kind_label": place.get_kind_display()},
            }
            for place in places
        ],
    }


def _place_names(ids: set[int]) -> dict[int, str]:
    return dict(Place.objects.filter(pk__in=[i for i in ids if i >= 0]).values_list("id", "name"))


def _leaves_touching(polygons: list[shapely.Geometry]) -> np.ndarray:
    """For each polygon, a leaf place it overlaps (the first found), or -1."""
    index = place_index()
    result = np.full(len(polygons), -1, dtype=np.int64)
    if index.tree is None or not polygons:
        return result
    polygon_index, leaf_index = index.tree.query(np.array(polygons, dtype=object), predicate="intersects")
    first = np.unique(polygon_index, return_index=True)[1]
    result[polygon_index[first]] = index.leaf_ids[leaf_index[first]]
    return result


def points_describe(lats, lons) -> list[dict[str, str]]:
    """For each point, the names of its nearest street (within 250 m), LSOA, ward and community
    ('' where not known): how SaferPlace tells people where something is, instead of codes."""
    places = assign_places(lats, lons)
    streets = street_index()
    nearest = streets.nearest(lats, lons)
    return _describe(places, [streets.labels[i] if i >= 0 else "" for i in nearest.tolist()])


def _describe(places: dict[PlaceKind, np.ndarray], street_names: list[str]) -> list[dict[str, str]]:
    kinds = {"lsoa": PlaceKind.LSOA, "ward": PlaceKind.WARD, "community": PlaceKind.COMMUNITY}
    names = _place_names({int(i) for kind in kinds.values() for i in places[kind]})
    return [
        {"street": street, **{key: names.get(int(places[kind][position]), "") for key, kind in kinds.items()}}
        for position, street in enumerate(street_names)
    ]


def point_describe(latitude: float | None, longitude: float | None) -> dict[str, str]:
    if latitude is None or longitude is None:
        return {"street": "", "lsoa": "", "ward": "", "community": ""}
    return points_describe([latitude], [longitude])[0]


def cells_describe(cells: list[str]) -> dict[str, dict[str, str]]:
    """For each H3 cell, what people are told instead of its id: its main street (the most
    important one crossing it), the LSOA, ward and community at its centre (or that it overlaps,
    for a cell at the edge), `area` (the ward and LSOA for a small cell, the ward or community for
    a larger one) and `where`, all of it in a line, e.g. "Mill Road in Cathedral ward (Riverford
    012A)". Geography only: nothing here comes from incidents."""
    cells = list(dict.fromkeys(cells))
    if not cells:
        return {}
    centres = np.array([h3.cell_to_latlng(cell) for cell in cells], dtype=np.float64)
    polygons = [shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]) for cell in cells]
    places = assign_places(centres[:, 0], centres[:, 1])
    outside = np.flatnonzero(places[PlaceKind.LSOA] < 0) if places else []
    if len(outside):
        index = place_index()
        leaves = _leaves_touching([polygons[i] for i in outside])
        for kind in (PlaceKind.LSOA, PlaceKind.WARD, PlaceKind.COMMUNITY):
            mapping = index.ancestors.get(kind, {})
            found = np.array([mapping.get(int(leaf), -1) for leaf in leaves], dtype=np.int64)
            places[kind][outside] = np.where(places[kind][outside] < 0, found, places[kind][outside])
    streets = street_index()
    main = streets.main_street(polygons, centres[:, 0], centres[:, 1])
    described = _describe(places, [streets.labels[i] if i >= 0 else "" for i in main.tolist()])
    result = {}
    for cell, names in zip(cells, described, strict=True):
        resolution = h3.get_resolution(cell)
        if resolution >= 8:
            area = f"{names['ward']} ward" if names["ward"] else ""
            if names["lsoa"]:
                area = f"{area} ({names['lsoa']})" if area else names["lsoa"]
        elif resolution == 7:
            area = f"{names['ward']} ward" if names["ward"] else names["community"]
        else:
            area = names["community"] or (f"{names['ward']} ward" if names["ward"] else "")
        where = " in ".join(part for part in (names["street"], area) if part)
        result[cell] = {**names, "area": area, "where": where}
    return result
