"""Streets as geometry: the fields worked out from a street's line (bounding box, label point,
length), the classes of OS Open Roads and other sources read as a `StreetKind`, and point →
nearest street in bulk, with a Shapely STRtree built once per process and rebuilt when any
street changes (like `geometry.place_index`).

Distances are worked out on a local flat projection (degrees of longitude shrunk by the cosine
of the latitude), which is accurate to well under a metre across a city."""

from dataclasses import dataclass
from threading import Lock

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db.models import Count, Max

from saferplace.places.models import STREET_HIERARCHY, Street, StreetKind

METRES_PER_DEGREE = 111_200.0
PRECISION_DEGREES = 1e-6  # about 10 cm

# What sources call their road classes (OS Open Roads' road_classification and function, OS
# MasterMap Highways, OpenStreetMap's highway tag), lower-cased, and the kind each is.
KIND_NAMES = {
    "motorway": StreetKind.MOTORWAY,
    "a road": StreetKind.A_ROAD,
    "a_road": StreetKind.A_ROAD,
    "a": StreetKind.A_ROAD,
    "trunk": StreetKind.A_ROAD,
    "primary": StreetKind.A_ROAD,
    "b road": StreetKind.B_ROAD,
    "b_road": StreetKind.B_ROAD,
    "b": StreetKind.B_ROAD,
    "secondary": StreetKind.B_ROAD,
    "classified unnumbered": StreetKind.MINOR,
    "minor road": StreetKind.MINOR,
    "minor": StreetKind.MINOR,
    "tertiary": StreetKind.MINOR,
    "local road": StreetKind.LOCAL,
    "local access road": StreetKind.LOCAL,
    "restricted local access road": StreetKind.LOCAL,
    "secondary access road": StreetKind.LOCAL,
    "unclassified": StreetKind.LOCAL,
    "not classified": StreetKind.LOCAL,
    "residential": StreetKind.LOCAL,
    "local": StreetKind.LOCAL,
    "unknown": StreetKind.LOCAL,
}


def kind_for_class(value: str | None) -> StreetKind:
    """The kind of street a source's class names; anything not recognised is a local street."""
    text = str(value or "").strip().lower()
    if text in StreetKind.values:
        return StreetKind(text)
    return KIND_NAMES.get(text, StreetKind.LOCAL)


def flat_scale(latitude: float) -> float:
    """How much shorter a degree of longitude is than one of latitude, at `latitude`."""
    return float(np.cos(np.radians(latitude)))


def _flatten(geometry: shapely.Geometry, scale: float) -> shapely.Geometry:
    return shapely.transform(geometry, lambda xy: xy * np.array([scale, 1.0]))


def street_geometry_fields(geometry: dict) -> dict:
    """A street's bounding box, label point (half way along its longest line) and length in
    metres, from its GeoJSON geometry; a ValidationError if it is not a line."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("LineString", "MultiLineString"):
        found = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise ValidationError(f"a street must be a LineString or MultiLineString, not {found}")
    try:
        line = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
        raise ValidationError(f"the street's geometry cannot be read ({error})") from error
    if line.is_empty or not np.isfinite(shapely.get_coordinates(line)).all():
        raise ValidationError("the street's geometry is empty")
    min_lon, min_lat, max_lon, max_lat = line.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError("the street's coordinates are not longitude and latitude (WGS84): "
                              "convert the file first, e.g. ogr2ogr -t_srs EPSG:4326")
    longest = max(shapely.get_parts(line), key=lambda part: part.length)
    middle = longest.interpolate(0.5, normalized=True)
    scale = flat_scale((min_lat + max_lat) / 2)
    return {
        "min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat,
        "label_lat": round(middle.y, 6), "label_lon": round(middle.x, 6),
        "length_metres": round(_flatten(line, scale).length * METRES_PER_DEGREE, 1),
    }


def kind_rank(kind: str) -> int:
    """0 for a motorway, up to 4 for a local street."""
    return STREET_HIERARCHY.index(StreetKind(kind))


@dataclass
class StreetIndex:
    version: object
    tree: shapely.STRtree | None
    ids: np.ndarray
    labels: list[str]
    ranks: np.ndarray  # kind_rank of each street
    scale: float  # the flat projection's longitude factor

    def nearest(self, lats, lons, *, within_metres: float = 250) -> np.ndarray:
        """Position (in `labels`) of the street nearest each point, or -1 where none is within
        `within_metres` (or the point is missing)."""
        lats = np.asarray(lats, dtype=np.float64)
        lons = np.asarray(lons, dtype=np.float64)
        result = np.full(len(lats), -1, dtype=np.int64)
        if self.tree is None or not len(lats):
            return result
        valid = np.flatnonzero(np.isfinite(lats) & np.isfinite(lons))
        points = shapely.points(lons[valid] * self.scale, lats[valid])
        point_index, street_index = self.tree.query_nearest(
            points, max_distance=within_metres / METRES_PER_DEGREE, all_matches=False
        )
        result[valid[point_index]] = street_index
        return result

    def main_street(self, polygons: list[shapely.Geometry], centres_lat, centres_lon) -> np.ndarray:
        """For each polygon (WGS84), the most important street crossing it, the nearest to its
        centre among equals; the nearest street within 250 m of the centre where none crosses."""
        result = np.full(len(polygons), -1, dtype=np.int64)
        if self.tree is None or not polygons:
            return result
        flat = np.array([_flatten(polygon, self.scale) for polygon in polygons], dtype=object)
        polygon_index, street_index = self.tree.query(flat, predicate="intersects")
        if len(polygon_index):
            centres = shapely.points(np.asarray(centres_lon, dtype=np.float64) * self.scale,
                                     np.asarray(centres_lat, dtype=np.float64))
            distances = shapely.distance(self.tree.geometries[street_index], centres[polygon_index])
            order = np.lexsort((distances, self.ranks[street_index], polygon_index))
            first = np.unique(polygon_index[order], return_index=True)[1]
            result[polygon_index[order][first]] = street_index[order][first]
        missing = np.flatnonzero(result < 0)
        if len(missing):
            result[missing] = self.nearest(np.asarray(centres_lat)[missing], np.asarray(centres_lon)[missing])
        return result


_cache: StreetIndex | None = None
_cache_lock = Lock()


def streets_version() -> tuple:
    """Changes whenever any street is added, changed or removed."""
    stamp = Street.objects.aggregate(stamp=Max("updated_at"), total=Count("id"))
    return stamp["stamp"], stamp["total"]


def _build(version) -> StreetIndex:
    named = Street.objects.exclude(name="", number="").order_by("id")  # a street with no name names nothing
    rows = list(named.values_list("id", "name", "number", "kind", "geometry", "min_lat", "max_lat"))
    if not rows:
        return StreetIndex(version, None, np.empty(0, dtype=np.int64), [], np.empty(0, dtype=np.int64), 1.0)
    middle = (min(row[5] for row in rows) + max(row[6] for row in rows)) / 2
    scale = flat_scale(middle)
    geometries = [_flatten(shapely.geometry.shape(row[4]), scale) for row in rows]
    labels = [f"{name} ({number})" if name and number else name or number for _, name, number, *_ in rows]
    return StreetIndex(
        version=version,
        tree=shapely.STRtree(geometries),
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        labels=labels,
        ranks=np.array([kind_rank(row[3]) for row in rows], dtype=np.int64),
        scale=scale,
    )


def street_index() -> StreetIndex:
    global _cache
    version = streets_version()
    with _cache_lock:
        if _cache is None or _cache.version != version:
            _cache = _build(version)
        return _cache
