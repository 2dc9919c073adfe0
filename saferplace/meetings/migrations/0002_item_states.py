"""An item's starting states and transitions (data: a partnership may change them)."""

from django.db import migrations

STATES = [("new", "New", False, 1), ("in_hand", "In hand", False, 2), ("monitoring", "Monitoring", False, 3),
          ("closed", "Closed", True, 4)]
TRANSITIONS = [("new", "in_hand"), ("new", "monitoring"), ("new", "closed"), ("in_hand", "monitoring"),
               ("in_hand", "closed"), ("monitoring", "in_hand"), ("monitoring", "closed"), ("closed", "in_hand")]


def forwards(apps, schema_editor):
    state, transition = apps.get_model("meetings", "ItemState"), apps.get_model("meetings", "ItemTransition")
    for code, name, is_closed, order in STATES:
        state.objects.get_or_create(code=code, defaults={"name": name, "is_closed": is_closed, "order": order})
    for from_code, to_code in TRANSITIONS:
        transition.objects.get_or_create(from_state_id=from_code, to_state_id=to_code)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
