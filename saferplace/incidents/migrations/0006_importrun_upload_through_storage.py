"""ImportRun.upload_path gives way to ImportRun.upload (through Django's storage API, added in
0005). A run still waiting for its file, or failed and kept to be retried, has its file moved
into the storage first, so that nothing already uploaded is lost; a file already gone stays
gone (the run says so if it is retried)."""

from pathlib import Path

from django.core.files import File
from django.db import migrations

KEEPING = ("queued", "running", "failed")


def move_uploads_into_storage(apps, schema_editor):
    ImportRun = apps.get_model("incidents", "ImportRun")
    for run in ImportRun.objects.exclude(upload_path="").filter(upload="", status__in=KEEPING).iterator():
        path = Path(run.upload_path)
        if not path.is_file():
            continue
        with path.open("rb") as handle:
            run.upload.save(path.name, File(handle), save=False)
        ImportRun.objects.filter(pk=run.pk).update(upload=run.upload.name)
        uploads = path.parent.parent
        if uploads.name == "uploads" and path.parent.name.isdigit():  # the web's DATA_DIR/uploads/<run>/
            path.unlink(missing_ok=True)
            try:
                path.parent.rmdir()
            except OSError:  # not empty
                pass


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0005_events_lifecycle"),
    ]

    operations = [
        migrations.RunPython(move_uploads_into_storage, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="importrun",
            name="upload_path",
        ),
    ]
