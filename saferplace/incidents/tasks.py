"""Background tasks of the incident store: importing an uploaded file, and reading a mapping
profile's sample file. Each takes only the record's id; the record says the rest. They are
queued once the transaction that recorded the run or sample commits (`import_run_enqueue`), so
the worker never looks for a run that was rolled back."""

from django.db import transaction
from django.tasks import task

from saferplace.incidents.importers import import_file, run_viewer
from saferplace.incidents.models import ImportRun, ImportStatus, ProfileSample
from saferplace.incidents.profiles import profile_sample_read


@task()
def import_file_task(run_id: int) -> dict:
    """Import the stored upload of a queued run (the web upload enqueues this; `saferplace
    worker` runs it) as the person who started it. `import_file` reads the upload through the
    storage and deletes it once the run is done with it (a failed run keeps it for a retry)."""
    run = ImportRun.objects.select_related("profile", "started_by", "organisation").get(pk=run_id)
    if run.status != ImportStatus.QUEUED:
        return {"status": run.status, "message": "The run was not waiting to be imported."}
    run = import_file(viewer=run_viewer(run), run=run)
    return {
        "status": run.status,
        "rows_read": run.rows_read,
        "rows_imported": run.rows_imported,
        "rows_replaced": run.rows_replaced,
        "rows_updated": run.rows_updated,
        "rows_rejected": run.rows_rejected,
        "message": run.message,
    }


def import_run_enqueue(run: ImportRun) -> None:
    """Queue the run for the worker when the current transaction commits (at once outside one);
    nothing is queued if it rolls back."""
    run_id = run.pk
    transaction.on_commit(lambda: import_file_task.enqueue(run_id))


@task()
def profile_sample_task(sample_id: int) -> dict:
    """Read a mapping profile's sample file through the storage (`ProfileSample.upload`): its
    header and first rows are kept with the sample, and the file is deleted from the storage."""
    sample = ProfileSample.objects.filter(pk=sample_id).first()
    if sample is None:  # deleted since it was queued
        return {"status": "gone", "columns": 0, "rows": 0, "message": "The sample is no longer there."}
    sample = profile_sample_read(sample=sample)
    return {"status": sample.status, "columns": len(sample.header), "rows": len(sample.rows), "message": sample.message}
