"""What the analysis pages and commands read, always through the access policy: every figure is
computed from the incidents the viewer may see (the count tables, `incidents.selectors`), so an
analysis never counts a record its reader could not open."""

from datetime import date, timedelta

import h3
import numpy as np
from django.conf import settings

from saferplace.analysis import emerging, exceedance, forecast
from saferplace.analysis.getis_ord import ALPHA, gi_star, study_area
from saferplace.incidents.models import IncidentCategory
from saferplace.incidents.selectors import (
    INTERVALS,
    IncidentFilters,
    incident_counts_by_cell_and_period,
    incident_counts_by_ward_and_day,
    incident_hexagons,
    incident_last_day,
)
from saferplace.places.models import Place
from saferplace.places.selectors import cells_describe

MEASURES = ("count", "harm")
METHOD = ("Getis-Ord Gi* (PySAL esda.G_Local, star=True) on H3 cells, each with its six neighbours; "
          "two-sided p values from the normal approximation; Benjamini-Hochberg false discovery rate")
EXCEEDANCE_METHOD = ("the last days' count per ward and category against the same-length windows before it and a year "
                     "earlier (Poisson, or negative binomial when over-dispersed); Benjamini-Hochberg false discovery rate")
FORECAST_METHOD = (f"ProMap: each past month's incidents weighted 1 / (1 + months ago) over {forecast.STEPS} months and "
                   f"1 / (1 + rings away) over {forecast.RINGS} rings of H3 neighbours")
SPACE_TIME_METHOD = (f"{METHOD}; space-time neighbourhood: the same and the {emerging.TIME_WINDOW} previous time step; "
                     "Mann-Kendall trend of each location's z-scores; patterns as ArcGIS Pro's Emerging Hot Spot Analysis")


EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)  # the dates an analysis may be asked about
LONGEST_DAYS = 3_660  # a period of ten years at most
MOST_STEPS = 600  # an emerging hot spot cube of at most this many weeks or months


def _checked(filters: IncidentFilters, *, resolution: int | None, by: str, alpha: float) -> int:
    """The resolution to use, once the choices are known to make sense (ValueError, with the
    reason, when one does not). The period is bounded: the worker's time and memory grow with it."""
    for chosen in (filters.date_from, filters.date_to):
        if chosen is not None and not EARLIEST <= chosen <= LATEST:
            raise ValueError(f"Choose dates from {EARLIEST:%Y} to {LATEST:%Y}")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValueError("The 'to' date must be the same as or after the 'from' date")
    if filters.date_from and filters.date_to and (filters.date_to - filters.date_from).days > LONGEST_DAYS:
        raise ValueError("Choose a period of ten years at most")
    stored = settings.H3_RESOLUTION
    resolution = stored if resolution is None else resolution
    if not 0 <= resolution <= stored:
        raise ValueError(f"Choose a resolution from 0 to {stored} (the finest the incidents are counted at)")
    if by not in MEASURES:
        raise ValueError(f"Choose a measure of {', '.join(MEASURES)}")
    if not 0 < alpha < 1:
        raise ValueError("Choose a false discovery rate between 0 and 1")
    unknown = sorted(set(filters.categories) - set(IncidentCategory.objects.filter(
        code__in=filters.categories).values_list("code", flat=True)))
    if unknown:
        raise ValueError(f"There is no category {', '.join(unknown)}")
    if filters.place_code and not Place.objects.filter(code=filters.place_code.strip().upper()).exists():
        raise ValueError(f"There is no place with the code {filters.place_code}")
    return resolution


def _area(*, viewer, filters: IncidentFilters, resolution: int) -> list[str]:
    """The study area: the cells where the viewer may see any incident (in the chosen place, if
    one is), and their neighbours (`getis_ord.study_area`)."""
    everywhere = incident_hexagons(viewer=viewer, filters=IncidentFilters(place_code=filters.place_code),
                                   resolution=resolution)
    return study_area([row["cell"] for row in everywhere])


def _centre(cell: str) -> dict:
    latitude, longitude = h3.cell_to_latlng(cell)
    return {"h3_cell": cell, "latitude": round(latitude, 5), "longitude": round(longitude, 5)}


def hotspots_find(*, viewer, filters: IncidentFilters | None = None, resolution: int | None = None,
                  by: str = "count", alpha: float = ALPHA, every_cell: bool = False) -> dict:
    """Where the chosen incidents (categories, place, period) cluster: every cell whose Gi* is
    significant at false discovery rate `alpha` (or, `every_cell`, every cell tested), the
    hottest first, with the numbers behind it and where it is in words. The study area is the
    cells where the viewer may see any incident (in the chosen place, if one is) and their
    neighbours; the cells in it with none of the chosen incidents count as zero."""
    filters = filters or IncidentFilters()
    resolution = _checked(filters, resolution=resolution, by=by, alpha=alpha)
    chosen = {row["cell"]: row for row in incident_hexagons(viewer=viewer, filters=filters, resolution=resolution)}
    results = gi_star({cell: row[by] for cell, row in chosen.items()}, _area(viewer=viewer, filters=filters,
                                                                             resolution=resolution))
    reported = [result for result in results if every_cell or result.significant(alpha)]
    reported.sort(key=lambda result: (-result.z, result.cell))
    described = cells_describe([result.cell for result in reported])
    rows = []
    for result in reported:
        row = chosen.get(result.cell, {"count": 0, "harm": 0.0})
        rows.append({
            **_centre(result.cell),
            "count": row["count"], "harm": round(row["harm"], 2), "expected": round(result.expected, 3),
            "neighbourhood": round(result.neighbourhood, 2),
            "neighbourhood_expected": round(result.neighbourhood_expected, 3),
            "z": round(result.z, 4), "p_value": result.p_value, "q_value": result.q_value,
            "kind": result.kind, "significant": result.significant(alpha),
            "places": described.get(result.cell, {}).get("where", ""),
        })
    return {
        "hotspots": rows,
        "parameters": {
            "filters": filters.as_dict(), "resolution": resolution, "by": by, "false_discovery_rate": alpha,
            "cells_tested": len(results), "incidents": sum(row["count"] for row in chosen.values()),
            "method": METHOD,
        },
    }


def _cube(bins: list[dict], area: list[str], periods: list[date], measure: str) -> np.ndarray:
    """`measure` of the bins (`incident_counts_by_cell_and_period`) as an array of cells × periods,
    zero where there is none; bins outside the area or the periods are left out."""
    cells = {cell: index for index, cell in enumerate(area)}
    steps = {period: index for index, period in enumerate(periods)}
    cube = np.zeros((len(area), len(periods)))
    for row in bins:
        if row["cell"] in cells and row["period"] in steps:
            cube[cells[row["cell"]], steps[row["period"]]] = row[measure]
    return cube


def _periods(first: date, last: date, interval: str) -> list[date]:
    """The first day of every week (Monday) or month from the one holding `first` to the one
    holding `last`."""
    if interval == "week":
        start = first - timedelta(days=first.weekday())
        return [start + timedelta(weeks=number) for number in range((last - start).days // 7 + 1)]
    periods, month = [], first.replace(day=1)
    while month <= last:
        periods.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return periods


def emerging_find(*, viewer, filters: IncidentFilters | None = None, interval: str = "month",
                  resolution: int | None = None, by: str = "count", alpha: float = ALPHA,
                  every_cell: bool = False) -> dict:
    """Emerging hot spots (`analysis.emerging`): each location of the study area with a pattern
    (new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating or historical
    hot or cold spot; or, `every_cell`, every location), with its trend and every bin of its
    series. The period is the filters' dates, or else the first to the last period with any of
    the chosen incidents; it needs `emerging.FEWEST_STEPS` steps."""
    filters = filters or IncidentFilters()
    resolution = _checked(filters, resolution=resolution, by=by, alpha=alpha)
    if interval not in INTERVALS:
        raise ValueError(f"Choose an interval of {', '.join(INTERVALS)}")
    bins = incident_counts_by_cell_and_period(viewer=viewer, filters=filters, interval=interval, resolution=resolution)
    first = filters.date_from or min((row["period"] for row in bins), default=None)
    last = filters.date_to or max((row["period"] for row in bins), default=None)
    if not bins and interval == "week" and not (filters.date_from and filters.date_to):
        raise ValueError("None of the chosen incidents is dated to the day (police.uk's are dated to their month): "
                         "choose months")
    periods = _periods(first, last, interval) if first and last else []
    if len(periods) > MOST_STEPS:
        raise ValueError(f"An emerging hot spot analysis takes {MOST_STEPS} {interval}s at most and this has "
                         f"{len(periods)}: choose a shorter period or months")
    if len(periods) < emerging.FEWEST_STEPS:
        raise ValueError(f"An emerging hot spot analysis needs {emerging.FEWEST_STEPS} {interval}s at least "
                         f"and this has {len(periods)}: choose a longer period or a shorter interval")
    area = _area(viewer=viewer, filters=filters, resolution=resolution)
    cube = _cube(bins, area, periods, by)
    counts = _cube(bins, area, periods, "count").astype(np.int64)
    z, _, q = emerging.space_time_gi(cube, area)
    significant = q <= alpha
    trends = emerging.mann_kendall(z)
    found = []
    for index, cell in enumerate(area):
        name = emerging.pattern(z[index], significant[index], trends[index], alpha)
        if name or every_cell:
            found.append((index, cell, name))
    order = {f"{name} {kind} spot": rank for rank, (kind, name) in enumerate(
        (kind, name) for kind in ("hot", "cold") for name in emerging.PATTERNS)}
    found.sort(key=lambda item: (order.get(item[2], len(order)), -counts[item[0]].sum(), item[1]))
    described = cells_describe([cell for _, cell, _ in found])
    locations = []
    for index, cell, name in found:
        trend = trends[index]
        locations.append({
            **_centre(cell), "pattern": name or "no pattern detected", "trend_z": round(trend.z, 4),
            "trend_p": trend.p_value, "tau": round(trend.tau, 4), "count": int(counts[index].sum()),
            "places": described.get(cell, {}).get("where", ""),
            "bins": [{"period": period.isoformat(), "count": int(counts[index, step]), "value": round(float(cube[index, step]), 2),
                      "z": round(float(z[index, step]), 4), "q_value": float(q[index, step]),
                      "spot": ("hot" if z[index, step] > 0 else "cold") if significant[index, step] else ""}
                     for step, period in enumerate(periods)],
        })
    return {
        "locations": locations,
        "parameters": {
            "filters": filters.as_dict(), "interval": interval, "resolution": resolution, "by": by,
            "false_discovery_rate": alpha, "periods": [periods[0].isoformat(), periods[-1].isoformat()],
            "steps": len(periods), "locations_tested": len(area), "incidents": int(counts.sum()),
            "method": SPACE_TIME_METHOD,
        },
    }


def exceedances_find(*, viewer, filters: IncidentFilters | None = None, days: int = 7, end: date | None = None,
                     alpha: float = ALPHA, every_test: bool = False) -> dict:
    """Wards and categories whose incidents in the `days` days to `end` (by default the latest
    day of an incident dated to the day) exceed their seasonal expectation (`exceedance.py`),
    the false discovery rate controlled at `alpha`; the most significant first. Only incidents
    dated to the day are counted (police.uk's are dated to their month)."""
    filters = filters or IncidentFilters()
    _checked(filters, resolution=None, by="count", alpha=alpha)
    if not 1 <= days <= 92:
        raise ValueError("Choose from 1 to 92 days")
    end = end or incident_last_day(viewer=viewer, filters=filters)
    if end is None:
        return {"exceedances": [], "parameters": {"days": days, "end": None, "tests": 0, "false_discovery_rate": alpha,
                                                   "method": EXCEEDANCE_METHOD}}
    first = end - timedelta(days=days * (exceedance.RECENT + 1) + 400)
    chosen = IncidentFilters(**{**filters.__dict__, "date_from": first, "date_to": end})
    series: dict[tuple, dict[date, int]] = {}
    for ward, category, day, count in incident_counts_by_ward_and_day(viewer=viewer, filters=chosen):
        series.setdefault((ward, category), {})[day] = count
    data_first = min((min(days_) for days_ in series.values()), default=end)
    tests = exceedance.exceedances(series, end=end, days=days, first=data_first)
    reported = sorted((test for test in tests if every_test or test.q_value <= alpha),
                      key=lambda test: (test.q_value, -test.observed))
    names = {place.pk: place for place in Place.objects.filter(pk__in={test.key[0] for test in reported})}
    categories = dict(IncidentCategory.objects.filter(code__in={test.key[1] for test in reported}).values_list("code", "name"))
    return {
        "exceedances": [{"place": names[test.key[0]].name, "place_code": names[test.key[0]].code,
                         "category": test.key[1], "category_name": categories.get(test.key[1], test.key[1]),
                         "observed": test.observed, "expected": test.expected,
                         "ratio": round(test.observed / test.expected, 2) if test.expected else None,
                         "model": test.model, "baseline_windows": test.windows, "p_value": test.p_value,
                         "q_value": test.q_value, "significant": test.q_value <= alpha} for test in reported],
        "parameters": {"filters": filters.as_dict(), "days": days, "end": end.isoformat(),
                       "from": (end - timedelta(days=days - 1)).isoformat(), "tests": len(tests),
                       "false_discovery_rate": alpha, "method": EXCEEDANCE_METHOD},
    }


def _monthly_history(*, viewer, filters: IncidentFilters, resolution: int, until: date) -> tuple[list[str], list[date], np.ndarray]:
    """The study area, the months up to `until` (excluded) with data, and their counts (cells × months)."""
    area = _area(viewer=viewer, filters=filters, resolution=resolution)
    chosen = IncidentFilters(**{**filters.__dict__, "date_from": None, "date_to": until - timedelta(days=1)})
    bins = incident_counts_by_cell_and_period(viewer=viewer, filters=chosen, interval="month", resolution=resolution)
    if not bins:
        return area, [], np.zeros((len(area), 0))
    months = _periods(min(row["period"] for row in bins), until - timedelta(days=1), "month")
    return area, months, _cube(bins, area, months, "count")


def forecast_find(*, viewer, filters: IncidentFilters | None = None, period: date, resolution: int | None = None,
                  limit: int = 100) -> dict:
    """Next period's prospective hotspots (`forecast.promap`) for the month starting `period`, from
    the months before it: the cells ranked by risk, the highest first."""
    filters = filters or IncidentFilters()
    resolution = _checked(filters, resolution=resolution, by="count", alpha=ALPHA)
    period = period.replace(day=1)
    area, months, history = _monthly_history(viewer=viewer, filters=filters, resolution=resolution, until=period)
    if not months:
        raise ValueError(f"There are no incidents before {period:%B %Y} to forecast from")
    scores = forecast.promap(history, area)
    order = [index for index in forecast.ranked(scores, area) if scores[index] > 0][:limit]
    return {"cells": [{**_centre(area[index]), "score": round(float(scores[index]), 3)} for index in order],
            "parameters": {"filters": filters.as_dict(), "period": period.strftime("%Y-%m"), "resolution": resolution,
                           "months_used": len(months), "method": FORECAST_METHOD}}


def forecast_evaluate(*, viewer, filters: IncidentFilters | None = None, resolution: int | None = None,
                      periods: int = 4) -> dict:
    """ProMap's forecast against last period's counts, each judged on each of the last `periods`
    months it never saw (hit rate and PAI at 1%, 5% and 10% of the area), and their means."""
    filters = filters or IncidentFilters()
    resolution = _checked(filters, resolution=resolution, by="count", alpha=ALPHA)
    last = incident_counts_by_cell_and_period(viewer=viewer, filters=filters, interval="month", resolution=resolution)
    if not last:
        raise ValueError("There are no incidents to judge a forecast on")
    final = max(row["period"] for row in last)
    area, months, history = _monthly_history(viewer=viewer, filters=filters, resolution=resolution,
                                             until=_periods(final, final + timedelta(days=40), "month")[1])
    if len(months) < periods + forecast.STEPS:
        raise ValueError(f"Judging {periods} months needs {periods + forecast.STEPS} months of data, and there are {len(months)}")
    judged = []
    for back in range(periods, 0, -1):
        seen, actual = history[:, :-back], history[:, -back]
        judged.append({"period": months[-back].strftime("%Y-%m"), "incidents": int(actual.sum()),
                       "promap": forecast.judged(forecast.promap(seen, area), actual, area),
                       "last_period": forecast.judged(forecast.last_period(seen), actual, area)})
    means = {method: {share: {name: round(float(np.mean([month[method][share][name] for month in judged])), 3)
                              for name in ("hit_rate", "pai")} for share in forecast.SHARES}
             for method in ("promap", "last_period")}
    return {"months": judged, "means": means, "parameters": {"filters": filters.as_dict(), "resolution": resolution,
                                                             "cells": len(area), "method": FORECAST_METHOD}}
