"""A crime's outcome history across a republished police.uk month. Re-importing a month replaces
its incidents (new rows, new ids), so what the earlier incidents knew is carried to the new ones
with the same Crime ID: their outcome events, and, where the new file's "Last outcome category"
differs from the outcome held before, one more outcome event (before, after).

Only a month imported before costs anything: `outcomes_before_replace` finds nothing for a
first import, and `outcomes_after_replace` then does nothing. Call both inside the run's
transaction, the first before the month's incidents are deleted, the second after the file's
are inserted."""

from dataclasses import dataclass, field

from saferplace.history import events_write
from saferplace.incidents.events import IncidentEventKind
from saferplace.incidents.importers.base import ImportContext, run_viewer
from saferplace.incidents.models import Incident, IncidentEvent, Partition, SourceLabel

EVENT_FIELDS = ("kind", "actor_id", "actor_name", "actor_organisation", "changes", "note", "at")


@dataclass
class OutcomesBefore:
    outcome: dict[str, int | None] = field(default_factory=dict)  # Crime ID → its outcome's label id
    events: dict[str, list[dict]] = field(default_factory=dict)  # Crime ID → its outcome events


def outcomes_before_replace(*, source: str, partitions, owning_organisation_id: int) -> OutcomesBefore:
    """What the incidents a re-import is about to replace know of their outcomes, by Crime ID."""
    before = OutcomesBefore()
    keys = sorted(set(partitions))
    ids = []
    for start in range(0, len(keys), 500):
        ids += Partition.objects.filter(source=source, key__in=keys[start : start + 500]).values_list("pk", flat=True)
    if not ids:
        return before
    crimes = (
        Incident.objects.filter(partition__in=ids, owning_organisation_id=owning_organisation_id)
        .exclude(external_id="")
        .values_list("id", "external_id", "outcome_id")
    )
    crime_of = {}
    for incident_id, crime, outcome in crimes.iterator(chunk_size=50_000):
        crime_of[incident_id] = crime
        before.outcome.setdefault(crime, outcome)
    incident_ids = sorted(crime_of)
    for start in range(0, len(incident_ids), 2000):
        events = IncidentEvent.objects.filter(
            record__in=incident_ids[start : start + 2000], kind=IncidentEventKind.OUTCOME
        ).order_by("at", "id").values("record_id", *EVENT_FIELDS)
        for event in events:
            before.events.setdefault(crime_of[event.pop("record_id")], []).append(event)
    return before


def outcomes_after_replace(context: ImportContext, before: OutcomesBefore) -> None:
    """Give the run's new incidents the outcome history of the crimes they replace."""
    if not before.outcome:
        return
    carried, changed = [], []
    now = Incident.objects.filter(import_run=context.run.pk).exclude(external_id="").values_list("id", "external_id", "outcome_id")
    for incident_id, crime, outcome in now.iterator(chunk_size=50_000):
        if crime not in before.outcome:
            continue
        carried += [IncidentEvent(record_id=incident_id, **event) for event in before.events.get(crime, [])]
        if outcome != before.outcome[crime]:
            changed.append((incident_id, before.outcome[crime], outcome))
    IncidentEvent.objects.bulk_create(carried, batch_size=2000)
    if not changed:
        return
    wanted = {label for _, earlier, later in changed for label in (earlier, later)} - {None}
    texts = dict(SourceLabel.objects.filter(pk__in=wanted).values_list("pk", "text"))
    run = context.run
    events_write(
        viewer=run_viewer(run), model=Incident, kind=IncidentEventKind.OUTCOME,
        items=[(incident_id, {"outcome": [texts.get(earlier, ""), texts.get(later, "")]})
               for incident_id, earlier, later in changed],
        note=f"police.uk street-level file {run.file_name} (import run {run.pk}): its Last outcome category",
    )
