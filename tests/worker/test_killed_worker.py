"""A worker killed part-way through an import, for real: `saferplace worker` runs in a process
of its own on the test database, picks up a police.uk file queued as a web upload queues it,
and is sent SIGKILL in the middle of the import's write, after it has deleted the month it
replaces and inserted the file's incidents but before it commits. Nothing of that may show
(the write is one transaction); the run must be noticed once its lease runs out (the worker's
housekeeping marks it and its task failed, saying why); and retrying it must import the file.

So that the kill lands there every time, not wherever the import happens to be, the worker
process is the real command with one function wrapped to wait at that point
(`paused_worker.py`). Its lease is made short (TASK_LEASE_SECONDS=10, the least allowed), in
the worker process and in this one. The test waits on what it can see in the database
(polling), never on the clock; the deadlines only stop it hanging if something is broken."""

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files import File
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saferplace.audit.models import AuditEntry
from saferplace.incidents.importers import (
    import_file,
    import_run_create,
    import_run_retry,
    run_is_stopped,
)
from saferplace.incidents.models import ImportStatus, Incident
from saferplace.incidents.tasks import import_file_task
from saferplace.partners.viewer import TASK, operator_viewer
from saferplace.worker.models import TaskLease
from saferplace.worker.services import STOPPED_CLASS, tasks_expire
from tests.conftest import viewer
from tests.incidents.conftest import (  # noqa: F401 - squares: a fixture
    POINT_A,
    POINT_B,
    POLICE_UK_HEADER,
    csv_text,
    may_2026_rows,
    police_row,
    squares,
)
from tests.incidents.test_commands_and_tasks import incident_indexes

LEASE_SECONDS = 10  # the shortest lease the settings allow
ROWS = 200_000  # a file that takes the import a few seconds, and a bulk load (indexes dropped and rebuilt)
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
CRIME_TYPES = ["Burglary", "Shoplifting", "Vehicle crime", "Public order", "Drugs", "Robbery", "Other theft"]
DEADLINE = 120  # seconds: only so that a broken worker fails the test instead of hanging it


def write_police_file(path: Path, rows: int) -> None:
    """A police.uk file of `rows` distinct crimes over five months, in the two test LSOAs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(POLICE_UK_HEADER)
        writer.writerows(
            police_row(number, MONTHS[(number - 1) * len(MONTHS) // rows], CRIME_TYPES[number % len(CRIME_TYPES)],
                       POINT_A if number % 2 else POINT_B)
            for number in range(1, rows + 1)
        )


def database_url() -> str:
    """The test database, as the worker process is told it (it must use the same one)."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    if connection.vendor == "postgresql":
        credentials = quote(database["USER"] or "", safe="")
        if database["PASSWORD"]:
            credentials += ":" + quote(database["PASSWORD"], safe="")
        host = database["HOST"] or "localhost"
        port = f":{database['PORT']}" if database["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(database['NAME'], safe='')}"
    pytest.skip(f"the worker process cannot be pointed at a {connection.vendor} test database")


def write_lock_held() -> bool:
    """On SQLite, whether some connection holds the database's write lock (a write transaction
    is open): taking it without waiting fails."""
    probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error), error
        return True
    else:
        probe.rollback()
        return False
    finally:
        probe.close()


def output_of(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else ""


def wait_for(condition, what: str, *, worker=None, log: Path | None = None):
    """Poll until `condition()` is true; fail, with the worker's output, if the worker exits
    first or nothing happens before the deadline."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}:\n{output_of(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}:\n{output_of(log) if log else ''}")
        time.sleep(0.05)


def incidents_snapshot() -> list[dict]:
    return list(Incident.objects.order_by("pk").values())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("squares")
def test_a_worker_killed_part_way_through_an_import_changes_nothing_and_the_run_can_be_retried(
    world, police_analyst, settings, tmp_path,
):
    settings.DATA_DIR = tmp_path / "data"
    # The worker process keeps uploads where its settings put them: DATA_DIR/media.
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(settings.DATA_DIR / "media")}}}
    settings.TASK_LEASE_SECONDS = LEASE_SECONDS
    analyst = viewer(police_analyst)
    # What the force imported before: May 2026, which the big file replaces.
    earlier_file = tmp_path / "may.csv"
    earlier_file.write_text(csv_text(POLICE_UK_HEADER, may_2026_rows()), encoding="utf-8")
    earlier = import_file(viewer=analyst, run=import_run_create(
        viewer=analyst, importer="police-uk", file_name=earlier_file.name), path=earlier_file)
    assert earlier.status == ImportStatus.SUCCEEDED and earlier.rows_imported == 11
    before = incidents_snapshot()
    indexes = incident_indexes()

    # Queued as the web upload queues it: the run, its file kept through the storage, the task.
    big_file = tmp_path / "police-uk-street.csv"
    write_police_file(big_file, ROWS)
    with big_file.open("rb") as handle:
        run = import_run_create(viewer=analyst, importer="police-uk", file_name=big_file.name, upload=File(handle))
    path = Path(run.upload.path)
    task = import_file_task.enqueue(run.pk)

    pause_file = tmp_path / "paused"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saferplace.settings",
        "DATABASE_URL": database_url(),
        "SAFERPLACE_DATA_DIR": str(settings.DATA_DIR),
        "AUDIT_CHECKPOINT_SINK": settings.AUDIT_CHECKPOINT_SINK,
        "TASK_LEASE_SECONDS": str(LEASE_SECONDS),
        "MIGRATE_ON_START": "false",
        "SAFERPLACE_TEST_PAUSE_FILE": str(pause_file),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(  # noqa: S603 - this interpreter, the project's own command
            [sys.executable, "-m", "tests.worker.paused_worker", "worker", "--interval", "0.1"],
            cwd=django_settings.BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        def running_with_progress() -> bool:
            run.refresh_from_db()
            return run.status == ImportStatus.RUNNING and run.progress_done > 0

        wait_for(running_with_progress, "the import to be running with progress", worker=worker, log=log)
        assert DBTaskResult.objects.get(id=task.id).status == "RUNNING"
        assert TaskLease.objects.filter(task_id=task.id).exists()
        wait_for(pause_file.exists, "the import to have written its rows", worker=worker, log=log)
        # The rows are written but not committed: the write transaction is open, and outside
        # it the run says only that it is storing them.
        if connection.vendor == "sqlite":
            assert write_lock_held()
        run.refresh_from_db()
        assert run.status == ImportStatus.RUNNING and "storing them now" in run.message
        assert run.progress_done == ROWS // 2
        assert incidents_snapshot() == before
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    # Nothing of the import shows: the incident table is exactly as it was, its indexes too (a
    # load this much bigger than the table drops and rebuilds them inside its transaction).
    assert incidents_snapshot() == before
    assert incident_indexes() == indexes
    if connection.vendor == "sqlite":
        assert not write_lock_held()
    run.refresh_from_db()
    assert run.status == ImportStatus.RUNNING  # as far as anyone can tell until its lease runs out

    # Once the leases have run out, the housekeeping notices the worker stopped.
    def leases_expired() -> bool:
        run.refresh_from_db()
        lease = TaskLease.objects.filter(task_id=task.id).first()
        return run_is_stopped(run) and (lease is None or lease.expires_at < timezone.now())

    wait_for(leases_expired, "the leases to run out")
    housekeeper = operator_viewer("test", channel=TASK)
    assert tasks_expire(viewer=housekeeper) == [str(task.id)]
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED, run.message
    assert "stopped part-way" in run.message and f"saferplace import retry {run.pk}" in run.message
    assert run.lease_expires_at is None and run.finished_at is not None
    stopped_task = DBTaskResult.objects.get(id=task.id)
    assert stopped_task.status == "FAILED" and stopped_task.exception_class_path == STOPPED_CLASS
    assert not TaskLease.objects.filter(task_id=task.id).exists()
    assert AuditEntry.objects.filter(object_type="incidents.importrun", object_id=str(run.pk),
                                     details__because="lease expired").count() == 1
    assert tasks_expire(viewer=housekeeper) == []  # noticed once
    assert incidents_snapshot() == before
    assert path.is_file()  # kept, to be retried

    # Retried as the run page's button retries it, and imported by a worker (in this process:
    # the database the killed one left behind is as good as any).
    run = import_run_retry(viewer=analyst, run=run)
    assert run.status == ImportStatus.QUEUED
    again = import_file_task.enqueue(run.pk)
    call_command("worker", "--batch")
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.message
    assert (run.rows_read, run.rows_imported, run.rows_rejected) == (ROWS, ROWS, 0)
    assert run.rows_replaced == len(before)  # May 2026 as imported before
    assert run.attempts == 2
    assert DBTaskResult.objects.get(id=again.id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.get(id=task.id).status == "FAILED"  # the killed attempt stays as it was
    assert Incident.objects.count() == Incident.objects.filter(import_run=run.pk).count() == ROWS
    assert incident_indexes() == indexes
    assert not path.exists()  # an upload is not kept once imported
