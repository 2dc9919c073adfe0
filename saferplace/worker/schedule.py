"""The jobs the worker queues on a schedule. Each is (name, task, every how many seconds), or a
daily job at a time of day (`at`: queued once a day, at the first look after that time); a job
is queued by whichever worker finds it due first (`schedule_due`)."""

from dataclasses import dataclass
from datetime import time

from django.conf import settings


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str
    every_seconds: int
    at: time | None = None  # a daily job: its time of day (local time)


def jobs() -> list[Job]:
    return [
        Job("audit checkpoint", "saferplace.audit.tasks.write_audit_checkpoint", settings.AUDIT_CHECKPOINT_MINUTES * 60),
        Job("agreement warnings", "saferplace.partners.tasks.warn_agreements_due", 24 * 60 * 60),
        Job("notifications", "saferplace.notifications.tasks.send_notifications", 60),
        Job("task escalations", "saferplace.tasking.tasks.escalate_tasks", 15 * 60),
        Job("draft agendas", "saferplace.meetings.tasks.prepare_agendas", 24 * 60 * 60, at=settings.AGENDA_DRAFTED_AT),
    ]
