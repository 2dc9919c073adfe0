from django.db import migrations


def install(apps, schema_editor):
    from saferplace.incidents.taxonomy import taxonomy_install

    taxonomy_install(apps.get_model("incidents", "IncidentCategory"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
