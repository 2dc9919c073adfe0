"""Twelve months of Riverford's incident records, generated with NumPy a month of one source at
a time.

Pure: no database. `IncidentGenerator` plans the year once (how many records of each category
each month has, each source's repeat locations and repeat victims) and then makes any month of
any source on its own, from a random generator seeded by (seed, source, month). So the records
are the same whatever order they are asked for in, and a build holds one month of one source at
a time however big the city: `saferplace demo --size 272` is ten million records. The same
seed, size and end date give the same records. `incident_rows` gives them all as dicts of
`Incident` fields (the owning organisation and the data category by name and code), for tests
and small sizes."""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time

import numpy as np
import shapely

from saferplace.demo.catalogue import SOURCES, SourceSpec
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
RECORDS_PER_REPEAT_VICTIM = 40  # one victim in about this many records is a repeat victim


def period_months(end: date, count: int = 12) -> list[tuple[int, int]]:
    """The `count` complete months before the month of `end`, oldest first, as (year, month)."""
    months = []
    year, month = end.year, end.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append((year, month))
    return months[::-1]


def period_bounds(end: date, count: int = 12) -> tuple[date, date]:
    months = period_months(end, count)
    (first_year, first_month), (last_year, last_month) = months[0], months[-1]
    return date(first_year, first_month, 1), date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])


# When in the day each kind of record happens: a weight per hour, 00:00 to 23:00.
HOURS = {
    # The night-time economy: violence, disorder and ASB build through the evening and peak
    # around closing time (and later still on Friday and Saturday nights: see `_minutes`).
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


def _hour_probabilities() -> dict[str, np.ndarray]:
    """Each shape's chance of each hour, by weekday (Monday first): the small hours of a
    Saturday or Sunday and the late evening of a Friday or Saturday are busier still for the
    night-time categories."""
    shapes = {}
    for shape, weights in HOURS.items():
        base = np.tile(np.asarray(weights, dtype=float), (7, 1))
        if shape == "night":
            base[[5, 6], :4] *= 3  # Saturday and Sunday, 00:00 to 03:59: Friday and Saturday nights
            base[[4, 5], 21:] *= 2  # Friday and Saturday, from 21:00
        shapes[shape] = base / base.sum(axis=1, keepdims=True)
    return shapes


HOUR_PROBABILITIES = _hour_probabilities()


@dataclass
class MonthOfRecords:
    """One source's records of one month, as columns, in date order."""

    spec: SourceSpec
    year: int
    month: int
    days: np.ndarray  # the day of the month
    minutes: np.ndarray  # the minute of the day it happened
    categories: np.ndarray  # category codes
    labels: np.ndarray  # the source's own name for each category
    latitudes: np.ndarray  # NaN where the record has no point
    longitudes: np.ndarray
    descriptions: list[str]
    owners: np.ndarray  # the owning organisation's name
    outcomes: list[str]
    external_ids: list[str]
    people: list[str]  # the victim's reference, for a source with victim references ("" otherwise)

    def __len__(self) -> int:
        return len(self.days)

    @property
    def has_point(self) -> np.ndarray:
        return np.isfinite(self.latitudes)

    def dates(self) -> list[date]:
        return [date(self.year, self.month, day) for day in self.days.tolist()]

    def times(self) -> list[time]:
        return [time(minute // 60, minute % 60) for minute in self.minutes.tolist()]

    def rows(self) -> list[dict]:
        """The records as dicts of `Incident` fields (for tests and small sizes)."""
        spec = self.spec
        has_point = self.has_point.tolist()
        return [
            {
                "source": spec.source,
                "organisation_name": owner,
                "data_category_code": spec.data_category,
                "external_id": external_id,
                "occurred_on": occurred_on,
                "occurred_time": occurred_time,
                "occurred_precision": DatePrecision.DAY,
                "category": category,
                "source_category": label,
                "latitude": latitude if point else None,
                "longitude": longitude if point else None,
                "location_precision": spec.precision if point else LocationPrecision.NONE,
                "location_description": description,
                "outcome": outcome,
                "raw": {"synthetic": True, "generator": "saferplace demo"},
            }
            for owner, external_id, occurred_on, occurred_time, category, label, latitude, longitude, point,
            description, outcome in zip(
                self.owners.tolist(), self.external_ids, self.dates(), self.times(), self.categories.tolist(),
                self.labels.tolist(), self.latitudes.tolist(), self.longitudes.tolist(), has_point,
                self.descriptions, self.outcomes, strict=True,
            )
        ]


class _Map:
    """Where records fall: the LSOA weights are fixed by the map, not the seed."""

    def __init__(self, plan: CityPlan):
        self.plan = plan
        self.geometries = np.array([lsoa.geometry for lsoa in plan.lsoas])
        shapely.prepare(self.geometries)
        self.bounds = shapely.bounds(self.geometries)
        # How much more than its population an LSOA suffers, with the town centre and the
        # estate busier than the suburbs.
        map_generator = np.random.default_rng(GEOGRAPHY_SEED + 1)
        deprivation = map_generator.lognormal(0.0, 0.45, size=len(plan.lsoas))
        codes = [lsoa.code for lsoa in plan.lsoas]
        for key, factor in (("town-centre", 3.0), ("estate", 2.0), ("park", 1.5)):
            deprivation[codes.index(plan.hotspot_lsoas[key])] *= factor
        weights = np.array([lsoa.population for lsoa in plan.lsoas]) * deprivation
        self.lsoa_weights = weights / weights.sum()

    def background_points(self, generator: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Points spread over the city by population and deprivation (uniform in each LSOA)."""
        lsoa = generator.choice(len(self.lsoa_weights), size=count, p=self.lsoa_weights)
        latitudes = np.empty(count)
        longitudes = np.empty(count)
        pending = np.arange(count)
        while len(pending):
            min_lon, min_lat, max_lon, max_lat = self.bounds[lsoa[pending]].T
            trial_lon = generator.uniform(min_lon, max_lon)
            trial_lat = generator.uniform(min_lat, max_lat)
            inside = shapely.contains_xy(self.geometries[lsoa[pending]], trial_lon, trial_lat)
            latitudes[pending[inside]] = trial_lat[inside]
            longitudes[pending[inside]] = trial_lon[inside]
            pending = pending[~inside]
        return latitudes, longitudes

    def around(self, generator: np.random.Generator, count: int, centre) -> tuple[np.ndarray, np.ndarray]:
        spread = generator.normal(0, HOTSPOT_SPREAD_METRES, size=(count, 2))
        return (
            centre[0] + spread[:, 0] / METRES_PER_DEGREE_LATITUDE,
            centre[1] + spread[:, 1] / METRES_PER_DEGREE_LONGITUDE,
        )


@dataclass
class _SourceYear:
    """What is fixed for a source over the year, drawn once from the source's own generator."""

    number: int  # the source's place in `SOURCES`: part of every one of its generators' seeds
    counts: np.ndarray  # records of each category (rows) in each month (columns)
    offsets: np.ndarray  # records of the source before each month
    repeat_points: tuple[np.ndarray, np.ndarray]
    # Sources with victim references: each record's victim number in date order over the year;
    # victims numbered up to `repeat_victims` are repeat victims, always at their home.
    victims: np.ndarray | None = None
    repeat_victims: int = 0
    homes: tuple[np.ndarray, np.ndarray] | None = None


def _snap(latitudes: np.ndarray, longitudes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.round((np.floor(latitudes / SNAP_LATITUDE) + 0.5) * SNAP_LATITUDE, 6),
        np.round((np.floor(longitudes / SNAP_LONGITUDE) + 0.5) * SNAP_LONGITUDE, 6),
    )


class IncidentGenerator:
    """Riverford's records for one seed, size and end date, a month of one source at a time."""

    def __init__(self, *, plan: CityPlan, size: float, seed: int, end: date, months: int = 12):
        self.plan, self.size, self.seed = plan, size, seed
        self.months = period_months(end, months)
        self.month_days = np.array([calendar.monthrange(year, month)[1] for year, month in self.months])
        self.map = _Map(plan)
        self._years: dict[str, _SourceYear] = {}

    def count(self, spec: SourceSpec | None = None) -> int:
        """How many records the source makes over the year (every source's, without one)."""
        specs = [spec] if spec else SOURCES
        return int(sum(self._year(each).counts.sum() for each in specs))

    def batches(self, spec: SourceSpec) -> Iterator[MonthOfRecords]:
        for month_number in range(len(self.months)):
            yield self.batch(spec, month_number)

    def _year(self, spec: SourceSpec) -> _SourceYear:
        if spec.source not in self._years:
            self._years[spec.source] = self._plan_year(spec)
        return self._years[spec.source]

    def _plan_year(self, spec: SourceSpec) -> _SourceYear:
        number = next(position for position, each in enumerate(SOURCES) if each.source == spec.source)
        generator = np.random.default_rng([self.seed, number])
        repeat_points = self.map.background_points(generator, REPEAT_LOCATIONS_PER_SOURCE)
        month_numbers = np.array([month for _, month in self.months])
        counts = []
        for category in spec.categories:
            seasonal = 1 + category.seasonality * np.cos(2 * np.pi * (month_numbers - category.peak_month) / 12)
            weights = self.month_days * seasonal
            per_period = category.per_year * self.size * len(self.months) / 12
            counts.append(generator.multinomial(int(round(per_period)), weights / weights.sum()))
        counts = np.array(counts, dtype=np.int64).reshape(len(spec.categories), len(self.months))
        by_month = counts.sum(axis=0)
        year = _SourceYear(number, counts, np.concatenate([[0], np.cumsum(by_month)[:-1]]), repeat_points)
        if spec.victim_references:
            self._plan_victims(year, generator, int(by_month.sum()), spec)
        return year

    def _plan_victims(self, year: _SourceYear, generator: np.random.Generator, total: int, spec: SourceSpec) -> None:
        """Most victims appear once; a few (repeat victims) three to eight times over the year,
        at the same home each time."""
        victims = np.arange(1, total + 1)
        cursor = repeat = 0
        for victim in range(max(1, total // RECORDS_PER_REPEAT_VICTIM)):
            times = int(generator.integers(3, 9))
            if cursor + times > total:
                break
            victims[cursor : cursor + times] = victim + 1
            cursor += times
            repeat = victim + 1
        year.victims = victims[generator.permutation(total)]
        year.repeat_victims = repeat
        latitudes, longitudes = self.map.background_points(generator, repeat)
        homeless = generator.uniform(size=repeat) < spec.no_location_share
        latitudes[homeless] = longitudes[homeless] = np.nan
        year.homes = (latitudes, longitudes)

    def batch(self, spec: SourceSpec, month_number: int) -> MonthOfRecords:
        """The source's records of one month (0 is the first of the twelve)."""
        year = self._year(spec)
        generator = np.random.default_rng([self.seed, year.number, month_number + 1])
        parts = [
            self._category_part(generator, spec, index, int(year.counts[index, month_number]), month_number,
                                year.repeat_points)
            for index in range(len(spec.categories))
        ]
        category_index = np.concatenate([part[0] for part in parts]).astype(np.int64)
        days = np.concatenate([part[1] for part in parts]).astype(np.int64)
        latitudes = np.concatenate([part[2] for part in parts]).astype(np.float64)
        longitudes = np.concatenate([part[3] for part in parts]).astype(np.float64)
        places = np.concatenate([part[4] for part in parts]).astype(object)
        order = np.argsort(days, kind="stable")  # references rise with the date
        category_index, days, latitudes, longitudes, places = (
            category_index[order], days[order], latitudes[order], longitudes[order], places[order]
        )
        count = len(days)
        first = int(year.offsets[month_number])
        victims = None
        if year.victims is not None:
            victims = year.victims[first : first + count]
            at_home = np.flatnonzero(victims <= year.repeat_victims)
            latitudes[at_home] = year.homes[0][victims[at_home] - 1]
            longitudes[at_home] = year.homes[1][victims[at_home] - 1]
            places[at_home] = ""
        if spec.precision == LocationPrecision.SNAPPED:
            latitudes, longitudes = _snap(latitudes, longitudes)
        else:
            latitudes, longitudes = np.round(latitudes, 6), np.round(longitudes, 6)
        calendar_year, month = self.months[month_number]
        owners = np.full(count, spec.organisation, dtype=object)
        if spec.other_organisation:
            other, share = spec.other_organisation
            owners[generator.uniform(size=count) < share] = other
        outcomes = [spec.outcomes[each] for each in generator.choice(len(spec.outcomes), size=count).tolist()] \
            if spec.outcomes else [""] * count
        weekdays = (date(calendar_year, month, 1).weekday() + days - 1) % 7
        external_ids = [f"{spec.id_prefix}-{calendar_year}-{number:06d}" for number in range(first + 1, first + count + 1)]
        people = ([f"{spec.victim_references}-{victim:05d}" for victim in victims.tolist()] if victims is not None
                  else [""] * count)
        return MonthOfRecords(
            spec=spec, year=calendar_year, month=month, days=days,
            minutes=_minutes(generator, spec, category_index, weekdays),
            categories=np.array([category.code for category in spec.categories], dtype=object)[category_index],
            labels=np.array([category.label for category in spec.categories], dtype=object)[category_index],
            latitudes=latitudes, longitudes=longitudes,
            descriptions=_descriptions(spec, latitudes, longitudes, places),
            owners=owners, outcomes=outcomes, external_ids=external_ids, people=people,
        )

    def _category_part(self, generator, spec: SourceSpec, index: int, count: int, month_number: int, repeat_points):
        """Category number, day, point and hotspot name of one category's records of a month."""
        category = spec.categories[index]
        latitudes = np.full(count, np.nan)
        longitudes = np.full(count, np.nan)
        places = np.array([""] * count, dtype=object)
        # Each record is at a hotspot, at a repeat location, or anywhere, by the category's shares.
        choices = ["background", *category.hotspots, "repeat"]
        shares = [*category.hotspots.values(), category.repeat_share]
        where = generator.choice(len(choices), size=count, p=[1 - sum(shares), *shares])
        for number, choice in enumerate(choices):
            chosen = np.flatnonzero(where == number)
            if not len(chosen):
                continue
            if choice == "background":
                latitudes[chosen], longitudes[chosen] = self.map.background_points(generator, len(chosen))
            elif choice == "repeat":
                weights = 1 / np.arange(1, len(repeat_points[0]) + 1)
                picks = generator.choice(len(weights), size=len(chosen), p=weights / weights.sum())
                latitudes[chosen], longitudes[chosen] = repeat_points[0][picks], repeat_points[1][picks]
            else:
                latitudes[chosen], longitudes[chosen] = self.map.around(
                    generator, len(chosen), self.plan.hotspot_points[choice]
                )
                places[chosen] = HOTSPOTS[choice][0]
        missing = generator.uniform(size=count) < spec.no_location_share
        latitudes[missing] = longitudes[missing] = np.nan
        places[missing] = ""
        days = np.floor(generator.uniform(size=count) * self.month_days[month_number]).astype(np.int64) + 1
        return np.full(count, index), days, latitudes, longitudes, places


def _minutes(generator, spec: SourceSpec, category_index: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """The minute of the day each record happened, by its category's hours and its weekday."""
    shape_of = np.array([HOURS_OF_CATEGORY.get(category.code, "calls") for category in spec.categories], dtype=object)
    shapes = shape_of[category_index] if len(category_index) else np.array([], dtype=object)
    hours = np.zeros(len(category_index), dtype=np.int64)
    for shape, probabilities in HOUR_PROBABILITIES.items():
        for weekday in range(7):
            chosen = np.flatnonzero((shapes == shape) & (weekdays == weekday))
            if len(chosen):
                hours[chosen] = generator.choice(24, size=len(chosen), p=probabilities[weekday])
    return hours * 60 + generator.integers(0, 60, size=len(category_index))


def street_names(latitudes: np.ndarray, longitudes: np.ndarray) -> list[str]:
    """The name of the demo street nearest each point (`demo.streets`): what the records say
    they are "on or near" is a street the maps draw."""
    return street_names_at(latitudes, longitudes)


def _descriptions(spec: SourceSpec, latitudes: np.ndarray, longitudes: np.ndarray, places: np.ndarray) -> list[str]:
    """Where each record is, in words: its hotspot's name, else the demo street nearest it
    (`demo.streets`: a street the maps draw); "On or near" it for a snapped point, as police.uk
    writes; nothing for a record with no point."""
    streets = street_names(latitudes, longitudes)
    prefix = "On or near " if spec.precision == LocationPrecision.SNAPPED else ""
    return [
        "" if not street and not place else f"{prefix}{place or street}"
        for place, street in zip(places.tolist(), streets, strict=True)
    ]


def incident_rows(*, plan: CityPlan, size: float, seed: int, end: date) -> list[dict]:
    """Every source's records for the 12 complete months before the month of `end`, as dicts,
    source by source in date order, each with the time of day it happened (which only some
    sources' files carry). For tests and small sizes: a big city is made a month at a time."""
    generator = IncidentGenerator(plan=plan, size=size, seed=seed, end=end)
    return [row for spec in SOURCES for batch in generator.batches(spec) for row in batch.rows()]
