"""The demo city's partner data as the files partners really send: police.uk street-level crime
files and outcomes files (one of each a month, as data.police.uk publishes them), DfT STATS19
collision files (one a year) and each other partner's own spreadsheet export, read through a
saved mapping profile. `saferplace demo` writes these files and imports them with the same
importers an analyst uses, so the demo exercises the whole intake path.

The files are written a month of one source at a time (`IncidentGenerator`), and each is handed
over as soon as it is complete, to be imported before the next is written: however big the
city, no more than a month of one source's records is in memory at once."""

import csv
import hashlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from saferplace.demo.catalogue import SOURCES, SourceSpec
from saferplace.demo.incident_data import IncidentGenerator, MonthOfRecords
from saferplace.incidents.models import LocationKind
from saferplace.incidents.taxonomy import POLICE_UK_CRIME_TYPES
from saferplace.places.geometry import assign_places
from saferplace.places.models import Place, PlaceKind

POLICE_UK_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
OUTCOMES_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                   "LSOA code", "LSOA name", "Outcome type"]
STATS19_HEADER = ["collision_index", "collision_year", "collision_ref_no", "location_easting_osgr",
                  "location_northing_osgr", "longitude", "latitude", "police_force", "collision_severity",
                  "number_of_vehicles", "number_of_casualties", "date", "day_of_week", "time",
                  "local_authority_ons_district", "lsoa_of_collision_location"]
PARTNER_HEADER = ["Reference", "Date", "Type", "Latitude", "Longitude", "Location", "Outcome"]
AREA_HEADER = ["Reference", "Date", "Type", "Area code", "Outcome"]
CRIME_TYPE_LABELS = {code: label for label, code in POLICE_UK_CRIME_TYPES.items()}
SEVERITY_CODES = {"road-collision-fatal": "1", "road-collision-serious": "2", "road-collision-slight": "3"}
POLICE_SOURCES = {"police-crime", "police-asb"}
ROAD_SOURCE = "road-collisions"
# A partner's export bigger than this is sent as a file per few months (an import holds its
# whole file in memory: about 1.5 kB a record).
RECORDS_PER_EXPORT = 600_000
CLOCK = [f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(24 * 60)]  # minute of the day → "23:15"


@dataclass(frozen=True)
class ProfileSpec:
    """A partner's export and the mapping profile that reads it."""

    name: str
    description: str
    organisation: str
    data_category: str
    source: str
    category_map: dict[str, str]
    by_area: bool = False  # located by an LSOA code column rather than coordinates
    times: bool = True  # the export's dates carry the time of day, like 31/01/2026 23:15

    @property
    def names_people(self) -> bool:
        """Whether the export says whose record it is (a victim's reference: a person column)."""
        return bool(_spec(self.source).victim_references)

    def header(self) -> list[str]:
        return (AREA_HEADER if self.by_area else PARTNER_HEADER) + (["Victim"] if self.names_people else [])

    def profile_fields(self) -> dict:
        located = (
            {"location_kind": LocationKind.LSOA, "lsoa_column": "Area code"}
            if self.by_area
            else {"location_kind": LocationKind.COORDINATES, "latitude_column": "Latitude",
                  "longitude_column": "Longitude", "description_column": "Location"}
        )
        return {
            "name": self.name, "description": self.description, "source": self.source,
            "date_column": "Date", "date_format": self.date_format, "category_column": "Type",
            "category_map": self.category_map, "external_id_column": "Reference",
            "outcome_column": "Outcome", **located, **({"person_column": "Victim"} if self.names_people else {}),
        }


    @property
    def date_format(self) -> str:
        return "%d/%m/%Y %H:%M" if self.times else "%d/%m/%Y"

    def date_texts(self, batch: MonthOfRecords) -> list[str]:
        """The records' dates as the export writes them (with the time of day, if it has one)."""
        days = _day_texts(batch)
        if not self.times:
            return [days[day] for day in batch.days.tolist()]
        return [f"{days[day]} {CLOCK[minute]}" for day, minute in zip(batch.days.tolist(), batch.minutes.tolist(), strict=True)]


@dataclass(frozen=True)
class DemoUpload:
    """Files `saferplace demo` writes that a demo persona may upload again in the browser (the
    Imports page): the persona's organisation owns their records and the persona's role imports."""

    persona: str
    files: str  # a pattern under the demo's source directory (DATA_DIR/demo-sources)
    importer: str
    what: str
    profile: str = ""  # a partner's file: the mapping profile that reads it


DEMO_UPLOADS = [
    DemoUpload("analyst.police", "police-uk/*-fenshire-street.csv", "police-uk", "police.uk street-level crime, a month a file"),
    DemoUpload("analyst.police", "police-uk/*-fenshire-outcomes.csv", "police-uk-outcomes", "police.uk outcomes"),
    DemoUpload("analyst.police", "stats19/*.csv", "stats19", "STATS19 road collisions, a year a file"),
    # In a big city these two come as a file per few months (see RECORDS_PER_EXPORT: calls for
    # service from --size 67, environmental reports from --size 172).
    DemoUpload("analyst.police", "partners/riverford-police-calls*.csv", "profile", "calls for service",
               "riverford-police-calls"),
    DemoUpload("analyst.council", "partners/riverford-council-environmental*.csv", "profile", "environmental reports",
               "riverford-council-environmental"),
    DemoUpload("analyst.council", "partners/riverford-youth-contacts.csv", "profile", "youth service contacts",
               "riverford-youth-contacts"),
]
# The other files in partners/ are the fire service's, the CVS's and the health trust's (no demo
# persona of theirs imports), and the police's domestic abuse and safeguarding records (special
# categories, which no role that imports may open): the command line imports them, as the operator.


@dataclass
class SourceFile:
    importer: str
    path: Path
    source: str  # the source its incidents have once imported (police-uk, stats19, a profile's)
    records: int = 0  # the incidents it brings in (an outcomes file brings in none: it updates them)
    options: dict = field(default_factory=dict)
    profile: ProfileSpec | None = None


def _profile_specs() -> dict[tuple[str, str], ProfileSpec]:
    """One profile per (source, owning organisation) of the sources partners send as spreadsheets."""
    specs = {}
    for spec in SOURCES:
        if spec.source in POLICE_SOURCES or spec.source == ROAD_SOURCE:
            continue
        owners = [spec.organisation] + ([spec.other_organisation[0]] if spec.other_organisation else [])
        for owner in owners:
            suffix = "" if owner == spec.organisation else "-cvs"
            specs[(spec.source, owner)] = ProfileSpec(
                name=f"riverford-{spec.source}{suffix}",
                description=f"{owner}: {spec.source.replace('-', ' ')} export",
                organisation=owner,
                data_category=spec.data_category,
                source=spec.source,
                category_map={category.label: category.code for category in spec.categories},
                by_area=spec.source == "youth-contacts",
                times=spec.source != "youth-contacts",  # the youth service records the day of a session only
            )
    return specs


class _PlaceCodes:
    """LSOA code and name of points, from the demo geography already in the database."""

    def __init__(self):
        lsoas = Place.objects.filter(kind=PlaceKind.LSOA)
        self.codes = dict(lsoas.values_list("id", "code"))
        self.names = dict(lsoas.values_list("id", "name"))

    def lsoas(self, batch: MonthOfRecords) -> tuple[list[str], list[str]]:
        ids = assign_places(batch.latitudes, batch.longitudes)[PlaceKind.LSOA].tolist()
        return [self.codes.get(i, "") for i in ids], [self.names.get(i, "") for i in ids]


def _coordinates(values: np.ndarray) -> list[str]:
    return ["" if value != value else f"{value:.6f}" for value in values.tolist()]  # NaN: no point


def _day_texts(batch: MonthOfRecords) -> list[str]:
    """Day of the month → "31/01/2026" (index 0 unused)."""
    return [""] + [f"{day:02d}/{batch.month:02d}/{batch.year}" for day in range(1, 32)]


class _CsvFile:
    """A CSV file written a month at a time."""

    def __init__(self, path: Path, header: list[str]):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(header)
        self.records = 0

    def write(self, lines, records: int) -> None:
        self.writer.writerows(lines)
        self.records += records

    def close(self) -> Path:
        self.handle.close()
        return self.path


Written = Callable[[int], None]  # told how many records were just written


def _spec(source: str) -> SourceSpec:
    return next(spec for spec in SOURCES if spec.source == source)


def _partner_files(generator: IncidentGenerator, directory: Path, codes: _PlaceCodes, written: Written):
    """Each partner's export: a file per profile (a source may be shared by two owners), or, for
    a source with more than `RECORDS_PER_EXPORT` records in the year, a file per few months."""
    profiles = _profile_specs()
    for spec in SOURCES:
        owned = {owner: profile for (source, owner), profile in profiles.items() if source == spec.source}
        if not owned:
            continue
        count = generator.count(spec)
        every = len(generator.months)
        months_per_file = every if count <= RECORDS_PER_EXPORT else max(1, int(RECORDS_PER_EXPORT // (count / every)))
        batches = list(range(len(generator.months)))
        for first in range(0, len(batches), months_per_file):
            year, month = generator.months[first]
            suffix = "" if months_per_file >= every else f"-{year}-{month:02d}"
            with ExitStack() as stack:
                files = {owner: _CsvFile(directory / "partners" / f"{profile.name}{suffix}.csv", profile.header())
                         for owner, profile in owned.items()}
                for each in files.values():
                    stack.callback(each.handle.close)
                for month_number in batches[first : first + months_per_file]:
                    batch = generator.batch(spec, month_number)
                    lines = _partner_lines(batch, codes, next(iter(owned.values())))
                    for owner, file in files.items():
                        mine = np.flatnonzero(batch.owners == owner).tolist()
                        file.write((lines[position] for position in mine), len(mine))
                    written(len(batch))
            for owner, file in files.items():
                if file.records:
                    yield SourceFile("profile", file.close(), spec.source, file.records, profile=owned[owner])
                else:
                    file.path.unlink()


def _partner_lines(batch: MonthOfRecords, codes: _PlaceCodes, profile: ProfileSpec) -> list[list[str]]:
    labels = {code: label for label, code in profile.category_map.items()}
    kinds = [labels[category] for category in batch.categories.tolist()]
    dates = profile.date_texts(batch)
    people = [batch.people] if profile.names_people else []
    if profile.by_area:
        lsoa_codes, _ = codes.lsoas(batch)
        return [list(line) for line in zip(batch.external_ids, dates, kinds, lsoa_codes, batch.outcomes, *people,
                                           strict=True)]
    return [list(line) for line in zip(
        batch.external_ids, dates, kinds, _coordinates(batch.latitudes), _coordinates(batch.longitudes),
        batch.descriptions, batch.outcomes, *people, strict=True,
    )]


def _stats19_files(generator: IncidentGenerator, directory: Path, codes: _PlaceCodes, district: str,
                   written: Written) -> Iterator[SourceFile]:
    """DfT's collision files, one a calendar year, each handed over once its last month is written."""
    spec = _spec(ROAD_SOURCE)
    options = {"organisation": spec.organisation}
    files: dict[int, _CsvFile] = {}
    number = 0
    try:
        for month_number, batch in enumerate(generator.batches(spec)):
            if batch.year not in files:
                for year in list(files):  # the year before is complete
                    file = files.pop(year)
                    yield SourceFile("stats19", file.close(), "stats19", file.records, options)
                files[batch.year] = _CsvFile(
                    directory / "stats19" / f"dft-road-casualty-statistics-collision-{batch.year}.csv", STATS19_HEADER
                )
            lines, number = _stats19_lines(batch, codes, district, number, generator.seed, month_number)
            files[batch.year].write(lines, len(batch))
            written(len(batch))
        for year in list(files):
            file = files.pop(year)
            yield SourceFile("stats19", file.close(), "stats19", file.records, options)
    finally:
        for file in files.values():
            file.handle.close()


def _stats19_lines(batch: MonthOfRecords, codes: _PlaceCodes, district: str, number: int, seed: int,
                   month_number: int) -> tuple[list[list[str]], int]:
    lsoa_codes, _ = codes.lsoas(batch)
    draws = np.random.default_rng([seed, 19, month_number])
    vehicles = draws.integers(1, 4, size=len(batch))
    casualties = draws.integers(1, vehicles + 2)
    days = _day_texts(batch)
    first_weekday = date(batch.year, batch.month, 1).weekday()  # Monday 0
    lines = []
    for day, minute, latitude, longitude, category, lsoa_code, vehicle_count, casualty_count in zip(
        batch.days.tolist(), batch.minutes.tolist(), _coordinates(batch.latitudes), _coordinates(batch.longitudes),
        batch.categories.tolist(), lsoa_codes, vehicles.tolist(), casualties.tolist(), strict=True,
    ):
        number += 1
        reference = f"99{number:07d}"
        day_of_week = (first_weekday + day) % 7 + 1  # STATS19's: Sunday 1, Monday 2 … Saturday 7
        lines.append([
            f"{batch.year}{reference}", str(batch.year), reference, "", "", longitude, latitude, "99",
            SEVERITY_CODES[category], str(vehicle_count), str(casualty_count), days[day], str(day_of_week),
            CLOCK[minute], district, lsoa_code,
        ])
    return lines, number


def _police_uk_files(generator: IncidentGenerator, directory: Path, codes: _PlaceCodes, force: str,
                     written: Written) -> Iterator[SourceFile]:
    """A month's street-level file (crime and ASB), then the month's outcomes file: the later
    outcomes of that month's crimes, as police.uk publishes them."""
    crime, asb = _spec("police-crime"), _spec("police-asb")
    for month_number in range(len(generator.months)):
        batches = [generator.batch(crime, month_number), generator.batch(asb, month_number)]
        year, month = generator.months[month_number]
        streets, outcomes, records = _police_uk_lines(batches, codes, force)
        path = directory / "police-uk" / f"{year}-{month:02d}-fenshire-street.csv"
        street_file = _CsvFile(path, POLICE_UK_HEADER)
        street_file.write(streets, records)
        written(records)
        yield SourceFile("police-uk", street_file.close(), "police-uk", records, {"organisation": force})
        if outcomes:
            outcomes_file = _CsvFile(directory / "police-uk" / f"{year}-{month:02d}-fenshire-outcomes.csv", OUTCOMES_HEADER)
            outcomes_file.write(outcomes, 0)
            yield SourceFile("police-uk-outcomes", outcomes_file.close(), "police-uk", 0, {"organisation": force})


def _police_uk_lines(batches: list[MonthOfRecords], codes: _PlaceCodes, force: str):
    """The month's street-level lines in date order, and its outcomes lines."""
    lines = []
    for batch in batches:
        lsoa_codes, lsoa_names = codes.lsoas(batch)
        month = f"{batch.year}-{batch.month:02d}"
        for day, external_id, category, longitude, latitude, description, lsoa_code, lsoa_name, outcome in zip(
            batch.days.tolist(), batch.external_ids, batch.categories.tolist(), _coordinates(batch.longitudes),
            _coordinates(batch.latitudes), batch.descriptions, lsoa_codes, lsoa_names, batch.outcomes, strict=True,
        ):
            lines.append((day, external_id, category, [
                "", month, force, force, longitude, latitude, description or "No location", lsoa_code, lsoa_name,
            ], outcome))
    lines.sort(key=lambda line: (line[0], line[1]))
    streets, outcomes = [], []
    for _, external_id, category, common, outcome in lines:
        is_asb = category == "anti-social-behaviour"
        if not is_asb:
            common[0] = hashlib.sha256(external_id.encode()).hexdigest()
        # As published: the last outcome known when the month's file was made.
        first_outcome = "" if is_asb else "Under investigation"
        streets.append([*common, CRIME_TYPE_LABELS[category], first_outcome, ""])
        if not is_asb and outcome and outcome != first_outcome:
            outcomes.append([*common, outcome])
    return streets, outcomes, len(lines)


def source_files_write(
    *, generator: IncidentGenerator, directory: Path, force: str, district: str, written: Written | None = None,
) -> Iterator[SourceFile]:
    """Write every source's records as that source's files, handing over each file as soon as
    it is complete, in the order to import them: the partners' exports first (a profile import
    replaces earlier records with the same ids, a pass over its owner's records per 10,000 ids,
    so they go in while there are few), then the STATS19 years, then the police.uk months, each
    followed by its outcomes file. `written` is told each time records are written."""
    codes = _PlaceCodes()
    written = written or (lambda records: None)
    yield from _partner_files(generator, directory, codes, written)
    yield from _stats19_files(generator, directory, codes, district, written)
    yield from _police_uk_files(generator, directory, codes, force, written)
