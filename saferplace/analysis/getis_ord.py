"""Getis-Ord Gi* on H3 cells: where counts (or harm) cluster more than chance would have them.

The statistic is PySAL's (`esda.G_Local` with `star=True` on binary weights: each cell with its
six immediate neighbours and itself), so the z-scores are those of Getis and Ord (1995) and of
ArcGIS Pro's Hot Spot Analysis. Each cell's two-sided p value comes from the normal
approximation, and the false discovery rate across every cell tested is controlled with the
Benjamini-Hochberg procedure: a cell is a hot (or cold) spot when its q value is at most
`alpha`, so among the cells reported, the expected share of false alarms is at most `alpha`.
Pure computation: no database, no viewer (`analysis.selectors` supplies the counts)."""

from dataclasses import dataclass

import h3
import numpy as np

from saferplace.analysis.emerging import cube_weights, gi

ALPHA = 0.05  # the false discovery rate, unless a person chooses another


@dataclass(frozen=True)
class CellResult:
    cell: str
    value: float  # the cell's own count (or harm)
    expected: float  # the cell's, were the study area's total spread evenly over its cells
    neighbourhood: float  # the cell's and its neighbours' (the sum Gi* weighs)
    neighbourhood_expected: float  # the same, spread evenly
    z: float
    p_value: float
    q_value: float

    @property
    def kind(self) -> str:
        return "hot" if self.z > 0 else "cold"

    def significant(self, alpha: float) -> bool:
        return self.q_value <= alpha


def study_area(cells: list[str]) -> list[str]:
    """The cells and their immediate neighbours: where nothing was recorded next to where
    something was counts as a zero, so a cell at the edge of the activity is not compared only
    with busier ones."""
    area = set(cells)
    for cell in cells:
        area.update(h3.grid_disk(cell, 1))
    return sorted(area)


def gi_star(values: dict[str, float], area: list[str]) -> list[CellResult]:
    """Gi* of every cell of `area` (cells not in `values` count as zero), in `area`'s order: the
    space-time Gi* (`emerging.gi`) of a cube with one time step, with each cell's neighbourhood
    (itself and its neighbours) summed under the same weights."""
    if len(area) < 3:
        return []
    y = np.array([float(values.get(cell, 0.0)) for cell in area])
    if not y.any():
        return []
    weights = cube_weights(area, 1, 0)
    z, p, q = gi(y, weights)
    around, size = weights @ y, np.asarray(weights.sum(axis=1)).ravel()
    mean = y.sum() / len(y)
    return [CellResult(cell=cell, value=float(y[index]), expected=float(mean), neighbourhood=float(around[index]),
                       neighbourhood_expected=float(mean * size[index]), z=float(z[index]), p_value=float(p[index]),
                       q_value=float(q[index]))
            for index, cell in enumerate(area)]
