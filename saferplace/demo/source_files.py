"""The demo city's partner data as the files partners really send: police.uk street-level crime
files (one a month, as data.police.uk publishes them), a police.uk outcomes file, DfT STATS19
collision files (one a year) and each other partner's own spreadsheet export, read through a
saved mapping profile. `saferplace demo` writes these files and imports them with the same
importers an analyst uses, so the demo exercises the whole intake path."""

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from saferplace.demo.catalogue import SOURCES
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

    def header(self) -> list[str]:
        return AREA_HEADER if self.by_area else PARTNER_HEADER

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
            "outcome_column": "Outcome", **located,
        }


    @property
    def date_format(self) -> str:
        return "%d/%m/%Y %H:%M" if self.times else "%d/%m/%Y"

    def date_text(self, row: dict) -> str:
        """The row's date as the export writes it (with its time of day, where it has one)."""
        if self.times and row.get("occurred_time") is not None:
            return f"{row['occurred_on']:%d/%m/%Y} {row['occurred_time']:%H:%M}"
        return row["occurred_on"].strftime("%d/%m/%Y")


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
    DemoUpload("analyst.police", "partners/riverford-police-calls.csv", "profile", "calls for service",
               "riverford-police-calls"),
    DemoUpload("analyst.council", "partners/riverford-council-environmental.csv", "profile", "environmental reports",
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
    options: dict = field(default_factory=dict)
    profile: ProfileSpec | None = None


def _profile_specs() -> dict[tuple[str, str], ProfileSpec]:
    """One profile per (source, owning organisation) of the sources partners send as spreadsheets."""
    specs = {}
    for spec in SOURCES:
        if spec.source in POLICE_SOURCES or spec.source == "road-collisions":
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
        self.names = dict(Place.objects.filter(kind=PlaceKind.LSOA).values_list("id", "code"))
        self.labels = dict(Place.objects.filter(kind=PlaceKind.LSOA).values_list("id", "name"))

    def lsoas(self, rows: list[dict]) -> tuple[list[str], list[str]]:
        latitudes = np.array([row["latitude"] if row["latitude"] is not None else np.nan for row in rows])
        longitudes = np.array([row["longitude"] if row["longitude"] is not None else np.nan for row in rows])
        ids = assign_places(latitudes, longitudes)[PlaceKind.LSOA].tolist()
        return [self.names.get(i, "") for i in ids], [self.labels.get(i, "") for i in ids]


def _coordinate(value) -> str:
    return "" if value is None else f"{value:.6f}"


def _write(path: Path, header: list[str], rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _police_uk_files(rows: list[dict], directory: Path, codes: _PlaceCodes, force: str) -> list[SourceFile]:
    lsoa_codes, lsoa_names = codes.lsoas(rows)
    by_month: dict[str, list[list[str]]] = defaultdict(list)
    outcomes: dict[str, list[list[str]]] = defaultdict(list)
    for row, lsoa_code, lsoa_name in zip(rows, lsoa_codes, lsoa_names, strict=True):
        month = row["occurred_on"].strftime("%Y-%m")
        is_asb = row["category"] == "anti-social-behaviour"
        crime_id = "" if is_asb else hashlib.sha256(row["external_id"].encode()).hexdigest()
        location = row["location_description"] or "No location"
        common = [crime_id, month, force, force, _coordinate(row["longitude"]), _coordinate(row["latitude"]),
                  location, lsoa_code, lsoa_name]
        # As published: the last outcome known when the month's file was made.
        first_outcome = "" if is_asb else "Under investigation"
        by_month[month].append([*common, CRIME_TYPE_LABELS[row["category"]], first_outcome, ""])
        if not is_asb and row["outcome"] and row["outcome"] != first_outcome:
            outcomes[month].append([*common, row["outcome"]])
    files = [
        SourceFile("police-uk", _write(directory / "police-uk" / f"{month}-fenshire-street.csv", POLICE_UK_HEADER, lines),
                   {"organisation": force})
        for month, lines in sorted(by_month.items())
    ]
    # One outcomes file, as police.uk publishes them, carrying the later outcomes of every month.
    if outcomes:
        lines = [line for month in sorted(outcomes) for line in outcomes[month]]
        last = max(outcomes)
        files.append(SourceFile("police-uk-outcomes",
                                _write(directory / "police-uk" / f"{last}-fenshire-outcomes.csv", OUTCOMES_HEADER, lines),
                                {"organisation": force}))
    return files


def _stats19_files(rows: list[dict], directory: Path, codes: _PlaceCodes, owner: str, district: str) -> list[SourceFile]:
    lsoa_codes, _ = codes.lsoas(rows)
    by_year: dict[int, list[list[str]]] = defaultdict(list)
    generator = np.random.default_rng(19)
    for number, (row, lsoa_code) in enumerate(zip(rows, lsoa_codes, strict=True), start=1):
        day = row["occurred_on"]
        reference = f"99{number:07d}"
        vehicles = int(generator.integers(1, 4))
        by_year[day.year].append([
            f"{day.year}{reference}", str(day.year), reference, "", "", _coordinate(row["longitude"]),
            _coordinate(row["latitude"]), "99", SEVERITY_CODES[row["category"]], str(vehicles),
            str(int(generator.integers(1, vehicles + 2))), day.strftime("%d/%m/%Y"), str(day.isoweekday() % 7 + 1),
            row["occurred_time"].strftime("%H:%M") if row.get("occurred_time") else "", district, lsoa_code,
        ])
    return [
        SourceFile("stats19", _write(directory / "stats19" / f"dft-road-casualty-statistics-collision-{year}.csv",
                                     STATS19_HEADER, lines), {"organisation": owner})
        for year, lines in sorted(by_year.items())
    ]


def _partner_file(rows: list[dict], directory: Path, codes: _PlaceCodes, profile: ProfileSpec) -> SourceFile:
    labels = {code: label for label, code in profile.category_map.items()}
    if profile.by_area:
        lsoa_codes, _ = codes.lsoas(rows)
        lines = [[row["external_id"], profile.date_text(row), labels[row["category"]], code,
                  row["outcome"]] for row, code in zip(rows, lsoa_codes, strict=True)]
    else:
        lines = [[row["external_id"], profile.date_text(row), labels[row["category"]],
                  _coordinate(row["latitude"]), _coordinate(row["longitude"]), row["location_description"],
                  row["outcome"]] for row in rows]
    path = _write(directory / "partners" / f"{profile.name}.csv", profile.header(), lines)
    return SourceFile("profile", path, profile=profile)


def source_files_write(*, rows: list[dict], directory: Path, force: str, district: str) -> list[SourceFile]:
    """Write every source's rows as that source's file format; returns them in import order."""
    codes = _PlaceCodes()
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["source"], row["organisation_name"])].append(row)
    police = [row for (source, _), group in groups.items() if source in POLICE_SOURCES for row in group]
    police.sort(key=lambda row: (row["occurred_on"], row["external_id"]))
    files = _police_uk_files(police, directory, codes, force)
    collisions = [row for (source, _), group in groups.items() if source == "road-collisions" for row in group]
    owner = next(spec.organisation for spec in SOURCES if spec.source == "road-collisions")
    files += _stats19_files(sorted(collisions, key=lambda row: row["occurred_on"]), directory, codes, owner, district)
    for key, profile in _profile_specs().items():
        if groups.get(key):
            files.append(_partner_file(groups[key], directory, codes, profile))
    return files


