"""Background tasks of the incident store: importing an uploaded file, and reading a mapping
profile's sample file. Each takes only the record's id; the record says the rest."""

import shutil
from pathlib import Path

from django.conf import settings
from django.tasks import task

from saferplace.incidents.importers import import_file, run_viewer
from saferplace.incidents.models import ImportRun, ImportStatus, ProfileSample
from saferplace.incidents.profiles import profile_sample_read

# A run in these states is done with its file; a failed one keeps it, to be retried.
DONE_WITH_FILE = (ImportStatus.SUCCEEDED, ImportStatus.UNCHANGED, ImportStatus.REFUSED)


@task()
def import_file_task(run_id: int) -> dict:
    """Import the stored file of a queued run (the web upload enqueues this; `saferplace worker`
    runs it) as the person who started it."""
    run = ImportRun.objects.select_related("profile", "started_by", "organisation").get(pk=run_id)
    if run.status != ImportStatus.QUEUED:
        return {"status": run.status, "message": "The run was not waiting to be imported."}
    run = import_file(viewer=run_viewer(run), run=run)
    if run.status in DONE_WITH_FILE:
        upload_remove(Path(run.upload_path))
    return {
        "status": run.status,
        "rows_read": run.rows_read,
        "rows_imported": run.rows_imported,
        "rows_replaced": run.rows_replaced,
        "rows_updated": run.rows_updated,
        "rows_rejected": run.rows_rejected,
        "message": run.message,
    }


@task()
def profile_sample_task(sample_id: int) -> dict:
    """Read a mapping profile's sample file: its header and first rows."""
    sample = profile_sample_read(sample=ProfileSample.objects.get(pk=sample_id))
    return {"status": sample.status, "columns": len(sample.header), "rows": len(sample.rows), "message": sample.message}


def upload_remove(path: Path) -> None:
    """An uploaded file is not kept once imported: the run keeps what it needs (its counts,
    rejections and, for incident files, the file itself in compressed blocks), and a partner's
    file left on disk would be personal data outside the access policy. Only files under
    DATA_DIR/uploads/<run>/ are removed, never a file named from the command line."""
    uploads = (Path(settings.DATA_DIR) / "uploads").resolve()
    folder = path.resolve().parent
    if folder.parent == uploads and folder.name.isdigit():
        shutil.rmtree(folder, ignore_errors=True)
