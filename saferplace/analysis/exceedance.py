"""Short-term exceedances, for the daily meeting: where a category's incidents in the last few
days are more than a seasonal expectation allows.

For each ward and category, the count in the last `days` days is compared with the counts of the
same-length windows before it: the `RECENT` windows just before, and, where the data reaches
back a year, the window a year earlier and the one either side of it (the season), in the spirit
of the Farrington algorithm public health surveillance uses. Their mean is the expectation; when
they vary more than a Poisson count would (variance over 1.1 × the mean, with five windows or
more), the count is modelled as negative binomial (moments matched), else as Poisson. The p value
is the chance of at least the count seen; the Benjamini-Hochberg false discovery rate is
controlled over every ward and category tested, so of the exceedances flagged, at most `alpha`
are expected to be false alarms. Pure computation: the counts come from `analysis.selectors`."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

RECENT = 12  # windows just before the current one
OVERDISPERSED = 1.1
FEWEST_WINDOWS = 4  # with fewer baseline windows there is no expectation to speak of


@dataclass(frozen=True)
class Exceedance:
    key: tuple
    observed: int
    expected: float
    model: str  # "poisson" or "negative binomial"
    windows: int
    p_value: float
    q_value: float = 1.0


def baseline_starts(end: date, days: int, first: date) -> list[date]:
    """The first days of the baseline windows that start on or after `first`: the `RECENT`
    windows just before the current one, and the season a year earlier (52 weeks back, so the
    same days of the week, and the windows either side), when it is not among them already."""
    current = end - timedelta(days=days - 1)
    starts = {current - timedelta(days=days * lag) for lag in range(1, RECENT + 1)}
    year_ago = current - timedelta(days=364)
    starts |= {year_ago + timedelta(days=days * shift) for shift in (-1, 0, 1)}
    return sorted(start for start in starts if start >= first)


def _window_sum(by_day: dict[date, int], start: date, days: int) -> int:
    return sum(by_day.get(start + timedelta(days=offset), 0) for offset in range(days))


def exceedances(series: dict[tuple, dict[date, int]], *, end: date, days: int, first: date) -> list[Exceedance]:
    """Every key's (ward, category) test for the `days` days ending on `end`, with the data
    starting on `first` (no baseline window before it), the false discovery rate's q values
    filled in; keys with too short a baseline are left out."""
    from scipy import (
        stats,  # here: SciPy's statistics take a second to import, and every command starts Django
    )
    current = end - timedelta(days=days - 1)
    starts = baseline_starts(end, days, first)
    if len(starts) < FEWEST_WINDOWS:
        return []
    tested = []
    for key, by_day in series.items():
        observed = _window_sum(by_day, current, days)
        baseline = np.array([_window_sum(by_day, start, days) for start in starts], dtype=float)
        mean = (baseline.sum() + 0.5) / len(baseline)  # half an incident: a quiet baseline is not an impossible one
        variance = baseline.var(ddof=1) if len(baseline) > 1 else 0.0
        if len(baseline) >= 5 and variance > OVERDISPERSED * mean:
            size = mean ** 2 / (variance - mean)
            p_value = float(stats.nbinom.sf(observed - 1, size, size / (size + mean))) if observed else 1.0
            model = "negative binomial"
        else:
            p_value = float(stats.poisson.sf(observed - 1, mean)) if observed else 1.0
            model = "poisson"
        tested.append(Exceedance(key=key, observed=observed, expected=round(float(mean), 3), model=model,
                                 windows=len(baseline), p_value=min(max(p_value, 0.0), 1.0)))
    if not tested:
        return []
    q = stats.false_discovery_control([test.p_value for test in tested], method="bh")
    return [Exceedance(**{**test.__dict__, "q_value": float(value)}) for test, value in zip(tested, q, strict=True)]
