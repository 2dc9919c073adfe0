"""The starting escalation rules (data: a partnership may change them)."""

from django.db import migrations

RULES = [
    ("Not accepted after a day: tell the team's lead", "not_accepted", 24, "team_lead"),
    ("Overdue: remind the person it is with", "overdue", 0, "assignee"),
    ("Overdue by a day: tell the chair", "overdue", 24, "chair"),
    ("Overdue by a day: on the next meeting's agenda", "overdue", 24, "agenda"),
]


def forwards(apps, schema_editor):
    rule = apps.get_model("tasking", "EscalationRule")
    for name, when, after_hours, to in RULES:
        rule.objects.get_or_create(name=name, defaults={"when": when, "after_hours": after_hours, "to": to})


class Migration(migrations.Migration):
    dependencies = [("tasking", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
