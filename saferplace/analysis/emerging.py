"""Emerging hot spots: the space-time cube, its Gi*, each location's trend, and its pattern.

The method of ArcGIS Pro's Emerging Hot Spot Analysis (and the R package `sfdep`):

1. **The cube**: a count (or harm) per location (H3 cell) and time step (week or month).
2. **Space-time Gi*** of every bin: the bin's neighbourhood is its cell and the cell's six
   neighbours, in the same time step and the `TIME_WINDOW` steps before it (ArcGIS's
   "neighbourhood time step"), compared with the whole cube's mean (PySAL's `esda.G_Local`,
   `star=True`, on binary weights). Two-sided p values from the normal approximation, and the
   Benjamini-Hochberg false discovery rate over every bin: a bin is a significant hot (cold)
   spot when its q value is at most `alpha` and its z is above (below) zero.
3. **The trend** of each location: a Mann-Kendall test of its bins' z-scores over time.
4. **The pattern** of each location, from its bins and trend (`PATTERNS`, checked in order; the
   definitions are ArcGIS Pro's, in docs/analysis.md). "Most" means at least 90% of the steps.

Pure computation: no database, no viewer (`analysis.selectors` supplies the cube)."""

import warnings
from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd
from h3.api import numpy_int as h3_int
from scipy import sparse

TIME_WINDOW = 1  # how many earlier time steps are in a bin's neighbourhood
MOST = 0.9  # the share of time steps that makes a location "almost always" a hot spot
FEWEST_STEPS = 10  # a trend test needs a series: ArcGIS asks for ten time steps at least

PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating", "historical")


@dataclass(frozen=True)
class Trend:
    s: float  # Mann-Kendall's S: pairs rising minus pairs falling
    variance: float
    z: float
    p_value: float
    tau: float


def _neighbour_pairs(cells: list[str]) -> np.ndarray:
    """(cell, neighbour) positions in `cells` of each cell and its ring of neighbours among them,
    itself included. H3's integer cells, looked up by sorted search: three times quicker than
    its text cells and a dictionary, the most of a map's Gi* step."""
    ids = np.fromiter((h3.str_to_int(cell) for cell in cells), dtype=np.uint64, count=len(cells))
    disks = [h3_int.grid_disk(int(cell), 1) for cell in ids]
    focal = np.repeat(np.arange(len(cells), dtype=np.int64), [len(disk) for disk in disks])
    others = np.concatenate(disks).astype(np.uint64) if disks else np.zeros(0, dtype=np.uint64)
    order = np.argsort(ids)
    found = np.searchsorted(ids[order], others)
    inside = found < len(ids)
    inside[inside] = ids[order][found[inside]] == others[inside]
    return np.column_stack([focal[inside], order[found[inside]]]).astype(np.int64)


def cube_weights(cells: list[str], steps: int, window: int) -> sparse.csr_matrix:
    """Binary weights over the cube's bins (cell-major: bin = cell × steps + step), each bin's
    neighbours being its cell's and the neighbouring cells' bins in the same step and the
    `window` steps before it, the bin itself included (Gi*: `star`), rows sorted."""
    pairs = _neighbour_pairs(cells)
    rows, columns = [], []
    for back in range(window + 1):
        times = np.arange(back, steps)
        rows.append((pairs[:, 0:1] * steps + times).ravel())
        columns.append((pairs[:, 1:2] * steps + times - back).ravel())
    row, column = np.concatenate(rows), np.concatenate(columns)
    size = len(cells) * steps
    weights = sparse.csr_matrix((np.ones(len(row)), (row, column)), shape=(size, size))
    weights.sort_indices()
    return weights


def gi(values: np.ndarray, weights: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PySAL's Gi* (`esda.G_Local`, binary, no permutations) of `values` under `weights` (from
    `cube_weights`: the diagonal set, so G_Local uses them as they are): each value's z-score,
    two-sided p value from the normal approximation, and q value (the Benjamini-Hochberg false
    discovery rate over all of them). The graph is built straight from the sorted sparse matrix:
    libpysal's `Graph.from_sparse` would sort and check it again, ten times slower than the Gi*
    itself at a year of weekly bins."""
    from esda.getisord import G_Local  # here: PySAL takes seconds to import (see getis_ord.py)
    from libpysal.graph import Graph
    from scipy import stats

    if not values.any() or values.size < 3:
        return np.zeros(values.shape), np.ones(values.shape), np.ones(values.shape)
    matrix = weights.tocoo()
    adjacency = pd.Series(matrix.data, name="weight",
                          index=pd.MultiIndex.from_arrays([matrix.row, matrix.col], names=["focal", "neighbor"]))
    graph = Graph(adjacency, transformation="B", is_sorted=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # every value the same: z is undefined
        local = G_Local(values.astype(float), graph, transform="B", star=True, permutations=0)
    z = np.nan_to_num(np.asarray(local.Zs, dtype=float), nan=0.0)
    p = np.clip(2 * stats.norm.sf(np.abs(z)), 0.0, 1.0)
    return z, p, stats.false_discovery_control(p, method="bh")


def space_time_gi(cube: np.ndarray, cells: list[str], *, window: int = TIME_WINDOW) -> tuple[np.ndarray, ...]:
    """The z-score, p value and q value (false discovery rate over every bin) of each bin of
    `cube` (cells × steps), each an array of the cube's shape."""
    z, p, q = gi(cube.astype(float).ravel(), cube_weights(cells, cube.shape[1], window))
    return z.reshape(cube.shape), p.reshape(cube.shape), q.reshape(cube.shape)


def mann_kendall(series: np.ndarray) -> list[Trend]:
    """The Mann-Kendall trend test of each row of `series` (locations × steps): S, its variance
    corrected for ties, the continuity-corrected z, the two-sided p value and Kendall's tau."""
    from scipy import (
        stats,  # here: SciPy's statistics take a second to import, and every command starts Django
    )

    series = np.atleast_2d(np.asarray(series, dtype=float))
    rows, n = series.shape
    s = np.zeros(rows)
    for lag in range(1, n):
        s += np.sign(series[:, lag:] - series[:, :-lag]).sum(axis=1)
    trends = []
    for index in range(rows):
        _, ties = np.unique(series[index], return_counts=True)
        variance = (n * (n - 1) * (2 * n + 5) - (ties * (ties - 1) * (2 * ties + 5)).sum()) / 18
        value = s[index]
        z = 0.0 if value == 0 or variance <= 0 else (value - np.sign(value)) / np.sqrt(variance)
        trends.append(Trend(s=float(value), variance=float(variance), z=float(z),
                            p_value=float(2 * stats.norm.sf(abs(z))), tau=float(value / (n * (n - 1) / 2)) if n > 1 else 0.0))
    return trends


def pattern(z: np.ndarray, significant: np.ndarray, trend: Trend, alpha: float) -> str:
    """The location's pattern ("new hot spot", …, or "" for none) from its bins' z-scores and
    significance, oldest first, and its trend; hot spot patterns are checked first, then the
    same for cold spots with the signs reversed."""
    for sign, word in ((1, "hot"), (-1, "cold")):
        name = _pattern(sign * np.asarray(z) > 0, np.asarray(significant), sign * trend.z, trend.p_value, alpha)
        if name:
            return f"{name} {word} spot"
    return ""


def _pattern(above: np.ndarray, significant: np.ndarray, rising: float, trend_p: float, alpha: float) -> str:
    steps = len(above)
    hot = above & significant  # this kind of spot, significant
    other = ~above & significant  # the opposite kind, significant
    last = bool(hot[-1])
    share = hot.sum() / steps
    trending = trend_p <= alpha
    if share >= MOST:
        if not last:
            return "historical"
        if trending and rising > 0:
            return "intensifying"
        if trending and rising < 0:
            return "diminishing"
        return "persistent"
    if not last:
        return ""
    if hot.sum() == 1:
        return "new"
    run = steps - (np.flatnonzero(~hot)[-1] + 1)  # the final uninterrupted run of hot bins
    if run >= 2 and not hot[: steps - run].any():
        return "consecutive"
    if other.any():
        return "oscillating"
    return "sporadic"
