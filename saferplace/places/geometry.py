"""Point → place, in bulk: a Shapely STRtree over the smallest places that have boundaries,
queried with whole NumPy arrays of points, and the place hierarchy walked with array lookups.

The index is built once per process and rebuilt when any place changes (the newest
`updated_at` is the version stamp)."""

from dataclasses import dataclass
from threading import Lock

import h3
import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Max

from saferplace.places.models import PLACE_HIERARCHY, Place, PlaceKind


@dataclass
class PlaceIndex:
    version: object
    tree: shapely.STRtree | None
    leaf_ids: np.ndarray  # place id of each geometry in the tree
    ancestors: dict[PlaceKind, dict[int, int]]  # leaf id → id of its ancestor of each kind

    def leaf_for_points(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Place id of the leaf containing each point, or -1 where none does."""
        result = np.full(len(lats), -1, dtype=np.int64)
        if self.tree is None or len(lats) == 0:
            return result
        valid = np.isfinite(lats) & np.isfinite(lons)
        points = shapely.points(lons[valid], lats[valid])
        point_index, geometry_index = self.tree.query(points, predicate="intersects")
        # A point on a shared edge touches two places: keep the first, consistently.
        first = np.unique(point_index, return_index=True)[1]
        positions = np.flatnonzero(valid)
        result[positions[point_index[first]]] = self.leaf_ids[geometry_index[first]]
        return result


_cache: PlaceIndex | None = None
_cache_lock = Lock()


def _current_version():
    version = Place.objects.aggregate(stamp=Max("updated_at"), total=Count("id"))
    return version["stamp"], version["total"]


def _build_index(version) -> PlaceIndex:
    places = list(Place.objects.values("id", "kind", "parent_id", "boundary"))
    by_id = {place["id"]: place for place in places}
    leaf_kind = next(
        (kind for kind in reversed(PLACE_HIERARCHY) if any(p["kind"] == kind and p["boundary"] for p in places)),
        None,
    )
    if leaf_kind is None:
        return PlaceIndex(version, None, np.empty(0, dtype=np.int64), {})
    leaves = [p for p in places if p["kind"] == leaf_kind and p["boundary"]]
    geometries = [shapely.geometry.shape(p["boundary"]) for p in leaves]
    ancestors: dict[PlaceKind, dict[int, int]] = {kind: {} for kind in PLACE_HIERARCHY}
    for leaf in leaves:
        node = leaf
        while node is not None:
            ancestors[PlaceKind(node["kind"])][leaf["id"]] = node["id"]
            node = by_id.get(node["parent_id"])
    return PlaceIndex(
        version=version,
        tree=shapely.STRtree(geometries),
        leaf_ids=np.array([p["id"] for p in leaves], dtype=np.int64),
        ancestors=ancestors,
    )


def place_index() -> PlaceIndex:
    global _cache
    version = _current_version()
    with _cache_lock:
        if _cache is None or _cache.version != version:
            _cache = _build_index(version)
        return _cache


def assign_places(lats, lons) -> dict[PlaceKind, np.ndarray]:
    """For arrays of latitudes and longitudes, the id of the place of each kind containing each
    point (-1 where none does). Vectorised: a million points take seconds, not minutes."""
    lats = np.asarray(lats, dtype=np.float64)
    lons = np.asarray(lons, dtype=np.float64)
    index = place_index()
    leaves = index.leaf_for_points(lats, lons)
    result = {}
    for kind in PLACE_HIERARCHY:
        mapping = index.ancestors.get(kind, {})
        if not mapping:
            result[kind] = np.full(len(lats), -1, dtype=np.int64)
            continue
        keys = np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping))
        values = np.fromiter(mapping.values(), dtype=np.int64, count=len(mapping))
        order = np.argsort(keys)
        keys, values = keys[order], values[order]
        slots = np.clip(np.searchsorted(keys, leaves), 0, len(keys) - 1)
        result[kind] = np.where((leaves >= 0) & (keys[slots] == leaves), values[slots], -1)
    return result


def place_for_point(lat: float, lon: float, kind: PlaceKind = PlaceKind.LSOA) -> Place | None:
    """The place of the given kind containing the point, or None."""
    place_id = int(assign_places([lat], [lon])[kind][0])
    return Place.objects.get(pk=place_id) if place_id >= 0 else None


def h3_cell(lat: float, lon: float, resolution: int | None = None) -> str:
    return h3.latlng_to_cell(lat, lon, settings.H3_RESOLUTION if resolution is None else resolution)


def h3_cells(lats, lons, resolution: int | None = None) -> list[str | None]:
    """H3 cell of each point; None where a coordinate is missing."""
    res = settings.H3_RESOLUTION if resolution is None else resolution
    to_cell = h3.latlng_to_cell
    return [
        to_cell(lat, lon, res) if lat == lat and lon == lon else None  # NaN check
        for lat, lon in zip(np.asarray(lats, dtype=float).tolist(), np.asarray(lons, dtype=float).tolist(), strict=True)
    ]
