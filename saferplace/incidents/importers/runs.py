"""Import runs as the people who made them see them: listing and opening runs (their own
organisation's only), the rejected rows (shown and downloaded, each time audited), runs that
stopped part-way (their lease ran out) marked failed, and retrying a failed run."""

import json
from collections.abc import Iterator

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.csv_stream import csv_lines
from saferplace.errors import NotFound
from saferplace.history import event_write, record_change, record_timeline
from saferplace.incidents.events import ImportRunEventKind
from saferplace.incidents.importers.base import importer_named
from saferplace.incidents.importers.errors import ImportOptionError
from saferplace.incidents.importers.uploads import upload_kept
from saferplace.incidents.models import ImportRejection, ImportRun, ImportStatus
from saferplace.partners import access
from saferplace.partners.models import DataCategory

STOPPED = (
    "The import stopped part-way ({worker} stopped answering at {when}): nothing was changed. "
    "Retry it from this page, or with: saferplace import retry {run}"
)


def _visible_runs(viewer) -> QuerySet[ImportRun]:
    """The runs of the viewer's own organisation (every run, for the operator), but for those
    filing records in a special category the viewer's role may not read: neither their rows
    nor their size may be shown then."""
    access.require(viewer, "imports.run")
    runs = ImportRun.objects.select_related("started_by", "profile", "organisation", "data_category")
    if viewer.is_operator:
        return runs
    hidden = [category for category in _special_categories() if category not in viewer.grants.allowed_category_ids]
    return runs.filter(organisation=viewer.organisation_id).exclude(data_category__in=hidden)


def _special_categories() -> list[int]:
    return list(DataCategory.objects.filter(is_special=True).values_list("pk", flat=True))


def import_run_list(*, viewer, limit: int = 200) -> list[ImportRun]:
    return list(_visible_runs(viewer)[:limit])


def import_run_get(*, viewer, run_id: int) -> ImportRun:
    run = _visible_runs(viewer).filter(pk=run_id).first()
    if run is None:
        raise NotFound("There is no such import run.", record_type="incidents.importrun", record_id=run_id)
    return run


def import_run_history(*, viewer, run: ImportRun):
    """The run's timeline (queued, started, each attempt's end, retries), oldest first."""
    return record_timeline(import_run_get(viewer=viewer, run_id=run.pk))


def run_is_stopped(run: ImportRun) -> bool:
    """Running, but its lease has run out: the process running it was killed."""
    return run.status == ImportStatus.RUNNING and run.lease_expires_at is not None and run.lease_expires_at < timezone.now()


def import_rejections_shown(*, viewer, run: ImportRun, limit: int) -> list[ImportRejection]:
    """The first rejected rows of a run, to show on its page; recorded as shown (they are rows
    of a partner's file)."""
    rejections = list(run.rejections.all()[:limit])
    if rejections:
        audit_record(viewer=viewer, action=AuditAction.VIEW, obj=run,
                     object_repr=f"{len(rejections)} rejected rows of {run.file_name}"[:300],
                     details={"rows": len(rejections), "shown_on": "the import run page"})
    return rejections


REJECTION_COLUMNS = ["row_number", "field", "reason", "raw"]


def rejections_csv(*, viewer, run: ImportRun) -> Iterator[str]:
    """The rejected rows of a run as CSV lines (row number counting the header as row 1, field,
    reason, the raw row as JSON), for the downloadable report; recorded first as an export."""
    import_run_get(viewer=viewer, run_id=run.pk)
    audit_record(viewer=viewer, action=AuditAction.EXPORT, obj=run, object_repr=f"rejected rows of {run.file_name}"[:300],
                 details={"rows": run.rows_rejected, "format": "csv"})
    rows = (
        [rejection.row_number, rejection.field, rejection.reason, json.dumps(rejection.raw, ensure_ascii=False)]
        for rejection in run.rejections.order_by("row_number", "id").iterator(chunk_size=2000)
    )
    return csv_lines(REJECTION_COLUMNS, rows)


def import_runs_expire(*, viewer) -> list[ImportRun]:
    """Mark failed every run whose lease ran out (its process was killed part-way: its one
    transaction never committed, so nothing was stored). Run by the worker as it starts and
    every minute after."""
    now = timezone.now()
    stopped = []
    for run in ImportRun.objects.filter(status=ImportStatus.RUNNING, lease_expires_at__lt=now):
        with transaction.atomic():
            changed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING, lease_expires_at__lt=now).update(
                status=ImportStatus.FAILED, finished_at=now, lease_expires_at=None,
                message=STOPPED.format(worker=run.worker or "the process running it",
                                       when=f"{timezone.localtime(run.lease_expires_at):%d %B %Y %H:%M}", run=run.pk),
            )
            if changed:
                run.refresh_from_db()
                event_write(viewer=viewer, record=run, kind=ImportRunEventKind.STOPPED,
                            changes={"status": [ImportStatus.RUNNING.label, ImportStatus.FAILED.label]},
                            note=run.message)
                audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=run,
                             details={"changes": {"status": ["running", "failed"]}, "because": "lease expired"})
                stopped.append(run)
    return stopped


@transaction.atomic
def import_run_retry(*, viewer, run: ImportRun) -> ImportRun:
    """Queue a failed run (or one that stopped part-way) again, with its stored upload; the
    caller enqueues it for the worker once this commits, or runs it."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    access.require(viewer, importer_named(run.importer).capability)
    import_run_get(viewer=viewer, run_id=run.pk)  # the operator's, or the viewer's organisation's
    if run_is_stopped(run):
        run.status = ImportStatus.FAILED
    if run.status != ImportStatus.FAILED:
        raise ImportOptionError(f"Only a failed import can be retried; this one is {run.get_status_display().lower()}.")
    if not upload_kept(run):
        raise ImportOptionError(
            "The file of this import is not kept (a file imported from the command line never is): "
            "upload it, or import it, again."
        )
    previous = run.message
    run.status, run.message = ImportStatus.QUEUED, f"Queued again by {viewer.name}."
    run.queued_at, run.started_at, run.finished_at, run.lease_expires_at = timezone.now(), None, None, None
    run.rows_read = run.rows_imported = run.rows_replaced = run.rows_updated = run.rows_rejected = 0
    run.progress_done = run.progress_total = 0
    run.rejections.all().delete()
    record_change(viewer=viewer, record=run, kind=ImportRunEventKind.RETRIED, changes={"status": ["failed", "queued"]},
                  details={"retry": True, "previous_message": previous[:500]}, always=True)
    return run
