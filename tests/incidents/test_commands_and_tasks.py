"""The `saferplace import …` and `saferplace incidents summary` commands, and the background
task the web upload enqueues."""

import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from saferplace.incidents.importers import import_run_create
from saferplace.incidents.models import ImportRun, ImportStatus, Incident
from saferplace.incidents.tasks import import_file_task
from tests.conftest import viewer
from tests.incidents.conftest import POLICE_UK_HEADER, csv_text, may_2026_rows


def run_command(*arguments) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_police_uk_prints_a_line_per_file_and_the_first_rejections(squares, world, write_file):
    first = write_file("2026-05-fenshire-street.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    out, _ = run_command("import", "police-uk", str(first), str(first), "--organisation", "Fenshire Police")

    run = ImportRun.objects.filter(status=ImportStatus.SUCCEEDED).get()
    assert f"{first}: 12 read, 11 imported, 0 replaced, 0 updated, 1 rejected (run {run.pk})." in out
    assert "row 11, Crime type: Crime type 'Cyber fraud' is not a police.uk crime type" in out
    assert f"saferplace import rejections {run.pk} > rejected-{run.pk}.csv" in out
    assert f"{first}: unchanged." in out
    assert Incident.objects.count() == 11

    report, _ = run_command("import", "rejections", str(run.pk))
    assert report.splitlines()[0] == "row_number,field,reason,raw"
    assert report.splitlines()[1].startswith("11,Crime type,")
    from saferplace.audit.models import AuditEntry

    exported = AuditEntry.objects.order_by("-sequence").first()
    assert (exported.action, exported.object_id, exported.channel) == ("export", str(run.pk), "command line")


@pytest.mark.django_db
def test_import_exits_non_zero_when_a_file_is_refused(squares, world, write_file):
    good = write_file("good.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    bad = write_file("bad.csv", "name,value\nx,1\n")
    with pytest.raises(CommandError, match="1 of 2 files were refused or failed"):
        run_command("import", "police-uk", str(good), str(bad), "--organisation", "Fenshire Police")
    assert Incident.objects.count() == 11
    with pytest.raises(CommandError, match="No organisation called 'Nobody'"):
        run_command("import", "police-uk", str(good), "--organisation", "Nobody")
    with pytest.raises(CommandError, match="No mapping profile called 'missing'"):
        run_command("import", "profile", "missing", str(good))


@pytest.mark.django_db
def test_import_lookups_take_column_options(world, write_file):
    path = write_file("postcodes.csv", "code,y,x\nTB1 1AA,52.0,0.1\n")
    out, _ = run_command("import", "postcode-lookup", str(path), "--postcode-column", "code",
                         "--latitude-column", "y", "--longitude-column", "x")
    assert "1 read, 1 imported" in out


@pytest.mark.django_db
def test_incidents_summary_in_every_format(squares, world, write_file):
    path = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    run_command("import", "police-uk", str(path), "--organisation", "Fenshire Police")

    table, _ = run_command("incidents", "summary", "--by", "category")
    assert table.splitlines()[0].split() == ["category", "count"]
    assert table.splitlines()[1].split() == ["anti-social-behaviour", "3"]
    assert table.splitlines()[-1].split() == ["total", "11"]

    as_json = json.loads(run_command("incidents", "summary", "--by", "lsoa", "--format", "json")[0])
    assert as_json["total"] == 11
    assert {row["lsoa"]: row["count"] for row in as_json["counts"]} == {"E01000001": 4, "E01000002": 6, "": 1}

    as_csv = run_command("incidents", "summary", "--by", "month", "--format", "csv")[0]
    assert as_csv.splitlines() == ["month,count", "2026-05,11"]
    by_source = run_command("incidents", "summary", "--by", "source", "--format", "csv")[0]
    assert by_source.splitlines() == ["source,count", "police-uk,11"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_an_enqueued_import(squares, world, write_file, police_analyst, stored_uploads):
    path = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    run = import_run_create(viewer=viewer(police_analyst), importer="police-uk", file_name=path.name,
                            upload=ContentFile(path.read_bytes()))
    upload = run.upload.name
    assert stored_uploads.exists(upload)
    result = import_file_task.enqueue(run.pk)
    assert DBTaskResult.objects.get(id=result.id).status == "READY"

    call_command("worker", "--batch")

    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == "SUCCESSFUL", stored.exception_class_path
    run.refresh_from_db()
    assert (run.status, run.rows_imported, run.rows_rejected) == (ImportStatus.SUCCEEDED, 11, 1)
    result.refresh()
    assert result.return_value["status"] == "succeeded"
    assert not stored_uploads.exists(upload) and not run.upload  # the upload is not kept once imported
    assert Incident.objects.count() == 11


def incident_indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return {index for index, info in connection.introspection.get_constraints(cursor, "incidents_incident").items() if info["index"]}


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_rebuilds_the_indexes_and_a_failed_one_leaves_them(squares, world, write_file, run_import, monkeypatch):
    """On SQLite a load bigger than the table drops and rebuilds the indexes inside the
    transaction; the indexes are there afterwards, whether the load succeeded or failed."""
    from django.db import connection

    from saferplace.incidents.importers import store

    if connection.vendor != "sqlite":
        pytest.skip("bulk loading by rebuilding indexes is for SQLite")
    monkeypatch.setattr(store, "BULK_LOAD_MIN_ROWS", 1)
    indexes = incident_indexes()
    # The narrow table keeps few indexes (owner/category/date at least); all of them are there.
    declared = len(Incident._meta.indexes) + sum(
        1 for field in Incident._meta.concrete_fields if field.db_index and not field.primary_key and not field.unique
    )
    assert len(indexes) == declared >= 1
    run = run_import("police-uk", write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows())), organisation="Fenshire Police")
    assert (run.status, run.rows_imported) == (ImportStatus.SUCCEEDED, 11)
    assert incident_indexes() == indexes

    real_insert = store.incident_rows_insert

    def insert_then_fail(**kwargs):
        real_insert(**kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "incident_rows_insert", insert_then_fail)
    rows = may_2026_rows() * 2
    failed = run_import("police-uk", write_file("may-v2.csv", csv_text(POLICE_UK_HEADER, rows)), organisation="Fenshire Police")
    assert failed.status == ImportStatus.FAILED
    assert incident_indexes() == indexes
    assert Incident.objects.count() == 11


@pytest.mark.django_db
def test_import_retry_imports_a_failed_runs_file_again(squares, world, write_file, police_analyst, stored_uploads):
    path = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    run = import_run_create(viewer=viewer(police_analyst), importer="police-uk", file_name=path.name,
                            upload=ContentFile(path.read_bytes()))
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED, message="The worker stopped.")
    out, _ = run_command("import", "retry", str(run.pk))
    run.refresh_from_db()
    assert (run.status, run.rows_imported, run.attempts) == (ImportStatus.SUCCEEDED, 11, 1)
    assert "11 imported" in out
    assert Incident.objects.filter(owning_organisation=world["organisations"]["police"]).count() == 11
    with pytest.raises(CommandError, match="Only a failed import can be retried"):
        run_command("import", "retry", str(run.pk))


def test_a_run_s_timeline_records_each_attempt_and_the_retry(squares, world, write_file, police_analyst, stored_uploads,
                                                              client):
    from saferplace.history import record_timeline
    from tests.conftest import sign_in

    path = write_file("may.csv", csv_text(POLICE_UK_HEADER, may_2026_rows()))
    run = import_run_create(viewer=viewer(police_analyst), importer="police-uk", file_name=path.name,
                            upload=ContentFile(path.read_bytes()))
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED, message="The worker stopped.")
    run_command("import", "retry", str(run.pk))
    events = list(record_timeline(run))
    assert [event.kind for event in events] == ["queued", "retried", "started", "succeeded"]
    assert events[0].actor_name == "police_analyst" and events[1].actor_name.startswith("operator:")
    # In words: whose records, the statuses by their names, the attempt (not the worker's process).
    assert events[0].changes == {"for": "Fenshire Police"}
    assert events[1].changes == {"status": ["Failed", "Queued"]}
    assert (events[2].changes, events[2].note) == ({"status": ["Queued", "Running"], "attempt": "1"}, "")
    assert events[3].changes == {"status": ["Running", "Imported"]} and "11 imported" in events[3].note
    page = sign_in(client, police_analyst).get(f"/imports/{run.pk}/").content.decode()
    assert "What happened to this import" in page and "Queued again" in page and "Imported" in page
    assert "Status: Queued → Running" in page and "Attempt: 1" in page and "For: Fenshire Police" in page
    assert "pid " not in page[page.index("What happened to this import"):]
