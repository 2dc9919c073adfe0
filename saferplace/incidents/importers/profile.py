"""Any partner's CSV or XLSX, read through a saved mapping profile (which column is the date,
the category, the location; how the partner's categories map to the taxonomy).

What a profile import replaces: earlier incidents of the same source and owning organisation
whose external ids appear in this file (a corrected or updated extract replaces those
records). A file with no id column, and rows with a blank id, are appended. Importing the same
file twice changes nothing (the run is recorded as unchanged) while the store holds what it
stored (`unchanged.py`). The date column is read in the profile's way of writing dates, a time
of day after the date kept (`date_formats.py`); a profile's time column, if it names one, gives
the time of day instead (`time_read`). See docs/importers/mapping-profiles.md."""

import re
from datetime import time
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection

from saferplace.incidents.importers import store
from saferplace.incidents.importers.base import FileRefused, ImportContext, Importer
from saferplace.incidents.importers.date_formats import date_format_named, date_parser
from saferplace.incidents.importers.dates import checked_dates_and_times, parse_time
from saferplace.incidents.importers.locations import LsoaCodes, PointLocator
from saferplace.incidents.importers.options import ORGANISATION, PROFILE, ImporterOption
from saferplace.incidents.importers.people import people_insert, pseudonymised
from saferplace.incidents.importers.reading import (
    column_values,
    is_spreadsheet,
    map_distinct,
    read_table,
)
from saferplace.incidents.importers.rows import (
    PreparedChunk,
    PreparedFile,
    RowChecks,
    incidents_write,
    located_subset,
    location_precisions,
)
from saferplace.incidents.models import (
    EXTERNAL_ID_LENGTH,
    IncidentCategory,
    LocationKind,
    LocationPrecision,
    MappingProfile,
    PostcodeCentroid,
)
from saferplace.incidents.source_blocks import SourceFile, SourceTable


def _what(profile: MappingProfile) -> str:
    return f"a file for the mapping profile {profile.name!r}"


# A time column's value, besides what `dates.parse_time` reads (23:15, 23.15, 23:15:00, 11:15 pm,
# 11.15 p.m.): four digits as 24-hour clocks write them (2315, 0905), or three where a
# spreadsheet dropped the leading zero of a number (905); an hour with am or pm (11 pm, 11pm).
_DIGITS_TIME = re.compile(r"(?P<hour>\d{1,2})(?P<minute>\d{2})", re.ASCII)
_HOUR_TIME = re.compile(r"(?P<hour>\d{1,2})\s*(?P<half>[ap])\.?\s?m\.?", re.ASCII | re.IGNORECASE)
TIME_EXAMPLES = "23:15, 23:15:00, 11:15 pm or 2315"


def time_read(text: str) -> time | None:
    """The time of day a time column's value stands for; None for a value that is no time of day
    (25:00, 23:60, 13:05 pm, 2400, "late"). A spreadsheet's time cell reads as 23:15:00."""
    text = text.strip()
    found = parse_time(text)
    if found is not None:
        return found
    match = _DIGITS_TIME.fullmatch(text) or _HOUR_TIME.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    hour, minute = int(parts["hour"]), int(parts.get("minute") or 0)
    half = (parts.get("half") or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def checked_time_column(texts: np.ndarray, *, field: str) -> tuple[np.ndarray, np.ndarray]:
    """Each value's time of day (None where it is blank) and the problem with it ("" where none),
    worked out once per distinct value."""
    codes, uniques = pd.factorize(texts)
    times = np.empty(len(uniques), dtype=object)
    problems = np.empty(len(uniques), dtype=object)
    for position, text in enumerate(uniques):
        value = time_read(text) if text.strip() else None
        times[position] = value
        problems[position] = (
            f"{field} {text!r} is not a time of day like {TIME_EXAMPLES}" if text.strip() and value is None else ""
        )
    return times[codes], problems[codes]


def profile_columns(profile: MappingProfile) -> list[str]:
    """The columns a file must have for this profile."""
    columns = [profile.date_column, profile.category_column]
    if profile.location_kind == LocationKind.COORDINATES:
        columns += [profile.latitude_column, profile.longitude_column]
    elif profile.location_kind == LocationKind.POSTCODE:
        columns.append(profile.postcode_column)
    elif profile.location_kind == LocationKind.LSOA:
        columns.append(profile.lsoa_column)
    columns += [name for name in (profile.time_column, profile.external_id_column, profile.outcome_column,
                                  profile.description_column, profile.person_column) if name]
    return [name for name in columns if name]


def profile_preview(*, path: Path, sheet: str | None = None, rows: int = 10) -> tuple[list[str], list[list[str]]]:
    """The header and first rows of a CSV or XLSX file, for building a profile. Raises
    `FileRefused` for a file that cannot be read."""
    frame = read_table(Path(path), what="a CSV or XLSX file", sheet=sheet, rows=rows)
    if not len(frame.columns):
        raise FileRefused("The file has no header row.")
    return [str(name) for name in frame.columns], [[str(value) for value in row] for row in frame.itertuples(index=False)]


def normalise_postcode(text: str) -> str:
    return "".join(text.split()).upper()


POSTCODES_PER_QUERY = 2000


def _postcode_centres(texts: np.ndarray):
    """Each row's postcode centre (located, with places and H3 cells) and whether its postcode is
    given but not in the loaded lookup. Each distinct postcode is normalised and looked up once,
    by the postcode's index, and the answers broadcast to the rows with hash look-ups: the
    lookup holds millions of postcodes (2.6 million in the ONSPD), the file as many as it has."""
    codes, uniques = pd.factorize(texts)
    normalised = [normalise_postcode(text) for text in uniques]
    wanted = sorted(set(normalised) - {""})
    centres: dict[str, tuple[float, float]] = {}
    quote, meta = connection.ops.quote_name, PostcodeCentroid._meta
    postcode, latitude, longitude = (quote(meta.get_field(name).column) for name in ("postcode", "latitude", "longitude"))
    select = f"SELECT {postcode}, {latitude}, {longitude} FROM {quote(meta.db_table)} WHERE {postcode} IN "  # noqa: S608
    with connection.cursor() as cursor:  # the ORM's IN would prepare each of a million values one by one
        for start in range(0, len(wanted), POSTCODES_PER_QUERY):
            part = wanted[start : start + POSTCODES_PER_QUERY]
            cursor.execute(select + "(" + ", ".join(["%s"] * len(part)) + ")", part)
            centres.update((code, (lat, lon)) for code, lat, lon in cursor.fetchall())
    found = [centres.get(postcode) for postcode in normalised]
    latitudes = np.array([repr(centre[0]) if centre else "" for centre in found], dtype=object)
    longitudes = np.array([repr(centre[1]) if centre else "" for centre in found], dtype=object)
    unknown = np.array([bool(code) and centre is None for code, centre in zip(normalised, found, strict=True)], dtype=bool)
    return PointLocator().locate(latitudes[codes], longitudes[codes]), unknown[codes]


class ProfileImporter(Importer):
    name = "profile"
    label = "A partner's file, with a saved mapping profile"
    hint = "Any partner's CSV or XLSX file, laid out as a saved mapping profile describes."
    documentation = "mapping-profiles.md"
    extensions = (".csv", ".xlsx")
    options = (
        ImporterOption(PROFILE, "the mapping profile's name", metavar="NAME", positional=True, on_the_web=False),
        ImporterOption(ORGANISATION, "the profile's organisation, when several have a profile of that name",
                       metavar="NAME", for_operator=True, on_the_web=False),
        ImporterOption("sheet", "for a workbook: the sheet to read (default the first)", metavar="SHEET"),
    )
    needs_profile = True
    inserts_incidents = True

    def prepare(self, context: ImportContext) -> PreparedFile:
        profile = context.profile
        what = _what(profile)
        frame = read_table(context.path, what=what, sheet=context.options.get("sheet"))
        named = bool(profile.person_column) and profile.person_column in frame.columns
        if named:  # nothing keeps the references as written, not even the copy of the file
            frame = pseudonymised(frame, profile.person_column, organisation_id=profile.owning_organisation_id)
        if named or is_spreadsheet(context.path):
            context.keep_source(SourceTable([str(name) for name in frame.columns], frame.itertuples(index=False)))
        else:
            context.keep_source(SourceFile(context.path))
        context.source_records = len(frame)
        expected = profile_columns(profile)
        missing = [name for name in expected if name not in frame.columns]
        if missing:
            raise FileRefused(
                f"This is not {what}: expected the columns {', '.join(expected)} but the header has "
                f"{', '.join(map(str, frame.columns)) or 'nothing'} (missing: {', '.join(missing)})."
            )
        blank = np.ones(len(frame), dtype=bool)
        for name in frame.columns:
            blank &= frame[name].to_numpy(dtype=object) == ""
        numbers = np.arange(2, len(frame) + 2, dtype=np.int64)[~blank]
        frame = frame[~blank].reset_index(drop=True)
        context.total = len(frame)
        context.rows_read = len(frame)
        checks = RowChecks(context, frame, numbers)
        prepared = PreparedFile(lsoa=LsoaCodes(profile.lsoa_column or "LSOA"))

        # The date, and the time of day where the value has one (a spreadsheet's date cells need no format).
        date_format = date_format_named(profile.date_format)
        dates_text = column_values(frame, profile.date_column)
        dates, times, date_problems = checked_dates_and_times(
            dates_text, date_parser(date_format.code), field=profile.date_column, unreadable=lambda text: (
                f"{profile.date_column} is blank" if not text.strip()
                else f"{profile.date_column} {text!r} is not a date {date_format.as_written}"
            ),
        )
        checks.fail(date_problems != "", profile.date_column, date_problems)
        if profile.time_column:
            # The time column's time wins over one written after the date; where it is blank, the
            # date's own time (if any) is kept.
            column_times, time_problems = checked_time_column(column_values(frame, profile.time_column),
                                                              field=profile.time_column)
            checks.fail(time_problems != "", profile.time_column, time_problems)
            given = pd.notna(column_times)
            times = np.where(given, column_times, times)

        categories, reasons = self._categories(profile, column_values(frame, profile.category_column))
        checks.fail(pd.isna(categories), profile.category_column, reasons)

        located, lsoa_codes, precision = self._locations(profile, frame, checks, prepared)
        if profile.external_id_column:
            checks.too_long(column_values(frame, profile.external_id_column), profile.external_id_column, EXTERNAL_ID_LENGTH)
        context.report_read(len(frame))

        kept = np.flatnonzero(~checks.failed)

        def optional(column: str) -> object:
            return column_values(frame, column)[kept] if column else ""

        identifiers = column_values(frame, profile.external_id_column)[kept] if profile.external_id_column else ""
        if named:
            prepared.people.append((numbers[kept], column_values(frame, profile.person_column)[kept]))
        prepared.external_ids = set(pd.unique(identifiers).tolist()) - {""} if profile.external_id_column else set()
        prepared.chunks.append(PreparedChunk(
            size=len(kept),
            columns={
                "source": profile.source,
                "partition": f"profile:{profile.name}",
                "import_run": context.run.pk,
                "owning_organisation": profile.owning_organisation_id,
                "external_id": identifiers,
                "occurred_on": dates[kept],
                "occurred_precision": date_format.precision.value,
                "occurred_time": times[kept],
                "category": categories[kept],
                "source_category": column_values(frame, profile.category_column)[kept],
                "latitude": located.latitude[kept],
                "longitude": located.longitude[kept],
                "location_precision": location_precisions(located.has_point[kept], precision),
                "location_description": optional(profile.description_column),
                "h3_cell": located.h3_cell[kept],
                "outcome": optional(profile.outcome_column),
                "source_row": numbers[kept],
            },
            data_category=np.full(len(kept), profile.data_category.code, dtype=object),
            lsoa_codes=lsoa_codes[kept],
            located=located_subset(located, kept),
        ))
        return prepared

    def _categories(self, profile: MappingProfile, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        known = set(IncidentCategory.objects.values_list("code", flat=True))
        mapping = {str(key).strip(): str(code) for key, code in (profile.category_map or {}).items()}
        default = profile.default_category.code if profile.default_category_id else None

        def category(text: str) -> str | None:
            code = mapping.get(text.strip())
            if code is not None:  # "" (rejected by the profile) and unknown codes are not categories
                return code if code in known else None
            return default

        def reason(text: str) -> str:
            code = mapping.get(text.strip())
            if code == "":  # the profile says: reject rows with this value
                return f"{profile.category_column} {text!r} is a category the profile rejects"
            if code is not None and code not in known:
                return f"{profile.category_column} {text!r} maps to {code!r}, which is not a category in the taxonomy"
            if not text.strip():
                return f"{profile.category_column} is blank and the profile has no default category"
            return f"{profile.category_column} {text!r} is not in the profile's category map and the profile has no default category"

        categories = map_distinct(values, category)
        return categories, map_distinct(values, reason) if pd.isna(categories).any() else np.full(len(values), "", dtype=object)

    def _locations(self, profile: MappingProfile, frame, checks: RowChecks, prepared: PreparedFile):
        size = len(frame)
        blank_codes = np.full(size, "", dtype=object)
        kind = profile.location_kind
        if kind == LocationKind.COORDINATES:
            locator = PointLocator(latitude_field=profile.latitude_column, longitude_field=profile.longitude_column)
            located = locator.locate(column_values(frame, profile.latitude_column), column_values(frame, profile.longitude_column))
            checks.fail_located(located)
            return located, blank_codes, LocationPrecision.EXACT.value
        if kind == LocationKind.POSTCODE:
            located, unknown = _postcode_centres(column_values(frame, profile.postcode_column))
            checks.fail(unknown, profile.postcode_column, "postcode not in the loaded postcode lookup")
            return located, blank_codes, LocationPrecision.SNAPPED.value
        empty = np.full(size, "", dtype=object)
        located = PointLocator().locate(empty, empty)
        if kind == LocationKind.LSOA:
            codes, problems = prepared.lsoa.check(column_values(frame, profile.lsoa_column))
            checks.fail(problems != "", profile.lsoa_column, problems)
            return located, codes, LocationPrecision.NONE.value
        return located, blank_codes, LocationPrecision.NONE.value

    def write(self, context: ImportContext, prepared: PreparedFile) -> None:
        profile = context.profile
        context.rows_replaced = store.incidents_delete_external_ids(
            source=profile.source, owning_organisation_id=profile.owning_organisation_id,
            external_ids=prepared.external_ids,
        )
        incidents_write(context, prepared)
        for source_rows, people in prepared.people:
            people_insert(run_id=context.run.pk, source_rows=source_rows, people=people)

