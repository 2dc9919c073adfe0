"""Whether a file imported before is unchanged: when the store still holds exactly what its
earlier import made of it. A file's SHA-256 alone cannot say so: an analyst who imports May,
then police.uk's republished May, then the first May again to roll the month back means the
first May, and the store holds the republished one.

So the same file (same importer, profile, organisation and SHA-256) is *unchanged* only while
every record its last import stored is still there, as it stored it:

- incidents: all of them (none replaced by a later file of the same month, year or ids, nor
  deleted), and no later outcome recorded on any of them (`IncidentEventKind.OUTCOME`);
- what other importers change (outcomes, places, postcodes): no later run of the same importer
  for the same organisation, nor of another importer writing the same source (a street-level
  month resets the outcomes an outcomes file set).

Otherwise the file is applied again as an ordinary run: what is left of its earlier imports goes
first (`leftovers_delete`), so that nothing is stored twice. See docs/importers/police-uk.md."""

from django.db.models import Q

from saferplace.incidents.events import IncidentEventKind
from saferplace.incidents.importers import store
from saferplace.incidents.models import ImportRun, ImportStatus, Incident, IncidentEvent


def stored_as_imported(earlier: ImportRun, *, inserts_incidents: bool) -> bool:
    """Whether the store holds exactly what `earlier`, a succeeded run, made of its file."""
    if inserts_incidents:
        if Incident.objects.filter(import_run=earlier.pk).count() != earlier.rows_imported:
            return False
        return not IncidentEvent.objects.filter(
            record__import_run=earlier.pk, kind=IncidentEventKind.OUTCOME, at__gt=earlier.finished_at
        ).exists()
    same = Q(importer=earlier.importer) | (Q(source=earlier.source) if earlier.source else Q())
    return not ImportRun.objects.filter(
        same, status=ImportStatus.SUCCEEDED, organisation=earlier.organisation_id, finished_at__gt=earlier.finished_at,
    ).exclude(pk=earlier.pk).exists()


def leftovers_delete(*, runs: list[int], organisation_id: int | None) -> int:
    """Delete the incidents still stored from these earlier imports of a file being applied
    again (in its transaction); returns how many."""
    if not runs or organisation_id is None:
        return 0
    return store.incidents_delete(Incident.objects.filter(import_run__in=runs, owning_organisation_id=organisation_id))
