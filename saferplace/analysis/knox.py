"""The Knox test for near repeats, as the Near Repeat Calculator shows it.

Every pair of incidents is put in a distance band and a time band (how far apart they happened,
and how many days apart). The observed number of pairs in each cell of that table is compared
with what the same places would give were the dates unrelated to them: the dates are shuffled
among the incidents `permutations` times (Monte Carlo), and each cell's expected count is the
mean over the shuffles, its Knox ratio observed ÷ expected, and its p value the share of
shuffles with at least as many pairs (counting the observed arrangement as one of them). A ratio
well above 1 in the near bands is a near-repeat pattern: after one burglary, the houses around it
are at raised risk for a while.

Only pairs within the last distance band are looked at one by one (a k-d tree finds them); the
pairs further apart fill the table's last row, counted from the whole set's time differences."""

from dataclasses import dataclass

import numpy as np

METRES_PER_DEGREE = 111_320.0
MOST_PAIRS = 2_000_000  # pairs within the last distance band: each shuffle looks at every one


class TooManyPairs(ValueError):
    pass


@dataclass(frozen=True)
class KnoxTable:
    distance_edges: list[float]  # metres: band k is (edge[k-1], edge[k]], the first from 0 (same place)
    time_edges: list[int]  # days, the same way
    observed: np.ndarray  # (distance bands + 1) × (time bands + 1): the last row and column "further"
    expected: np.ndarray
    p_values: np.ndarray
    permutations: int

    @property
    def ratios(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.expected > 0, self.observed / self.expected, np.nan)


def _metres(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    """Points on a plane (metres east and north of their mean): near enough over a city."""
    cosine = np.cos(np.radians(latitudes.mean()))
    return np.column_stack([(longitudes - longitudes.mean()) * METRES_PER_DEGREE * cosine,
                            (latitudes - latitudes.mean()) * METRES_PER_DEGREE])


def _band(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """The band of each value: 0 for the first edge or less, …, len(edges) for beyond the last."""
    return np.searchsorted(np.asarray(edges, dtype=float), values, side="left")


def _pairs_by_time_gap(days: np.ndarray) -> np.ndarray:
    """How many pairs of all the incidents are each number of days apart (0, 1, …)."""
    offset = days - days.min()
    counts = np.bincount(offset)
    gaps = np.correlate(counts, counts, mode="full")[len(counts) - 1:].astype(np.int64)
    gaps[0] = (gaps[0] - len(days)) // 2  # same-day pairs: each pair once, no incident with itself
    return gaps


def knox(latitudes, longitudes, days, *, distance_edges: list[float], time_edges: list[int],
         permutations: int = 99, seed: int = 2026) -> KnoxTable:
    """The Knox table of incidents at these points on these days (day numbers)."""
    latitudes, longitudes = np.asarray(latitudes, dtype=float), np.asarray(longitudes, dtype=float)
    days = np.asarray(days, dtype=np.int64)
    shape = (len(distance_edges) + 1, len(time_edges) + 1)
    points = _metres(latitudes, longitudes)
    from scipy.spatial import cKDTree  # here, as SciPy's statistics: see emerging.mann_kendall

    tree = cKDTree(points)
    close = (int(tree.count_neighbors(tree, distance_edges[-1])) - len(days)) // 2
    if close > MOST_PAIRS:
        raise TooManyPairs(f"{close:,} pairs of these incidents are within {distance_edges[-1]:g} m of each other, more "
                           f"than the {MOST_PAIRS:,} a near-repeat test looks at: choose a shorter period, a place or "
                           "one category")
    pairs = tree.query_pairs(r=distance_edges[-1], output_type="ndarray") if len(days) > 1 else np.empty((0, 2), int)
    first, second = pairs[:, 0], pairs[:, 1]
    distance_band = _band(np.linalg.norm(points[first] - points[second], axis=1), distance_edges)
    gaps = _pairs_by_time_gap(days) if len(days) > 1 else np.zeros(1, np.int64)
    all_by_time = np.bincount(_band(np.arange(len(gaps)), time_edges), weights=gaps, minlength=shape[1])

    def table(dates: np.ndarray) -> np.ndarray:
        counts = np.zeros(shape)
        time_band = _band(np.abs(dates[first] - dates[second]), time_edges)
        np.add.at(counts, (distance_band, time_band), 1)
        counts[-1] = all_by_time - counts[:-1].sum(axis=0)  # every pair further apart than the last band
        return counts

    observed = table(days)
    rng = np.random.default_rng(seed)
    simulated = np.array([table(rng.permutation(days)) for _ in range(permutations)]) if permutations else np.empty((0, *shape))
    expected = simulated.mean(axis=0) if permutations else np.full(shape, np.nan)
    p_values = ((simulated >= observed).sum(axis=0) + 1) / (permutations + 1)
    return KnoxTable(distance_edges=list(distance_edges), time_edges=list(time_edges), observed=observed,
                     expected=expected, p_values=p_values, permutations=permutations)
