"""police.uk outcomes CSV: the latest outcome of crimes already imported from the street-level
files, matched by Crime ID among the importing organisation's own crimes only: another
organisation's crimes are never touched, and a Crime ID that is only theirs is rejected exactly
like one that does not exist. See docs/importers/police-uk-outcomes.md."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db import connection

from saferplace.incidents.importers import store
from saferplace.incidents.importers.base import ImportContext, Importer
from saferplace.incidents.importers.police_uk import SOURCE
from saferplace.incidents.importers.reading import (
    CsvReader,
    column_values,
    format_hint,
    read_header,
    require_columns,
)
from saferplace.incidents.importers.rows import RowChecks
from saferplace.incidents.models import Incident

COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
]
WHAT = "a police.uk outcomes file"
UPDATE_CHUNK_ROWS = 20_000


@dataclass
class PreparedOutcomes:
    # incident id → the outcome to set (the last row for a Crime ID wins)
    outcomes: dict[int, str] = field(default_factory=dict)


class PoliceUkOutcomesImporter(Importer):
    name = "police-uk-outcomes"
    label = "police.uk outcomes"
    description = "The outcomes CSV published at data.police.uk: updates the outcome of crimes already imported."
    source = SOURCE
    needs_organisation = True

    def prepare(self, context: ImportContext) -> PreparedOutcomes:
        header = read_header(context.path, what=WHAT, expected=COLUMNS)
        require_columns(header, what=WHAT, expected=COLUMNS, hint=format_hint(header))
        reader = CsvReader(context.path, what=WHAT, header=header, fingerprint=context.fingerprint)
        context.total = reader.estimated_rows
        forces: set[str] = set()
        chunks = []
        for chunk in reader.chunks():
            frame = chunk.frame
            context.rows_read += len(frame)
            checks = RowChecks(context, frame, chunk.row_numbers)
            checks.incomplete(chunk.incomplete, COLUMNS[-1])
            identifiers = np.array([value.strip() for value in column_values(frame, "Crime ID").tolist()], dtype=object)
            outcomes = column_values(frame, "Outcome type")
            checks.fail(identifiers == "", "Crime ID", "Crime ID is blank: an outcome needs the crime it belongs to")
            checks.fail(outcomes == "", "Outcome type", "Outcome type is blank")
            forces.update(pd.unique(column_values(frame, "Falls within")).tolist())
            chunks.append((checks, identifiers, outcomes))
            context.report_read(context.rows_read)
        known = self._known_incidents(forces, context.organisation.pk)
        prepared = PreparedOutcomes()
        for checks, identifiers, outcomes in chunks:
            # A hash look-up per value (np.isin on texts would compare every pair).
            unknown = ~checks.failed & ~pd.Series(identifiers, dtype=object).isin(list(known)).to_numpy()
            checks.fail(unknown, "Crime ID", "no imported crime with this Crime ID")
            kept = np.flatnonzero(~checks.failed)
            context.rows_updated += len(kept)
            for identifier, outcome in zip(identifiers[kept].tolist(), outcomes[kept].tolist(), strict=True):
                for incident_id in known[identifier]:
                    prepared.outcomes[incident_id] = outcome
        return prepared

    def _known_incidents(self, forces: set[str], organisation_id: int) -> dict[str, list[int]]:
        """Crime ID → the ids of this organisation's incidents already imported with it, for these
        forces (found by partition, "<force>|<month>", which is indexed)."""
        known: dict[str, list[int]] = {}
        for force in sorted(forces):
            rows = (
                Incident.objects.filter(partition__source=SOURCE, partition__key__startswith=f"{force}|",
                                        owning_organisation_id=organisation_id)
                .exclude(external_id="")
                .values_list("external_id", "id")
                .iterator(chunk_size=50_000)
            )
            for identifier, incident_id in rows:
                known.setdefault(identifier, []).append(incident_id)
        return known

    def write(self, context: ImportContext, prepared: PreparedOutcomes) -> None:
        table = connection.ops.quote_name(Incident._meta.db_table)
        sql = f"UPDATE {table} SET outcome_id = %s WHERE id = %s"  # noqa: S608 (table name from the model)
        incident_ids = list(prepared.outcomes)
        label_ids = store.Lookups().label_ids([prepared.outcomes[each] for each in incident_ids])
        items = [
            (None if label < 0 else label, incident_id)
            for incident_id, label in zip(incident_ids, label_ids.tolist(), strict=True)
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(items), UPDATE_CHUNK_ROWS):
                cursor.executemany(sql, items[start : start + UPDATE_CHUNK_ROWS])
                context.report_written(start + UPDATE_CHUNK_ROWS)
