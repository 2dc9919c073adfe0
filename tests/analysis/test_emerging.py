"""Emerging hot spots: the space-time Gi*, the Mann-Kendall test, the patterns, and planted
patterns found in a generated cube."""

import h3
import numpy as np
import pymannkendall
import pytest

from saferplace.analysis.emerging import (
    FEWEST_STEPS,
    Trend,
    cube_weights,
    mann_kendall,
    pattern,
    space_time_gi,
)

CENTRE = h3.latlng_to_cell(52.57, -0.24, 8)
GRID = sorted(h3.grid_disk(CENTRE, 5))  # 91 cells
FLAT = Trend(s=0, variance=1, z=0.0, p_value=1.0, tau=0.0)
RISING = Trend(s=40, variance=100, z=3.9, p_value=0.0001, tau=0.6)
FALLING = Trend(s=-40, variance=100, z=-3.9, p_value=0.0001, tau=-0.6)


@pytest.mark.parametrize("seed", range(6))
def test_mann_kendall_equals_the_reference_implementation(seed):
    """pymannkendall's `original_test` (Hussain and Mahmud 2019), ties included."""
    rng = np.random.default_rng(seed)
    series = [rng.poisson(2, 24), rng.normal(0, 1, 15) + np.arange(15) * 0.2, np.repeat([1.0, 2.0, 2.0, 3.0], 4)]
    for values, trend in zip(series, mann_kendall(np.array(series[0:1])) + mann_kendall(np.array(series[1:2]))
                             + mann_kendall(np.array(series[2:3])), strict=True):
        reference = pymannkendall.original_test(values)
        assert trend.s == reference.s
        assert trend.variance == pytest.approx(reference.var_s)
        assert trend.z == pytest.approx(reference.z)
        assert trend.p_value == pytest.approx(reference.p)
        assert trend.tau == pytest.approx(reference.Tau)


def test_the_space_time_gi_is_getis_and_ords_over_the_cube():
    """Against the textbook Gi* with the cube's weights written out bin by bin: each bin's
    neighbours are its cell's and the neighbouring cells' bins now and one step before."""
    rng = np.random.default_rng(3)
    steps = 6
    cube = rng.poisson(3, (len(GRID), steps)).astype(float)
    z, p, q = space_time_gi(cube, GRID)
    size = len(GRID) * steps
    weights = np.eye(size)
    for cell_index, cell in enumerate(GRID):
        for other in h3.grid_disk(cell, 1):
            if other in GRID:
                other_index = GRID.index(other)
                for step in range(steps):
                    for back in (0, 1):
                        if step - back >= 0:
                            weights[cell_index * steps + step, other_index * steps + step - back] = 1
    assert np.array_equal(cube_weights(GRID, steps, 1).toarray(), weights)
    values = cube.ravel()
    mean, spread = values.mean(), values.std()
    total = weights.sum(axis=1)
    expected = (weights @ values - mean * total) / (spread * np.sqrt((size * total - total ** 2) / (size - 1)))
    assert np.allclose(z.ravel(), expected, atol=1e-9)
    assert (q >= p).all() and (q <= 1).all()


@pytest.mark.parametrize(("hot", "trend", "expected"), [
    ("...........+", FLAT, "new hot spot"),
    ("........++++", FLAT, "consecutive hot spot"),
    ("++++++++++++", RISING, "intensifying hot spot"),
    ("++++++++++++", FLAT, "persistent hot spot"),
    ("+++++.++++++", FALLING, "diminishing hot spot"),
    ("+.+..++..+.+", FLAT, "sporadic hot spot"),
    ("+-+..++..+.+", FLAT, "oscillating hot spot"),
    ("..+.....+..+", FLAT, "sporadic hot spot"),  # on and off, not one final run
    ("+++++++++++.", FLAT, "historical hot spot"),
    ("+.+.+.+.+.+.", FLAT, ""),  # not hot now, and not most of the time
    ("............", FLAT, ""),
    ("...........-", FLAT, "new cold spot"),
    ("------------", FALLING, "intensifying cold spot"),
    ("------------", RISING, "diminishing cold spot"),
    ("-+-..--..-.-", FLAT, "oscillating cold spot"),
    ("-----------.", FLAT, "historical cold spot"),
])
def test_each_pattern_as_arcgis_pro_defines_it(hot, trend, expected):
    z = np.array([{"+": 3.0, "-": -3.0, ".": 0.5}[mark] for mark in hot])
    significant = np.array([mark != "." for mark in hot])
    assert pattern(z, significant, trend, 0.05) == expected


def test_planted_patterns_are_found_and_no_signal_finds_little():
    rng = np.random.default_rng(2026)
    steps = 24
    cube = rng.poisson(4, (len(GRID), steps)).astype(float)
    growing = GRID.index(CENTRE)
    newly = GRID.index(h3.grid_ring(CENTRE, 4)[0])
    for cell in h3.grid_disk(CENTRE, 1):  # a cluster that is always there and grows
        cube[GRID.index(cell)] += 6 + np.arange(steps) * 0.8
    for cell in h3.grid_disk(GRID[newly], 1):  # a cluster that appears in the last three steps
        if cell in GRID:
            cube[GRID.index(cell), -3:] += 25
    z, _, q = space_time_gi(cube, GRID)
    trends = mann_kendall(z)
    found = {index: pattern(z[index], q[index] <= 0.05, trends[index], 0.05) for index in range(len(GRID))}
    assert found[growing] == "intensifying hot spot"
    assert found[newly] in {"consecutive hot spot", "new hot spot"}
    quiet = rng.poisson(4, (len(GRID), steps)).astype(float)
    z, _, q = space_time_gi(quiet, GRID)
    trends = mann_kendall(z)
    noise = [pattern(z[index], q[index] <= 0.05, trends[index], 0.05) for index in range(len(GRID))]
    assert sum(bool(name) for name in noise) <= 2, noise


def test_an_empty_cube_has_no_pattern():
    z, p, q = space_time_gi(np.zeros((len(GRID), FEWEST_STEPS)), GRID)
    assert not z.any() and (p == 1).all() and (q == 1).all()
