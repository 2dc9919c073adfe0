"""Migration incidents 0007: a sample waiting for the worker has its file moved from the web's
samples folder into the storage; one whose file is gone is dropped; one already read keeps its
header and rows, and a file of it left behind is deleted."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("incidents", "0006_importrun_upload_through_storage")]


def migrate(targets=None):
    """Migrate to `targets` (else to the latest migrations, where the test database was);
    returns the models as they were there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_samples_are_moved_into_the_storage_or_dropped(world, council_analyst, tmp_path, stored_uploads):
    folder = tmp_path / "uploads" / "profile-samples"
    folder.mkdir(parents=True)
    waiting, read = folder / "0a1b.csv", folder / "2c3d.csv"
    waiting.write_bytes(b"Ref,Date\nC-1,03/05/2026\n")
    read.write_bytes(b"left behind")
    try:
        apps = migrate(BEFORE)
        ProfileSample = apps.get_model("incidents", "ProfileSample")
        common = {"organisation_id": council_analyst.organisation_id, "created_by_id": council_analyst.pk}
        kept = ProfileSample.objects.create(file_name="calls.csv", path=str(waiting), **common)
        gone = ProfileSample.objects.create(file_name="gone.csv", path=str(folder / "ffff.csv"), **common)
        done = ProfileSample.objects.create(file_name="done.csv", path=str(read), status="ready", header=["Ref"],
                                            rows=[["C-1"]], **common)
    finally:
        migrate()

    from saferplace.incidents.models import ProfileSample
    assert sorted(ProfileSample.objects.values_list("pk", flat=True)) == sorted([kept.pk, done.pk])
    moved = ProfileSample.objects.get(pk=kept.pk)
    assert moved.upload.name.startswith("samples/") and moved.status == "queued"
    with stored_uploads.open(moved.upload.name, "rb") as handle:
        assert handle.read() == b"Ref,Date\nC-1,03/05/2026\n"
    finished = ProfileSample.objects.get(pk=done.pk)
    assert (finished.upload.name, finished.header, finished.rows) == ("", ["Ref"], [["C-1"]])
    assert ProfileSample.objects.filter(pk=gone.pk).count() == 0
    assert not folder.exists()  # both files gone from this machine's disk, and the emptied folder too
