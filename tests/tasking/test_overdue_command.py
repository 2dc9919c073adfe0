"""`saferplace tasks overdue [--date D] [--format table|json]`."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from saferplace.cli import main
from saferplace.tasking.models import Task
from saferplace.tasking.services import task_cancel
from tests.conftest import OPERATOR, viewer

pytestmark = pytest.mark.django_db


def run(capsys, *arguments: str) -> tuple[str, str]:
    """As `saferplace tasks …` runs (which closes the database connection after: once a test)."""
    main(["tasks", *arguments])
    captured = capsys.readouterr()
    return captured.out, captured.err


def call(*arguments: str) -> str:
    out = io.StringIO()
    call_command("tasks", *arguments, stdout=out)
    return out.getvalue()


def test_the_overdue_tasks_as_json(capsys, make_task, council_team, council_officer, police_chair):
    late = make_task(by=viewer(police_chair), title="Collect the fly tip", team=council_team, assignee=council_officer,
                     due_date=date(2026, 11, 18), priority="high", source_kind="meeting item", source_id=7,
                     source_label="DRMM 17 November 2026, item 3")
    make_task(title="Not due yet", due_date=date(2026, 11, 20))
    make_task(title="No due date")
    cancelled = make_task(title="Called off", due_date=date(2026, 11, 1))
    task_cancel(viewer=OPERATOR, task=cancelled, reason="Not needed")
    fire = make_task("fire", title="Check the smoke alarms", due_date=date(2026, 11, 19))
    out, _ = run(capsys, "overdue", "--format", "json", "--date", "2026-11-20")
    report = json.loads(out)
    assert report == {"on": "2026-11-20", "tasks": [
        {"id": late.pk, "title": "Collect the fly tip", "organisation": "Riverford City Council", "team": "Neighbourhood",
         "assignee": "Council Officer", "due_date": "2026-11-18", "days_overdue": 2, "priority": "high",
         "status": "open", "source": "DRMM 17 November 2026, item 3"},
        {"id": fire.pk, "title": "Check the smoke alarms", "organisation": "Fenshire Fire and Rescue Service",
         "team": None, "assignee": None, "due_date": "2026-11-19", "days_overdue": 1, "priority": "normal",
         "status": "open", "source": None},
    ]}


def test_the_overdue_tasks_as_a_table(capsys, make_task):
    make_task(title="Collect the fly tip", due_date=date(2026, 11, 18))
    out = call("overdue", "--date", "2026-11-20")
    assert out.splitlines()[0] == "1 task overdue on 2026-11-20:"
    assert "2 days late" in out and "Collect the fly tip: Riverford City Council, nobody yet" in out
    out = call("overdue", "--date", "2026-11-18")
    assert out.strip() == "No task is overdue on 2026-11-18."


@pytest.mark.parametrize("day, reason", [("2026-02-30", "is not a date"), ("yesterday", "is not a date"),
                                         ("9999-12-31", "out of range")])
def test_a_date_that_is_not_one_is_refused_with_no_traceback(capsys, world, day, reason):
    with pytest.raises(SystemExit) as stopped:
        run(capsys, "overdue", "--date", day)
    assert stopped.value.code != 0
    err = capsys.readouterr().err
    assert reason in err and ("YYYY-MM-DD" in err or "1900 to 2100" in err)
    assert "Traceback" not in err


def test_the_help_names_both_kinds_of_task(capsys):
    with pytest.raises(SystemExit):
        run(capsys, "--help")
    out = capsys.readouterr().out
    assert "overdue" in out and "retry" in out and "list" in out


def test_escalate_applies_the_rules_now(capsys, make_task, council_team):
    task = make_task(team=council_team)
    Task.objects.filter(pk=task.pk).update(created_at=task.created_at - timedelta(hours=25))
    call_command("tasks", "escalate")
    assert f"task {task.pk} (Not accepted after a day" in capsys.readouterr().out
    call_command("tasks", "escalate")
    assert "0 escalations: none due." in capsys.readouterr().out
