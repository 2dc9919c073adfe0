"""Escalation: each active rule fires once a task, tells the right people through the
notification backend, and writes the task's "escalated" event."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from saferplace.errors import NotAllowed
from saferplace.notifications.models import NotificationSend
from saferplace.tasking.escalation import tasks_escalate
from saferplace.tasking.models import EscalationRule, Task, TaskEscalation, TaskEvent, TaskEventKind
from saferplace.tasking.selectors import tasks_for_agenda
from saferplace.tasking.services import task_accept, task_complete
from saferplace.tasking.tasks import escalate_tasks
from tests.conftest import OPERATOR, viewer

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 20, 9, 0))


def _made(task: Task, hours_before_now: float) -> Task:
    Task.objects.filter(pk=task.pk).update(created_at=NOW - timedelta(hours=hours_before_now))
    task.refresh_from_db()
    return task


def _told(task: Task) -> list[str]:
    return sorted(NotificationSend.objects.filter(about=f"tasking.task:{task.pk}")
                  .values_list("recipient__username", flat=True))


def _rules(task: Task) -> set[str]:
    return set(TaskEscalation.objects.filter(task=task).values_list("rule__to", flat=True))


def test_the_starting_rules_are_data():
    assert set(EscalationRule.objects.values_list("when", "after_hours", "to")) == {
        ("not_accepted", 24, "team_lead"), ("overdue", 0, "assignee"), ("overdue", 24, "chair"),
        ("overdue", 24, "agenda")}


def test_a_task_not_accepted_after_a_day_goes_to_the_team_lead_once(make_task, council_team, council_lead,
                                                                    council_officer):
    task = _made(make_task(team=council_team), 25)
    waiting = _made(make_task(team=council_team, title="Made an hour ago"), 1)
    fired = tasks_escalate(viewer=OPERATOR, now=NOW)
    assert [(escalation.task, escalation.rule.to) for escalation in fired] == [(task, "team_lead")]
    assert _told(task) == ["council_lead"] and _told(waiting) == []
    message = NotificationSend.objects.get(about=f"tasking.task:{task.pk}")
    assert message.subject == f"Task not accepted: {task.title}" and f"/tasks/{task.pk}/" in message.body
    event = TaskEvent.objects.get(record=task, kind=TaskEventKind.ESCALATED)
    assert event.changes == {"to": "Council Lead"} and event.note.startswith("Not accepted after a day")
    assert tasks_escalate(viewer=OPERATOR, now=NOW + timedelta(hours=3)) == []
    assert _told(task) == ["council_lead"] and TaskEvent.objects.filter(kind=TaskEventKind.ESCALATED).count() == 1


def test_with_no_team_lead_those_who_assign_the_organisation_s_tasks_are_told(make_task, council_officer,
                                                                              council_analyst, council_admin,
                                                                              police_chair):
    task = _made(make_task(), 30)
    tasks_escalate(viewer=OPERATOR, now=NOW)
    assert _told(task) == ["council_admin", "council_analyst"]


def test_an_accepted_task_is_not_escalated_as_not_accepted(make_task, council_officer, council_lead):
    task = _made(make_task(assignee=council_officer), 48)
    task_accept(viewer=viewer(council_officer), task=task)
    assert tasks_escalate(viewer=OPERATOR, now=NOW) == []


def test_an_overdue_task_reminds_its_assignee_then_tells_the_chair_and_goes_on_the_agenda(
        make_task, council_officer, police_chair):
    task = _made(make_task(by=viewer(police_chair), assignee=council_officer, due_date=date(2026, 11, 19)), 1)
    task_accept(viewer=viewer(council_officer), task=task)
    tasks_escalate(viewer=OPERATOR, now=NOW)  # the day after its due date: a reminder only
    assert _rules(task) == {"assignee"} and _told(task) == ["council_officer"]
    assert tasks_for_agenda(viewer=OPERATOR, on=NOW.date()) == []
    tasks_escalate(viewer=OPERATOR, now=NOW + timedelta(hours=24))  # overdue by a day
    assert _rules(task) == {"assignee", "chair", "agenda"}
    assert _told(task) == ["council_officer", "police_chair"]
    assert tasks_for_agenda(viewer=OPERATOR, on=NOW.date() + timedelta(days=1)) == [task]
    assert tasks_for_agenda(viewer=viewer(police_chair), on=NOW.date() + timedelta(days=1),
                            organisation_ids=[task.organisation_id]) == [task]
    assert tasks_for_agenda(viewer=OPERATOR, on=NOW.date() + timedelta(days=1),
                            organisation_ids=[police_chair.organisation_id]) == []
    tasks_escalate(viewer=OPERATOR, now=NOW + timedelta(days=5))
    assert TaskEscalation.objects.filter(task=task).count() == 3 and len(_told(task)) == 2
    task_complete(viewer=viewer(council_officer), task=task, outcome="Done at last")
    assert tasks_for_agenda(viewer=OPERATOR, on=NOW.date() + timedelta(days=1)) == []


def test_finished_tasks_and_inactive_rules_do_not_fire(make_task, council_officer):
    done = _made(make_task(assignee=council_officer, due_date=date(2026, 11, 1)), 500)
    task_complete(viewer=viewer(council_officer), task=done, outcome="Done")
    EscalationRule.objects.filter(to="assignee").update(active=False)
    late = _made(make_task(assignee=council_officer, due_date=date(2026, 11, 10), title="Late"), 1)
    task_accept(viewer=viewer(council_officer), task=late)
    tasks_escalate(viewer=OPERATOR, now=NOW)
    assert _rules(done) == set() and _rules(late) == {"chair", "agenda"}


def test_escalating_needs_whoever_assigns_tasks(make_task, council_officer):
    _made(make_task(), 30)
    with pytest.raises(NotAllowed):
        tasks_escalate(viewer=viewer(council_officer), now=NOW)
    assert not TaskEscalation.objects.exists() and not NotificationSend.objects.exists()


def test_the_worker_s_task_escalates_as_the_operator(make_task, council_lead, council_team):
    task = _made(make_task(team=council_team), 24 * 400)  # made long ago: due whatever today is
    result = escalate_tasks.call()
    assert result == {"escalated": [{"task": task.pk, "rule": EscalationRule.objects.get(to="team_lead").pk}]}
    assert TaskEvent.objects.get(record=task, kind=TaskEventKind.ESCALATED).actor_name == "operator:worker"
