"""The import framework: a run per file, two phases, and the record of what happened.

1. **Prepare** (no writes): read the file, check its header, validate every row with
   vectorised operations, assign places and H3 cells. A file in the wrong format raises
   `FileRefused`; bad rows become rejections.
2. **Write** (one transaction): replace what the file replaces, insert or update, save the
   rejections, the counts and the audit entry. Any error rolls the whole write back.

The run's status is saved outside that transaction, so a failed run says why."""

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.csv_stream import csv_lines
from saferplace.incidents.importers.errors import FileRefused, ImportOptionError
from saferplace.incidents.importers.store import bulk_load_suits
from saferplace.incidents.models import (
    ImportRejection,
    ImportRun,
    ImportStatus,
    MappingProfile,
)
from saferplace.incidents.source_blocks import source_blocks_save
from saferplace.partners.models import DataCategory, Organisation
from saferplace.partners.services import data_category_ensure

logger = logging.getLogger(__name__)

__all__ = [
    "FileRefused",
    "ImportContext",
    "ImportOptionError",
    "Importer",
    "import_file",
    "import_run_create",
    "rejections_csv",
]

PROGRESS_SAVE_SECONDS = 0.5


@dataclass
class Rejection:
    row_number: int
    field: str
    reason: str
    raw: dict


@dataclass
class ImportContext:
    """What an importer works with while it runs, and what it reports back."""

    run: ImportRun
    path: Path
    options: dict
    profile: MappingProfile | None = None
    progress: Callable[[int, int], None] | None = None
    rows_read: int = 0
    rows_imported: int = 0
    rows_replaced: int = 0
    rows_updated: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    total: int = 0
    bulk_load: bool = False  # rebuild the incident table's indexes rather than update them
    fingerprint: Any = None  # reading.FileFingerprint of the file
    source: Any = None  # source_blocks.SourceFile or SourceTable: the file, kept with the run
    source_records: int = 0  # records the file has after its header (blank ones included)
    _last_saved: float = 0.0

    def keep_source(self, source) -> None:
        """Keep the file with the run (its rows are the raw rows of the incidents imported)."""
        self.source = source

    def reject(self, row_number: int, field_name: str, reason: str, raw: dict) -> None:
        self.rejections.append(Rejection(int(row_number), field_name, reason[:300], raw))

    @property
    def rows_rejected(self) -> int:
        return len({rejection.row_number for rejection in self.rejections})

    def report(self, done: int, *, force: bool = False) -> None:
        """Progress in rows: reported to the caller every time, saved on the run at most
        every half second so the web page can show it."""
        done = int(min(done, self.total)) if self.total else int(done)
        if self.progress is not None:
            self.progress(done, self.total)
        now = time.monotonic()
        if force or now - self._last_saved >= PROGRESS_SAVE_SECONDS:
            self._last_saved = now
            self.run.progress_done, self.run.progress_total = done, self.total
            ImportRun.objects.filter(pk=self.run.pk).update(progress_done=done, progress_total=self.total)

    def report_read(self, rows: int) -> None:
        """Reading and checking is the first half of the work…"""
        self.report(rows // 2)

    def report_written(self, rows: int) -> None:
        """…and writing the second."""
        self.report(self.total // 2 + rows // 2)


class Importer:
    """One file format. Subclasses set the names and implement `prepare` and `write`."""

    name = ""
    label = ""
    description = ""
    source = ""
    needs_profile = False
    needs_organisation = False
    inserts_incidents = False  # whether `write` may bulk-load the incident table
    accepts = "CSV"

    def clean_options(self, options: dict, profile: MappingProfile | None) -> dict:
        """Check and resolve the options (e.g. an organisation name to the organisation)."""
        cleaned = dict(options)
        if self.needs_organisation:
            cleaned["organisation"] = organisation_from_option(options.get("organisation"))
        if self.needs_profile and profile is None:
            raise ImportOptionError(f"The {self.name} importer needs a mapping profile.")
        return cleaned

    def prepare(self, context: ImportContext) -> Any:
        """Read and check the whole file; return what `write` stores. No database writes."""
        raise NotImplementedError

    def write(self, context: ImportContext, prepared: Any) -> None:
        """Store it (called inside the run's transaction)."""
        raise NotImplementedError


def organisation_from_option(value) -> Organisation:
    if isinstance(value, Organisation):
        return value
    if value in (None, ""):
        raise ImportOptionError("Say which organisation owns these records (the organisation option, --organisation).")
    text = str(value).strip()
    organisation = None
    if text.isdigit():
        organisation = Organisation.objects.filter(pk=int(text)).first()
    organisation = organisation or Organisation.objects.filter(name__iexact=text).first()
    if organisation is None:
        known = ", ".join(Organisation.objects.order_by("name").values_list("name", flat=True)[:20])
        raise ImportOptionError(f"No organisation called {text!r}. Known organisations: {known or 'none'}.")
    return organisation


DATA_CATEGORY_NAMES = {
    "crime": "Crime",
    "asb": "Anti-social behaviour",
    "road-safety": "Road safety",
}


def data_category_id(code: str) -> int:
    """The id of a data category, creating the ordinary (not special) ones importers file under."""
    existing = DataCategory.objects.filter(code=code).values_list("pk", flat=True).first()
    if existing is not None:
        return existing
    return data_category_ensure(code=code, name=DATA_CATEGORY_NAMES.get(code, code.replace("-", " ").capitalize())).pk


def _importer(name: str):
    from saferplace.incidents.importers import IMPORTERS

    if name not in IMPORTERS:
        raise ImportOptionError(f"No importer called {name!r}; the importers are {', '.join(IMPORTERS)}.")
    return IMPORTERS[name]


def import_run_create(
    *, importer: str, file_name: str, actor, profile: MappingProfile | None = None, options: dict | None = None
) -> ImportRun:
    """Record a file waiting to be imported (status queued). Raises `ImportOptionError` at once
    for an unknown importer or options it cannot use; pass the same options to `import_file`."""
    chosen = _importer(importer)
    chosen.clean_options(dict(options or {}), profile)
    return ImportRun.objects.create(
        importer=importer,
        source=profile.source if profile is not None else chosen.source,
        profile=profile,
        file_name=str(file_name)[:300],
        started_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        status=ImportStatus.QUEUED,
    )


def _finish(run: ImportRun, status: ImportStatus, message: str, *, counts: ImportContext | None = None) -> ImportRun:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    if counts is None:
        run.rows_read = run.rows_imported = run.rows_replaced = run.rows_updated = run.rows_rejected = 0
    run.save()
    return run


def _audit(run: ImportRun, options: dict) -> None:
    audit_record(
        action=AuditAction.CREATE,
        actor=run.started_by,
        object_type="incidents.importrun",
        object_id=run.pk,
        object_repr=f"{run.importer} import of {run.file_name}"[:300],
        details={
            "status": run.status,
            "file_hash": run.file_hash,
            "file_size": run.file_size,
            "profile": run.profile.name if run.profile_id else "",
            "options": {key: str(value) for key, value in options.items()},
            "rows": {
                "read": run.rows_read,
                "imported": run.rows_imported,
                "replaced": run.rows_replaced,
                "updated": run.rows_updated,
                "rejected": run.rows_rejected,
            },
            "message": run.message[:500],
        },
    )


def import_file(
    *,
    run: ImportRun,
    path: Path,
    options: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportRun:
    """Import one file for a queued run; returns the run with its final status."""
    from saferplace.incidents.importers.reading import file_fingerprint

    options = dict(options or {})
    path = Path(path)
    fingerprint = file_fingerprint(path)
    run.file_size = fingerprint.size
    run.status, run.started_at = ImportStatus.RUNNING, timezone.now()
    run.progress_done = run.progress_total = 0
    run.save()
    # The same file imported before? Only a file of the same size can be, so only then is
    # there anything to wait for the hash for.
    same_size = ImportRun.objects.filter(
        importer=run.importer, profile=run.profile, file_size=run.file_size, status=ImportStatus.SUCCEEDED
    ).exclude(pk=run.pk)
    earlier = None
    if same_size.exists():
        run.file_hash = fingerprint.sha256
        earlier = same_size.filter(file_hash=run.file_hash).order_by("-finished_at").first()
    if earlier is not None:
        _finish(run, ImportStatus.UNCHANGED, (
            f"This file was already imported on {earlier.finished_at:%d %B %Y at %H:%M} (run {earlier.pk}): "
            "nothing changed."
        ))
        _audit(run, options)
        return run
    context = ImportContext(
        run=run, path=path, options=options, profile=run.profile, progress=progress, fingerprint=fingerprint
    )
    try:
        importer = _importer(run.importer)
        context.options = importer.clean_options(options, run.profile)
        prepared = importer.prepare(context)
        context.total = context.rows_read or context.total  # the progress total was an estimate
        run.file_hash = fingerprint.sha256
        # The write is one transaction, so nothing of it shows until it commits: say so now.
        run.message = f"All {context.rows_read:,} rows read and checked; storing them now."
        context.report(context.total // 2, force=True)
        ImportRun.objects.filter(pk=run.pk).update(message=run.message)
        context.bulk_load = (
            importer.inserts_incidents and not connection.in_atomic_block and bulk_load_suits(rows=context.rows_read)
        )
        # A bulk load checks foreign keys once at the end instead of row by row (store.py).
        with connection.constraint_checks_disabled() if context.bulk_load else nullcontext(), transaction.atomic():
            importer.write(context, prepared)
            if context.source is not None:
                source_blocks_save(run=run, blocks=context.source.blocks(records=context.source_records))
            _rejections_save(run, context.rejections)
            run.rows_read, run.rows_imported = context.rows_read, context.rows_imported
            run.rows_replaced, run.rows_updated = context.rows_replaced, context.rows_updated
            run.rows_rejected = context.rows_rejected
            run.progress_done = run.progress_total = context.total
            _finish(run, ImportStatus.SUCCEEDED, _summary(run), counts=context)
            _audit(run, options)
        if progress is not None:
            progress(context.total, context.total)
    except FileRefused as error:
        _stop(run, fingerprint, options, ImportStatus.REFUSED, str(error))
    except ImportOptionError as error:
        _stop(run, fingerprint, options, ImportStatus.FAILED, str(error))
    except Exception as error:
        logger.exception("import run %s failed", run.pk)
        message = f"The import failed and nothing was changed: {type(error).__name__}: {error}"
        _stop(run, fingerprint, options, ImportStatus.FAILED, message)
    return run


def _stop(run: ImportRun, fingerprint, options: dict, status: ImportStatus, message: str) -> None:
    """Record a run that stored nothing: its file's hash, why, and the audit entry."""
    run.file_hash = fingerprint.sha256
    _finish(run, status, message)
    _audit(run, options)


def _summary(run: ImportRun) -> str:
    parts = [f"{run.rows_read:,} rows read", f"{run.rows_imported:,} imported"]
    if run.rows_replaced:
        parts.append(f"{run.rows_replaced:,} earlier records replaced")
    if run.rows_updated:
        parts.append(f"{run.rows_updated:,} updated")
    parts.append(f"{run.rows_rejected:,} rejected")
    return ", ".join(parts) + "."


def _rejections_save(run: ImportRun, rejections: list[Rejection], batch_size: int = 5000) -> None:
    for start in range(0, len(rejections), batch_size):
        ImportRejection.objects.bulk_create(
            ImportRejection(
                run=run, row_number=item.row_number, field=item.field[:100], reason=item.reason[:300], raw=item.raw
            )
            for item in rejections[start : start + batch_size]
        )


REJECTION_COLUMNS = ["row_number", "field", "reason", "raw"]


def rejections_csv(*, run: ImportRun) -> Iterator[str]:
    """The rejected rows of a run as CSV lines (row number counting the header as row 1, field,
    reason, the raw row as JSON), for the downloadable report."""
    rows = (
        [rejection.row_number, rejection.field, rejection.reason, json.dumps(rejection.raw, ensure_ascii=False)]
        for rejection in run.rejections.order_by("row_number", "id").iterator(chunk_size=2000)
    )
    return csv_lines(REJECTION_COLUMNS, rows)


def rejections_from_mask(
    context: ImportContext, failed: np.ndarray, row_numbers: np.ndarray, field_name: str, reasons, raw_rows
) -> None:
    """Record a rejection for each row where `failed` is true; `reasons` is one text or an array
    of texts, `raw_rows(position)` gives the row as a dictionary."""
    for position in np.flatnonzero(failed).tolist():
        reason = reasons if isinstance(reasons, str) else reasons[position]
        context.reject(row_numbers[position], field_name, reason, raw_rows(position))
