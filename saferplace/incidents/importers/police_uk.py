"""police.uk street-level crime CSV, exactly as published (data.police.uk/data/): one file per
force and month. Every row is an incident (blank Crime IDs for ASB and identical rows are kept,
never deduplicated); re-importing a force's month replaces that month (partition
"<Falls within>|<Month>") of the importing organisation's records, never anyone else's. The
records are the organisation's named in "Reported by" when one has exactly that name (and the
viewer may import for it), else the run's. See docs/importers/police-uk.md."""

import csv
import re
from datetime import date
from pathlib import Path

import pandas as pd

from saferplace.incidents.importers import store
from saferplace.incidents.importers.base import ImportContext, Importer
from saferplace.incidents.importers.dates import checked_dates
from saferplace.incidents.importers.locations import LsoaCodes, PointLocator
from saferplace.incidents.importers.options import organisation_option
from saferplace.incidents.importers.outcome_history import (
    outcomes_after_replace,
    outcomes_before_replace,
)
from saferplace.incidents.importers.reading import (
    column_values,
    combined_strings,
    format_hint,
    map_distinct,
    read_header,
    require_columns,
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
from saferplace.incidents.taxonomy import POLICE_UK_CRIME_TYPES
from saferplace.partners.models import Organisation, OrganisationKind
from saferplace.partners.names import name_key

COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]
WHAT = "a police.uk street-level crime file"
OWNER_COLUMN = "Reported by"  # the force whose records the file holds (docs/decisions.md)
SOURCE = "police-uk"
ASB_CATEGORY = POLICE_UK_CRIME_TYPES["Anti-social behaviour"]
# ASCII digits only: the text is part of the partition key, so "２０２６-０５" must not pass as a
# second May 2026 that a re-import of "2026-05" would not replace.
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


def parse_month(text: str) -> date | None:
    """The first day of a month written like 2026-05. Year 0, which no calendar has, reads as
    the earliest date there is, so that its row is rejected as before 1900."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(max(int(match.group(1)), date.min.year), int(match.group(2)), 1)


def month_problem(text: str) -> str:
    return "Month is blank" if not text.strip() else f"Month {text!r} is not a year and month like 2026-05"


class PoliceUkImporter(Importer):
    name = "police-uk"
    label = "police.uk street-level crime"
    hint = "A street-level crime CSV exactly as published by data.police.uk, one force and month per file."
    documentation = "police-uk.md"
    options = (
        organisation_option("the organisation whose records these are (name or id); by default the one "
                            "named in the file's Reported by column", required=False),
    )
    source = SOURCE
    needs_organisation = True
    owner_column = OWNER_COLUMN
    owner_kind = OrganisationKind.POLICE
    inserts_incidents = True

    def file_owner_name(self, path: Path) -> str:
        """The force in the first record's Reported by column ("" if the file cannot say)."""
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                records = csv.reader(handle)
                header = [name.strip() for name in next(records, [])]
                first = next(records, [])
        except (UnicodeDecodeError, csv.Error, OSError):
            return ""  # the file is refused, with the reason, when it is read
        position = header.index(OWNER_COLUMN) if OWNER_COLUMN in header else None
        return first[position].strip() if position is not None and position < len(first) else ""

    def prepare(self, context: ImportContext) -> PreparedFile:
        header = read_header(context.path, what=WHAT, expected=COLUMNS)
        require_columns(header, what=WHAT, expected=COLUMNS, hint=format_hint(header))
        prepared = PreparedFile(lsoa=LsoaCodes("LSOA code"))
        locator = PointLocator(latitude_field="Latitude", longitude_field="Longitude")
        # A row reported by another organisation in SaferPlace is not this file's owner's record.
        others = {name_key(name) for name in Organisation.objects.exclude(pk=context.organisation.pk)
                  .values_list("name", flat=True)}
        return prepare_csv_chunks(
            context, what=WHAT, header=header, prepared=prepared,
            prepare_chunk=lambda chunk: self._prepare_chunk(context, chunk, locator, prepared, others),
        )

    def _prepare_chunk(self, context, chunk, locator: PointLocator, prepared: PreparedFile, others: set[str]) -> PreparedChunk:
        frame, numbers = chunk.frame, chunk.row_numbers
        context.rows_read += len(frame)
        checks = RowChecks(context, frame, numbers)
        checks.incomplete(chunk.incomplete, COLUMNS[-1])

        owner = context.organisation.name
        reported_by = map_distinct(column_values(frame, OWNER_COLUMN), lambda text: (
            f"{OWNER_COLUMN} {text.strip()!r} is another organisation in SaferPlace; this file's records are {owner}'s "
            "(import that organisation's rows in a file of their own)" if name_key(text) in others else ""
        ))
        checks.fail(reported_by != "", OWNER_COLUMN, reported_by)

        months = column_values(frame, "Month")
        dates, month_problems = checked_dates(months, parse_month, field="Month", unreadable=month_problem)
        checks.fail(month_problems != "", "Month", month_problems)

        forces = column_values(frame, "Falls within")
        checks.fail(forces == "", "Falls within", "Falls within is blank: the force is needed to know what a re-import replaces")

        crime_types = column_values(frame, "Crime type")
        categories = map_distinct(crime_types, lambda text: POLICE_UK_CRIME_TYPES.get(text.strip()))
        unknown = pd.isna(categories)
        if unknown.any():
            checks.fail(unknown, "Crime type", map_distinct(crime_types, lambda text: (
                "Crime type is blank" if not text.strip() else f"Crime type {text!r} is not a police.uk crime type"
            )))

        located = locator.locate(column_values(frame, "Latitude"), column_values(frame, "Longitude"))
        checks.fail_located(located)

        lsoa_codes, lsoa_problems = prepared.lsoa.check(column_values(frame, "LSOA code"), column_values(frame, "LSOA name"))
        checks.fail(lsoa_problems != "", "LSOA code", lsoa_problems)
        checks.too_long(column_values(frame, "Crime ID"), "Crime ID", EXTERNAL_ID_LENGTH)

        kept = checks.kept()
        partitions, distinct = combined_strings(forces[kept], months[kept], lambda force, month: f"{force}|{month.strip()}")
        prepared.partitions.update(distinct)
        kept_categories = categories[kept]
        run = context.run
        columns = {
            "source": SOURCE,
            "partition": partitions,
            "import_run": run.pk,
            "owning_organisation": context.organisation.pk,
            "external_id": column_values(frame, "Crime ID")[kept],
            "occurred_on": dates[kept],
            "occurred_precision": DatePrecision.MONTH.value,
            "category": kept_categories,
            "source_category": crime_types[kept],
            "latitude": located.latitude[kept],
            "longitude": located.longitude[kept],
            "location_precision": location_precisions(located.has_point[kept], LocationPrecision.SNAPPED.value),
            "location_description": column_values(frame, "Location")[kept],
            "h3_cell": located.h3_cell[kept],
            "outcome": column_values(frame, "Last outcome category")[kept],
            "source_row": numbers[kept],
        }
        return PreparedChunk(
            size=checks.kept_count,
            columns=columns,
            data_category=map_distinct(kept_categories, lambda code: "asb" if code == ASB_CATEGORY else "crime"),
            lsoa_codes=lsoa_codes[kept],
            located=located_subset(located, kept),
        )

    def write(self, context: ImportContext, prepared: PreparedFile) -> None:
        # A crime in a republished month keeps its outcome history (outcome_history.py).
        before = outcomes_before_replace(
            source=SOURCE, partitions=prepared.partitions, owning_organisation_id=context.organisation.pk
        )
        context.rows_replaced = store.incidents_delete_partitions(
            source=SOURCE, partitions=prepared.partitions, owning_organisation_id=context.organisation.pk
        )
        incidents_write(context, prepared)
        outcomes_after_replace(context, before)
