"""Prospective hotspots: where next period's incidents are likely, and how good that guess is.

The method is ProMap's (Bowers, Johnson and Pease, 2004): every past incident raises the risk of
its cell and the cells around it, the more the nearer and the more recent, falling as
1 / (1 + rings away) over `RINGS` rings of H3 neighbours and as 1 / (1 + steps ago) over `STEPS`
past time steps. The baseline it must beat is the simplest guess: last period's counts.

A forecast is judged on a period it never saw, as crime analysts judge them: flag the top 1%, 5%
and 10% of cells (the cells are of one size, so a share of cells is a share of area); the hit
rate is the share of that period's incidents that fell in the flagged cells, and the Predictive
Accuracy Index (PAI) the hit rate divided by the area share (Chainey, Tompson and Uhlig, 2008):
1 is no better than chance."""

import h3
import numpy as np
from scipy import sparse

RINGS = 2
STEPS = 3
SHARES = (0.01, 0.05, 0.10)


def _closeness(cells: list[str], rings: int) -> sparse.csr_matrix:
    """Weights 1 / (1 + rings apart) between the cells within `rings` of each other."""
    position = {cell: index for index, cell in enumerate(cells)}
    rows, columns, weights = [], [], []
    for index, cell in enumerate(cells):
        for distance in range(rings + 1):
            for other in h3.grid_ring(cell, distance) if distance else [cell]:
                if other in position:
                    rows.append(index)
                    columns.append(position[other])
                    weights.append(1.0 / (1 + distance))
    return sparse.csr_matrix((weights, (rows, columns)), shape=(len(cells), len(cells)))


def promap(history: np.ndarray, cells: list[str], *, rings: int = RINGS, steps: int = STEPS) -> np.ndarray:
    """Each cell's risk for the step after `history` (cells × steps, oldest first)."""
    recent = history[:, -steps:]
    decay = 1.0 / (1 + np.arange(recent.shape[1])[::-1])  # the last step weighs 1, the one before 1/2, …
    return _closeness(cells, rings) @ (recent @ decay)


def last_period(history: np.ndarray) -> np.ndarray:
    return history[:, -1].astype(float)


def ranked(scores: np.ndarray, cells: list[str]) -> list[int]:
    """The cells' indexes from the highest score (ties by cell id: the same order every run)."""
    return sorted(range(len(cells)), key=lambda index: (-scores[index], cells[index]))


def judged(scores: np.ndarray, actual: np.ndarray, cells: list[str], shares=SHARES) -> dict[float, dict]:
    """Hit rate and PAI of flagging the top share of cells by `scores`, for what `actual` saw."""
    order = ranked(scores, cells)
    total = actual.sum()
    result = {}
    for share in shares:
        flagged = order[: max(1, round(share * len(cells)))]
        hit_rate = float(actual[flagged].sum() / total) if total else 0.0
        area = len(flagged) / len(cells)
        result[share] = {"cells": len(flagged), "hit_rate": round(hit_rate, 4), "pai": round(hit_rate / area, 2)}
    return result
