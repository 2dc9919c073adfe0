"""A mapping profile may name a separate time column (`MappingProfile.time_column`), and a
profile's sample file is kept through Django's storage API (`ProfileSample.upload`) instead of at
a local path (`ProfileSample.path`, removed).

A sample still waiting for the worker has its file moved into the storage; one whose file is
gone is dropped (samples are short-lived: the analyst uploads it again). A sample already read
keeps its header and rows, which is all the profile page uses; a file of one left behind in the
web's samples folder is deleted (it is a partner's file outside the access policy)."""

import contextlib
from pathlib import Path

from django.core.files import File
from django.db import migrations, models

SAMPLES_FOLDER = "profile-samples"  # the web's DATA_DIR/uploads/profile-samples/


def move_samples_into_storage(apps, schema_editor):
    ProfileSample = apps.get_model("incidents", "ProfileSample")
    folders = set()
    for sample in ProfileSample.objects.exclude(path="").iterator():
        path = Path(sample.path)
        ours = path.parent.name == SAMPLES_FOLDER  # only the web's own copies are deleted
        if ours:
            folders.add(path.parent)
        if not path.is_file():
            if sample.status == "queued":
                ProfileSample.objects.filter(pk=sample.pk).delete()  # it could never be read
            continue
        if sample.status == "queued":
            with path.open("rb") as handle:
                sample.upload.save(path.name, File(handle), save=False)
            ProfileSample.objects.filter(pk=sample.pk).update(upload=sample.upload.name)
        if ours:
            path.unlink(missing_ok=True)
    for folder in folders:
        with contextlib.suppress(OSError):  # not empty, or already gone
            folder.rmdir()


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0006_importrun_upload_through_storage"),
    ]

    operations = [
        migrations.AddField(
            model_name="mappingprofile",
            name="time_column",
            field=models.CharField(blank=True, help_text="A column with the time of day, read instead of a time after the date", max_length=100),
        ),
        migrations.AddField(
            model_name="profilesample",
            name="upload",
            field=models.FileField(blank=True, help_text="The sample file, through the storage API, until the worker has read it", max_length=500, upload_to="samples/%Y/%m/"),
        ),
        migrations.RunPython(move_samples_into_storage, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="profilesample",
            name="path",
        ),
    ]
