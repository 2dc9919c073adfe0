"""police.uk outcomes CSV: the latest outcome of crimes already imported from the street-level
files, matched by Crime ID among the importing organisation's own crimes only: another
organisation's crimes are never touched, and a Crime ID that is only theirs is rejected exactly
like one that does not exist. Each crime whose outcome changes keeps the earlier one in its
history: one `IncidentEvent` (outcome: [before, after]) per changed crime, written in bulk in
the run's transaction. See docs/importers/police-uk-outcomes.md."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from saferplace.history import events_write
from saferplace.incidents.events import IncidentEventKind
from saferplace.incidents.importers import store
from saferplace.incidents.importers.base import ImportContext, Importer
from saferplace.incidents.importers.bulk_update import rows_update
from saferplace.incidents.importers.options import organisation_option
from saferplace.incidents.importers.police_uk import SOURCE
from saferplace.incidents.importers.reading import (
    CsvReader,
    column_values,
    format_hint,
    read_header,
    require_columns,
)
from saferplace.incidents.importers.rows import RowChecks
from saferplace.incidents.models import Incident, SourceLabel
from saferplace.incidents.recount import counts_mark

COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
]
WHAT = "a police.uk outcomes file"

MARK_CHUNK = 10_000  # incident ids per look-up of their partitions


@dataclass
class PreparedOutcomes:
    # incident id → the outcome to set (the last row for a Crime ID wins)
    outcomes: dict[int, str] = field(default_factory=dict)
    # incident id → the id of its outcome now (None for none)
    current: dict[int, int | None] = field(default_factory=dict)
    # incident id → its partition (what the counts recount when its outcome changes)
    partitions: dict[int, int | None] = field(default_factory=dict)


class PoliceUkOutcomesImporter(Importer):
    name = "police-uk-outcomes"
    label = "police.uk outcomes"
    hint = ("An outcomes CSV from data.police.uk; it updates the outcome of your organisation's crimes "
            "already imported.")
    documentation = "police-uk-outcomes.md"
    options = (organisation_option("the organisation whose crimes these outcomes update (name or id)", required=True),)
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
        prepared = PreparedOutcomes()
        known = self._known_incidents(forces, context.organisation.pk, prepared)
        for checks, identifiers, outcomes in chunks:
            # A hash look-up per value (np.isin on texts would compare every pair, and a list of
            # the known Crime IDs per chunk would cost the whole table per chunk).
            found = np.fromiter((identifier in known for identifier in identifiers.tolist()), dtype=bool,
                                count=len(identifiers))
            unknown = ~checks.failed & ~found
            checks.fail(unknown, "Crime ID", "no imported crime with this Crime ID")
            kept = np.flatnonzero(~checks.failed)
            context.rows_updated += len(kept)
            for identifier, outcome in zip(identifiers[kept].tolist(), outcomes[kept].tolist(), strict=True):
                for incident_id in known[identifier]:
                    prepared.outcomes[incident_id] = outcome
        return prepared

    def _known_incidents(self, forces: set[str], organisation_id: int, prepared: PreparedOutcomes) -> dict[str, list[int]]:
        """Crime ID → the ids of this organisation's incidents already imported with it, for these
        forces (found by partition, "<force>|<month>", which is indexed); and, into `prepared`,
        each incident's outcome now and its partition."""
        known: dict[str, list[int]] = {}
        for force in sorted(forces):
            rows = (
                Incident.objects.filter(partition__source=SOURCE, partition__key__startswith=f"{force}|",
                                        owning_organisation_id=organisation_id)
                .exclude(external_id="")
                .values_list("external_id", "id", "outcome_id", "partition_id")
                .iterator(chunk_size=50_000)
            )
            for identifier, incident_id, outcome_id, partition_id in rows:
                known.setdefault(identifier, []).append(incident_id)
                prepared.current[incident_id] = outcome_id
                prepared.partitions[incident_id] = partition_id
        return known

    def write(self, context: ImportContext, prepared: PreparedOutcomes) -> None:
        """Set the outcomes that change, and write each changed crime's outcome event."""
        incident_ids = list(prepared.outcomes)
        label_ids = store.Lookups().label_ids([prepared.outcomes[each] for each in incident_ids])
        changed = []  # (incident id, its outcome's label id or None)
        for incident_id, label in zip(incident_ids, label_ids.tolist(), strict=True):
            outcome = None if label < 0 else label
            if outcome != prepared.current.get(incident_id):
                changed.append((incident_id, outcome))
        incident_outcomes_set(outcomes=changed, partitions={prepared.partitions[each] for each, _ in changed})
        context.report_written(context.rows_read)
        self._history(context, prepared, changed)

    def _history(self, context: ImportContext, prepared: PreparedOutcomes, changed: list[tuple[int, int | None]]) -> None:
        """One outcome event per changed crime: the outcome before and after, in words."""
        if not changed:
            return
        wanted = {prepared.current.get(incident_id) for incident_id, _ in changed} | {label for _, label in changed}
        texts = dict(SourceLabel.objects.filter(pk__in=wanted - {None}).values_list("pk", "text"))
        run = context.run
        events_write(
            viewer=context.viewer, model=Incident, kind=IncidentEventKind.OUTCOME,
            items=[
                (incident_id, {"outcome": [texts.get(prepared.current.get(incident_id), ""), texts.get(label, "")]})
                for incident_id, label in changed
            ],
            note=f"police.uk outcomes file {run.file_name} (import run {run.pk})",
        )


def incident_outcomes_set(*, outcomes: list[tuple[int, int | None]], partitions: set | None = None) -> int:
    """Set the outcome of these incidents, (incident id, outcome label id or None) each: the one
    place an outcomes file changes incidents. One UPDATE joined to a staging table of the new
    values (`bulk_update.rows_update`), so a million outcomes cost a million index look-ups, not
    a statement each. Call inside the run's transaction; returns how many incidents changed. The
    partitions of the changed incidents (`partitions`, or else looked up) are marked for
    recounting (`recount.counts_mark`)."""
    if partitions is not None:
        counts_mark(partitions)
    else:
        ids = [incident_id for incident_id, _ in outcomes]
        for start in range(0, len(ids), MARK_CHUNK):
            counts_mark(Incident.objects.filter(pk__in=ids[start : start + MARK_CHUNK]).order_by()
                        .values_list("partition", flat=True).distinct())
    return rows_update(model=Incident, fields=["outcome"], rows=outcomes)
