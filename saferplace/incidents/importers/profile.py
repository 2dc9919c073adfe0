"""Any partner's CSV or XLSX, read through a saved mapping profile (which column is the date,
the category, the location; how the partner's categories map to the taxonomy).

What a profile import replaces: earlier incidents of the same source and owning organisation
whose external ids appear in this file (a corrected or updated extract replaces those
records). A file with no id column, and rows with a blank id, are appended. Importing the same
file twice changes nothing (the run is recorded as unchanged). See
docs/importers/mapping-profiles.md."""

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from saferplace.incidents.importers import store
from saferplace.incidents.importers.base import FileRefused, ImportContext, Importer
from saferplace.incidents.importers.dates import checked_dates
from saferplace.incidents.importers.locations import LsoaCodes, PointLocator
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
    DatePrecision,
    IncidentCategory,
    LocationKind,
    LocationPrecision,
    MappingProfile,
    PostcodeCentroid,
)
from saferplace.incidents.source_blocks import SourceFile, SourceTable

SPREADSHEET_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")  # how a date cell reads as text


def _what(profile: MappingProfile) -> str:
    return f"a file for the mapping profile {profile.name!r}"


def profile_columns(profile: MappingProfile) -> list[str]:
    """The columns a file must have for this profile."""
    columns = [profile.date_column, profile.category_column]
    if profile.location_kind == LocationKind.COORDINATES:
        columns += [profile.latitude_column, profile.longitude_column]
    elif profile.location_kind == LocationKind.POSTCODE:
        columns.append(profile.postcode_column)
    elif profile.location_kind == LocationKind.LSOA:
        columns.append(profile.lsoa_column)
    columns += [name for name in (profile.external_id_column, profile.outcome_column, profile.description_column) if name]
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


def _date_parser(date_format: str):
    def parse(text: str) -> date | None:
        text = text.strip()
        for pattern in (date_format, *SPREADSHEET_DATE_FORMATS):
            try:
                return datetime.strptime(text, pattern).date()
            except (ValueError, OverflowError):  # not this format, or no date at all (year 0)
                continue
        return None

    return parse


def date_precision(date_format: str) -> DatePrecision:
    return DatePrecision.DAY if ("%d" in date_format or "%j" in date_format) else DatePrecision.MONTH


class ProfileImporter(Importer):
    name = "profile"
    label = "Partner file (mapping profile)"
    description = "Any partner's CSV or XLSX file, read through a saved mapping profile."
    needs_profile = True
    inserts_incidents = True
    accepts = "CSV or XLSX"

    def prepare(self, context: ImportContext) -> PreparedFile:
        profile = context.profile
        what = _what(profile)
        frame = read_table(context.path, what=what, sheet=context.options.get("sheet"))
        if is_spreadsheet(context.path):
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

        dates_text = column_values(frame, profile.date_column)
        dates, date_problems = checked_dates(
            dates_text, _date_parser(profile.date_format), field=profile.date_column, unreadable=lambda text: (
                f"{profile.date_column} is blank" if not text.strip()
                else f"{profile.date_column} {text!r} is not a date in the profile's format {profile.date_format}"
            ),
        )
        checks.fail(date_problems != "", profile.date_column, date_problems)

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
                "occurred_precision": date_precision(profile.date_format).value,
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
            postcodes = np.array([normalise_postcode(text) for text in column_values(frame, profile.postcode_column).tolist()], dtype=object)
            wanted = sorted(set(pd.unique(postcodes).tolist()) - {""})
            centres = {}
            for start in range(0, len(wanted), 500):
                centres.update({
                    postcode: (latitude, longitude)
                    for postcode, latitude, longitude in PostcodeCentroid.objects.filter(
                        postcode__in=wanted[start : start + 500]
                    ).values_list("postcode", "latitude", "longitude")
                })
            unknown = (postcodes != "") & ~np.isin(postcodes, list(centres))
            checks.fail(unknown, profile.postcode_column, "postcode not in the loaded postcode lookup")
            latitudes = np.array([repr(centres[code][0]) if code in centres else "" for code in postcodes.tolist()], dtype=object)
            longitudes = np.array([repr(centres[code][1]) if code in centres else "" for code in postcodes.tolist()], dtype=object)
            located = PointLocator().locate(latitudes, longitudes)
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

