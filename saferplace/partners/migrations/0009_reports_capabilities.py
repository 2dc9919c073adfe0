from django.db import migrations


def forwards(apps, schema_editor):
    from saferplace.partners.capabilities import BY_CODE, capabilities_install

    capability, role_capability = apps.get_model("partners", "Capability"), apps.get_model("partners", "RoleCapability")
    capabilities_install(capability, role_capability)
    # Named before its app existed: it gets the roles it now has by default.
    for role in BY_CODE["reports.triage"].roles:
        role_capability.objects.get_or_create(role=str(role), capability_id="reports.triage")


class Migration(migrations.Migration):
    dependencies = [("partners", "0008_team_lead_and_meeting_capabilities")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
