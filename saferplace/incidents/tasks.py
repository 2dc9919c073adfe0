"""Background tasks of the incident store: importing an uploaded file."""

import shutil
from pathlib import Path

from django.conf import settings
from django.tasks import task

from saferplace.incidents.importers import import_file
from saferplace.incidents.models import ImportRun


@task()
def import_file_task(run_id: int, path: str, options: dict | None = None) -> dict:
    """Import a stored file for a queued run (the web upload enqueues this; `saferplace worker`
    runs it). Options must be JSON values, e.g. {"organisation": "Fenshire Police"}."""
    run = ImportRun.objects.select_related("profile", "started_by").get(pk=run_id)
    run = import_file(run=run, path=Path(path), options=options)
    _upload_remove(Path(path))
    return {
        "status": run.status,
        "rows_read": run.rows_read,
        "rows_imported": run.rows_imported,
        "rows_replaced": run.rows_replaced,
        "rows_updated": run.rows_updated,
        "rows_rejected": run.rows_rejected,
        "message": run.message,
    }


def _upload_remove(path: Path) -> None:
    """An uploaded file is not kept once imported: the run keeps what it needs (its counts,
    rejections and, for incident files, the file itself in compressed blocks), and a partner's
    file left on disk would be personal data outside the access policy. Only files under
    DATA_DIR/uploads/ are removed, never a file named from the command line."""
    uploads = (Path(settings.DATA_DIR) / "uploads").resolve()
    folder = path.resolve().parent
    if folder.parent == uploads and folder.name.isdigit():
        shutil.rmtree(folder, ignore_errors=True)
