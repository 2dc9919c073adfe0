"""Gi* on H3 cells: the statistic is Getis and Ord's, planted clusters are found, and data with
no signal gives no more findings than the false discovery rate allows."""

import h3
import numpy as np
from esda.getisord import G_Local
from libpysal.weights import W

from saferplace.analysis.getis_ord import ALPHA, gi_star, study_area

CENTRE = h3.latlng_to_cell(52.57, -0.24, 8)
GRID = sorted(h3.grid_disk(CENTRE, 7))  # 169 cells


def neighbours(cells: list[str]) -> dict[str, list[str]]:
    """Each cell's immediate neighbours among `cells`, straight from H3."""
    return {cell: sorted(other for other in h3.grid_disk(cell, 1) if other != cell and other in cells) for cell in cells}


def _textbook(values: np.ndarray, cells: list[str]) -> np.ndarray:
    """Gi* as Getis and Ord (1995) write it, binary weights with the cell itself: an independent
    computation to check the one PySAL makes for us."""
    n = len(values)
    position = {cell: index for index, cell in enumerate(cells)}
    weights = np.eye(n)
    for cell, others in neighbours(cells).items():
        for other in others:
            weights[position[cell], position[other]] = 1
    mean = values.mean()
    spread = np.sqrt((values ** 2).mean() - mean ** 2)
    total = weights.sum(axis=1)
    return (weights @ values - mean * total) / (spread * np.sqrt((n * (weights ** 2).sum(axis=1) - total ** 2) / (n - 1)))


def test_the_z_scores_are_getis_and_ords_and_esdas():
    rng = np.random.default_rng(7)
    values = rng.poisson(4, len(GRID)).astype(float)
    results = gi_star(dict(zip(GRID, values, strict=True)), GRID)
    z = np.array([result.z for result in results])
    assert np.allclose(z, _textbook(values, GRID), atol=1e-9)
    direct = G_Local(values, W(neighbours(GRID), id_order=GRID, silence_warnings=True), transform="B", star=True,
                     permutations=0)
    assert np.allclose(z, direct.Zs, atol=1e-12)
    assert [result.cell for result in results] == GRID


def test_a_planted_cluster_is_found_and_nothing_far_from_it():
    rng = np.random.default_rng(11)
    values = dict(zip(GRID, rng.poisson(3, len(GRID)).astype(float), strict=True))
    planted = h3.grid_disk(h3.cell_to_parent(CENTRE, 8), 1)  # a cell and its six neighbours
    for cell in planted:
        values[cell] += 12
    results = {result.cell: result for result in gi_star(values, GRID)}
    hot = {cell for cell, result in results.items() if result.significant(ALPHA) and result.kind == "hot"}
    assert CENTRE in hot
    assert all(h3.grid_distance(CENTRE, cell) <= 2 for cell in hot), hot
    centre = results[CENTRE]
    assert centre.neighbourhood == sum(values[cell] for cell in planted)
    assert centre.expected == sum(values.values()) / len(GRID)
    assert centre.neighbourhood_expected == centre.expected * 7
    assert centre.p_value < centre.q_value <= ALPHA


def test_no_signal_gives_findings_no_more_often_than_the_false_discovery_rate():
    """Under no clustering at all, Benjamini-Hochberg keeps the chance of any finding at most the
    rate: over 100 cities of Poisson counts, about 5 with any hotspot (20 would be a failure;
    without the correction, nearly every one has some cell with p < 0.05)."""
    rng = np.random.default_rng(2026)
    with_findings = 0
    uncorrected = 0
    for _ in range(100):
        results = gi_star(dict(zip(GRID, rng.poisson(5, len(GRID)).astype(float), strict=True)), GRID)
        with_findings += any(result.significant(ALPHA) for result in results)
        uncorrected += any(result.p_value <= ALPHA for result in results)
    assert with_findings <= 12
    assert uncorrected >= 80


def test_the_study_area_counts_the_cells_around_as_zero():
    assert study_area([CENTRE]) == sorted(h3.grid_disk(CENTRE, 1))
    far = h3.grid_ring(CENTRE, 4)[0]
    area = study_area([CENTRE, far])
    assert len(area) == 14
    results = {result.cell: result for result in gi_star({CENTRE: 5.0, far: 1.0}, area)}
    assert results[CENTRE].value == 5.0 and results[CENTRE].z > 0 > results[far].z  # 1 among zeros: above, but
    # below the study area's average neighbourhood
    assert all(results[cell].value == 0 for cell in area if cell not in (CENTRE, far))


def test_nothing_to_test():
    assert gi_star({}, GRID) == []
    assert gi_star({CENTRE: 1.0}, [CENTRE]) == []
    flat = gi_star(dict.fromkeys(GRID, 2.0), GRID)  # every cell the same: no cluster, and no error
    assert flat and not any(result.significant(ALPHA) for result in flat)
