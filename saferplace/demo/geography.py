"""The map of Riverford, a fictional English city of about 200,000 residents: its outline,
125 LSOAs, 20 wards, 5 communities, one unitary local authority and one police force area.

The map is pure geometry (no database) and the same for every seed, so that screenshots,
documentation and tests can name its places. LSOAs are the Voronoi cells of seeded points
inside a convex city outline; wards and communities are grown from LSOAs over the adjacency
graph, so each is contiguous, and their boundaries are the unions of their LSOAs."""

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import shapely

# Where Riverford is: a spot in the English East Midlands, between real towns.
CENTRE_LATITUDE = 52.45
CENTRE_LONGITUDE = -0.95
METRES_PER_DEGREE_LATITUDE = 111_250.0
METRES_PER_DEGREE_LONGITUDE = 111_320.0 * float(np.cos(np.radians(CENTRE_LATITUDE)))

GEOGRAPHY_SEED = 1998  # the year of the Crime and Disorder Act; fixes the map, not the incidents
LSOA_COUNT = 125
PRECISION_DEGREES = 1e-6  # boundaries are stored to about 10 cm

FORCE = ("E23900001", "Fenshire Police")
LOCAL_AUTHORITY = ("E06900001", "Riverford")

# Each community: code, name, where its growth starts (metres east and north of the centre),
# and its four wards' names.
COMMUNITIES = [
    ("RVF-C1", "Riverford Central", (0, 0), ["Cathedral", "Market", "Riverside", "Bridge Street"]),
    ("RVF-C2", "Northfield", (0, 4500), ["Northfield", "Mill Hill", "Cotton End", "Orchard"]),
    ("RVF-C3", "Eastgate", (5000, 0), ["Eastgate", "Brookside", "Larkfield", "Abbey Meadow"]),
    ("RVF-C4", "Westmoor", (-5000, 0), ["Westmoor", "Heathcote", "Fenwick", "Elmwood"]),
    ("RVF-C5", "Southbank", (0, -4500), ["Southbank", "Wharfside", "Ashby Green", "Priory"]),
]

# Planted hotspots: a name, the metres east/north it is near, and what it is known for.
HOTSPOTS = {
    "town-centre": ("Riverford Market Place", (0, 0)),
    "park": ("Riverside Park", (300, -2600)),
    "estate": ("Heathcote Estate", (-3600, 900)),
}


@dataclass
class PlanArea:
    code: str
    name: str
    kind: str
    parent_code: str | None
    geometry: shapely.Geometry  # WGS84 longitude/latitude
    population: int
    children: list[str] = field(default_factory=list)


@dataclass
class CityPlan:
    """Every place of the city, largest first, and where its hotspots are."""

    force: PlanArea
    local_authority: PlanArea
    communities: list[PlanArea]
    wards: list[PlanArea]
    lsoas: list[PlanArea]
    hotspot_lsoas: dict[str, str]  # hotspot key → LSOA code
    hotspot_points: dict[str, tuple[float, float]]  # hotspot key → (latitude, longitude)

    def areas(self) -> list[PlanArea]:
        return [self.force, self.local_authority, *self.communities, *self.wards, *self.lsoas]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min longitude, min latitude, max longitude, max latitude) of the whole city."""
        return tuple(self.local_authority.geometry.bounds)


def metres_to_degrees(east, north):
    """Local metres east and north of the centre → (longitude, latitude), for arrays too."""
    east = np.asarray(east, dtype=np.float64)
    north = np.asarray(north, dtype=np.float64)
    return (
        CENTRE_LONGITUDE + east / METRES_PER_DEGREE_LONGITUDE,
        CENTRE_LATITUDE + north / METRES_PER_DEGREE_LATITUDE,
    )


def _to_degrees(geometry: shapely.Geometry) -> shapely.Geometry:
    def transform(coordinates: np.ndarray) -> np.ndarray:
        longitudes, latitudes = metres_to_degrees(coordinates[:, 0], coordinates[:, 1])
        return np.column_stack([longitudes, latitudes])

    return shapely.set_precision(shapely.transform(geometry, transform), PRECISION_DEGREES)


def _outline(generator: np.random.Generator) -> shapely.Polygon:
    """A convex, slightly irregular outline about 13 km east to west and 11 km north to south."""
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    wobble = 1 + 0.06 * generator.standard_normal(len(angles))
    points = np.column_stack([6500 * np.cos(angles) * wobble, 5600 * np.sin(angles) * wobble])
    return shapely.convex_hull(shapely.multipoints(points))


def _lsoa_seeds(generator: np.random.Generator, outline: shapely.Polygon) -> np.ndarray:
    """Seed points, denser towards the centre (small inner-city LSOAs, larger suburban ones)."""
    seeds: list[np.ndarray] = []
    while sum(len(batch) for batch in seeds) < LSOA_COUNT:
        candidates = generator.uniform(-7000, 7000, size=(400, 2))
        radius = np.hypot(candidates[:, 0] / 6500, candidates[:, 1] / 5600)
        keep = generator.uniform(size=400) < 1.3 - 0.6 * radius
        candidates = candidates[keep & shapely.contains_xy(outline, candidates[:, 0], candidates[:, 1])]
        seeds.append(candidates)
    return np.concatenate(seeds)[:LSOA_COUNT]


def _voronoi_cells(seeds: np.ndarray, outline: shapely.Polygon) -> list[shapely.Polygon]:
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline, ordered=True)
    return [cell.intersection(outline) for cell in shapely.get_parts(diagram)]


def _relax(seeds: np.ndarray, outline: shapely.Polygon, rounds: int) -> np.ndarray:
    """Lloyd relaxation: move each seed part of the way to its cell's centroid (tidier shapes
    while keeping the denser centre)."""
    for _ in range(rounds):
        centroids = shapely.get_coordinates(shapely.centroid(_voronoi_cells(seeds, outline)))
        seeds = seeds + 0.6 * (centroids - seeds)
    return seeds


def _adjacency(cells: list[shapely.Polygon]) -> list[set[int]]:
    """Which cells share an edge (not just a corner) with which."""
    tree = shapely.STRtree(cells)
    left, right = tree.query(cells, predicate="intersects")
    neighbours: list[set[int]] = [set() for _ in cells]
    for first, second in zip(left.tolist(), right.tolist(), strict=True):
        if first < second and cells[first].intersection(cells[second]).length > 1e-6:
            neighbours[first].add(second)
            neighbours[second].add(first)
    return neighbours


def _grow_regions(
    members: list[int], starts: list[int], targets: list[int], neighbours: list[set[int]], points: np.ndarray
) -> list[list[int]]:
    """Split `members` into contiguous regions grown from `starts`, each taking in turn the
    free neighbouring cell nearest its start, until it reaches its target size."""
    free = set(members) - set(starts)
    regions = [[start] for start in starts]
    growing = True
    while free and growing:
        growing = False
        for number, region in enumerate(regions):
            if len(region) >= targets[number]:
                continue
            frontier = sorted({cell for member in region for cell in neighbours[member]} & free)
            if not frontier:
                continue
            distances = np.hypot(*(points[frontier] - points[starts[number]]).T)
            chosen = frontier[int(np.argmin(distances))]
            region.append(chosen)
            free.discard(chosen)
            growing = True
    while free:  # anything left over joins the smallest neighbouring region
        for cell in sorted(free):
            touching = [number for number, region in enumerate(regions) if neighbours[cell] & set(region)]
            if touching:
                smallest = min(touching, key=lambda number: len(regions[number]))
                regions[smallest].append(cell)
                free.discard(cell)
    return regions


def _nearest(points: np.ndarray, candidates: list[int], target: tuple[float, float]) -> int:
    distances = np.hypot(points[candidates, 0] - target[0], points[candidates, 1] - target[1])
    return candidates[int(np.argmin(distances))]


def _spread_starts(points: np.ndarray, members: list[int], count: int) -> list[int]:
    """`count` members far apart from one another (farthest-point sampling)."""
    centre = points[members].mean(axis=0)
    starts = [members[int(np.argmax(np.hypot(*(points[members] - centre).T)))]]
    while len(starts) < count:
        distances = np.min(
            [np.hypot(*(points[members] - points[start]).T) for start in starts], axis=0
        )
        starts.append(members[int(np.argmax(distances))])
    return starts


def _union(geometries: list[shapely.Geometry]) -> shapely.Geometry:
    merged = shapely.set_precision(shapely.union_all(geometries), PRECISION_DEGREES)
    if isinstance(merged, shapely.Polygon) and merged.interiors:
        merged = shapely.Polygon(merged.exterior)  # drop slivers left by rounding
    return merged


def _targets(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if number < extra else 0) for number in range(parts)]


@cache
def city_plan() -> CityPlan:
    generator = np.random.default_rng(GEOGRAPHY_SEED)
    outline = _outline(generator)
    seeds = _relax(_lsoa_seeds(generator, outline), outline, rounds=2)
    cells_metres = _voronoi_cells(seeds, outline)
    points = shapely.get_coordinates(shapely.point_on_surface(cells_metres))
    neighbours = _adjacency(cells_metres)
    every_cell = list(range(len(cells_metres)))
    community_starts = [_nearest(points, every_cell, anchor) for _, _, anchor, _ in COMMUNITIES]
    community_members = _grow_regions(
        every_cell, community_starts, _targets(len(every_cell), len(COMMUNITIES)), neighbours, points
    )
    populations = generator.integers(1400, 1801, size=len(cells_metres))
    cells = [_to_degrees(cell) for cell in cells_metres]

    lsoas: dict[int, PlanArea] = {}
    wards: list[PlanArea] = []
    communities: list[PlanArea] = []
    ward_number = 0
    lsoa_number = 0
    for (community_code, community_name, _, ward_names), members in zip(COMMUNITIES, community_members, strict=True):
        members = sorted(members, key=lambda cell: (-points[cell, 1], points[cell, 0]))
        ward_starts = _spread_starts(points, members, len(ward_names))
        ward_members = _grow_regions(members, ward_starts, _targets(len(members), len(ward_names)), neighbours, points)
        community = PlanArea(community_code, community_name, "community", LOCAL_AUTHORITY[0], None, 0)
        for ward_name, ward_cells in zip(ward_names, ward_members, strict=True):
            ward_number += 1
            ward = PlanArea(f"E059{ward_number:05d}", ward_name, "ward", community_code, None, 0)
            for cell in sorted(ward_cells, key=lambda cell: (-points[cell, 1], points[cell, 0])):
                lsoa_number += 1
                code = f"E019{lsoa_number:05d}"
                lsoas[cell] = PlanArea(code, f"Riverford {lsoa_number:03d}A", "lsoa", ward.code, cells[cell], int(populations[cell]))
                ward.children.append(code)
            ward.geometry = _union([cells[cell] for cell in ward_cells])
            ward.population = sum(lsoas[cell].population for cell in ward_cells)
            wards.append(ward)
            community.children.append(ward.code)
        community.geometry = _union([cells[cell] for cell in members])
        community.population = sum(lsoas[cell].population for cell in members)
        communities.append(community)
    city = _union(cells)
    population = sum(community.population for community in communities)
    local_authority = PlanArea(*LOCAL_AUTHORITY, "local_authority", FORCE[0], city, population, [c.code for c in communities])
    force = PlanArea(*FORCE, "force", None, city, population, [LOCAL_AUTHORITY[0]])

    hotspot_lsoas = {}
    hotspot_points = {}
    for key, (_, anchor) in HOTSPOTS.items():
        cell = _nearest(points, every_cell, anchor)
        hotspot_lsoas[key] = lsoas[cell].code
        inside = shapely.point_on_surface(lsoas[cell].geometry)
        hotspot_points[key] = (inside.y, inside.x)
    ordered_lsoas = sorted(lsoas.values(), key=lambda area: area.code)
    return CityPlan(force, local_authority, communities, wards, ordered_lsoas, hotspot_lsoas, hotspot_points)
