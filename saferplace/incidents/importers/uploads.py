"""A run's uploaded file, kept through Django's storage API (`ImportRun.upload`, the storage
`STORAGES["default"]` names: a folder on this machine by default, object storage in a larger
deployment) from the upload until the run is done with it.

The importers read files from a local path (pandas, the CSV reader, openpyxl). When the
storage keeps its files on this machine's disk, that is the stored file itself; otherwise the
file is copied to a temporary file for the length of the import, then deleted.

The upload is deleted once the run is done with it — imported, unchanged or refused — because
the run keeps what it needs (its counts, its rejections and, for incident files, the file
itself in compressed blocks) and a partner's file left in the storage would be personal data
outside the access policy. A failed run keeps its upload, to be retried."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.utils.text import get_valid_filename

from saferplace.incidents.models import ImportRun, ImportStatus

UPLOAD_DONE = (ImportStatus.SUCCEEDED, ImportStatus.UNCHANGED, ImportStatus.REFUSED)
COPY_BLOCK = 4 * 1024 * 1024


def upload_save(run: ImportRun, content: File, *, file_name: str) -> None:
    """Store the file with the run (under uploads/<year>/<month>/ in the storage; the storage
    makes the name unique and safe)."""
    run.upload.save(safe_file_name(file_name), content, save=False)
    ImportRun.objects.filter(pk=run.pk).update(upload=run.upload.name)


# The most bytes of a stored name, well under a file system's 255, leaving room for the
# storage's "_abc1234" when a name is taken.
STORED_NAME_BYTES = 120


def safe_file_name(file_name: str) -> str:
    """The base name, with only letters, digits, "-", "_" and "." ("upload" if none is left),
    cut to STORED_NAME_BYTES (keeping its extension): never a path a person chose."""
    try:
        name = get_valid_filename(Path(str(file_name)).name)
    except SuspiciousFileOperation:  # "..", "" and the like
        return "upload"
    path = Path(name)
    suffix = path.suffix if len(path.suffix.encode()) <= 16 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    while stem and len((stem + suffix).encode()) > STORED_NAME_BYTES:
        stem = stem[:-1]
    return (stem or "upload") + suffix


def upload_kept(run: ImportRun) -> bool:
    """Whether the run's upload is still in the storage (to be retried)."""
    return bool(run.upload) and run.upload.storage.exists(run.upload.name)


@contextmanager
def upload_as_path(upload: FieldFile) -> Iterator[Path]:
    """A local path to a stored file: the file itself when the storage keeps it on this
    machine's disk, else a temporary copy, deleted afterwards. Raises `FileNotFoundError` for a
    file that is not there."""
    if not upload:
        raise FileNotFoundError("the run has no stored file")
    try:
        local = Path(upload.path)
    except NotImplementedError:  # a storage with no local files (object storage)
        local = None
    if local is not None and local.is_file():
        yield local
        return
    # Not on this machine's disk (a storage may name a path it does not use, as InMemoryStorage
    # does): read it through the storage, which raises FileNotFoundError if it is not there.
    with tempfile.NamedTemporaryFile(prefix="saferplace-import-", suffix=Path(upload.name).suffix) as copy:
        with upload.storage.open(upload.name, "rb") as source:
            shutil.copyfileobj(source, copy, COPY_BLOCK)
        copy.flush()
        yield Path(copy.name)


def upload_discard(run: ImportRun) -> None:
    """Delete the run's upload from the storage."""
    if run.upload:
        run.upload.delete(save=False)
    ImportRun.objects.filter(pk=run.pk).update(upload="")
