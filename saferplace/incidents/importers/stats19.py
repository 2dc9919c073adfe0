"""STATS19 road collisions: the Department for Transport's published collision CSV
("dft-road-casualty-statistics-collision-<year>.csv"), in its current column names
(collision_index, collision_severity, lsoa_of_collision_location…) or the older ones
(accident_index, accident_severity, lsoa_of_accident_location…). One incident per collision;
a republished year replaces that year (partition "stats19|<year>").
See docs/importers/stats19.md."""

from datetime import date, datetime

import numpy as np
import pandas as pd

from saferplace.incidents.importers import store
from saferplace.incidents.importers.base import FileRefused, ImportContext, Importer
from saferplace.incidents.importers.dates import checked_dates, checked_times, year_problem
from saferplace.incidents.importers.locations import LsoaCodes, PointLocator
from saferplace.incidents.importers.options import organisation_option
from saferplace.incidents.importers.reading import (
    column_values,
    format_hint,
    map_distinct,
    pick_column,
    read_header,
)
from saferplace.incidents.importers.rows import (
    PreparedChunk,
    PreparedFile,
    RowChecks,
    incidents_write,
    located_subset,
    location_precisions,
    prepare_csv_chunks,
)
from saferplace.incidents.models import EXTERNAL_ID_LENGTH, DatePrecision, LocationPrecision

WHAT = "a STATS19 road collision file"
SOURCE = "stats19"
DATA_CATEGORY = "road-safety"
SEVERITIES = {"1": "road-collision-fatal", "2": "road-collision-serious", "3": "road-collision-slight"}
SEVERITY_NAMES = {"1": "Fatal", "2": "Serious", "3": "Slight"}
MISSING = ("", "NULL", "-1", "null")
# Each field: the names it has had in DfT's files, newest first.
ALIASES = {
    "index": ["collision_index", "accident_index"],
    "year": ["collision_year", "accident_year"],
    "reference": ["collision_ref_no", "collision_reference", "accident_reference"],
    "severity": ["collision_severity", "accident_severity"],
    "date": ["date"],
    "time": ["time"],
    "longitude": ["longitude"],
    "latitude": ["latitude"],
    "lsoa": ["lsoa_of_collision_location", "lsoa_of_accident_location"],
}
REQUIRED = ["index", "severity", "date", "longitude", "latitude"]


def parse_date(text: str) -> date | None:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class Stats19Importer(Importer):
    name = "stats19"
    label = "STATS19 road collisions"
    hint = "The Department for Transport's road collision CSV (one row per collision)."
    documentation = "stats19.md"
    options = (organisation_option("the organisation whose records these are (name or id)", required=True),)
    source = SOURCE
    needs_organisation = True
    inserts_incidents = True

    def prepare(self, context: ImportContext) -> PreparedFile:
        expected = [ALIASES[key][0] for key in REQUIRED]
        header = read_header(context.path, what=WHAT, expected=expected)
        columns = {key: pick_column(header, names) for key, names in ALIASES.items()}
        missing = [" or ".join(ALIASES[key]) for key in REQUIRED if columns[key] is None]
        if missing:
            hint = format_hint(header)
            raise FileRefused(
                f"This is not {WHAT}: expected the columns {', '.join(expected)} (or their older accident_… names) "
                f"but the header has {', '.join(header) or 'nothing'} (missing: {'; '.join(missing)}).{(' ' + hint) if hint else ''}"
            )
        prepared = PreparedFile(lsoa=LsoaCodes(columns["lsoa"] or "lsoa"))
        locator = PointLocator(
            latitude_field=columns["latitude"], longitude_field=columns["longitude"], blank_values=MISSING
        )
        return prepare_csv_chunks(
            context, what=WHAT, header=header, prepared=prepared,
            prepare_chunk=lambda chunk: self._prepare_chunk(context, chunk, columns, locator, prepared),
        )

    def _prepare_chunk(self, context, chunk, columns: dict, locator: PointLocator, prepared: PreparedFile) -> PreparedChunk:
        frame = chunk.frame
        context.rows_read += len(frame)
        checks = RowChecks(context, frame, chunk.row_numbers)
        checks.incomplete(chunk.incomplete, frame.columns[-1])

        identifiers = column_values(frame, columns["index"])
        checks.fail(identifiers == "", columns["index"], f"{columns['index']} is blank")
        checks.too_long(identifiers, columns["index"], EXTERNAL_ID_LENGTH)

        dates_text = column_values(frame, columns["date"])
        dates, date_problems = checked_dates(dates_text, parse_date, field=columns["date"], unreadable=lambda text: (
            f"{columns['date']} {text!r} is not a date like 31/12/2024"
        ))
        checks.fail(date_problems != "", columns["date"], date_problems)

        if columns["time"]:  # 17:45; blank or NULL when the time is not known
            times, time_problems = checked_times(column_values(frame, columns["time"]), field=columns["time"], blank=MISSING)
            checks.fail(time_problems != "", columns["time"], time_problems)
        else:
            times = None

        severities = np.array([value.strip() for value in column_values(frame, columns["severity"]).tolist()], dtype=object)
        categories = map_distinct(severities, SEVERITIES.get)
        checks.fail(pd.isna(categories), columns["severity"], map_distinct(severities, lambda text: (
            f"{columns['severity']} {text!r} is not 1 (fatal), 2 (serious) or 3 (slight)"
        )))

        located = locator.locate(column_values(frame, columns["latitude"]), column_values(frame, columns["longitude"]))
        checks.fail_located(located)

        if columns["lsoa"]:
            raw_codes = column_values(frame, columns["lsoa"])
            raw_codes = map_distinct(raw_codes, lambda code: "" if code in MISSING else code)  # once per distinct code
            lsoa_codes, lsoa_problems = prepared.lsoa.check(raw_codes)
            checks.fail(lsoa_problems != "", columns["lsoa"], lsoa_problems)
        else:
            lsoa_codes = np.full(len(frame), "", dtype=object)

        if columns["year"]:
            years = column_values(frame, columns["year"])
            # The year names the partition a republished year replaces: only a real year will do.
            year_problems = map_distinct(years, lambda text: year_problem(text, field=columns["year"]))
            checks.fail(year_problems != "", columns["year"], year_problems)
            years = np.where(years == "", [str(each.year) if each else "" for each in dates], years).astype(object)
        else:
            years = np.array([str(each.year) if each else "" for each in dates], dtype=object)

        kept = np.flatnonzero(~checks.failed)
        partitions = map_distinct(years[kept], lambda year: "stats19|" + year.strip())
        prepared.partitions.update(pd.unique(partitions).tolist())
        kept_severities = severities[kept]
        return PreparedChunk(
            size=len(kept),
            columns={
                "source": SOURCE,
                "partition": partitions,
                "import_run": context.run.pk,
                "owning_organisation": context.organisation.pk,
                "external_id": identifiers[kept],
                "occurred_on": dates[kept],
                "occurred_precision": DatePrecision.DAY.value,
                "occurred_time": times[kept] if times is not None else None,
                "category": categories[kept],
                "source_category": np.array([SEVERITY_NAMES[value] for value in kept_severities.tolist()], dtype=object),
                "latitude": located.latitude[kept],
                "longitude": located.longitude[kept],
                "location_precision": location_precisions(located.has_point[kept], LocationPrecision.EXACT.value),
                "location_description": "",
                "h3_cell": located.h3_cell[kept],
                "outcome": "",
                "source_row": chunk.row_numbers[kept],
            },
            data_category=np.full(len(kept), DATA_CATEGORY, dtype=object),
            lsoa_codes=lsoa_codes[kept],
            located=located_subset(located, kept),
        )

    def write(self, context: ImportContext, prepared: PreparedFile) -> None:
        context.rows_replaced = store.incidents_delete_partitions(
            source=SOURCE, partitions=prepared.partitions, owning_organisation_id=context.organisation.pk
        )
        incidents_write(context, prepared)
