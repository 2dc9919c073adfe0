"""An item's starting states and transitions (data: a partnership may change them)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from saferplace.meetings.states import item_states_install

    item_states_install(apps.get_model("meetings", "ItemState"), apps.get_model("meetings", "ItemTransition"))


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
