"""A run's upload goes through Django's storage API (`ImportRun.upload`): kept until the run is
done with it, read by the worker from a storage with no local files (InMemoryStorage, as object
storage), deleted once imported, unchanged or refused, kept when it failed (to be retried). The
worker's task is queued only once the transaction recording the run commits, with the run's id
alone."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from saferplace.incidents.importers import import_file, import_run_create, import_run_retry, store
from saferplace.incidents.importers.uploads import upload_as_path
from saferplace.incidents.models import ImportRun, ImportStatus, Incident
from saferplace.incidents.tasks import import_run_enqueue
from tests.conftest import sign_in, viewer
from tests.incidents.conftest import POLICE_UK_HEADER, csv_text, may_2026_rows

MAY = csv_text(POLICE_UK_HEADER, may_2026_rows()).encode()
pytestmark = pytest.mark.django_db


def queued(person, content: bytes = MAY, name: str = "may.csv") -> ImportRun:
    return import_run_create(viewer=viewer(person), importer="police-uk", file_name=name, upload=ContentFile(content))


@pytest.mark.django_db(transaction=True)
def test_an_upload_in_a_storage_with_no_local_files_is_imported_by_the_worker(
    client, squares, world, police_analyst, stored_uploads,
):
    sign_in(client, police_analyst)
    response = client.post(reverse("web:import-new"), {
        "importer": "police-uk", "file": SimpleUploadedFile("2026-05-fenshire-street.csv", MAY, content_type="text/csv")})
    assert response.status_code == 302
    run = ImportRun.objects.get()
    name = run.upload.name
    assert stored_uploads.exists(name) and stored_uploads.open(name).read() == MAY
    assert not Path(stored_uploads.path(name)).exists()  # nowhere on this machine's disk
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [run.pk]

    call_command("worker", "--batch")

    run.refresh_from_db()
    assert (run.status, run.rows_imported, run.organisation) == (ImportStatus.SUCCEEDED, 11, world["organisations"]["police"])
    assert not run.upload and not stored_uploads.exists(name)  # deleted once imported
    assert Incident.objects.filter(import_run=run).count() == 11


def test_a_failed_run_keeps_its_upload_to_be_retried(squares, world, police_analyst, stored_uploads, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("disk full")

    run = queued(police_analyst)
    name = run.upload.name
    with monkeypatch.context() as patched:
        patched.setattr(store, "incident_rows_insert", fail)
        run = import_file(viewer=viewer(police_analyst), run=run)
    assert run.status == ImportStatus.FAILED and stored_uploads.exists(name)
    run = import_file(viewer=viewer(police_analyst), run=import_run_retry(viewer=viewer(police_analyst), run=run))
    assert (run.status, run.rows_imported, run.attempts) == (ImportStatus.SUCCEEDED, 11, 2)
    assert not stored_uploads.exists(name)


@pytest.mark.parametrize(("content", "status"), [(b"name,value\nx,1\n", ImportStatus.REFUSED), (MAY, ImportStatus.UNCHANGED)])
def test_a_refused_or_unchanged_run_deletes_its_upload(squares, world, police_analyst, stored_uploads, content, status):
    if status == ImportStatus.UNCHANGED:
        assert import_file(viewer=viewer(police_analyst), run=queued(police_analyst)).status == ImportStatus.SUCCEEDED
    run = queued(police_analyst, content, "again.csv")
    name = run.upload.name
    run = import_file(viewer=viewer(police_analyst), run=run)
    assert run.status == status
    assert not run.upload and not ImportRun.objects.get(pk=run.pk).upload and not stored_uploads.exists(name)


def test_a_retry_needs_the_upload_still_kept(squares, world, police_analyst, stored_uploads):
    from saferplace.incidents.importers import ImportOptionError

    run = queued(police_analyst)
    stored_uploads.delete(run.upload.name)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED)
    with pytest.raises(ImportOptionError, match="The file of this import is not kept"):
        import_run_retry(viewer=viewer(police_analyst), run=ImportRun.objects.get(pk=run.pk))
    # …and a queued run whose upload has gone fails, saying so.
    gone = queued(police_analyst, name="gone.csv")
    stored_uploads.delete(gone.upload.name)
    gone = import_file(viewer=viewer(police_analyst), run=gone)
    assert (gone.status, gone.message) == (ImportStatus.FAILED, "The file to import is no longer there: upload it again.")


def test_a_local_storage_is_read_in_place_and_another_through_a_temporary_copy(world, police_analyst, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    run = queued(police_analyst)
    with upload_as_path(run.upload) as path:
        assert path == tmp_path / run.upload.name
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    run = queued(police_analyst)
    with upload_as_path(run.upload) as path:
        assert path.read_bytes() == MAY and path.suffix == ".csv"
        copy = path
    assert not copy.exists()  # the temporary copy is gone


@pytest.mark.django_db(transaction=True)
def test_the_task_is_queued_when_the_run_commits_and_never_for_one_rolled_back(world, police_analyst, stored_uploads):
    with pytest.raises(RuntimeError), transaction.atomic():
        run = queued(police_analyst)
        import_run_enqueue(run)
        raise RuntimeError("the request failed after recording the run")
    assert not ImportRun.objects.exists() and not DBTaskResult.objects.exists()

    with transaction.atomic():
        run = queued(police_analyst)
        import_run_enqueue(run)
        assert not DBTaskResult.objects.exists()  # not before the commit
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == ("saferplace.incidents.tasks.import_file_task", [run.pk])


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil.csv", "/etc/passwd.csv", "..", "a b;rm -rf.csv"])
def test_a_hostile_file_name_stays_inside_the_uploads(world, police_analyst, stored_uploads, name):
    run = queued(police_analyst, name=name)
    assert run.upload.name.startswith("uploads/") and ".." not in run.upload.name.split("/")
    assert "/" not in run.upload.name.removeprefix("uploads/").split("/", 2)[-1]
    assert stored_uploads.open(run.upload.name).read() == MAY


@pytest.mark.parametrize("name", ["x" * 251 + ".csv", "é" * 200 + ".csv", "a" * 300, "b.csv" + "c" * 300])
def test_a_long_file_name_is_cut_to_fit_any_file_system_twice_over(tmp_path, name):
    from django.core.files.storage import FileSystemStorage

    from saferplace.incidents.importers.uploads import STORED_NAME_BYTES, safe_file_name

    safe = safe_file_name(name)
    assert len(safe.encode()) <= STORED_NAME_BYTES and safe.endswith(".csv") == name.endswith(".csv")
    storage = FileSystemStorage(location=tmp_path)
    first, second = (storage.save(f"uploads/2026/11/{safe}", ContentFile(MAY)) for _ in range(2))
    assert first != second and storage.open(second).read() == MAY
