"""The import framework: a run per file, two phases, and the record of what happened.

1. **Prepare** (no writes): read the file, check its header, validate every row with
   vectorised operations, assign places and H3 cells. A file in the wrong format raises
   `FileRefused`; bad rows become rejections.
2. **Write** (one transaction): replace what the file replaces, insert or update, save the
   rejections, the counts and the audit entry. Any error rolls the whole write back.

The run's status is saved outside that transaction, so a failed run says why.

A run files records for one organisation, `run.organisation`: the viewer's own, or, for the
operator at the command line, the one they name (explicit, and audited). An import only ever
replaces or updates that organisation's records. While a run runs, the process running it
renews its lease (`lease_expires_at`); a run whose lease has run out stopped part-way, and is
marked failed and can be retried (`runs.py`)."""

import logging
import os
import socket
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotAllowed
from saferplace.heartbeat import Heartbeat
from saferplace.history import event_write
from saferplace.incidents.events import ImportRunEventKind
from saferplace.incidents.importers.errors import FileRefused, ImportOptionError
from saferplace.incidents.importers.options import ORGANISATION, PROFILE, ImporterOption
from saferplace.incidents.importers.reading import file_fingerprint
from saferplace.incidents.importers.store import bulk_load_suits
from saferplace.incidents.importers.unchanged import leftovers_delete, stored_as_imported
from saferplace.incidents.importers.uploads import (
    UPLOAD_DONE,
    upload_as_path,
    upload_discard,
    upload_save,
)
from saferplace.incidents.models import (
    ImportRejection,
    ImportRun,
    ImportStatus,
    MappingProfile,
)
from saferplace.incidents.planner import planner_statistics_refresh
from saferplace.incidents.recount import counts_refresh_marked
from saferplace.incidents.source_blocks import source_blocks_save
from saferplace.partners import access
from saferplace.partners.models import DataCategory, Organisation
from saferplace.partners.selectors import organisation_named
from saferplace.partners.services import data_category_ensure
from saferplace.partners.viewer import TASK, AuditContext, Viewer, operator_viewer, viewer_for
from saferplace.words import count_of

logger = logging.getLogger(__name__)

__all__ = [
    "FileRefused",
    "ImportContext",
    "ImportOptionError",
    "Importer",
    "import_file",
    "import_run_create",
    "importer_named",
    "run_viewer",
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
    organisation: Organisation | None = None  # whose records the run files, replaces and updates
    viewer: Viewer | None = None  # who is importing: whom the records' events name
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
    """One file format. Subclasses declare what it is, once — the command line, the web upload
    form and docs/importers/README.md are made from these — and implement `prepare` and `write`."""

    name = ""  # the importer's name: `saferplace import NAME`, the web form's value
    label = ""  # what people call the file: the web form's choice, the runs list
    hint = ""  # one sentence saying which file exactly: the web form's hint, the command's help
    documentation = ""  # its page under docs/importers/
    extensions: tuple[str, ...] = (".csv",)  # the file names it accepts
    options: tuple[ImporterOption, ...] = ()  # its options, on the command line and the web
    source = ""
    needs_profile = False
    needs_organisation = False  # whether the run files records owned by an organisation
    # A column whose first value may name the organisation whose records the file holds
    # (police.uk: "Reported by"); see `file_owner_name`.
    owner_column = ""
    owner_kind = ""  # the kind of organisation `owner_column` names (police.uk: a police force)
    inserts_incidents = False  # whether `write` may bulk-load the incident table
    capability = "imports.run"  # what the viewer's role must hold to run it

    @property
    def accepts(self) -> str:
        """The file types in words: "CSV", "CSV or XLSX"."""
        return " or ".join(extension.lstrip(".").upper() for extension in self.extensions)

    def option(self, name: str) -> ImporterOption | None:
        return next((option for option in self.options if option.name == name), None)

    def clean_options(self, options: dict, profile: MappingProfile | None) -> dict:
        """Check the options against those declared (the organisation and the profile are not
        among them: they are the run's)."""
        if self.needs_profile and profile is None:
            raise ImportOptionError(f"The {self.name} importer needs a mapping profile.")
        declared = {option.name: option for option in self.options if option.name not in (ORGANISATION, PROFILE)}
        unknown = sorted(set(options) - set(declared))
        if unknown:
            takes = ", ".join(declared) or "none"
            raise ImportOptionError(f"The {self.name} importer takes no option {', '.join(unknown)} (its options: {takes}).")
        cleaned = {}
        for name, value in options.items():
            if value in (None, ""):
                continue
            option = declared[name]
            if option.choices and str(value) not in option.choices:
                raise ImportOptionError(f"The option {name} must be one of {', '.join(option.choices)}, not {value!r}.")
            try:
                option.type(value)
            except (TypeError, ValueError):
                raise ImportOptionError(f"The option {name} must be a {option.type.__name__}, not {value!r}.") from None
            cleaned[name] = value
        return cleaned

    def file_owner_name(self, path: Path) -> str:
        """The organisation the file itself says its records are (from `owner_column`), or ""."""
        return ""

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


def data_category_id(code: str, *, viewer) -> int:
    """The id of a data category, creating the ordinary (not special) ones importers file under."""
    existing = DataCategory.objects.filter(code=code).values_list("pk", flat=True).first()
    if existing is not None:
        return existing
    name = DATA_CATEGORY_NAMES.get(code, code.replace("-", " ").capitalize())
    return data_category_ensure(viewer=viewer, code=code, name=name).pk


# Every importer by its name, filled by the package (`importers/__init__.py`) in the order the
# upload form lists them.
IMPORTERS: dict[str, Importer] = {}


def importers_register(*importers: Importer) -> None:
    for importer in importers:
        IMPORTERS[importer.name] = importer


def importer_named(name: str) -> Importer:
    if name not in IMPORTERS:
        raise ImportOptionError(f"No importer called {name!r}; the importers are {', '.join(IMPORTERS)}.")
    return IMPORTERS[name]


def _run_organisation(viewer, chosen: Importer, profile: MappingProfile | None, named) -> Organisation | None:
    """Whose records the run files: the profile's owner, else the viewer's own organisation, or
    for the operator the organisation they name. Naming another organisation is refused."""
    if profile is not None:
        return profile.owning_organisation
    if viewer.is_operator:
        if named in (None, ""):
            if chosen.needs_organisation and not chosen.owner_column:
                raise ImportOptionError(
                    "Say which organisation owns these records (the organisation option, --organisation)."
                )
            return None  # for a file that names its owner: found when it is read (`_owner_from_file`)
        return organisation_from_option(named)
    if named not in (None, "") and organisation_from_option(named).pk != viewer.organisation_id:
        raise NotAllowed("You can only import your own organisation's records.", capability=chosen.capability)
    return viewer.organisation


@transaction.atomic
def import_run_create(
    *,
    viewer,
    importer: str,
    file_name: str,
    profile: MappingProfile | None = None,
    options: dict | None = None,
    upload: File | None = None,
) -> ImportRun:
    """Record a file waiting to be imported (status queued), for the viewer's organisation (the
    operator may name another with the `organisation` option). With `upload`, the file is kept
    with the run through the storage API (`ImportRun.upload`) for the worker to read; without,
    the caller hands `import_file` the file's path (the command line). Raises
    `ImportOptionError` at once for an unknown importer or options it cannot use, `NotAllowed`
    for a viewer without the importer's capability (or naming another organisation),
    `NotFound` for another organisation's profile."""
    chosen = importer_named(importer)
    access.require(viewer, chosen.capability)
    if profile is not None:
        access.require(viewer, "imports.run", profile)
    options = dict(options or {})
    organisation = _run_organisation(viewer, chosen, profile if chosen.needs_profile else None,
                                     options.pop(ORGANISATION, None))
    options = chosen.clean_options(options, profile)
    run = ImportRun.objects.create(
        importer=importer,
        source=profile.source if profile is not None else chosen.source,
        profile=profile,
        organisation=organisation,
        data_category=profile.data_category if profile is not None else None,
        file_name=str(file_name)[:300],
        started_by=viewer.user,
        started_by_name=viewer.name,
        options={key: str(value) for key, value in options.items()},
        status=ImportStatus.QUEUED,
    )
    if upload is not None:
        upload_save(run, upload, file_name=run.file_name)
    # Whose records it files, in words: the organisation, or (the operator's run of a file that
    # names its owner) the one the file names, found when it is read.
    owner = organisation.name if organisation else (
        f"the organisation its “{chosen.owner_column}” column names" if chosen.owner_column else "")
    event_write(viewer=viewer, record=run, kind=ImportRunEventKind.QUEUED, changes={"for": owner} if owner else {})
    return run


def run_viewer(run: ImportRun):
    """Who a queued run acts as when the worker runs it: the person who started it (their
    capability is checked again then), or the operator for a run started at the command line."""
    if run.started_by_id is not None:
        return viewer_for(run.started_by, context=AuditContext(channel=TASK))
    return operator_viewer(run.started_by_name.removeprefix("operator:") or None, channel=TASK)


def _finish(run: ImportRun, status: ImportStatus, message: str, *, counts: ImportContext | None = None) -> ImportRun:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    run.lease_expires_at = None
    if counts is None:
        run.rows_read = run.rows_imported = run.rows_replaced = run.rows_updated = run.rows_rejected = 0
    run.save()
    return run


FINAL_EVENTS = {
    ImportStatus.SUCCEEDED: ImportRunEventKind.SUCCEEDED,
    ImportStatus.UNCHANGED: ImportRunEventKind.UNCHANGED,
    ImportStatus.FAILED: ImportRunEventKind.FAILED,
    ImportStatus.REFUSED: ImportRunEventKind.REFUSED,
}


def _audit(viewer, run: ImportRun) -> None:
    """The run's last event and its audit entry, in the transaction that recorded its end."""
    event_write(viewer=viewer, record=run, kind=FINAL_EVENTS[ImportStatus(run.status)],
                changes={"status": [ImportStatus.RUNNING.label, ImportStatus(run.status).label]},
                note=run.message[:1000])
    audit_record(
        viewer=viewer,
        action=AuditAction.CREATE,
        object_type="incidents.importrun",
        object_id=run.pk,
        object_repr=f"{run.importer} import of {run.file_name}"[:300],
        details={
            "status": run.status,
            "file_hash": run.file_hash,
            "file_size": run.file_size,
            "profile": run.profile.name if run.profile_id else "",
            "organisation": run.organisation.name if run.organisation_id else "",
            "options": run.options,
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


def _lease_renew(run_id: int) -> None:
    ImportRun.objects.filter(pk=run_id, status=ImportStatus.RUNNING).update(
        lease_expires_at=timezone.now() + timedelta(seconds=settings.TASK_LEASE_SECONDS)
    )


def import_file(
    *,
    viewer,
    run: ImportRun,
    path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    worker: str = "",
) -> ImportRun:
    """Import one file for a queued run (the file at `path`, else the run's stored upload), as
    `viewer`; returns the run with its final status. The run's lease is renewed while it runs.
    Once the run is done with its upload (imported, unchanged or refused) the upload is deleted
    from the storage; a failed run keeps it, to be retried."""
    run.status, run.started_at = ImportStatus.RUNNING, timezone.now()
    run.progress_done = run.progress_total = 0
    run.attempts += 1
    run.worker = (worker or f"pid {os.getpid()} on {socket.gethostname()}")[:200]
    run.lease_expires_at = timezone.now() + timedelta(seconds=settings.TASK_LEASE_SECONDS)
    run.save()
    event_write(viewer=viewer, record=run, kind=ImportRunEventKind.STARTED,
                changes={"status": [ImportStatus.QUEUED.label, ImportStatus.RUNNING.label], "attempt": str(run.attempts)})
    try:
        with nullcontext(Path(path)) if path is not None else upload_as_path(run.upload) as local:
            _import_checked(viewer, run, local, progress)
    except FileNotFoundError:  # the stored upload is gone
        _stop(viewer, run, None, ImportStatus.FAILED, "The file to import is no longer there: upload it again.")
    if run.status in UPLOAD_DONE and run.upload:
        upload_discard(run)
    return run


def _import_checked(viewer, run: ImportRun, path: Path, progress) -> None:
    """Import the file at `path`, recording why if it is refused or fails."""
    options = dict(run.options or {})
    fingerprint = None
    try:
        with Heartbeat(lambda: _lease_renew(run.pk), every=settings.TASK_LEASE_SECONDS / 4, name=f"import-run-{run.pk}"):
            access.require(viewer, importer_named(run.importer).capability)
            fingerprint = file_fingerprint(path)
            _owner_from_file(viewer, run, path)
            _import(viewer, run, path, options, fingerprint, progress)
    except FileRefused as error:
        _stop(viewer, run, fingerprint, ImportStatus.REFUSED, str(error))
    except (ImportOptionError, NotAllowed) as error:
        _stop(viewer, run, fingerprint, ImportStatus.FAILED, str(error))
    except FileNotFoundError:
        _stop(viewer, run, fingerprint, ImportStatus.FAILED, "The file to import is no longer there: upload it again.")
    except Exception as error:
        logger.exception("import run %s failed", run.pk)
        message = f"The import failed and nothing was changed: {type(error).__name__}: {error}"
        _stop(viewer, run, fingerprint, ImportStatus.FAILED, message)


def _owner_from_file(viewer, run: ImportRun, path: Path) -> None:
    """For a file that says whose records it holds (police.uk's "Reported by"): when an
    organisation of the right kind has that name (ignoring case and spaces), the records are that organisation's, if the viewer may
    import for it — the operator may import for any; a person only for their own, so another
    organisation's file is refused, naming the column and the value. When no organisation has
    that name, the records are the run's organisation's (the person's own, or the one the
    operator named). See docs/decisions.md."""
    importer = importer_named(run.importer)
    named = importer.file_owner_name(path) if importer.owner_column else ""
    column = importer.owner_column
    # Only an organisation of the kind the column names (a police force), so that no partner can
    # take a force's records by calling itself by the force's name.
    organisation = organisation_named(named, kind=importer.owner_kind or None) if named else None
    if organisation is None:
        if run.organisation_id is None and importer.needs_organisation:
            found = f"{column} is {named!r}, which is not the name of an organisation in SaferPlace" if named \
                else f"{column} is blank"
            raise FileRefused(f"{found}: say which organisation's records these are (--organisation).")
        return
    if organisation.pk == run.organisation_id:
        return
    if not access.can(viewer, importer.capability, organisation):
        raise FileRefused(
            f"{column} is {named!r}: these are {named}'s records, and you can import only "
            f"{viewer.organisation_name}'s. Ask someone at {named} to import the file."
        )
    if run.organisation_id is not None:
        raise FileRefused(
            f"{column} is {named!r}, an organisation in SaferPlace, but the import is for {run.organisation.name}: "
            f"leave out --organisation, or name {named}."
        )
    run.organisation = organisation
    ImportRun.objects.filter(pk=run.pk).update(organisation=organisation)


def _import(viewer, run: ImportRun, path: Path, options: dict, fingerprint, progress) -> None:
    run.file_size = fingerprint.size
    ImportRun.objects.filter(pk=run.pk).update(file_size=run.file_size)
    # The same file imported before for the same organisation? Only a file of the same size can
    # be, so only then is there anything to wait for the hash for.
    same_size = ImportRun.objects.filter(
        importer=run.importer, profile=run.profile, organisation=run.organisation, file_size=run.file_size,
        status=ImportStatus.SUCCEEDED,
    ).exclude(pk=run.pk)
    earlier, again = None, []
    if same_size.exists():
        run.file_hash = fingerprint.sha256
        earlier = same_size.filter(file_hash=run.file_hash).order_by("-finished_at").first()
    # Unchanged only while the store holds what that import stored; else applied again (unchanged.py).
    inserts_incidents = importer_named(run.importer).inserts_incidents
    if earlier is not None and not stored_as_imported(earlier, inserts_incidents=inserts_incidents):
        again = list(same_size.filter(file_hash=run.file_hash).values_list("pk", flat=True))
        earlier = None
    if earlier is not None:
        _finish(run, ImportStatus.UNCHANGED, (
            f"This file was already imported on {earlier.finished_at:%d %B %Y at %H:%M} (run {earlier.pk}): "
            "nothing changed."
        ))
        _audit(viewer, run)
        return
    context = ImportContext(
        run=run, path=path, options=options, profile=run.profile, organisation=run.organisation,
        viewer=viewer, progress=progress, fingerprint=fingerprint,
    )
    importer = importer_named(run.importer)
    context.options = importer.clean_options(options, run.profile)
    prepared = importer.prepare(context)
    context.total = context.rows_read or context.total  # the progress total was an estimate
    run.file_hash = fingerprint.sha256
    # The write is one transaction, so nothing of it shows until it commits: say so now.
    run.message = f"{count_of(context.rows_read, 'row')} read and checked; storing them now."
    context.report(context.total // 2, force=True)
    ImportRun.objects.filter(pk=run.pk).update(message=run.message)
    context.bulk_load = (
        importer.inserts_incidents and not connection.in_atomic_block and bulk_load_suits(rows=context.rows_read)
    )
    # A bulk load checks foreign keys once at the end instead of row by row (store.py).
    with connection.constraint_checks_disabled() if context.bulk_load else nullcontext(), transaction.atomic():
        replaced_again = leftovers_delete(runs=again if inserts_incidents else [], organisation_id=run.organisation_id)
        importer.write(context, prepared)
        counts_refresh_marked()  # the counts change with the incidents, in the same transaction
        planner_statistics_refresh()
        context.rows_replaced += replaced_again
        if context.source is not None:
            source_blocks_save(run=run, blocks=context.source.blocks(records=context.source_records))
        _rejections_save(run, context.rejections)
        run.rows_read, run.rows_imported = context.rows_read, context.rows_imported
        run.rows_replaced, run.rows_updated = context.rows_replaced, context.rows_updated
        run.rows_rejected = context.rows_rejected
        run.progress_done = run.progress_total = context.total
        _finish(run, ImportStatus.SUCCEEDED, _summary(run) + _again(again), counts=context)
        _audit(viewer, run)
    if progress is not None:
        progress(context.total, context.total)


def _stop(viewer, run: ImportRun, fingerprint, status: ImportStatus, message: str) -> None:
    """Record a run that stored nothing: its file's hash (when the file could be read), why, and
    the audit entry."""
    if fingerprint is not None:
        run.file_hash = fingerprint.sha256
    _finish(run, status, message)
    _audit(viewer, run)


def _again(runs: list[int]) -> str:
    if not runs:
        return ""
    return (f" The same file was imported before (run {max(runs)}); it was applied again, "
            "as later files or outcomes had changed what it stored.")


def _summary(run: ImportRun) -> str:
    """The run's outcome in words: "1 row read, 1 imported, 0 rejected."."""
    parts = [f"{count_of(run.rows_read, 'row')} read", f"{run.rows_imported:,} imported"]
    if run.rows_replaced:
        parts.append(f"{count_of(run.rows_replaced, 'earlier record')} replaced")
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


def rejections_from_mask(
    context: ImportContext, failed: np.ndarray, row_numbers: np.ndarray, field_name: str, reasons, raw_rows
) -> None:
    """Record a rejection for each row where `failed` is true; `reasons` is one text or an array
    of texts, `raw_rows(position)` gives the row as a dictionary."""
    for position in np.flatnonzero(failed).tolist():
        reason = reasons if isinstance(reasons, str) else reasons[position]
        context.reject(row_numbers[position], field_name, reason, raw_rows(position))
