"""Escalation: the active `EscalationRule`s (data: a partnership changes them) applied to the
tasks, each rule once a task (`TaskEscalation` is unique for a task and a rule).

- **not accepted** after N hours since the task was made (still waiting, or declined and
  nobody's): the team's lead, or with no team or no lead, the people of the task's organisation
  whose role assigns tasks;
- **overdue** by N hours past the end of its due date, not finished: to the person it is with (a
  reminder; nobody's → as not accepted), to the chair (who set it: the meetings app makes a
  meeting's tasks as its chair), or onto the next meeting's agenda (recorded only; the agenda
  reads `selectors.tasks_for_agenda`).

Each firing writes the task's "escalated" event (and audit entry) and queues a message to each
person told through the notification backend. Run by the worker every 15 minutes
(`tasking.tasks.escalate_tasks`)."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from saferplace.history import record_change
from saferplace.notifications.services import notification_queue
from saferplace.partners import access
from saferplace.partners.models import RoleCapability, User
from saferplace.tasking.models import (
    FINISHED,
    EscalationRule,
    EscalationTo,
    EscalationWhen,
    Task,
    TaskEscalation,
    TaskEventKind,
    TaskStatus,
)


def _due(rule: EscalationRule, now: datetime):
    """The tasks `rule` fires for at `now`, that it has not fired for already."""
    since = now - timedelta(hours=rule.after_hours)
    tasks = Task.objects.exclude(escalations__rule=rule)
    if rule.when == EscalationWhen.NOT_ACCEPTED:
        tasks = tasks.filter(Q(status=TaskStatus.OPEN) | Q(status=TaskStatus.DECLINED, assignee__isnull=True),
                             created_at__lte=since)
    else:  # overdue: the due date ended (local midnight after it) at least N hours ago
        tasks = tasks.exclude(status__in=FINISHED).filter(due_date__lt=timezone.localtime(since).date())
    return tasks.select_related("organisation", "team__lead", "assignee", "created_by").order_by("id").distinct()


def _assigners(task: Task) -> list[User]:
    roles = RoleCapability.objects.filter(capability_id="tasks.assign").values("role")
    return list(User.objects.filter(organisation_id=task.organisation_id, is_active=True, role__in=roles)
                .order_by("id"))


def recipients(rule: EscalationRule, task: Task) -> list[User]:
    """Whom `rule` tells about `task` (none for the agenda)."""
    if rule.to == EscalationTo.AGENDA:
        return []
    if rule.to == EscalationTo.CHAIR:
        chair = task.created_by
        return [chair] if chair is not None and chair.is_active else []
    if rule.to == EscalationTo.ASSIGNEE and task.assignee is not None and task.assignee.is_active:
        return [task.assignee]
    lead = task.team.lead if task.team is not None else None
    if lead is not None and lead.is_active:
        return [lead]
    return _assigners(task)


def _message(rule: EscalationRule, task: Task) -> tuple[str, str]:
    due = f"{task.due_date.day} {task.due_date:%B %Y}" if task.due_date else "no due date"
    if rule.when == EscalationWhen.NOT_ACCEPTED:
        subject = f"Task not accepted: {task.title}"
        what = f"Nobody has accepted this task for {task.organisation.name} yet."
    elif rule.to == EscalationTo.ASSIGNEE:
        subject = f"Reminder: task overdue: {task.title}"
        what = f"This task is with you and was due on {due}."
    else:
        subject = f"Task overdue: {task.title}"
        what = f"This task for {task.organisation.name} was due on {due} and is not done."
    body = (f"{what}\n\nTask: {task.title}\nPriority: {task.get_priority_display()}\nDue: {due}\n"
            f"Status: {task.get_status_display()}\n\nOpen it in SaferPlace: /tasks/{task.pk}/\n\n"
            f"({rule.name})")
    return subject[:300], body


def _fire(viewer, rule: EscalationRule, task: Task, now: datetime) -> TaskEscalation | None:
    """Fire `rule` for `task` once: its record, the task's event, the messages. None if another
    worker fired it first."""
    try:
        with transaction.atomic():
            escalation = TaskEscalation.objects.create(task=task, rule=rule, at=now)
            told = recipients(rule, task)
            subject, body = _message(rule, task)
            for person in told:
                notification_queue(recipient=person, subject=subject, body=body, about=f"tasking.task:{task.pk}")
            if rule.to == EscalationTo.AGENDA:
                to = "the next meeting's agenda"
            else:
                to = ", ".join(person.display_name for person in told) or "nobody (no one to tell)"
            record_change(viewer=viewer, record=task, kind=TaskEventKind.ESCALATED, note=rule.name, always=True,
                          shown={"to": to}, details={"rule": rule.pk, "told": [person.pk for person in told]})
    except IntegrityError:
        return None
    return escalation


def tasks_escalate(*, viewer, now: datetime | None = None) -> list[TaskEscalation]:
    """Apply every active rule to the tasks it is due for, each once a task; returns what fired.
    Each firing is its own transaction, so one task's failure leaves the others' done."""
    access.require(viewer, "tasks.assign")
    now = now or timezone.now()
    fired = []
    for rule in EscalationRule.objects.filter(active=True):
        for task in _due(rule, now):
            escalation = _fire(viewer, rule, task, now)
            if escalation is not None:
                fired.append(escalation)
    return fired
