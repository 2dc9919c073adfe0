"""The `harm.manage` capability (setting harm weights), given to administrators."""

from django.db import migrations


def forwards(apps, schema_editor):
    from saferplace.partners.capabilities import capabilities_install

    capabilities_install(apps.get_model("partners", "Capability"), apps.get_model("partners", "RoleCapability"))


class Migration(migrations.Migration):
    dependencies = [("partners", "0006_events_lifecycle")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
