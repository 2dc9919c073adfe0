"""The worker's housekeeping: task leases (a task whose worker was killed is marked failed and
can be retried), scheduled jobs (queued once each time they fall due, by whichever worker finds
them due first), and retrying a failed task."""

from datetime import time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.errors import NotFound
from saferplace.incidents.importers import import_runs_expire
from saferplace.partners import access
from saferplace.worker.models import ScheduledJob, TaskLease
from saferplace.worker.schedule import jobs

STOPPED_CLASS = "saferplace.worker.WorkerStopped"


def _lease_until():
    return timezone.now() + timedelta(seconds=settings.TASK_LEASE_SECONDS)


def task_lease_start(*, task_id, task_path: str, worker_id: str) -> None:
    TaskLease.objects.update_or_create(
        task_id=task_id,
        defaults={"task_path": task_path[:300], "worker_id": worker_id[:100], "started_at": timezone.now(),
                  "expires_at": _lease_until()},
    )


def task_lease_renew(*, task_id) -> None:
    TaskLease.objects.filter(task_id=task_id).update(expires_at=_lease_until())


def task_lease_end(*, task_id) -> None:
    TaskLease.objects.filter(task_id=task_id).delete()


def tasks_expire(*, viewer) -> list[str]:
    """Mark failed each running task whose worker stopped: its lease ran out, or it has none and
    started longer ago than a lease lasts (a worker without leases). Import runs left running
    by it are marked failed too (`import_runs_expire`). Returns the ids marked."""
    now = timezone.now()
    expired = set(TaskLease.objects.filter(expires_at__lt=now).values_list("task_id", flat=True))
    leased = TaskLease.objects.values("task_id")
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).filter(
        Q(id__in=expired) | (~Q(id__in=leased) & Q(started_at__lt=now - timedelta(seconds=settings.TASK_LEASE_SECONDS)))
    )
    marked = []
    for result in running:
        with transaction.atomic():
            renewed = TaskLease.objects.filter(task_id=result.id, expires_at__gte=timezone.now()).values("task_id")
            changed = DBTaskResult.objects.filter(id=result.id, status=TaskResultStatus.RUNNING).exclude(
                id__in=renewed  # its worker renewed the lease after all: it is alive
            ).update(
                status=TaskResultStatus.FAILED, finished_at=now, exception_class_path=STOPPED_CLASS,
                traceback=(f"The worker running this task ({', '.join(result.worker_ids) or 'unknown'}) stopped "
                           f"answering; marked failed at {now.isoformat(timespec='seconds')}. Retry it with "
                           f"`saferplace tasks retry {result.id}`."),
            )
            if changed:
                TaskLease.objects.filter(task_id=result.id).delete()
                audit_record(viewer=viewer, action=AuditAction.CHANGE, object_type="django_tasks_db.dbtaskresult",
                             object_id=str(result.id), object_repr=f"task {result.task_path}"[:300],
                             details={"changes": {"status": ["RUNNING", "FAILED"]}, "because": "lease expired"})
                marked.append(str(result.id))
    import_runs_expire(viewer=viewer)
    return marked


def schedule_due(*, name: str, every_seconds: int, at: time | None = None, now=None) -> bool:
    """Claim a scheduled job if it is due: True for exactly one worker each time it falls due. A
    daily job (`at`) falls due once a day, at the first look after its time of day."""
    now = now or timezone.now()
    ScheduledJob.objects.get_or_create(name=name)
    if at is not None:
        local = timezone.localtime(now)
        if local.time() < at:
            return False
        start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        due = Q(last_queued_at__isnull=True) | Q(last_queued_at__lt=start_of_day)
    else:
        due = Q(last_queued_at__isnull=True) | Q(last_queued_at__lte=now - timedelta(seconds=every_seconds))
    return ScheduledJob.objects.filter(due, name=name).update(last_queued_at=now) == 1


def scheduled_jobs_enqueue() -> list[str]:
    """Queue every scheduled job that is due; returns their names."""
    queued = []
    for job in jobs():
        if schedule_due(name=job.name, every_seconds=job.every_seconds, at=job.at):
            import_string(job.task_path).enqueue()
            queued.append(job.name)
    return queued


def task_list(*, viewer, status: str = "") -> list[DBTaskResult]:
    access.require(viewer, "imports.run")
    results = DBTaskResult.objects.order_by("-enqueued_at")
    if status:
        results = results.filter(status=status)
    return list(results[:100])


@transaction.atomic
def task_retry(*, viewer, task_id: str):
    """Queue a failed task again with the same arguments (a new task; the failed one stays as it
    was). An import's own run is retried with `import_run_retry` instead, which keeps its file."""
    access.require(viewer, "imports.run")
    result = DBTaskResult.objects.filter(id=task_id).first() if len(str(task_id)) == 36 else None
    if result is None:
        raise NotFound(f"There is no task {task_id}.", record_type="django_tasks_db.dbtaskresult", record_id=str(task_id)[:40])
    if result.status != TaskResultStatus.FAILED:
        raise ValueError(f"Only a failed task can be retried; this one is {result.status.lower()}.")
    arguments = result.args_kwargs or {}
    again = result.task.enqueue(*arguments.get("args", []), **arguments.get("kwargs", {}))
    audit_record(viewer=viewer, action=AuditAction.CREATE, object_type="django_tasks_db.dbtaskresult",
                 object_id=str(again.id), object_repr=f"retry of task {result.task_path}"[:300],
                 details={"retry_of": str(result.id)})
    return again
