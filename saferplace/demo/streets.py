"""Riverford's streets: a synthetic but plausible network, generated with the map (pure geometry,
no database, the same for every seed) so that the demo's maps have streets without any tile
server, and its records name the street they are on.

* Main roads: six A roads radiating from the market place to the city's edge and beyond, and
  a B-road ring around the centre.
* Local streets: the edges of a Voronoi diagram of seeded points, denser towards the centre and
  on the Heathcote estate, none across Riverside Park; edges are joined where they run on
  nearly straight through a junction, so a street is a line of several blocks, and each street
  is named (short ones are closes and crescents, long ones roads and avenues).

`street_names_at(latitudes, longitudes)` is the name of the street nearest each point: the
demo's records say "On or near <that street>", so the records and the streets agree."""

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely

from saferplace.demo.catalogue import STREET_KINDS, STREET_NAMES
from saferplace.demo.geography import (
    CENTRE_LATITUDE,
    CENTRE_LONGITUDE,
    GEOGRAPHY_SEED,
    HOTSPOTS,
    METRES_PER_DEGREE_LATITUDE,
    METRES_PER_DEGREE_LONGITUDE,
    PRECISION_DEGREES,
    city_plan,
)

STREETS_SEED = GEOGRAPHY_SEED + 2
STREET_SOURCE = "Riverford demo streets"  # the `Street.source` the demo's streets are loaded as
LOCAL_SEEDS = 1100
ESTATE_SEEDS = 90
PARK_RADIUS_METRES = 320
STRAIGHT_ENOUGH_DEGREES = 60  # a street runs on through a junction if it turns less than this
LONGEST_STREET_METRES = 1400

# The main roads: name, number, kind, and the compass bearing they leave the centre on.
RADIAL_ROADS = [
    ("Lincoln Road", "A615", "a_road", 15),
    ("Stamford Road", "A6121", "a_road", 80),
    ("Oundle Road", "A605", "a_road", 145),
    ("Welland Road", "A607", "a_road", 200),
    ("Thorpe Road", "A614", "a_road", 255),
    ("Heath Road", "A6003", "a_road", 320),
]
RING_ROAD = ("Cromwell Way", "B1091", "b_road")

# More first words for local streets' names, after the catalogue's (which the main roads use).
MORE_NAMES = [
    "Gladstone", "Nelson", "Tennyson", "Milton", "Shelley", "Wordsworth", "Byron", "Keats", "Darwin", "Newton",
    "Faraday", "Stephenson", "Brunel", "Telford", "Wesley", "Cavendish", "Russell", "Howard", "Spencer", "Grosvenor",
    "Beech", "Hawthorn", "Rowan", "Hazel", "Holly", "Laurel", "Maple", "Poplar", "Sycamore", "Linden",
    "Alder", "Birch", "Juniper", "Primrose", "Bluebell", "Foxglove", "Clover", "Heather", "Ivy", "Thistle",
    "Sandpiper", "Plover", "Curlew", "Wren", "Robin", "Finch", "Linnet", "Swallow", "Falcon", "Osprey",
    "Bramble", "Sedge", "Reed", "Osier", "Causeway", "Drove", "Lode", "Sluice", "Ferry", "Tannery",
    "Brewery", "Maltings", "Foundry", "Forge", "Ropewalk", "Tower", "Castle", "Chapel", "Vicarage", "Rectory",
    "School", "Beacon", "Windmill", "Pasture", "Paddock", "Glebe", "Manor", "Grange", "Hall", "Lodge",
    "Aspen", "Blackthorn", "Buttercup", "Campion", "Cowslip", "Daisy", "Fennel", "Hornbeam", "Larch", "Lavender",
    "Magnolia", "Mulberry", "Orchid", "Pennine", "Quarry", "Saxon", "Norman", "Roman", "Tudor", "Stuart",
    "Victory", "Jubilee", "Coronation", "Waterloo", "Trafalgar", "Balmoral", "Windsor", "Sandringham", "Clarence",
    "Wellington", "Chaucer", "Dryden", "Bunyan", "Cowper", "Clare", "Hardy", "Austen", "Bronte", "Eliot", "Kipling",
]
LONG_KINDS = ["Road", "Avenue", "Way"]
MIDDLE_KINDS = ["Street", "Lane", "Drive"]
SHORT_KINDS = ["Close", "Gardens", "Crescent", "Walk"]
SIZES = {"long": ("long", "middle", "short"), "middle": ("middle", "long", "short"), "short": ("short", "middle", "long")}
assert sorted(LONG_KINDS + MIDDLE_KINDS + SHORT_KINDS) == sorted(STREET_KINDS)


@dataclass(frozen=True)
class PlanStreet:
    name: str
    number: str
    kind: str  # a StreetKind value
    line: shapely.LineString  # WGS84 longitude/latitude

    def as_load(self) -> dict:
        """What `streets_load` takes."""
        return {"name": self.name, "number": self.number, "kind": self.kind, "geometry": self.line.__geo_interface__}


def _to_metres(geometry: shapely.Geometry) -> shapely.Geometry:
    def transform(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([(xy[:, 0] - CENTRE_LONGITUDE) * METRES_PER_DEGREE_LONGITUDE,
                                (xy[:, 1] - CENTRE_LATITUDE) * METRES_PER_DEGREE_LATITUDE])

    return shapely.transform(geometry, transform)


def _to_degrees(geometry: shapely.Geometry) -> shapely.Geometry:
    def transform(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([CENTRE_LONGITUDE + xy[:, 0] / METRES_PER_DEGREE_LONGITUDE,
                                CENTRE_LATITUDE + xy[:, 1] / METRES_PER_DEGREE_LATITUDE])

    return shapely.set_precision(shapely.transform(geometry, transform), PRECISION_DEGREES)


def _wobbly(points: np.ndarray, generator: np.random.Generator, amount: float) -> np.ndarray:
    """Points moved sideways by a smooth random amount (a road is never ruler-straight)."""
    noise = np.convolve(generator.normal(0, amount, size=len(points) + 4), np.ones(5) / 5, mode="valid")
    direction = np.gradient(points, axis=0)
    normal = np.column_stack([-direction[:, 1], direction[:, 0]])
    normal /= np.maximum(np.hypot(normal[:, 0], normal[:, 1]), 1e-9)[:, None]
    moved = points + normal * noise[:, None]
    moved[0] = points[0]
    return moved


def _main_roads(generator: np.random.Generator, outline: shapely.Polygon) -> list[tuple[str, str, str, shapely.LineString]]:
    roads = []
    reach = outline.buffer(600)
    for name, number, kind, bearing in RADIAL_ROADS:
        angle = np.radians(90 - bearing)
        distances = np.linspace(0, 9000, 46)
        points = np.column_stack([np.cos(angle) * distances, np.sin(angle) * distances])
        line = shapely.LineString(_wobbly(points, generator, 120)).intersection(reach)
        roads.append((name, number, kind, line))
    angles = np.linspace(0, 2 * np.pi, 90)
    ring = np.column_stack([2700 * np.cos(angles), 2250 * np.sin(angles)])
    ring = _wobbly(ring[:-1], generator, 90)
    roads.append((*RING_ROAD, shapely.LineString(np.vstack([ring, ring[:1]]))))
    return roads


def _seeds(generator: np.random.Generator, outline: shapely.Polygon) -> np.ndarray:
    """Seed points, about 200 m apart in the centre and 450 m at the edge, more on the estate."""
    seeds: list[np.ndarray] = []
    while sum(len(batch) for batch in seeds) < LOCAL_SEEDS:
        candidates = generator.uniform(-7000, 7000, size=(600, 2))
        radius = np.hypot(candidates[:, 0] / 6500, candidates[:, 1] / 5600)
        keep = generator.uniform(size=len(candidates)) < 1.25 - 0.75 * radius
        seeds.append(candidates[keep & shapely.contains_xy(outline, candidates[:, 0], candidates[:, 1])])
    estate = np.array(HOTSPOTS["estate"][1], dtype=float) + generator.normal(0, 350, size=(ESTATE_SEEDS, 2))
    return np.vstack([np.concatenate(seeds)[:LOCAL_SEEDS], estate])


def _bowed(edge: np.ndarray, generator: np.random.Generator) -> np.ndarray:
    """An edge as three points, its middle pushed a little to one side."""
    start, end = edge
    length = float(np.hypot(*(end - start)))
    normal = np.array([start[1] - end[1], end[0] - start[0]]) / max(length, 1e-9)
    middle = (start + end) / 2 + normal * generator.normal(0, 0.06 * length)
    return np.array([start, middle, end])


def _local_edges(generator: np.random.Generator, outline: shapely.Polygon, main: shapely.Geometry) -> list[np.ndarray]:
    seeds = _seeds(generator, outline)
    edges = shapely.voronoi_polygons(shapely.multipoints(seeds), only_edges=True, extend_to=outline)
    inside = outline.buffer(-80)
    park = shapely.Point(HOTSPOTS["park"][1]).buffer(PARK_RADIUS_METRES)
    along_main = main.buffer(60)
    kept = []
    for edge in shapely.get_parts(shapely.intersection(shapely.get_parts(edges), inside)):
        for part in shapely.get_parts(edge):
            if part.geom_type != "LineString" or part.length < 25:
                continue
            if park.intersects(part) or along_main.contains(part):
                continue
            kept.append(np.round(np.asarray(part.coords)[[0, -1]], 1))
    return kept


def _strokes(edges: list[np.ndarray]) -> list[list[int]]:
    """Edges joined into streets: at each junction, the two edges that run on most nearly
    straight (turning less than STRAIGHT_ENOUGH_DEGREES) continue each other."""
    ends: dict[tuple[float, float], list[tuple[int, int]]] = {}
    for number, edge in enumerate(edges):
        for side in (0, 1):
            ends.setdefault(tuple(edge[side]), []).append((number, side))
    partner: dict[tuple[int, int], tuple[int, int]] = {}
    for node, touching in ends.items():
        if len(touching) < 2:
            continue
        directions = []
        for number, side in touching:
            other = edges[number][1 - side]
            vector = other - np.array(node)
            directions.append(vector / max(float(np.hypot(*vector)), 1e-9))
        pairs = []
        for first in range(len(touching)):
            for second in range(first + 1, len(touching)):
                turn = 180 - np.degrees(np.arccos(np.clip(np.dot(directions[first], directions[second]), -1, 1)))
                if turn < STRAIGHT_ENOUGH_DEGREES:
                    pairs.append((turn, first, second))
        taken: set[int] = set()
        for _, first, second in sorted(pairs):
            if first in taken or second in taken:
                continue
            taken.update((first, second))
            partner[touching[first]] = touching[second]
            partner[touching[second]] = touching[first]
    seen: set[int] = set()
    strokes = []
    for start in range(len(edges)):
        if start in seen:
            continue
        # Walk back to one end of the stroke, then forward along it.
        number, side = start, 0
        while (number, side) in partner:
            number, side = partner[(number, side)]
            side = 1 - side
            if number == start:
                break
        stroke = []
        entering = side  # the free end of the stroke, where it is entered
        while number not in seen:
            seen.add(number)
            stroke.append((number, entering))
            leaving = (number, 1 - entering)
            if leaving not in partner:
                break
            number, entering = partner[leaving]
        strokes.append(stroke)
    return strokes


def _stroke_points(edges: list[np.ndarray], stroke: list[tuple[int, int]], generator) -> np.ndarray:
    parts = []
    for number, entering in stroke:
        edge = edges[number] if entering == 0 else edges[number][::-1]
        bowed = _bowed(edge, generator)
        parts.append(bowed if not parts else bowed[1:])
    return np.vstack(parts)


def _split(points: np.ndarray) -> list[np.ndarray]:
    """A stroke longer than LONGEST_STREET_METRES as streets of about equal length."""
    steps = np.hypot(*np.diff(points, axis=0).T)
    total = float(steps.sum())
    pieces = int(np.ceil(total / LONGEST_STREET_METRES))
    if pieces <= 1:
        return [points]
    along = np.concatenate([[0], np.cumsum(steps)])
    cuts = [0, *[int(np.searchsorted(along, total * k / pieces)) for k in range(1, pieces)], len(points) - 1]
    return [points[a : b + 1] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _names(generator: np.random.Generator) -> dict[str, list[str]]:
    """Street names for each length of street, shuffled, none used twice (main roads' names
    are kept out)."""
    main = {name for name, *_ in RADIAL_ROADS} | {RING_ROAD[0]}
    words = list(dict.fromkeys(STREET_NAMES + MORE_NAMES))
    names = {}
    for size, kinds in (("long", LONG_KINDS), ("middle", MIDDLE_KINDS), ("short", SHORT_KINDS)):
        options = [f"{word} {kind}" for word in words for kind in kinds if f"{word} {kind}" not in main]
        names[size] = [options[i] for i in generator.permutation(len(options))]
    return names


@cache
def street_plan() -> list[PlanStreet]:
    """Every street of Riverford: the main roads first, then local streets."""
    generator = np.random.default_rng(STREETS_SEED)
    outline = _to_metres(city_plan().local_authority.geometry)
    main_roads = _main_roads(generator, outline)
    streets = [PlanStreet(name, number, kind, _to_degrees(line)) for name, number, kind, line in main_roads]
    edges = _local_edges(generator, outline, shapely.union_all([line for *_, line in main_roads]))
    names = _names(generator)
    used = {"long": 0, "middle": 0, "short": 0}
    strokes = sorted(_strokes(edges), key=lambda stroke: min(number for number, _ in stroke))
    for stroke in strokes:
        for points in _split(_stroke_points(edges, stroke, generator)):
            length = float(np.hypot(*np.diff(points, axis=0).T).sum())
            if length < 60:
                continue
            size = "long" if length > 800 else "middle" if length > 300 else "short"
            # The pool for its length, or the next one with a name left; repeats only once all are used.
            size = next((other for other in SIZES[size] if used[other] < len(names[other])), size)
            name = names[size][used[size] % len(names[size])]
            used[size] += 1
            kind = "minor" if length > 800 else "local"
            streets.append(PlanStreet(name, "", kind, _to_degrees(shapely.LineString(points))))
    return streets


@cache
def _named_index() -> tuple[shapely.STRtree, list[str]]:
    """A tree of the streets' straight pieces, each named by its street: the nearest piece is on
    the nearest street, and small pieces make a tighter tree than whole streets (twice as fast)."""
    pieces, names = [], []
    for street in street_plan():
        coordinates = np.asarray(_to_metres(street.line).coords)
        pieces += shapely.linestrings(np.stack([coordinates[:-1], coordinates[1:]], axis=1)).tolist()
        names += [street.name] * (len(coordinates) - 1)
    return shapely.STRtree(pieces), names


def street_names_at(latitudes, longitudes) -> list[str]:
    """The name of the street nearest each point ('' for a missing point). Each distinct point
    is looked up once: police points are snapped to a grid, so a month of a big city's crimes
    has a few thousand distinct points, not hundreds of thousands."""
    latitudes = np.asarray(latitudes, dtype=np.float64)
    longitudes = np.asarray(longitudes, dtype=np.float64)
    tree, names = _named_index()
    result = [""] * len(latitudes)
    valid = np.flatnonzero(np.isfinite(latitudes) & np.isfinite(longitudes))
    if not len(valid):
        return result
    distinct, each = np.unique(np.column_stack([latitudes[valid], longitudes[valid]]), axis=0, return_inverse=True)
    points = shapely.points((distinct[:, 1] - CENTRE_LONGITUDE) * METRES_PER_DEGREE_LONGITUDE,
                            (distinct[:, 0] - CENTRE_LATITUDE) * METRES_PER_DEGREE_LATITUDE)
    point_index, street_index = tree.query_nearest(points, all_matches=False)
    nearest = np.empty(len(distinct), dtype=np.int64)
    nearest[point_index] = street_index  # one street per point (all_matches=False)
    for position, street in zip(valid.tolist(), nearest[each.ravel()].tolist(), strict=True):
        result[position] = names[street]
    return result
