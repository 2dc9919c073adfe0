"""The jobs the worker queues on a schedule. Each is (name, task, every how many seconds); a job
is queued by whichever worker finds it due first (`schedule_due`)."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str
    every_seconds: int


def jobs() -> list[Job]:
    return [
        Job("audit checkpoint", "saferplace.audit.tasks.write_audit_checkpoint", settings.AUDIT_CHECKPOINT_MINUTES * 60),
        Job("agreement warnings", "saferplace.partners.tasks.warn_agreements_due", 24 * 60 * 60),
        Job("notifications", "saferplace.notifications.tasks.send_notifications", 60),
    ]
