"""Twelve months of Riverford's incident records, generated with NumPy from one seed.

Pure: no database. Each row is a dict of `Incident` fields, except that the owning
organisation and the data category are given by name and code (`organisation_name`,
`data_category_code`); the caller swaps them for ids. The same seed, size and end date give
the same rows in the same order."""

import calendar
from datetime import date, time

import numpy as np
import shapely

from saferplace.demo.catalogue import SOURCES, CategorySpec, SourceSpec
from saferplace.demo.geography import (
    GEOGRAPHY_SEED,
    HOTSPOTS,
    METRES_PER_DEGREE_LATITUDE,
    METRES_PER_DEGREE_LONGITUDE,
    CityPlan,
)
from saferplace.demo.streets import street_names_at
from saferplace.incidents.models import DatePrecision, LocationPrecision

# Police locations are snapped to the middle of a grid square of about 100 m, as police.uk
# snaps crimes to anonymous map points; each is described by the street nearest it.
SNAP_LATITUDE = 0.0009
SNAP_LONGITUDE = 0.0015
HOTSPOT_SPREAD_METRES = 70
REPEAT_LOCATIONS_PER_SOURCE = 12


def period_months(end: date) -> list[tuple[int, int]]:
    """The 12 complete months before the month of `end`, oldest first, as (year, month)."""
    months = []
    year, month = end.year, end.month
    for _ in range(12):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append((year, month))
    return months[::-1]


def period_bounds(end: date) -> tuple[date, date]:
    months = period_months(end)
    (first_year, first_month), (last_year, last_month) = months[0], months[-1]
    return date(first_year, first_month, 1), date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])


class _Sampler:
    """Draws dates and points for one build; the LSOA weights are fixed by the map."""

    def __init__(self, plan: CityPlan, generator: np.random.Generator, end: date):
        self.plan = plan
        self.generator = generator
        self.months = period_months(end)
        self.month_days = np.array([calendar.monthrange(year, month)[1] for year, month in self.months])
        self.geometries = np.array([lsoa.geometry for lsoa in plan.lsoas])
        shapely.prepare(self.geometries)
        self.bounds = shapely.bounds(self.geometries)
        # How much more than its population an LSOA suffers: fixed by the map, not the seed,
        # with the town centre and the estate busier than the suburbs.
        map_generator = np.random.default_rng(GEOGRAPHY_SEED + 1)
        deprivation = map_generator.lognormal(0.0, 0.45, size=len(plan.lsoas))
        codes = [lsoa.code for lsoa in plan.lsoas]
        for key, factor in (("town-centre", 3.0), ("estate", 2.0), ("park", 1.5)):
            deprivation[codes.index(plan.hotspot_lsoas[key])] *= factor
        weights = np.array([lsoa.population for lsoa in plan.lsoas]) * deprivation
        self.lsoa_weights = weights / weights.sum()

    def dates(self, count: int, category: CategorySpec) -> list[date]:
        month_numbers = np.array([month for _, month in self.months])
        seasonal = 1 + category.seasonality * np.cos(2 * np.pi * (month_numbers - category.peak_month) / 12)
        weights = self.month_days * seasonal
        chosen = self.generator.choice(len(self.months), size=count, p=weights / weights.sum())
        days = np.floor(self.generator.uniform(size=count) * self.month_days[chosen]).astype(int) + 1
        return [
            date(self.months[month][0], self.months[month][1], day)
            for month, day in zip(chosen.tolist(), days.tolist(), strict=True)
        ]

    def background_points(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Points spread over the city by population and deprivation (uniform in each LSOA)."""
        lsoa = self.generator.choice(len(self.lsoa_weights), size=count, p=self.lsoa_weights)
        latitudes = np.empty(count)
        longitudes = np.empty(count)
        pending = np.arange(count)
        while len(pending):
            min_lon, min_lat, max_lon, max_lat = self.bounds[lsoa[pending]].T
            trial_lon = self.generator.uniform(min_lon, max_lon)
            trial_lat = self.generator.uniform(min_lat, max_lat)
            inside = shapely.contains_xy(self.geometries[lsoa[pending]], trial_lon, trial_lat)
            latitudes[pending[inside]] = trial_lat[inside]
            longitudes[pending[inside]] = trial_lon[inside]
            pending = pending[~inside]
        return latitudes, longitudes

    def around(self, count: int, centre: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        spread = self.generator.normal(0, HOTSPOT_SPREAD_METRES, size=(count, 2))
        return (
            centre[0] + spread[:, 0] / METRES_PER_DEGREE_LATITUDE,
            centre[1] + spread[:, 1] / METRES_PER_DEGREE_LONGITUDE,
        )


def _snap(latitudes: np.ndarray, longitudes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.round((np.floor(latitudes / SNAP_LATITUDE) + 0.5) * SNAP_LATITUDE, 6),
        np.round((np.floor(longitudes / SNAP_LONGITUDE) + 0.5) * SNAP_LONGITUDE, 6),
    )


def street_names(latitudes: np.ndarray, longitudes: np.ndarray) -> list[str]:
    """The name of the demo street nearest each point (`demo.streets`): what the records say
    they are "on or near" is a street the maps draw."""
    return street_names_at(latitudes, longitudes)


def _category_rows(sampler: _Sampler, spec: SourceSpec, category: CategorySpec, size: float, repeat_points) -> dict:
    """Column arrays for the records of one category."""
    generator = sampler.generator
    count = int(round(category.per_year * size))
    latitudes = np.full(count, np.nan)
    longitudes = np.full(count, np.nan)
    places = np.array([""] * count, dtype=object)
    # Each record is at a hotspot, at a repeat location, or anywhere, by the category's shares.
    choices = ["background", *category.hotspots, "repeat"]
    shares = [*category.hotspots.values(), category.repeat_share]
    probabilities = [1 - sum(shares), *shares]
    where = generator.choice(len(choices), size=count, p=probabilities)
    for number, choice in enumerate(choices):
        chosen = np.flatnonzero(where == number)
        if not len(chosen):
            continue
        if choice == "background":
            latitudes[chosen], longitudes[chosen] = sampler.background_points(len(chosen))
        elif choice == "repeat":
            weights = 1 / np.arange(1, len(repeat_points[0]) + 1)
            picks = generator.choice(len(weights), size=len(chosen), p=weights / weights.sum())
            latitudes[chosen], longitudes[chosen] = repeat_points[0][picks], repeat_points[1][picks]
        else:
            latitudes[chosen], longitudes[chosen] = sampler.around(len(chosen), sampler.plan.hotspot_points[choice])
            places[chosen] = HOTSPOTS[choice][0]
    missing = generator.uniform(size=count) < spec.no_location_share
    latitudes[missing] = longitudes[missing] = np.nan
    places[missing] = ""
    return {
        "occurred_on": sampler.dates(count, category),
        "latitude": latitudes,
        "longitude": longitudes,
        "place": places,
        "category": [category.code] * count,
        "label": [category.label] * count,
    }


def _victims(generator: np.random.Generator, count: int, latitudes, longitudes) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Victim numbers for `count` records: most appear once, a few (repeat victims) three to
    eight times, at the same home location each time."""
    victims = np.arange(1, count + 1)
    repeat_victims = max(1, count // 40)
    cursor = 0
    for victim in range(repeat_victims):
        times = int(generator.integers(3, 9))
        if cursor + times > count:
            break
        victims[cursor : cursor + times] = victim + 1
        latitudes[cursor : cursor + times] = latitudes[cursor]
        longitudes[cursor : cursor + times] = longitudes[cursor]
        cursor += times
    order = generator.permutation(count)
    return victims[order].tolist(), latitudes[order], longitudes[order]


def _source_rows(sampler: _Sampler, spec: SourceSpec, size: float) -> list[dict]:
    generator = sampler.generator
    repeat_points = sampler.background_points(REPEAT_LOCATIONS_PER_SOURCE)
    parts = [_category_rows(sampler, spec, category, size, repeat_points) for category in spec.categories]
    columns = {key: np.concatenate([np.asarray(part[key], dtype=object) for part in parts]) for key in parts[0]}
    count = len(columns["occurred_on"])
    if count == 0:
        return []
    latitudes = columns["latitude"].astype(np.float64)
    longitudes = columns["longitude"].astype(np.float64)
    if spec.precision == LocationPrecision.SNAPPED:
        latitudes, longitudes = _snap(latitudes, longitudes)
    else:
        latitudes, longitudes = np.round(latitudes, 6), np.round(longitudes, 6)
    order = np.argsort(columns["occurred_on"], kind="stable")  # references rise with the date
    for key in columns:
        columns[key] = columns[key][order]
    latitudes, longitudes = latitudes[order], longitudes[order]
    victims = None
    if spec.victim_references:
        victims, latitudes, longitudes = _victims(generator, count, latitudes, longitudes)
    streets = street_names(latitudes, longitudes)
    owners = np.full(count, spec.organisation, dtype=object)
    if spec.other_organisation:
        other, share = spec.other_organisation
        owners[generator.uniform(size=count) < share] = other
    outcomes = (
        generator.choice(len(spec.outcomes), size=count).tolist() if spec.outcomes else [None] * count
    )
    rows = []
    for position in range(count):
        occurred_on = columns["occurred_on"][position]
        has_point = not np.isnan(latitudes[position])
        if victims is not None:
            external_id = f"{spec.victim_references}-{victims[position]:05d}"
        else:
            external_id = f"{spec.id_prefix}-{occurred_on.year}-{position + 1:06d}"
        if not has_point:
            description = ""
        elif columns["place"][position]:
            description = columns["place"][position]
        else:
            description = streets[position]
        if has_point and spec.precision == LocationPrecision.SNAPPED:
            description = f"On or near {description}"
        rows.append({
            "source": spec.source,
            "organisation_name": owners[position],
            "data_category_code": spec.data_category,
            "external_id": external_id,
            "occurred_on": occurred_on,
            "occurred_precision": DatePrecision.DAY,
            "category": columns["category"][position],
            "source_category": columns["label"][position],
            "latitude": float(latitudes[position]) if has_point else None,
            "longitude": float(longitudes[position]) if has_point else None,
            "location_precision": spec.precision if has_point else LocationPrecision.NONE,
            "location_description": description,
            "outcome": spec.outcomes[outcomes[position]] if spec.outcomes else "",
            "raw": {"synthetic": True, "generator": "saferplace demo"},
        })
    return rows


# When in the day each kind of record happens: a weight per hour, 00:00 to 23:00.
HOURS = {
    # The night-time economy: violence, disorder and ASB build through the evening and peak
    # around closing time (and later still on Friday and Saturday nights: see `_times`).
    "night": [6, 5, 4, 2, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6, 7, 8, 9, 9, 8],
    "day": [0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.5, 3, 5, 6, 6, 6, 6, 6, 5.5, 5, 4, 3, 2, 1.5, 1, 0.8, 0.6],
    "evening": [1, 0.6, 0.3, 0.2, 0.1, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.5, 1.8, 2.2, 3, 4.5, 5.5, 6.5, 7, 6.5, 5, 3.5, 2],
    "commute": [0.5, 0.4, 0.3, 0.3, 0.4, 0.8, 2, 4.5, 6, 4, 3, 3.2, 3.5, 3.5, 3.8, 5, 6.5, 6.5, 4.5, 3, 2.2, 1.6, 1.2, 0.8],
    "home": [5, 4, 3, 2, 1.2, 0.8, 0.7, 1, 1.5, 2, 2.2, 2.4, 2.6, 2.8, 3, 3.5, 4, 5, 6, 7, 7.5, 7.5, 7, 6],
    "calls": [3, 2.5, 2, 1.5, 1.2, 1.2, 1.5, 2.2, 3, 3.5, 3.8, 4, 4, 4, 4.2, 4.5, 5, 5.2, 5.5, 5.8, 6, 6, 5.5, 4.5],
}
HOURS_OF_CATEGORY = {
    **dict.fromkeys(["violent-crime", "public-order", "anti-social-behaviour", "assault-attendance", "robbery",
                     "theft-from-the-person", "possession-of-weapons", "criminal-damage-arson"], "night"),
    **dict.fromkeys(["shoplifting", "other-theft", "bicycle-theft", "fly-tipping", "litter", "graffiti",
                     "abandoned-vehicle", "drug-litter", "youth-referral", "child-concern", "adult-at-risk-concern"], "day"),
    **dict.fromkeys(["drugs", "vehicle-crime", "deliberate-secondary-fire", "deliberate-primary-fire",
                     "youth-detached-contact", "youth-centre-session"], "evening"),
    **dict.fromkeys(["road-collision-slight", "road-collision-serious", "road-collision-fatal"], "commute"),
    **dict.fromkeys(["domestic-abuse-incident", "domestic-abuse-crime", "accidental-dwelling-fire", "burglary"], "home"),
}
TIMES_SEED = 24  # mixed with the build's seed: the times draw from their own generator


def _times(rows: list[dict], generator: np.random.Generator) -> None:
    """Give every row the time of day it happened (`occurred_time`), by its category's hours;
    the small hours of a Saturday or Sunday and the late evening of a Friday or Saturday are
    busier still for the night-time categories."""
    for shape, weights in HOURS.items():
        chosen = [row for row in rows if HOURS_OF_CATEGORY.get(row["category"], "calls") == shape]
        if not chosen:
            continue
        base = np.asarray(weights, dtype=float)
        probabilities = np.tile(base / base.sum(), (7, 1))  # by weekday, Monday first
        if shape == "night":
            weekend = np.tile(base, (7, 1))
            weekend[[5, 6], :4] *= 3  # Saturday and Sunday, 00:00 to 03:59: Friday and Saturday nights
            weekend[[4, 5], 21:] *= 2  # Friday and Saturday, from 21:00
            probabilities = weekend / weekend.sum(axis=1, keepdims=True)
        weekdays = np.array([row["occurred_on"].weekday() for row in chosen])
        hours = np.empty(len(chosen), dtype=np.int64)
        for weekday in range(7):
            on_day = np.flatnonzero(weekdays == weekday)
            hours[on_day] = generator.choice(24, size=len(on_day), p=probabilities[weekday])
        minutes = generator.integers(0, 60, size=len(chosen))
        for row, hour, minute in zip(chosen, hours.tolist(), minutes.tolist(), strict=True):
            row["occurred_time"] = time(hour, minute)


def incident_rows(*, plan: CityPlan, size: float, seed: int, end: date) -> list[dict]:
    """Every source's rows for the 12 complete months before the month of `end`, each with the
    time of day it happened (which only some sources' files carry)."""
    sampler = _Sampler(plan, np.random.default_rng(seed), end)
    rows: list[dict] = []
    for spec in SOURCES:
        rows.extend(_source_rows(sampler, spec, size))
    _times(rows, np.random.default_rng([seed, TIMES_SEED]))
    return rows
