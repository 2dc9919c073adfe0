from django.db import migrations


def forwards(apps, schema_editor):
    from saferplace.reports.states import report_states_install

    report_states_install(apps.get_model("reports", "ReportState"), apps.get_model("reports", "ResponseTemplate"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
