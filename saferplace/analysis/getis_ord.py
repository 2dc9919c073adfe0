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

from saferplace.analysis.emerging import space_time_gi

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


def neighbours(cells: list[str]) -> dict[str, list[str]]:
    """Each cell's immediate neighbours (one ring) among `cells`."""
    inside = set(cells)
    return {cell: sorted(other for other in h3.grid_disk(cell, 1) if other != cell and other in inside) for cell in cells}


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
    space-time Gi* (`emerging.space_time_gi`) of a cube with one time step."""
    if len(area) < 3:
        return []
    y = np.array([float(values.get(cell, 0.0)) for cell in area])
    if not y.any():
        return []
    z, p, q = (statistic[:, 0] for statistic in space_time_gi(y[:, None], area, window=0))
    adjacency = neighbours(area)
    mean = y.sum() / len(y)
    position = {cell: index for index, cell in enumerate(area)}
    results = []
    for index, cell in enumerate(area):
        around = [index, *(position[other] for other in adjacency[cell])]
        results.append(CellResult(
            cell=cell, value=float(y[index]), expected=float(mean), neighbourhood=float(y[around].sum()),
            neighbourhood_expected=float(mean * len(around)),
            z=float(z[index]), p_value=float(p[index]), q_value=float(q[index]),
        ))
    return results
